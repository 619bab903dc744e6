"""`salesops import KIND FILE ...` (the import_file management command)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from salesops.masterdata.models import Account

SAMPLE = Path("/work/shared/testdata/crm/salesforce-sample/Accounts.csv")


def run(*args) -> int:
    try:
        call_command("import_file", *map(str, args))
    except SystemExit as exc:
        return exc.code
    return 0


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_exits_0(capsys):
    assert run("accounts", SAMPLE, "--dry-run") == 0
    assert "Preview: 50 to create" in capsys.readouterr().out
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_commit_then_rerun_reports_all_unchanged(capsys):
    assert run("accounts", SAMPLE, "--preset", "salesforce-sample") == 0
    assert run("accounts", SAMPLE, "--preset", "salesforce-sample") == 0
    assert "unchanged 50" in capsys.readouterr().out
    assert Account.objects.count() == 50


@pytest.mark.django_db
def test_rejected_rows_exit_1_and_write_the_error_report(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("Id,Name\r\n001D000000IqhSL,Good\r\nnope,Bad\r\n")
    report = tmp_path / "errors.xlsx"
    assert run("accounts", bad, "--preset", "salesforce", "--errors-xlsx", report) == 1
    out = capsys.readouterr().out
    assert "bad.csv row 3, column Id, value 'nope'" in out and not Account.objects.exists()
    assert openpyxl.load_workbook(report).active.max_row == 2


@pytest.mark.django_db
def test_skip_invalid_loads_the_valid_rows_and_exits_0(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Id,Name\r\n001D000000IqhSL,Good\r\nnope,Bad\r\n")
    assert run("accounts", bad, "--preset", "salesforce", "--skip-invalid") == 0
    assert list(Account.objects.values_list("name", flat=True)) == ["Good"]


@pytest.mark.django_db
def test_unreadable_file_exits_2_with_the_reason(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert run("accounts", empty) == 2
    assert "empty.csv is empty" in capsys.readouterr().err


@pytest.mark.django_db
def test_forced_encoding(tmp_path):
    f = tmp_path / "gb.csv"
    f.write_bytes("account_number,name\r\nG1,上海东方贸易有限公司\r\n".encode("gb18030"))
    assert run("accounts", f, "--preset", "generic", "--encoding", "gb18030") == 0
    assert Account.objects.get(number="G1").name == "上海东方贸易有限公司"
