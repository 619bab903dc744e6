"""`salesops cash match` on files, without a database: a transactions CSV (what `salesops bank
read` writes) and open items as CSV, XLSX or Parquet in, one row per proposed allocation out."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from salesops.cashapp.management.commands.cash import Command
from salesops.engines.matching.files import OPEN_ITEM_COLUMNS, TRANSACTION_COLUMNS

OPEN = [
    ("1", "A", "Acme Trading Co., Ltd.", "INV-0010234", "CNY", "12000.00", "2026-09-20"),
    ("2", "A", "Acme Trading Co., Ltd.", "INV-0010235", "CNY", "8000.00", "2026-09-25"),
    ("3", "B", "深圳华信科技有限公司", "INV-0010237", "CNY", "5550.00", "2026-10-07"),
]
TX = [
    (
        "CN01",
        "S1",
        "2026-11-02",
        "2026-11-02",
        "19985.00",
        "CNY",
        "ACME TRADING LTD",
        "",
        "",
        "ACME TRADING LTD INV 10234 10235 LESS CHGS",
        "tx-1",
    ),
    (
        "CN01",
        "S1",
        "2026-11-02",
        "2026-11-02",
        "2000.00",
        "CNY",
        "SHENZHEN HUAXIN KEJI",
        "",
        "",
        "INV-OO10237 部分付款",
        "tx-2",
    ),
    ("CN01", "S1", "2026-11-02", "2026-11-02", "-500.00", "CNY", "SUPPLIER", "", "", "fee", "tx-3"),
    (
        "CN01",
        "S1",
        "2026-11-02",
        "2026-11-02",
        "77.00",
        "CNY",
        "TAX BUREAU",
        "",
        "",
        "REFUND",
        "tx-4",
    ),
]


def write_csv(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def run(tmp_path, open_items):
    bank = tmp_path / "transactions.csv"
    write_csv(bank, TRANSACTION_COLUMNS, TX)
    out = tmp_path / "matches.csv"
    call_command(
        Command(), "match", "--bank", str(bank), "--open-items", str(open_items), "--out", str(out)
    )
    with out.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_cash_match_writes_one_row_per_proposed_allocation(tmp_path, fmt):
    path = tmp_path / f"open.{fmt}"
    if fmt == "csv":
        write_csv(path, OPEN_ITEM_COLUMNS, OPEN)
    elif fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.append(OPEN_ITEM_COLUMNS)
        for row in OPEN:
            wb.active.append(list(row))
        wb.save(path)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(
            pa.table({c: [r[i] for r in OPEN] for i, c in enumerate(OPEN_ITEM_COLUMNS)}), path
        )
    rows = run(tmp_path, path)
    assert list(rows[0])[:6] == [
        "transaction_id",
        "item_id",
        "amount",
        "confidence",
        "decision",
        "reasons",
    ]
    by_tx = {}
    for r in rows:
        by_tx.setdefault(r["transaction_id"], []).append(r)
    assert "tx-3" not in by_tx  # a debit is not a receipt
    assert [(r["item_id"], r["amount"], r["decision"]) for r in by_tx["tx-1"]] == [
        ("1", "11991.00", "auto"),
        ("2", "7994.00", "auto"),
    ]
    assert "less 15.00 bank charges" in by_tx["tx-1"][0]["reasons"]
    assert [(r["item_id"], r["amount"], r["decision"]) for r in by_tx["tx-2"]] == [
        ("3", "2000.00", "auto")
    ]
    assert by_tx["tx-4"][0]["item_id"] == "" and by_tx["tx-4"][0]["decision"] == "suggest"


def test_cash_match_names_the_bad_row(tmp_path):
    path = tmp_path / "open.csv"
    write_csv(path, OPEN_ITEM_COLUMNS, [OPEN[0], (*OPEN[1][:5], "8,000.0x", OPEN[1][6])])
    with pytest.raises(CommandError, match=r"open.csv, row 3, column open_amount: '8,000.0x'"):
        run(tmp_path, path)


MT940 = """:20:STMT-2026-11-02
:25:CN01/12345678
:28C:1/1
:60F:C261101CNY100000,00
:61:2611021102C19985,00NTRFNONREF//B261102-1
:86:/NAME/ACME TRADING LTD/REMI/INV 10234 10235 LESS CHGS
:61:2611021102D500,00NTRFNONREF//B261102-2
:86:/NAME/SUPPLIER/REMI/FEE
:62F:C261102CNY119485,00
"""


def test_cash_match_reads_a_bank_file_through_the_bank_file_readers(tmp_path):
    bank = tmp_path / "statement.sta"
    bank.write_text(MT940, encoding="utf-8")
    open_items = tmp_path / "open.csv"
    write_csv(open_items, OPEN_ITEM_COLUMNS, OPEN)
    out = tmp_path / "matches.csv"
    call_command(
        "cash", "match", "--bank", str(bank), "--open-items", str(open_items), "--out", str(out)
    )
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["item_id"], r["amount"], r["decision"]) for r in rows] == [
        ("1", "11991.00", "auto"),
        ("2", "7994.00", "auto"),
    ]
