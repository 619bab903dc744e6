"""Files in and out of the matching engine (CSV/XLSX/Parquet), for the CLI and benchmarks.

Open items: columns item_id, account_id, account_name, document_number, currency, open_amount,
due_date (optional: order_number, discount_rate, discount_until). Receipts: the transactions CSV
that `salesops bank read` writes (bank_account, statement_id, booking_date, value_date, amount,
currency, counterparty_name, counterparty_account, reference, remittance_info, transaction_id);
debits (amount <= 0) are not receipts and are skipped. Matches: one row per proposed allocation.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .model import AUTO, OpenItem, Receipt, Result

OPEN_ITEM_COLUMNS = (
    "item_id",
    "account_id",
    "account_name",
    "document_number",
    "currency",
    "open_amount",
    "due_date",
)
TRANSACTION_COLUMNS = (
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
)
MATCH_COLUMNS = (
    "transaction_id",
    "item_id",
    "amount",
    "confidence",
    "decision",
    "reasons",
    "rank",
    "deduction",
)


class MatchFileError(ValueError):
    """A file the engine cannot read: names the file, row, column and value."""


def _rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    ext = path.suffix.lower()
    if ext in (".csv", ".txt"):
        with path.open(newline="", encoding="utf-8-sig") as f:
            for n, row in enumerate(csv.DictReader(f), start=2):
                yield n, row
    elif ext == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        rows = wb.active.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        for n, values in enumerate(rows, start=2):
            if any(v not in (None, "") for v in values):
                yield n, dict(zip(header, values, strict=False))
        wb.close()
    elif ext == ".parquet":
        import pyarrow.parquet as pq

        n = 1
        for batch in pq.ParquetFile(path).iter_batches(batch_size=65_536):
            for row in batch.to_pylist():
                n += 1
                yield n, row
    else:
        raise MatchFileError(f"{path.name}: expected .csv, .xlsx or .parquet")


def _dec(path: Path, n: int, col: str, value: object) -> Decimal:
    try:
        if isinstance(value, float):
            value = repr(value)
        d = Decimal(str(value).strip().replace(",", ""))
        if not d.is_finite():
            raise InvalidOperation
        return d
    except (InvalidOperation, ValueError):
        raise MatchFileError(
            f"{path.name}, row {n}, column {col}: {value!r} is not an amount (e.g. 1234.50)"
        ) from None


def _date(path: Path, n: int, col: str, value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise MatchFileError(
            f"{path.name}, row {n}, column {col}: {value!r} is not a date (YYYY-MM-DD)"
        ) from None


def _s(value: object) -> str:
    return "" if value is None else str(value).strip()


def _check_columns(path: Path, row: dict, needed: Iterable[str]) -> None:
    missing = [c for c in needed if c not in row]
    if missing:
        raise MatchFileError(f"{path.name}: missing column(s) {', '.join(missing)}")


def open_items_read(path: str | Path) -> list[OpenItem]:
    path = Path(path)
    out = []
    for n, row in _rows(path):
        if n == 2:
            _check_columns(path, row, OPEN_ITEM_COLUMNS)
        rate = row.get("discount_rate")
        out.append(
            OpenItem(
                item_id=_s(row["item_id"]),
                account_id=_s(row["account_id"]),
                account_name=_s(row["account_name"]),
                document_number=_s(row["document_number"]),
                currency=_s(row["currency"]).upper(),
                open_amount=_dec(path, n, "open_amount", row["open_amount"]),
                due_date=_date(path, n, "due_date", row["due_date"]),
                order_number=_s(row.get("order_number")),
                discount_rate=_dec(path, n, "discount_rate", rate) if _s(rate) else None,
                discount_until=_date(path, n, "discount_until", row.get("discount_until")),
            )
        )
    return out


def is_transactions_csv(path: str | Path) -> bool:
    """True when the file is the transactions CSV of `salesops bank read`."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt"):
        return False
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        header = next(csv.reader(f), [])
    return {"transaction_id", "amount", "remittance_info"} <= {h.strip() for h in header}


def receipts_read_csv(path: str | Path) -> list[Receipt]:
    path = Path(path)
    out = []
    for n, row in _rows(path):
        if n == 2:
            _check_columns(path, row, ("transaction_id", "amount", "currency"))
        amount = _dec(path, n, "amount", row["amount"])
        if amount <= 0:
            continue
        out.append(
            Receipt(
                transaction_id=_s(row["transaction_id"]),
                amount=amount,
                currency=_s(row["currency"]).upper(),
                booking_date=_date(path, n, "booking_date", row.get("booking_date")),
                value_date=_date(path, n, "value_date", row.get("value_date")),
                counterparty_name=_s(row.get("counterparty_name")),
                counterparty_account=_s(row.get("counterparty_account")),
                reference=_s(row.get("reference")),
                remittance_info=_s(row.get("remittance_info")),
            )
        )
    return out


def match_rows(results: Iterable[Result]) -> Iterator[dict[str, str]]:
    """One row per proposed allocation; a receipt without any proposal gets one row with an
    empty item_id and the reason. `rank` 1 is the proposal to book."""
    for res in results:
        if not res.proposals:
            yield {
                "transaction_id": res.transaction_id,
                "item_id": "",
                "amount": "",
                "confidence": "0.000",
                "decision": res.decision,
                "reasons": "; ".join(str(x) for x in res.payer_reasons),
                "rank": "",
                "deduction": "",
            }
            continue
        for rank, p in enumerate(res.proposals, start=1):
            decision = res.decision if rank == 1 else "suggest"
            reasons = "; ".join(str(x) for x in p.reasons)
            if p.unapplied:
                reasons += f"; {p.unapplied:,.2f} unapplied"
            for a in p.allocations:
                yield {
                    "transaction_id": res.transaction_id,
                    "item_id": a.item_id,
                    "amount": str(a.amount),
                    "confidence": f"{p.confidence:.3f}",
                    "decision": decision,
                    "reasons": reasons,
                    "rank": str(rank),
                    "deduction": str(a.deduction) if a.deduction else "",
                }


def matches_write_csv(path: str | Path, results: Iterable[Result]) -> dict[str, int]:
    """Write the matches CSV; returns counts (receipts, auto, suggest, rows)."""
    counts = {"receipts": 0, AUTO: 0, "suggest": 0, "rows": 0}
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=MATCH_COLUMNS)
        w.writeheader()
        for res in results:
            counts["receipts"] += 1
            counts[res.decision] += 1
            for row in match_rows([res]):
                w.writerow(row)
                counts["rows"] += 1
    return counts


def open_items_from_arrow(table) -> list[OpenItem]:
    """Open items from an Arrow table (or anything with `to_pylist()`) with the columns above;
    amounts as decimal128 or strings, dates as date32 or ISO strings."""
    path = Path("<arrow>")
    rows = table.to_pylist()
    if rows:
        _check_columns(path, rows[0], OPEN_ITEM_COLUMNS)
    return [
        OpenItem(
            item_id=_s(row["item_id"]),
            account_id=_s(row["account_id"]),
            account_name=_s(row["account_name"]),
            document_number=_s(row["document_number"]),
            currency=_s(row["currency"]).upper(),
            open_amount=_dec(path, n, "open_amount", row["open_amount"]),
            due_date=_date(path, n, "due_date", row["due_date"]),
            order_number=_s(row.get("order_number")),
            discount_rate=(
                _dec(path, n, "discount_rate", row["discount_rate"])
                if _s(row.get("discount_rate"))
                else None
            ),
            discount_until=_date(path, n, "discount_until", row.get("discount_until")),
        )
        for n, row in enumerate(rows, start=1)
    ]


def receipts_from_arrow(table) -> list[Receipt]:
    """Receipts (credits) from an Arrow table with the transactions columns."""
    path = Path("<arrow>")
    out = []
    for n, row in enumerate(table.to_pylist(), start=1):
        amount = _dec(path, n, "amount", row["amount"])
        if amount <= 0:
            continue
        out.append(
            Receipt(
                transaction_id=_s(row["transaction_id"]),
                amount=amount,
                currency=_s(row["currency"]).upper(),
                booking_date=_date(path, n, "booking_date", row.get("booking_date")),
                value_date=_date(path, n, "value_date", row.get("value_date")),
                counterparty_name=_s(row.get("counterparty_name")),
                counterparty_account=_s(row.get("counterparty_account")),
                reference=_s(row.get("reference")),
                remittance_info=_s(row.get("remittance_info")),
            )
        )
    return out


def results_to_arrow(results: Iterable[Result]):
    """The matches as an Arrow table (the CSV's columns; amounts as strings, exact)."""
    import pyarrow as pa

    rows = list(match_rows(results))
    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in MATCH_COLUMNS})
