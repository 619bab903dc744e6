"""`salesops backup FILE` / `salesops restore FILE`: a round trip brings the records back, a file
that is not a SalesOps backup is refused, and the database before the restore is kept."""

from __future__ import annotations

import os
import sqlite3

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from salesops.core.models import AuditEvent, OrgUnit
from salesops.core.services import org_unit_create

pytestmark = pytest.mark.django_db(transaction=True)

on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="DATABASE_URL is not a PostgreSQL URL (see .ci/run)",
)
on_sqlite = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="DATABASE_URL is set: not the SQLite database"
)


def _round_trip(tmp_path, suffix: str):
    kept = org_unit_create(name="Kept Region", code="KEEP")
    changed = org_unit_create(name="Original Name", code="CHG")
    backup = tmp_path / f"salesops{suffix}"
    call_command("backup", str(backup))

    OrgUnit.objects.filter(pk=kept.pk).delete()
    OrgUnit.objects.filter(pk=changed.pk).update(name="Renamed After Backup")
    org_unit_create(name="Made After Backup", code="LATE")

    call_command("restore", str(backup))
    return backup


@on_sqlite
def test_sqlite_round_trip_brings_back_the_records_as_they_were_at_backup(tmp_path):
    _round_trip(tmp_path, ".sqlite3")
    assert OrgUnit.objects.filter(code="KEEP").exists()
    assert OrgUnit.objects.get(code="CHG").name == "Original Name"
    assert not OrgUnit.objects.filter(code="LATE").exists()


@on_sqlite
def test_sqlite_backup_is_a_sqlite_file_marked_as_a_salesops_backup(tmp_path):
    org_unit_create(name="Anything", code="ANY")
    target = tmp_path / "b.sqlite3"
    call_command("backup", str(target))
    conn = sqlite3.connect(target)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    codes = {r[0] for r in conn.execute("SELECT code FROM core_orgunit")}
    conn.close()
    assert {"salesops_backup", "core_user", "django_migrations"} <= tables
    assert codes == {"ANY"}


@on_sqlite
def test_restore_keeps_a_copy_of_the_database_it_replaces(tmp_path):
    backup = tmp_path / "b.sqlite3"
    call_command("backup", str(backup))
    org_unit_create(name="Only In The Replaced Database", code="GONE")
    call_command("restore", str(backup))
    assert not OrgUnit.objects.filter(code="GONE").exists()
    copies = sorted((settings.DATA_DIR / "backups").glob("pre-restore-*.sqlite3"))
    conn = sqlite3.connect(copies[-1])
    codes = {r[0] for r in conn.execute("SELECT code FROM core_orgunit")}
    conn.close()
    assert "GONE" in codes


@on_sqlite
def test_restore_is_recorded_in_the_audit_log_of_the_restored_database(tmp_path):
    _round_trip(tmp_path, ".sqlite3")
    event = AuditEvent.objects.get(action="system.restore")
    assert event.after["file"].endswith("salesops.sqlite3")


@pytest.mark.parametrize(
    "content",
    [b"name,amount\nAcme,12.00\n", b""],
    ids=["csv file", "empty file"],
)
def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(tmp_path, content):
    org_unit_create(name="Still Here", code="HERE")
    bogus = tmp_path / "not-a-backup.bin"
    bogus.write_bytes(content)
    with pytest.raises(CommandError, match="NOT_A_BACKUP"):
        call_command("restore", str(bogus))
    assert OrgUnit.objects.filter(code="HERE").exists()


@on_sqlite
def test_restore_refuses_a_sqlite_file_that_is_not_a_salesops_backup(tmp_path):
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(CommandError, match="NOT_A_BACKUP"):
        call_command("restore", str(other))


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="NOT_A_BACKUP"):
        call_command("restore", str(tmp_path / "nowhere.sqlite3"))


@pytest.mark.postgres
@on_postgres
def test_postgres_round_trip_with_pg_dump_and_pg_restore(tmp_path):
    assert connection.vendor == "postgresql"
    backup = _round_trip(tmp_path, ".dump")
    assert backup.read_bytes()[:5] == b"PGDMP"
    assert OrgUnit.objects.filter(code="KEEP").exists()
    assert OrgUnit.objects.get(code="CHG").name == "Original Name"
    assert not OrgUnit.objects.filter(code="LATE").exists()
    assert list((settings.DATA_DIR / "backups").glob("pre-restore-*.dump"))
