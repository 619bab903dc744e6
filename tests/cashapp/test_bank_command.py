"""salesops bank read: real bank files in, one CSV row per transaction out."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from salesops.cashapp.management.commands.bank import COLUMNS

REPO = Path(__file__).resolve().parents[2]
BANK = (REPO / ".." / "shared" / "testdata" / "bank").resolve()

pytestmark = pytest.mark.skipif(
    not BANK.is_dir(), reason=f"bank sample files not present at {BANK} (<repo>/../shared/testdata)"
)


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("bank", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_read_several_formats_into_one_csv(tmp_path):
    out = tmp_path / "transactions.csv"
    stdout, stderr = _run(
        "read",
        str(BANK / "mt940/jejik/postfinance.sta"),
        str(BANK / "camt/camt053.v2.multi.statement.xml"),
        str(BANK / "bai2/ministryofjustice/nwb_example.bai2"),
        "--out",
        str(out),
    )
    rows = _rows(out)
    assert len(rows) == 4 + 2 + 5
    assert "11 transactions from 5 statements in 3 files" in stdout
    # Balances printed per statement; the one that does not add up is warned about.
    assert "postfinance.sta: mt940 123456789 CHF statement 999/2" in stdout
    assert "opening 229.2, 2 lines -69.8, closing 159.6" in stdout
    assert "the lines miss it by 0.2" in stderr
    assert "camt053.v2.multi.statement.xml" not in stderr and "nwb_example" not in stderr
    debit = next(r for r in rows if r["counterparty_name"] == "Company Name 2")
    assert debit == debit | {
        "bank_account": "NL26VAYB8060476890",
        "statement_id": "254EURNL26VAYB8060476890",
        "booking_date": "2014-12-31",
        "value_date": "2015-01-02",
        "amount": "-7.00",
        "currency": "EUR",
        "counterparty_account": "NL56AGDH9619008421",
        "reference": "000000002",
        "remittance_info": "Transaction Description 2",
    }
    nwb = [r for r in rows if r["bank_account"] == "88888888 600004"]
    assert sum(Decimal(r["amount"]) for r in nwb) == Decimal("-26.76")
    assert len({r["transaction_id"] for r in rows}) == len(rows)


def test_same_file_twice_gives_the_same_ids(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    f = str(BANK / "mt940/betterplace/sepa_mt9401.sta")
    _run("read", f, "--out", str(a))
    _run("read", f, "--out", str(b))
    assert [r["transaction_id"] for r in _rows(a)] == [r["transaction_id"] for r in _rows(b)]
    assert len(_rows(a)) == 97


def test_pending_entries_are_counted_not_written(tmp_path):
    out = tmp_path / "t.csv"
    pending = [
        p for p in sorted((BANK / "camt").glob("*.xml")) if "<Sts>PDNG</Sts>" in p.read_text()
    ]
    assert pending
    stdout, _ = _run("read", str(pending[0]), "--out", str(out))
    assert _rows(out) == []
    assert "pending or information entries not written" in stdout


def test_bad_file_fails_with_the_clear_error_and_writes_nothing(tmp_path):
    out = tmp_path / "t.csv"
    with pytest.raises(CommandError, match=r"camt053\.v2\.wrong\.xml, line 3, element"):
        _run(
            "read",
            str(BANK / "camt/camt053.v2.minimal.xml"),
            str(BANK / "camt/camt053.v2.wrong.xml"),
            "--out",
            str(out),
        )
    assert not out.exists()


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"nope\.sta: no such file"):
        _run("read", str(tmp_path / "nope.sta"), "--out", str(tmp_path / "t.csv"))


def test_cli_exit_code_is_non_zero_for_a_bad_file(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "broken.sta"
    bad.write_bytes(
        (BANK / "mt940/jejik/abnamro.sta").read_bytes().replace(b"D9,N192", b"D9x,N192")
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "salesops",
            "bank",
            "read",
            str(bad),
            "--out",
            str(tmp_path / "t.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "broken.sta, line 8, tag :61:: malformed statement line" in proc.stderr
