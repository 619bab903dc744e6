"""The fast paths of a large commit (non-unique indexes rebuilt at the end, COPY on
PostgreSQL) write exactly what the ordinary path writes, and a rejected load leaves the
table and its indexes as they were."""

from __future__ import annotations

import csv
import importlib.util
import os
from pathlib import Path

import pytest
from django.db import connection

from salesops.core.imports import framework
from salesops.core.imports.framework import import_run, indexes_secondary
from salesops.masterdata.models import Account

BENCH = Path(__file__).resolve().parents[2] / "bench" / "import.py"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
FIELDS = [
    f.attname
    for f in Account._meta.concrete_fields
    if f.attname not in ("id", "number", "created_at", "updated_at")
]


def bench_file(path: Path, rows: int) -> Path:
    """The benchmark's Salesforce-shaped account file (Ids, amounts, countries, blanks)."""
    spec = importlib.util.spec_from_file_location("bench_import", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.generate(path, rows)
    return path


def load(path: Path) -> tuple[dict, list]:
    res = import_run(path=path, kind="accounts", preset="salesforce", commit=True)
    counts = {k: getattr(res, k) for k in ("rows", "created", "updated", "unchanged", "rejected")}
    rows = list(Account.objects.order_by("salesforce_id").values_list(*FIELDS))
    return counts, rows


@pytest.mark.django_db
def test_a_bulk_load_writes_the_same_records_and_rebuilds_every_index(tmp_path, monkeypatch):
    path = bench_file(tmp_path / "accounts.csv", 300)
    indexes = sorted(indexes_secondary(Account))
    plain = load(path)
    Account.objects.all().delete()

    monkeypatch.setattr(framework, "BULK_INDEX_MIN_ROWS", 1)
    assert framework._bulk_mode(Account, 300)
    bulk = load(path)

    assert bulk == plain
    assert bulk[0]["created"] == 300
    assert sorted(indexes_secondary(Account)) == indexes


@pytest.mark.django_db
def test_a_bulk_load_of_a_file_smaller_than_the_table_keeps_its_indexes(tmp_path, monkeypatch):
    monkeypatch.setattr(framework, "BULK_INDEX_MIN_ROWS", 1)
    load(bench_file(tmp_path / "accounts.csv", 50))
    assert not framework._bulk_mode(Account, 40)


@pytest.mark.django_db
def test_a_rejected_bulk_load_leaves_no_rows_and_every_index(tmp_path, monkeypatch):
    path = bench_file(tmp_path / "accounts.csv", 200)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    bad = next(csv.reader([lines[150]]))
    bad[6] = "lots"  # AnnualRevenue
    out = [lines[0], *lines[1:150], ",".join(f'"{c}"' for c in bad), *lines[151:]]
    path.write_text("\r\n".join(out) + "\r\n", encoding="utf-8-sig")
    indexes = sorted(indexes_secondary(Account))
    monkeypatch.setattr(framework, "BULK_INDEX_MIN_ROWS", 1)

    res = import_run(path=path, kind="accounts", preset="salesforce", commit=True)

    assert not res.committed and res.rejected == 1
    assert res.errors[0].row == 151 and res.errors[0].value == "lots"
    assert Account.objects.count() == 0
    assert sorted(indexes_secondary(Account)) == indexes


@pytest.mark.postgres
@pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"), reason="DATABASE_URL is not a PostgreSQL URL"
)
@pytest.mark.django_db
def test_copy_on_postgresql_writes_the_same_rows_as_executemany(tmp_path, monkeypatch):
    assert connection.vendor == "postgresql"
    path = bench_file(tmp_path / "accounts.csv", 300)
    monkeypatch.setattr(framework, "COPY_ON_POSTGRES", False)
    inserted = load(path)
    Account.objects.all().delete()

    monkeypatch.setattr(framework, "COPY_ON_POSTGRES", True)
    copied = load(path)

    assert copied == inserted
    assert copied[0]["created"] == 300
