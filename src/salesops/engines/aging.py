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


def _bucket_sql(edges: Sequence[int], dpd: str = "dpd") -> str:
    parts = [f"CASE WHEN {dpd} <= 0 THEN 0"]
    for i, edge in enumerate(edges):
        parts.append(f"WHEN {dpd} <= {int(edge)} THEN {i + 1}")
    parts.append(f"ELSE {len(edges) + 1} END")
    return " ".join(parts)


INT64_MAX = 2**63 - 1
# Rates below this go through DOUBLE exactly: rate * 10^10 < 10^15 < 2^50, so the two
# roundings of DECIMAL -> DOUBLE -> * 1e10 stay within 0.25 of the integer and round() is exact.
_DOUBLE_EXACT_RATE = 100_000


def _checked_codes(exponents: Mapping[str, int]) -> list[str]:
    for code in exponents:
        if not (len(code) == 3 and code.isalpha()):
            raise ValueError(f"not a currency code: {code!r}")
    return sorted(exponents)


def _source_sql(table, con) -> str:
    if isinstance(table, str):
        return f"read_parquet('{table.replace(chr(39), chr(39) * 2)}')"
    # from_arrow, not register(): register() imports pandas on first use (seconds)
    con.from_arrow(table).create_view("aging_input")
    return "aging_input"


def _has_column(con, source: str, name: str) -> bool:
    return name in con.sql(f"SELECT * FROM {source} LIMIT 0").columns  # noqa: S608 (constant)


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
    decimal128 or string, or instead an int64 `rate_e10` = rate * 10^10) or a Parquet file
    path. Returns an Arrow table sorted by account and currency with columns account_id,
    currency, items, b0..bN, credit, total and the same with a `rep_` prefix in the reporting
    currency, in minor units: int64, or decimal128(38, 0) when a sum needs more than 64 bits.

    How: DuckDB scans the input once and computes, per item, the currency's index, the bucket
    and the reporting amount, in BIGINT when the product open * rate * 10^10 fits (always, for
    real amounts), else NULL; numpy then sums into a dense (account, currency, bucket) array
    (np.add.at, exact int64, guarded against overflow). Items that do not fit (amounts beyond
    ~10^8 in major units times the rate), an overflowing sum or a rate of 100,000 or more send
    the whole input to the HUGEINT query (`_age_table_hugeint`); both give the same numbers,
    tests/engines/test_aging.py proves each against the single-record path."""
    import duckdb

    codes = _checked_codes(exponents)
    con = connection or duckdb.connect()
    try:
        source = _source_sql(table, con)
        out = _age_table_fast(
            con, source, as_of=as_of, exponents=exponents, codes=codes,
            reporting_exponent=reporting_exponent, edges=edges,
        )  # fmt: skip
        if out is None:
            out = _age_table_hugeint(
                con, source, as_of=as_of, exponents=exponents,
                reporting_exponent=reporting_exponent, edges=edges,
            )  # fmt: skip
        return out
    finally:
        if connection is None:
            con.close()


def _divisor(code: str, exponents: Mapping[str, int], reporting_exponent: int) -> int:
    """Takes open_minor * rate * 10^10 to reporting minor units."""
    return 10 ** (RATE_SCALE + int(exponents[code]) - int(reporting_exponent))


def _age_table_fast(
    con, source, *, as_of, exponents, codes, reporting_exponent, edges
):  # -> pa.Table | None
    import numpy as np
    import pyarrow as pa

    n = len(edges) + 2  # buckets; index n is the credit column
    nb = n + 1
    cur_idx = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(codes))
    div = " ".join(f"WHEN '{c}' THEN {_divisor(c, exponents, reporting_exponent)}" for c in codes)
    dpd = f"(DATE '{as_of.isoformat()}' - s.due_date::DATE)"
    if _has_column(con, source, "rate_e10"):
        rate = "s.rate_e10::BIGINT"
    else:
        rate = (
            f"CASE WHEN s.fx_rate::DECIMAL(24, 10) < {_DOUBLE_EXACT_RATE} "
            "THEN round(s.fx_rate::DECIMAL(24, 10)::DOUBLE * 1e10)::BIGINT END"
        )
    # rep = sign * ((|open| * rate + d // 2) // d), in BIGINT when |open| * rate + d // 2 fits
    sql = f"""
    WITH s AS (
        SELECT s.account_id::BIGINT AS a,
               CASE s.currency {cur_idx} ELSE error('aging: currency without an exponent: '
                   || s.currency) END::UTINYINT AS c,
               s.open_minor::BIGINT AS o,
               (CASE WHEN s.open_minor < 0 THEN {n} ELSE {_bucket_sql(edges, dpd)} END)::UTINYINT
                   AS b,
               {rate} AS r,
               CASE s.currency {div} END::BIGINT AS d
        FROM {source} s
    )
    SELECT a, c, b, o,
           CASE WHEN r = 0 THEN 0
                WHEN abs(o) <= ({INT64_MAX} - d // 2) // r
                THEN sign(o) * ((abs(o) * r + d // 2) // d) END AS rep
    FROM s
    """  # noqa: S608 (no user input: ints, currency codes checked, a quoted path)
    rows = con.sql(sql).to_arrow_table()
    n_rows = rows.num_rows
    if rows.column("rep").null_count:
        return None  # some item does not fit in 64 bits, or a rate too large for DOUBLE
    ncur = len(codes)
    if n_rows == 0:
        return _empty_output(n)
    a = rows.column("a").to_numpy()
    c = rows.column("c").to_numpy().astype(np.int64)
    b = rows.column("b").to_numpy().astype(np.int64)
    o = rows.column("o").to_numpy()
    rep = rows.column("rep").to_numpy()
    del rows
    # overflow guard: every partial sum is within count * max |value| of zero
    limit = INT64_MAX // 2
    if int(np.abs(o).max()) * n_rows > limit or int(np.abs(rep).max()) * n_rows > limit:
        return None
    a_min, a_max = int(a.min()), int(a.max())
    span = a_max - a_min + 1
    if span * ncur * nb <= max(2 * n_rows, 1 << 22):  # the sum arrays stay small
        acct_of = None
        g = (a - a_min) * ncur + c  # dense: account ids from a database are
    else:
        acct_of, inv = np.unique(a, return_inverse=True)
        span = len(acct_of)
        g = inv.astype(np.int64) * ncur + c
    del a, c
    ng = span * ncur
    cnt = np.bincount(g, minlength=ng)
    idx = g * nb + b
    del g, b
    sums = np.zeros(ng * nb, np.int64)
    np.add.at(sums, idx, o)
    rep_sums = np.zeros(ng * nb, np.int64)
    np.add.at(rep_sums, idx, rep)
    del idx, o, rep
    present = np.flatnonzero(cnt)
    sums = sums.reshape(ng, nb)[present]
    rep_sums = rep_sums.reshape(ng, nb)[present]
    acct_pos = present // ncur
    account_id = acct_pos + a_min if acct_of is None else acct_of[acct_pos]
    currency = pa.array(codes, pa.string()).take(pa.array(present % ncur))
    cols = {
        "account_id": pa.array(account_id, pa.int64()),
        "currency": currency,
        "items": pa.array(cnt[present], pa.int64()),
    }
    for i in range(n):
        cols[f"b{i}"] = pa.array(sums[:, i])
    for i in range(n):
        cols[f"rep_b{i}"] = pa.array(rep_sums[:, i])
    cols["credit"] = pa.array(sums[:, n])
    cols["total"] = pa.array(sums.sum(axis=1))
    cols["rep_credit"] = pa.array(rep_sums[:, n])
    cols["rep_total"] = pa.array(rep_sums.sum(axis=1))
    return pa.table(cols)


def _empty_output(n: int):
    import pyarrow as pa

    names = (
        ["account_id", "currency", "items"]
        + [f"b{i}" for i in range(n)]
        + [f"rep_b{i}" for i in range(n)]
        + ["credit", "total", "rep_credit", "rep_total"]
    )
    return pa.table(
        {k: pa.array([], pa.string() if k == "currency" else pa.int64()) for k in names}
    )


def _age_table_hugeint(con, source, *, as_of, exponents, reporting_exponent, edges):  # -> pa.Table
    """The same in one DuckDB query with HUGEINT arithmetic: for amounts whose products or
    sums do not fit in 64 bits (slower: ~4x the fast path)."""
    exp_values = ", ".join(
        f"('{code}', {_divisor(code, exponents, reporting_exponent)})" for code in exponents
    )
    if _has_column(con, source, "rate_e10"):
        rate = "s.rate_e10::HUGEINT"
    else:
        rate = "(s.fx_rate::DECIMAL(24, 10) * 10000000000)::HUGEINT"
    n = len(edges) + 2
    bucket = _bucket_sql(edges)
    # rep = round_half_up(open_minor * rate / 10^(10 + exp - rep_exp)), exact in HUGEINT.
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
               {rate} AS rate_e10,
               e.d::HUGEINT AS d
        FROM {source} s JOIN (VALUES {exp_values}) e(currency, d) USING (currency)
    ), aged AS (
        SELECT account_id, currency, open_minor,
               CASE WHEN open_minor < 0 THEN {n} ELSE {bucket} END AS b,
               (sign(open_minor) * ((abs(open_minor * rate_e10) + d // 2) // d))::HUGEINT AS rep
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
    return con.sql(sql).to_arrow_table()


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
