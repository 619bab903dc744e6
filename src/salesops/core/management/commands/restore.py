"""`salesops restore FILE`: replace the database with a backup made by `salesops backup`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from salesops.core.audit import audit_record
from salesops.core.backup import BackupError, restore_database


class Command(BaseCommand):
    help = (
        "Restore the database from FILE (made by `salesops backup`). Stop the server and the "
        "workers first. A copy of the current database is kept in the data dir."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        connection.close()
        try:
            result = restore_database(
                settings_dict=connection.settings_dict,
                source=file,
                keep_dir=settings.DATA_DIR / "backups",
            )
        except BackupError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        connection.close()
        audit_record(
            actor=None,
            action="system.restore",
            object_type="database",
            object_id=connection.settings_dict["NAME"],
            after={"file": str(result.path), "safety_copy": str(result.safety_copy)},
            reason="salesops restore",
        )
        self.stdout.write(f"Restored the {result.vendor} database from {result.path}.")
        self.stdout.write(f"The database as it was before is kept in {result.safety_copy}.")
        self.stdout.write("Run `salesops migrate` if the backup is from an older version.")
