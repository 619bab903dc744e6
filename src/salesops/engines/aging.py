"""Aging of open items and DSO. Pure: no Django, no other salesops app.

Input, one row per open item (an invoice's open amount, or a credit: a payment's unallocated
amount or a credit note's unapplied amount, as a negative amount):

| column       | type                         | meaning                                          |
| account_id   | int                          | whose item                                       |
| currency     | str (ISO 4217)               | the item's currency                              |
| due_date     | date                         | invoices: due date; credits: their own date      |
| open_minor   | int (minor units, signed)    | open amount in the currency's smallest unit      |
| fx_rate      | Decimal (<= 10 decimals)     | to the reporting currency, from the document     |

Buckets: an item is `days past due = as_of - due_date` days late. Bucket 0 is "not due"
(days <= 0); with edges (30, 60, 90, 120) bucket 1 is 1-30 days, 2 is 31-60, 3 is 61-90,
4 is 91-120 and 5 is more than 120. Negative open amounts (unallocated payments, unapplied
credit) are not aged: they go into their own `credit` column, so old buckets show what is
really overdue. `total` = sum of the buckets + credit = what the account owes.

Reporting currency: each item is converted on its own, `open * fx_rate`, rounded half-up
(away from zero on a tie) to the reporting currency's minor unit, then summed. The batch path
does this in exact integer arithmetic (HUGEINT in DuckDB): open_minor * rate * 10^10, divided
by 10^(10 + exponent - reporting exponent) with half-up rounding; the single-record path does
it with Decimal. tests/engines/test_aging.py proves they agree to the cent.

Two paths, same results:
- `age_items(items, ...)`: plain Python over `AgingItem` dataclasses (one account's statement,
  tests, small inputs).
- `age_table(table, ...)`: DuckDB over an Arrow table (or anything DuckDB can scan: a Parquet
  file path, a pandas or Polars frame), returning an Arrow table; millions of rows in seconds.

DSO, simple method (`dso`): open receivables at the as-of date divided by the credit sales
(invoices issued) of the last N days, times N. The countback method is not used.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_EDGES: tuple[int, ...] = (30, 60, 90, 120)
RATE_SCALE = 10  # fx rates carry at most 10 decimals (DECIMAL(24, 10) in the database)


def edges_parse(text: str | None) -> tuple[int, ...]:
    """'30,60,90,120' -> (30, 60, 90, 120): strictly increasing positive day counts."""
    if not text or not text.strip():
        return DEFAULT_EDGES
    try:
        edges = tuple(int(p) for p in text.replace(" ", "").split(",") if p)
    except ValueError:
        raise ValueError(
            f"aging buckets must be whole days like '30,60,90', not {text!r}"
        ) from None
    if not edges or edges[0] <= 0 or any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError(f"aging buckets must be increasing positive days, not {text!r}")
    return edges


def bucket_keys(edges: Sequence[int] = DEFAULT_EDGES) -> list[tuple[int | None, int | None]]:
    """(first day, last day) past due of each bucket: (None, 0) not due, ..., (121, None)."""
    keys: list[tuple[int | None, int | None]] = [(None, 0)]
    low = 1
    for edge in edges:
        keys.append((low, edge))
        low = edge + 1
    keys.append((low, None))
    return keys


def bucket_index(days_past_due: int, edges: Sequence[int] = DEFAULT_EDGES) -> int:
    if days_past_due <= 0:
        return 0
    for i, edge in enumerate(edges):
        if days_past_due <= edge:
            return i + 1
    return len(edges) + 1


def to_minor(amount: Decimal, exponent: int) -> int:
    """An exact amount in the currency's minor unit; raises if it has more decimals."""
    scaled = Decimal(amount).scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more than {exponent} decimals")
    return int(scaled)


def from_minor(minor: int, exponent: int) -> Decimal:
    return Decimal(minor).scaleb(-exponent)


def rate_scaled(rate: Decimal) -> int:
    """The rate as an integer times 10^10 (exact: rates have at most 10 decimals)."""
    return to_minor(Decimal(rate), RATE_SCALE)


def reporting_minor(open_minor: int, rate: Decimal, exponent: int, reporting_exponent: int) -> int:
    """One item in the reporting currency's minor unit, rounded half-up (single-record path)."""
    value = (Decimal(open_minor) * Decimal(rate)).scaleb(reporting_exponent - exponent)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class AgingItem:
    account_id: int
    currency: str
    due_date: dt.date
    open_minor: int
    fx_rate: Decimal = Decimal(1)


@dataclass(slots=True)
class AgingRow:
    """One account in one currency: minor units per bucket, credit and total, in the
    document currency and in the reporting currency."""

    account_id: int
    currency: str
    buckets: list[int]
    credit: int = 0
    reporting_buckets: list[int] = field(default_factory=list)
    reporting_credit: int = 0
    items: int = 0

    @property
    def total(self) -> int:
        return sum(self.buckets) + self.credit

    @property
    def reporting_total(self) -> int:
        return sum(self.reporting_buckets) + self.reporting_credit


def age_items(
    items: Iterable[AgingItem],
    *,
    as_of: dt.date,
    exponents: Mapping[str, int],
    reporting_exponent: int = 2,
    edges: Sequence[int] = DEFAULT_EDGES,
) -> list[AgingRow]:
    """Single-record path: rows sorted by (account_id, currency)."""
    n = len(edges) + 2
    rows: dict[tuple[int, str], AgingRow] = {}
    for item in items:
        key = (item.account_id, item.currency)
        row = rows.get(key)
        if row is None:
            row = rows[key] = AgingRow(item.account_id, item.currency, [0] * n, 0, [0] * n, 0)
        rep = reporting_minor(
            item.open_minor, item.fx_rate, exponents[item.currency], reporting_exponent
        )
        row.items += 1
        if item.open_minor < 0:
            row.credit += item.open_minor
            row.reporting_credit += rep
        else:
            b = bucket_index((as_of - item.due_date).days, edges)
            row.buckets[b] += item.open_minor
            row.reporting_buckets[b] += rep
    return [rows[k] for k in sorted(rows)]


def _bucket_sql(edges: Sequence[int]) -> str:
    parts = ["CASE WHEN dpd <= 0 THEN 0"]
    for i, edge in enumerate(edges):
        parts.append(f"WHEN dpd <= {int(edge)} THEN {i + 1}")
    parts.append(f"ELSE {len(edges) + 1} END")
    return " ".join(parts)


def age_table(
    table,
    *,
    as_of: dt.date,
    exponents: Mapping[str, int],
    reporting_exponent: int = 2,
    edges: Sequence[int] = DEFAULT_EDGES,
    connection=None,
):
    """Batch path. `table`: an Arrow table (columns as in the module docstring; fx_rate as
    decimal128 or string) or a Parquet file path. Returns an Arrow table sorted by account and
    currency with columns account_id, currency, items, b0..bN, credit, total and the same with
    a `rep_` prefix in the reporting currency (all int64/int128 minor units)."""
    import duckdb

    con = connection or duckdb.connect()
    for code in exponents:
        if not (len(code) == 3 and code.isalpha()):
            raise ValueError(f"not a currency code: {code!r}")
    # the divisor taking open_minor * rate * 10^10 to reporting minor units, per currency
    exp_values = ", ".join(
        f"('{code}', {10 ** (RATE_SCALE + int(e) - int(reporting_exponent))})"
        for code, e in exponents.items()
    )
    if isinstance(table, str):
        source = f"read_parquet('{table.replace(chr(39), chr(39) * 2)}')"
    else:
        # from_arrow, not register(): register() imports pandas on first use (seconds)
        con.from_arrow(table).create_view("aging_input")
        source = "aging_input"
    n = len(edges) + 2
    bucket = _bucket_sql(edges)
    # rep = round_half_up(open_minor * rate_e10 / 10^(10 + exp - rep_exp)), exact in HUGEINT.
    sums = ",\n".join(f"SUM(open_minor) FILTER (WHERE b = {i}) AS b{i}" for i in range(n))
    rep_sums = ",\n".join(f"SUM(rep) FILTER (WHERE b = {i}) AS rep_b{i}" for i in range(n))
    zeros = (
        ", ".join(f"COALESCE(b{i}, 0)::HUGEINT AS b{i}" for i in range(n))
        + ", "
        + ", ".join(f"COALESCE(rep_b{i}, 0)::HUGEINT AS rep_b{i}" for i in range(n))
    )
    # b = n - 1 + 1 is the credit column: negative amounts are not aged
    sql = f"""
    WITH src AS (
        SELECT s.account_id::BIGINT AS account_id, s.currency AS currency,
               s.open_minor::BIGINT AS open_minor,
               date_diff('day', s.due_date::DATE, DATE '{as_of.isoformat()}') AS dpd,
               (s.fx_rate::DECIMAL(24, 10) * 10000000000)::HUGEINT AS rate_e10,
               e.d::HUGEINT AS d
        FROM {source} s JOIN (VALUES {exp_values}) e(currency, d) USING (currency)
    ), aged AS (
        SELECT account_id, currency, open_minor,
               CASE WHEN open_minor < 0 THEN {n} ELSE {bucket} END AS b,
               (sign(open_minor) * ((abs(open_minor * rate_e10) + d // 2) // d))::BIGINT AS rep
        FROM src
    ), g AS (
        SELECT account_id, currency, count(*)::BIGINT AS items,
               {sums},
               SUM(open_minor) FILTER (WHERE b = {n}) AS credit,
               SUM(open_minor) AS total,
               {rep_sums},
               SUM(rep) FILTER (WHERE b = {n}) AS rep_credit,
               SUM(rep) AS rep_total
        FROM aged GROUP BY account_id, currency
    )
    SELECT account_id, currency, items, {zeros},
           COALESCE(credit, 0)::HUGEINT AS credit, total::HUGEINT AS total,
           COALESCE(rep_credit, 0)::HUGEINT AS rep_credit, rep_total::HUGEINT AS rep_total
    FROM g ORDER BY account_id, currency
    """  # noqa: S608 (no user input: ints, table names, a quoted path)
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        if connection is None:
            con.close()


def rows_from_table(table, edges: Sequence[int] = DEFAULT_EDGES) -> list[AgingRow]:
    """The batch path's Arrow output as AgingRow objects (for comparing and for small outputs)."""
    n = len(edges) + 2
    cols = table.to_pydict()
    out = []
    for i in range(table.num_rows):
        out.append(
            AgingRow(
                int(cols["account_id"][i]),
                cols["currency"][i],
                [int(cols[f"b{j}"][i]) for j in range(n)],
                int(cols["credit"][i]),
                [int(cols[f"rep_b{j}"][i]) for j in range(n)],
                int(cols["rep_credit"][i]),
                int(cols["items"][i]),
            )
        )
    return out


def dso(*, receivables: Decimal, credit_sales: Decimal, days: int) -> Decimal | None:
    """Days sales outstanding, simple method: receivables / credit sales of the last `days`
    days * days, to one decimal (half-up). None when there were no credit sales."""
    if credit_sales <= 0:
        return None
    return (Decimal(receivables) / Decimal(credit_sales) * days).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
