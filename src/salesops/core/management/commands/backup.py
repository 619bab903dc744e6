"""`salesops backup FILE`: a consistent backup of the database, safe while the app runs."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from salesops.core.backup import BackupError, backup_database


class Command(BaseCommand):
    help = "Back up the database to FILE (SQLite online backup, or pg_dump -Fc for PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            result = backup_database(settings_dict=connection.settings_dict, target=file)
        except BackupError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        self.stdout.write(
            f"Backed up the {result.vendor} database to {result.path} ({result.size:,} bytes)."
        )
