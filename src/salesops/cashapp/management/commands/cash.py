"""salesops cash match --bank FILE [--bank FILE ...] --open-items FILE --out matches.csv

Cash application on files, without a database: the bank files (any format
`salesops.engines.bankfiles.statements_read` reads, or the transactions CSV that
`salesops bank read` writes) against open items (CSV/XLSX/Parquet with item_id, account_id,
account_name, document_number, currency, open_amount, due_date). Writes one row per proposed
allocation: transaction_id, item_id, amount, confidence, decision (auto|suggest), reasons, then
rank (1 = the proposal to book) and deduction (bank charges or discount written off)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from salesops.engines.matching import Receipt, Settings, index_build, match_batch, results_settle
from salesops.engines.matching.files import (
    MatchFileError,
    is_transactions_csv,
    matches_write_csv,
    open_items_read,
    receipts_read_csv,
)

DEFAULTS = Settings()


def receipts_from_bank_file(path: Path) -> list[Receipt]:
    """Credits of a bank file as receipts: the transactions CSV directly, anything else
    through the bank file readers."""
    if is_transactions_csv(path):
        return receipts_read_csv(path)
    try:
        from salesops.engines.bankfiles import statements_read
    except ImportError as e:  # pragma: no cover - the readers ship with the app
        raise CommandError(
            f"{path.name}: bank file readers are not available ({e}); pass the transactions "
            "CSV that `salesops bank read` writes"
        ) from e
    out = []
    for st in statements_read(path):
        for t in st.transactions:
            if t.amount <= 0 or getattr(t, "status", "BOOK") != "BOOK":
                continue  # debits, pending and information entries are not receipts
            out.append(
                Receipt(
                    transaction_id=t.transaction_id,
                    amount=t.amount,
                    currency=t.currency or st.currency,
                    booking_date=t.booking_date,
                    value_date=t.value_date,
                    counterparty_name=t.counterparty_name,
                    counterparty_account=t.counterparty_account,
                    reference=t.reference,
                    remittance_info=t.remittance_info,
                )
            )
    return out


class Command(BaseCommand):
    help = "Cash application on files: propose allocations of bank receipts to open items."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        m = sub.add_parser("match", help="match bank files against an open-items file")
        m.add_argument("--bank", action="append", required=True, help="bank file (repeatable)")
        m.add_argument("--open-items", dest="open_items", required=True)
        m.add_argument("--out", required=True, help="matches CSV to write")
        m.add_argument("--threshold", type=float, default=DEFAULTS.auto_threshold)
        m.add_argument("--tolerance", type=Decimal, default=DEFAULTS.amount_tolerance)
        m.add_argument(
            "--bank-charges", dest="charges", type=Decimal, default=DEFAULTS.bank_charge_max
        )
        m.add_argument(
            "--discount-rate",
            dest="discount_rates",
            type=Decimal,
            action="append",
            help="early-payment discount rate to try, e.g. 0.02 (repeatable)",
        )
        m.add_argument("--processes", type=int, default=1)

    def handle(self, *args, **o):
        settings = Settings(
            auto_threshold=o["threshold"],
            amount_tolerance=o["tolerance"],
            bank_charge_max=o["charges"],
            discount_rates=tuple(o["discount_rates"] or DEFAULTS.discount_rates),
        )
        try:
            items = open_items_read(Path(o["open_items"]))
            receipts: list[Receipt] = []
            for f in o["bank"]:
                path = Path(f)
                if not path.is_file():
                    raise CommandError(f"{f}: no such file")
                receipts += receipts_from_bank_file(path)
        except MatchFileError as e:
            raise CommandError(str(e)) from e
        except ValueError as e:  # bank file errors (BankFileError is a ValueError)
            raise CommandError(str(e)) from e
        ix = index_build(items, None, settings)
        results = results_settle(match_batch(receipts, items=ix, processes=o["processes"]), items)
        counts = matches_write_csv(Path(o["out"]), results)
        n = counts["receipts"] or 1
        self.stdout.write(
            f"{counts['receipts']} receipts against {len(items)} open items: "
            f"{counts['auto']} automatic ({counts['auto'] / n:.1%}), {counts['suggest']} to "
            f"review; {counts['rows']} rows written to {o['out']}"
        )
