"""salesops bank read FILE [FILE ...] --out transactions.csv

Turns any supported bank file (MT940/MT942, camt.052/053/054, BAI2, bank CSV; the format is
told by the content) into one CSV row per transaction:
    bank_account, statement_id, booking_date, value_date, amount (signed: credits positive),
    currency, counterparty_name, counterparty_account, reference, remittance_info,
    transaction_id
Prints each statement's balances and warns where its lines do not add up to the closing
balance. Pending and information-only entries (camt.052/054 PDNG/INFO, BAI2 890) are not
money on the account yet: they are counted but not written.

Exit code 0 when every file was read (warnings included), 1 when a file could not be read:
its error names the file, the line or element and the value, and nothing is written.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from salesops.engines.bankfiles import BankFileError, BankStatement, statements_read

COLUMNS = [
    "bank_account",
    "statement_id",
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "counterparty_name",
    "counterparty_account",
    "reference",
    "remittance_info",
    "transaction_id",
]


def _money(value) -> str:
    return "-" if value is None else f"{value}"


class Command(BaseCommand):
    help = "Bank files: read MT940, camt.05x, BAI2 or bank CSV into one row per transaction."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        read = sub.add_parser("read", help="write the transactions of bank files as CSV")
        read.add_argument("files", nargs="+", metavar="FILE")
        read.add_argument("--out", required=True, help="CSV file to write")

    def handle(self, *args, **o):
        if o["action"] == "read":
            self.read(o["files"], Path(o["out"]))

    def read(self, files: list[str], out: Path) -> None:
        read: list[tuple[str, list[BankStatement]]] = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            try:
                read.append((path.name, statements_read(path)))
            except BankFileError as exc:
                raise CommandError(str(exc)) from None
        rows = 0
        unbalanced = 0
        left_out = 0
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for filename, statements in read:
                for st in statements:
                    booked = [t for t in st.transactions if t.booked]
                    left_out += len(st.transactions) - len(booked)
                    self._summary(filename, st, len(booked))
                    if st.balance_difference:
                        unbalanced += 1
                    for t in booked:
                        writer.writerow(
                            [
                                st.bank_account,
                                st.statement_id,
                                t.booking_date.isoformat() if t.booking_date else "",
                                t.value_date.isoformat() if t.value_date else "",
                                f"{t.amount}",
                                t.currency or st.currency,
                                t.counterparty_name,
                                t.counterparty_account,
                                t.reference,
                                t.remittance_info,
                                t.transaction_id,
                            ]
                        )
                        rows += 1
        n_statements = sum(len(s) for _, s in read)
        tail = f"; {left_out} pending or information entries not written" if left_out else ""
        self.stdout.write(
            f"{rows} transactions from {n_statements} statements in {len(read)} files "
            f"written to {out}{tail}"
        )
        if unbalanced:
            self.stderr.write(
                f"warning: {unbalanced} statements whose lines do not add up to their "
                "closing balance"
            )

    def _summary(self, filename: str, st: BankStatement, n: int) -> None:
        period = ""
        if st.opening_date or st.closing_date:
            period = f" {st.opening_date or ''}..{st.closing_date or ''}"
        self.stdout.write(
            f"{filename}: {st.format} {st.bank_account or '(no account)'} {st.currency} "
            f"statement {st.statement_id or '-'}{period}: opening {_money(st.opening_balance)}, "
            f"{n} lines {st.lines_total:+}, closing {_money(st.closing_balance)}"
        )
        diff = st.balance_difference
        if diff:
            self.stderr.write(
                f"warning: {filename} statement {st.statement_id or '-'} "
                f"({st.bank_account or 'no account'}): opening + lines = "
                f"{st.opening_balance + st.lines_total}, closing balance {st.closing_balance}: "
                f"the lines miss it by {diff}"
            )
        for w in st.warnings:
            self.stderr.write(f"warning: {filename} statement {st.statement_id or '-'}: {w}")
