"""The suite runs on the embedded SQLite database by default and on PostgreSQL when
DATABASE_URL says so (.ci/run's second pass): these tests prove which one it really used."""

from __future__ import annotations

import os

import pytest
from django.db import connection

DATABASE_URL = os.environ.get("DATABASE_URL", "")


@pytest.mark.postgres
@pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="DATABASE_URL is not a PostgreSQL URL"
)
@pytest.mark.django_db
def test_the_postgresql_run_really_uses_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cur:
        cur.execute("SELECT current_database()")
        (name,) = cur.fetchone()
    assert name.startswith("test_")


@pytest.mark.skipif(bool(DATABASE_URL), reason="DATABASE_URL is set")
@pytest.mark.django_db
def test_without_database_url_the_database_is_embedded_sqlite_in_write_ahead_log_mode():
    assert connection.vendor == "sqlite"
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]
