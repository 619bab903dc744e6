"""Aging of receivables and DSO, over the pure engine `salesops.engines.aging`.

What was open on a date. An item's open amount as of D is computed from dated records only,
never from today's stored open amounts, so aging and statements at a past date show what was
open then:

    invoice      = its ledger entries (invoice, invoice reversal) posted on or before D
                   - allocations applied on or before D (reversal rows carry a negative amount)
                   - credit applications applied on or before D
                   + its write-offs' ledger entries posted on or before D (negative)
    payment      = its ledger entries (booking on the value date, reversal) on or before D
                   + allocations applied on or before D + refunds paid on or before D
    credit note  = its ledger entry (on its date) on or before D
                   + credit applications on or before D + refunds paid on or before D

Payments and credit notes come out negative (money on account). Every term is a ledger entry
or a movement between two open items, so the open items of an account always add up to its
ledger balance on D (`selectors.account_balance(on=D)`), whatever dates the allocations carry;
tests/receivables/test_aging.py proves it. Allocations, credits and write-offs dated after D
do not count. Pending (unapproved) credit notes, refunds and write-offs have no ledger entry
and do not count.

All of it is one SQL statement (UNION ALL of signed amounts, GROUP BY document), with amounts
summed as integers in 1/10000 (the DECIMAL(20, 4) columns' unit) so SQLite's REAL storage
cannot add float error to the sums.

The report over many accounts (`aging_report`, the aging page, `salesops aging`, the API) does
not build Python objects per item: one SQL statement returns (account, currency, due day,
open amount in 1/10000, rate * 10^10) as integers, read with fetchmany into Arrow arrays; the
engine ages them (DuckDB + numpy), and the roll-ups per account group and up the org tree
(OrgUnit.path) are GROUP BYs in DuckDB. Only the lines a caller reads become Decimals
(`AgingReport.accounts` is built on first use; the page builds its 500).

Today's stored open amounts. When nothing is dated after `as_of` (no ledger entry, allocation
or credit application later than it; checked only for `as_of` >= today, the usual case), the
open items on `as_of` are exactly what the services keep in `Invoice.open_amount`,
`Payment.unallocated_amount` (booked receipts) and `CreditNote.open_amount` (approved notes),
and the report reads those, one indexed scan per table, instead of rebuilding from history
(tests/receivables/test_aging.py proves both ways agree on the same data).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q

from salesops.core.money import currency_exponent
from salesops.engines import aging as engine
from salesops.masterdata.models import Account

SCALE = 4  # DECIMAL(20, 4)
DSO_DAYS = 90


def aging_edges() -> tuple[int, ...]:
    return engine.edges_parse(getattr(settings, "AGING_BUCKETS", ""))


@dataclass(frozen=True, slots=True)
class OpenItem:
    account_id: int
    kind: str  # "invoice" | "payment" | "credit_note"
    document_id: int
    number: str
    currency: str
    doc_date: dt.date
    due_date: dt.date
    open_amount: Decimal
    fx_rate: Decimal

    def days_past_due(self, on: dt.date) -> int:
        return (on - self.due_date).days


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _units(column: str) -> str:
    """A money column as an exact integer in 1/10000 (SQLite stores DECIMAL as REAL)."""
    return f"CAST(ROUND({column} * 10000) AS BIGINT)"


def _account_sql(account_q: Q | None) -> tuple[str, list]:
    if account_q is None:
        return "", []
    sql, params = Account.objects.filter(account_q).values("pk").query.sql_with_params()
    return sql, list(params)


_KIND = {"i": "invoice", "p": "payment", "c": "credit_note"}


def _history_sql(*, as_of: dt.date, account_q: Q | None) -> tuple[str, list]:
    """SELECT t ('i'/'p'/'c'), id, u (open amount in 1/10000) of every document open on
    `as_of`, rebuilt from the dated records (see the module docstring)."""
    acct_sql, acct_params = _account_sql(account_q)

    def acct(col: str) -> tuple[str, list]:
        return (f" AND {col} IN ({acct_sql})", acct_params) if acct_sql else ("", [])

    t = {
        "le": "receivables_ledgerentry",
        "al": "receivables_allocation",
        "ca": "receivables_creditapplication",
        "wo": "receivables_writeoff",
        "rf": "receivables_refund",
        "inv": "receivables_invoice",
        "pay": "receivables_payment",
        "cn": "receivables_creditnote",
    }
    d = as_of.isoformat()
    parts: list[str] = []
    params: list = []

    def add(sql: str, account_col: str, *, n_dates: int = 1):
        a_sql, a_params = acct(account_col)
        parts.append(sql + a_sql)
        params.extend([d] * n_dates)
        params.extend(a_params)

    add(
        f"SELECT 'i' AS t, le.invoice_id AS id, {_units('le.amount')} AS u FROM {t['le']} le "  # noqa: S608 (constants)
        "WHERE le.kind IN ('invoice', 'invoice_reversal') AND le.posted_on <= %s",
        "le.account_id",
    )
    add(
        f"SELECT 'i', al.invoice_id, -{_units('al.amount')} FROM {t['al']} al "  # noqa: S608 (constants)
        f"JOIN {t['inv']} inv ON inv.id = al.invoice_id WHERE al.applied_on <= %s",
        "inv.account_id",
    )
    add(
        f"SELECT 'i', ca.invoice_id, -{_units('ca.amount')} FROM {t['ca']} ca "  # noqa: S608 (constants)
        f"JOIN {t['inv']} inv ON inv.id = ca.invoice_id WHERE ca.applied_on <= %s",
        "inv.account_id",
    )
    add(
        f"SELECT 'i', wo.invoice_id, {_units('le.amount')} FROM {t['le']} le "  # noqa: S608 (constants)
        f"JOIN {t['wo']} wo ON wo.id = le.write_off_id "
        "WHERE le.kind = 'write_off' AND le.posted_on <= %s",
        "le.account_id",
    )
    add(
        f"SELECT 'p', le.payment_id, {_units('le.amount')} FROM {t['le']} le "  # noqa: S608 (constants)
        "WHERE le.kind IN ('payment', 'payment_reversal') AND le.posted_on <= %s",
        "le.account_id",
    )
    add(
        f"SELECT 'p', al.payment_id, {_units('al.amount')} FROM {t['al']} al "  # noqa: S608 (constants)
        f"JOIN {t['inv']} inv ON inv.id = al.invoice_id WHERE al.applied_on <= %s",
        "inv.account_id",
    )
    add(
        f"SELECT 'p', rf.payment_id, {_units('le.amount')} FROM {t['le']} le "  # noqa: S608 (constants)
        f"JOIN {t['rf']} rf ON rf.id = le.refund_id "
        "WHERE le.kind = 'refund' AND rf.payment_id IS NOT NULL AND le.posted_on <= %s",
        "le.account_id",
    )
    add(
        f"SELECT 'c', le.credit_note_id, {_units('le.amount')} FROM {t['le']} le "  # noqa: S608 (constants)
        "WHERE le.kind = 'credit_note' AND le.posted_on <= %s",
        "le.account_id",
    )
    add(
        f"SELECT 'c', ca.credit_note_id, {_units('ca.amount')} FROM {t['ca']} ca "  # noqa: S608 (constants)
        f"JOIN {t['inv']} inv ON inv.id = ca.invoice_id WHERE ca.applied_on <= %s",
        "inv.account_id",
    )
    add(
        f"SELECT 'c', rf.credit_note_id, {_units('le.amount')} FROM {t['le']} le "  # noqa: S608 (constants)
        f"JOIN {t['rf']} rf ON rf.id = le.refund_id "
        "WHERE le.kind = 'refund' AND rf.credit_note_id IS NOT NULL AND le.posted_on <= %s",
        "le.account_id",
    )
    union = "\nUNION ALL\n".join(parts)
    return (
        f"SELECT t, id, SUM(u) AS u FROM ({union}) c GROUP BY t, id HAVING SUM(u) <> 0",  # noqa: S608
        params,
    )


def open_items_as_of(*, as_of: dt.date, account_q: Q | None = None) -> list[OpenItem]:
    """Every item open on `as_of` for the accounts matching `account_q` (a filter on Account;
    None: all accounts). Callers check scope: pass the user's account filter."""
    history, params = _history_sql(as_of=as_of, account_q=account_q)
    t = {"inv": "receivables_invoice", "pay": "receivables_payment", "cn": "receivables_creditnote"}
    sql = f"""
    WITH g AS ({history})
    SELECT g.t, g.id, g.u,
        COALESCE(inv.account_id, pay.account_id, cn.account_id),
        COALESCE(inv.number, pay.number, cn.number),
        COALESCE(inv.currency, pay.currency, cn.currency),
        COALESCE(inv.issue_date, pay.value_date, cn.issue_date),
        COALESCE(inv.due_date, pay.value_date, cn.issue_date),
        CAST(COALESCE(inv.fx_rate, pay.fx_rate, cn.fx_rate) AS TEXT)
    FROM g
    LEFT JOIN {t["inv"]} inv ON g.t = 'i' AND inv.id = g.id
    LEFT JOIN {t["pay"]} pay ON g.t = 'p' AND pay.id = g.id
    LEFT JOIN {t["cn"]} cn ON g.t = 'c' AND cn.id = g.id
    """  # noqa: S608 (no user input: ints, table names, a quoted path)
    q = Decimal("0.0000000001")
    out = []
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for t_, id_, u, account_id, number, currency, doc_date, due, rate in cur.fetchall():
            out.append(
                OpenItem(
                    account_id=account_id,
                    kind=_KIND[t_],
                    document_id=id_,
                    number=number,
                    currency=currency,
                    doc_date=_date(doc_date),
                    due_date=_date(due),
                    open_amount=Decimal(int(u)).scaleb(-SCALE),
                    fx_rate=Decimal(rate).quantize(q),
                )
            )
    out.sort(key=lambda i: (i.account_id, i.currency, i.due_date, i.number))
    return out


# ---------------------------------------------------------------- bulk: open items as Arrow


def _day_sql(column: str) -> str:
    """A date column as days since 1970-01-01 (an integer)."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _rate_sql(column: str) -> str:
    """A rate (DECIMAL(24, 10)) as an exact integer times 10^10. On SQLite the REAL holding a
    rate below 100,000 is within 10^-16 relative of it, so the rounding is exact."""
    return f"CAST(ROUND({column} * 10000000000) AS BIGINT)"


def stored_amounts_usable(as_of: dt.date) -> bool:
    """True when the stored open amounts are the open items on `as_of`: `as_of` is today or
    later and nothing (ledger entry, allocation, credit application) is dated after it."""
    from django.utils import timezone

    if as_of < timezone.localdate():
        return False
    d = as_of.isoformat()
    with connection.cursor() as cur:
        for table, column in (
            ("receivables_ledgerentry", "posted_on"),
            ("receivables_allocation", "applied_on"),
            ("receivables_creditapplication", "applied_on"),
        ):
            cur.execute(f"SELECT 1 FROM {table} WHERE {column} > %s LIMIT 1", [d])  # noqa: S608 (constants)
            if cur.fetchone():
                return False
    return True


def _stored_sql(account_q: Q | None) -> tuple[str, list]:
    acct_sql, acct_params = _account_sql(account_q)
    parts, params = [], []
    booked, approved = "pay.status = 'booked'", "cn.status = 'approved'"
    for table, alias, amount, date, cond, sign in (
        ("receivables_invoice", "inv", "open_amount", "due_date", "1 = 1", ""),
        ("receivables_payment", "pay", "unallocated_amount", "value_date", booked, "-"),
        ("receivables_creditnote", "cn", "open_amount", "issue_date", approved, "-"),
    ):
        sql = (
            f"SELECT {alias}.account_id, {alias}.currency, {_day_sql(f'{alias}.{date}')}, "  # noqa: S608 (constants)
            f"{sign}{_units(f'{alias}.{amount}')}, {_rate_sql(f'{alias}.fx_rate')} "
            f"FROM {table} {alias} WHERE {cond} AND {alias}.{amount} <> 0"
        )
        if acct_sql:
            sql += f" AND {alias}.account_id IN ({acct_sql})"
            params.extend(acct_params)
        parts.append(sql)
    return "\nUNION ALL\n".join(parts), params


def open_items_table(*, as_of: dt.date, account_q: Q | None = None, stored: bool | None = None):
    """The open items on `as_of` as the engine's Arrow input (account_id, currency, due_date,
    open_minor, rate_e10), in one SQL statement read in chunks. `stored`: read today's stored
    open amounts (True), rebuild from the dated records (False), or decide (None:
    `stored_amounts_usable`)."""
    import numpy as np
    import pyarrow as pa

    if stored is None:
        stored = stored_amounts_usable(as_of)
    if stored:
        sql, params = _stored_sql(account_q)
    else:
        history, params = _history_sql(as_of=as_of, account_q=account_q)
        sql = f"""
        SELECT COALESCE(inv.account_id, pay.account_id, cn.account_id),
            COALESCE(inv.currency, pay.currency, cn.currency),
            {_day_sql("COALESCE(inv.due_date, pay.value_date, cn.issue_date)")},
            g.u,
            {_rate_sql("COALESCE(inv.fx_rate, pay.fx_rate, cn.fx_rate)")}
        FROM ({history}) g
        LEFT JOIN receivables_invoice inv ON g.t = 'i' AND inv.id = g.id
        LEFT JOIN receivables_payment pay ON g.t = 'p' AND pay.id = g.id
        LEFT JOIN receivables_creditnote cn ON g.t = 'c' AND cn.id = g.id
        """  # noqa: S608 (constants)
    chunks: list[list] = [[], [], [], [], []]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while rows := cur.fetchmany(100_000):
            for out, col in zip(chunks, zip(*rows, strict=True), strict=True):
                out.append(col)
    types = (pa.int64(), pa.string(), pa.int32(), pa.int64(), pa.int64())
    arrays = [
        pa.chunked_array([pa.array(c, t) for c in cols], t)
        for cols, t in zip(chunks, types, strict=True)
    ]
    account_id, currency, day, units, rate = arrays
    codes = sorted(set(pa.compute.unique(currency).to_pylist())) if len(currency) else []
    factor_of = np.array([10 ** (SCALE - currency_exponent(c)) for c in codes] or [1], np.int64)
    idx = pa.compute.index_in(currency, pa.array(codes, pa.string())).to_numpy(zero_copy_only=False)
    u = units.to_numpy()
    factor = factor_of[idx] if len(u) else np.ones(0, np.int64)
    if len(u) and np.any(u % factor):
        raise ValueError("an open amount has more decimals than its currency")
    return pa.table(
        {
            "account_id": account_id,
            "currency": currency,
            "due_date": day.cast(pa.date32()),
            "open_minor": pa.array(u // factor, pa.int64()),
            "rate_e10": rate,
        }
    )


# ---------------------------------------------------------------- aging of one account


@dataclass(frozen=True)
class Bucket:
    index: int
    low: int | None  # first day past due (None: not due)
    high: int | None  # last day past due (None: no upper end)


@dataclass
class AccountAging:
    """One account's aging in one currency (amounts as Decimal)."""

    currency: str
    buckets: list[Decimal]
    credit: Decimal
    total: Decimal
    reporting_buckets: list[Decimal] = field(default_factory=list)
    reporting_credit: Decimal = Decimal(0)
    reporting_total: Decimal = Decimal(0)


def buckets() -> list[Bucket]:
    return [Bucket(i, lo, hi) for i, (lo, hi) in enumerate(engine.bucket_keys(aging_edges()))]


def _exponents(currencies) -> dict[str, int]:
    return {c: currency_exponent(c) for c in set(currencies)}


def engine_items(items: list[OpenItem]) -> list[engine.AgingItem]:
    return [
        engine.AgingItem(
            i.account_id,
            i.currency,
            i.due_date,
            engine.to_minor(i.open_amount, currency_exponent(i.currency)),
            i.fx_rate,
        )
        for i in items
    ]


def age_open_items(items: list[OpenItem], *, as_of: dt.date) -> dict[tuple[int, str], AccountAging]:
    """Single-record path, for one account's statement: (account id, currency) -> aging."""
    rep = settings.REPORTING_CURRENCY
    rep_exp = currency_exponent(rep)
    rows = engine.age_items(
        engine_items(items),
        as_of=as_of,
        exponents=_exponents(i.currency for i in items),
        reporting_exponent=rep_exp,
        edges=aging_edges(),
    )
    return {(r.account_id, r.currency): _account_aging(r, rep_exp) for r in rows}


def _account_aging(r: engine.AgingRow, rep_exp: int) -> AccountAging:
    exp = currency_exponent(r.currency)
    return AccountAging(
        currency=r.currency,
        buckets=[engine.from_minor(b, exp) for b in r.buckets],
        credit=engine.from_minor(r.credit, exp),
        total=engine.from_minor(r.total, exp),
        reporting_buckets=[engine.from_minor(b, rep_exp) for b in r.reporting_buckets],
        reporting_credit=engine.from_minor(r.reporting_credit, rep_exp),
        reporting_total=engine.from_minor(r.reporting_total, rep_exp),
    )


# ---------------------------------------------------------------- the aging report (batch)


@dataclass
class AgingLine:
    """Buckets for one account, a partner group or an org unit."""

    key: str
    label: str
    currency: str  # the document currency, or the reporting currency for roll-ups
    buckets: list[Decimal]
    credit: Decimal
    total: Decimal
    reporting_buckets: list[Decimal] = field(default_factory=list)
    reporting_credit: Decimal = Decimal(0)
    reporting_total: Decimal = Decimal(0)
    depth: int = 0
    dso: Decimal | None = None
    account_id: int | None = None
    unit_id: int | None = None


@dataclass
class AgingReport:
    as_of: dt.date
    reporting_currency: str
    buckets: list[Bucket]
    units: list[AgingLine]  # per org unit, rolled up the tree, reporting currency
    total: AgingLine
    dso_days: int
    # one row per account and currency (the engine's columns + label), sorted by account
    account_table: Any = field(default=None, repr=False)
    # one row per account group (a parent account and its children), reporting currency
    partner_table: Any = field(default=None, repr=False)
    sales: dict[int, Decimal] = field(default_factory=dict, repr=False)

    @cached_property
    def accounts(self) -> list[AgingLine]:
        """Per account and currency (built on first use: Decimals for every row)."""
        return self.account_lines(self.account_table)

    @cached_property
    def partners(self) -> list[AgingLine]:
        """Per account group, in the reporting currency, largest first."""
        t = self.partner_table
        if t is None or not t.num_rows:
            return []
        rep_exp = currency_exponent(self.reporting_currency)
        out = []
        for r in t.to_pylist():
            line = _rollup_line(f"g{r['g']}", r["label"], self.reporting_currency, r, rep_exp)
            line.account_id = r["g"]
            out.append(line)
        return out

    def account_lines(self, table) -> list[AgingLine]:
        if table is None or not table.num_rows:
            return []
        n = len(self.buckets)
        rep_exp = currency_exponent(self.reporting_currency)
        out = []
        for r in table.to_pylist():
            exp = currency_exponent(r["currency"])
            line = AgingLine(
                f"a{r['account_id']}:{r['currency']}",
                r["label"],
                r["currency"],
                [engine.from_minor(int(r[f"b{i}"]), exp) for i in range(n)],
                engine.from_minor(int(r["credit"]), exp),
                engine.from_minor(int(r["total"]), exp),
                [engine.from_minor(int(r[f"rep_b{i}"]), rep_exp) for i in range(n)],
                engine.from_minor(int(r["rep_credit"]), rep_exp),
                engine.from_minor(int(r["rep_total"]), rep_exp),
                account_id=r["account_id"],
            )
            s = self.sales.get(line.account_id)
            line.dso = (
                engine.dso(receivables=line.reporting_total, credit_sales=s, days=self.dso_days)
                if s
                else None
            )
            out.append(line)
        return out

    def top_accounts(self, *, limit: int = 500, account_ids=None) -> tuple[list[AgingLine], int]:
        """The `limit` account rows with the largest reporting total (of `account_ids`, when
        given), and how many rows there are; only those become AgingLines."""
        import pyarrow as pa
        import pyarrow.compute as pc

        t = self.account_table
        if t is None:
            return [], 0
        if account_ids is not None:
            t = t.filter(pc.is_in(t.column("account_id"), pa.array(list(account_ids), pa.int64())))
        order = pc.sort_indices(t, sort_keys=[("rep_total", "descending")])  # stable
        return self.account_lines(t.take(order[:limit])), t.num_rows


def _rollup_line(key: str, label: str, rep: str, r: dict, rep_exp: int, **kw) -> AgingLine:
    """A roll-up (group, org unit, total) from summed reporting minor units."""
    n = sum(1 for k in r if k.startswith("rep_b"))
    bks = [engine.from_minor(int(r[f"rep_b{i}"] or 0), rep_exp) for i in range(n)]
    credit = engine.from_minor(int(r["rep_credit"] or 0), rep_exp)
    total = engine.from_minor(int(r["rep_total"] or 0), rep_exp)
    return AgingLine(key, label, rep, bks, credit, total, list(bks), credit, total, **kw)


def _scope_q(user) -> Q | None:
    if user is None:
        return None
    from salesops.core.scoping import scope_for
    from salesops.masterdata.selectors import account_scope_q

    scope = scope_for(user)
    if scope.kind == "none":
        return Q(pk__in=[])
    if scope.kind == "all":
        return None  # no `account_id IN (SELECT ...)` on every part of the query
    return account_scope_q(scope)


def items_table(items: list[OpenItem]):
    """Open items as the engine's Arrow input (open amounts in minor units)."""
    import pyarrow as pa

    return pa.table(
        {
            "account_id": pa.array([i.account_id for i in items], pa.int64()),
            "currency": pa.array([i.currency for i in items], pa.string()),
            "due_date": pa.array([i.due_date for i in items], pa.date32()),
            "open_minor": pa.array(
                [engine.to_minor(i.open_amount, currency_exponent(i.currency)) for i in items],
                pa.int64(),
            ),
            "fx_rate": pa.array([i.fx_rate for i in items], pa.decimal128(24, 10)),
        }
    )


def credit_sales(
    *, as_of: dt.date, days: int, account_q: Q | None = None, stored: bool = False
) -> dict[int, Decimal]:
    """Invoices issued in the `days` days up to `as_of` (not reversed by then), per account,
    in the reporting currency. `stored`: nothing is dated after `as_of`, so "reversed by then"
    is the invoice's status (no scan of the ledger)."""
    from django.db.models import DecimalField, F, Sum

    from .models import Invoice, LedgerEntry

    qs = Invoice.objects.filter(
        issue_date__gt=as_of - dt.timedelta(days=days), issue_date__lte=as_of
    )
    if stored:
        qs = qs.exclude(status=Invoice.Status.REVERSED)
    else:
        qs = qs.exclude(
            pk__in=LedgerEntry.objects.filter(
                kind=LedgerEntry.Kind.INVOICE_REVERSAL, posted_on__lte=as_of
            ).values("invoice_id")
        )
    if account_q is not None:
        qs = qs.filter(account_id__in=Account.objects.filter(account_q).values("pk"))
    out = {}
    rows = (
        qs.order_by()
        .values("account_id")
        .annotate(s=Sum(F("amount") * F("fx_rate"), output_field=DecimalField()))
        .values_list("account_id", "s")
    )
    for account_id, total in rows:
        out[account_id] = Decimal(total or 0)
    return out


def aging_report(
    *, user, as_of: dt.date, dso_days: int | None = None, stored: bool | None = None
) -> AgingReport:
    """Aging of every account in the user's scope on `as_of` (`user=None`: all accounts), per
    account and currency, per account group and up the org tree in the reporting currency.
    Bulk: the open items come as Arrow (`open_items_table`), the engine ages them and DuckDB
    rolls them up; no Python loop over items or accounts. `stored`: as in `open_items_table`."""
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    from salesops.core.models import OrgUnit

    dso_days = dso_days or settings.DSO_DAYS
    account_q = _scope_q(user)
    rep = settings.REPORTING_CURRENCY
    rep_exp = currency_exponent(rep)
    edges = aging_edges()
    n = len(edges) + 2
    if stored is None:
        stored = stored_amounts_usable(as_of)
    items = open_items_table(as_of=as_of, account_q=account_q, stored=stored)
    codes = pc.unique(items.column("currency")).to_pylist() if items.num_rows else []
    sales = credit_sales(as_of=as_of, days=dso_days, account_q=account_q, stored=stored)
    meta_qs = Account.objects.all() if account_q is None else Account.objects.filter(account_q)
    meta_sql, meta_params = (
        meta_qs.order_by().values_list("pk", "number", "name", "parent_id", "territory_id")
    ).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(meta_sql, meta_params)
        meta_rows = cur.fetchall()
    mcols = list(zip(*meta_rows, strict=True)) or [[], [], [], [], []]
    meta = pa.table(
        {
            "id": pa.array(mcols[0], pa.int64()),
            "number": pa.array(mcols[1], pa.string()),
            "name": pa.array(mcols[2], pa.string()),
            "parent_id": pa.array(mcols[3], pa.int64()),
            "territory_id": pa.array(mcols[4], pa.int64()),
        }
    )
    territory_of = dict(zip(mcols[0], mcols[4], strict=True))
    units = {u.pk: u for u in OrgUnit.objects.all()}
    by_path = {u.path: u for u in units.values()}
    anc_rows = [
        (u.pk, by_path[p].pk)
        for u in units.values()
        for p in _ancestor_paths(u.path)
        if p in by_path
    ]
    anc = pa.table(
        {
            "territory_id": pa.array([a for a, _b in anc_rows], pa.int64()),
            "unit_id": pa.array([b for _a, b in anc_rows], pa.int64()),
        }
    )
    rep_sums = ", ".join(
        [f"SUM(a.rep_b{i}) AS rep_b{i}" for i in range(n)]
        + ["SUM(a.rep_credit) AS rep_credit", "SUM(a.rep_total) AS rep_total"]
    )
    con = duckdb.connect()
    try:
        con.from_arrow(
            engine.age_table(
                items,
                as_of=as_of,
                exponents=_exponents([*codes, rep]),
                reporting_exponent=rep_exp,
                edges=edges,
                connection=con,
            )
        ).create_view("agg")
        con.from_arrow(meta).create_view("meta")
        con.from_arrow(anc).create_view("anc")
        account_table = con.sql(
            "SELECT a.*, m.number || ' ' || m.name AS label FROM agg a "
            "JOIN meta m ON m.id = a.account_id ORDER BY a.account_id, a.currency"
        ).to_arrow_table()
        partner_table = con.sql(
            f"SELECT COALESCE(m.parent_id, a.account_id) AS g, {rep_sums} FROM agg a "  # noqa: S608 (constants)
            "JOIN meta m ON m.id = a.account_id GROUP BY g ORDER BY rep_total DESC, g"
        ).to_arrow_table()
        unit_rows = (
            con.sql(
                f"SELECT anc.unit_id AS u, {rep_sums} FROM agg a "  # noqa: S608 (constants)
                "JOIN meta m ON m.id = a.account_id "
                "JOIN anc ON anc.territory_id = m.territory_id GROUP BY anc.unit_id"
            )
            .to_arrow_table()
            .to_pylist()
        )
        (total_row,) = con.sql(f"SELECT {rep_sums} FROM agg a").to_arrow_table().to_pylist()  # noqa: S608 (constants)
    finally:
        con.close()
    names = dict(zip(mcols[0], mcols[2], strict=True))
    groups = partner_table.column("g").to_pylist()
    names.update(_account_values([g for g in groups if g not in names], "name"))
    partner_table = partner_table.append_column(
        "label", pa.array([str(names.get(g, g)) for g in groups], pa.string())
    )
    # sales for DSO, per territory, then up the tree
    territory_sales: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, amount in sales.items():
        territory_sales[territory_of.get(account_id)] += amount
    unit_sales: dict[int, Decimal] = defaultdict(Decimal)
    for territory_id, u_id in anc_rows:
        unit_sales[u_id] += territory_sales.get(territory_id, Decimal(0))
    unit_lines = []
    for r in unit_rows:
        u = units[r["u"]]
        line = _rollup_line(f"u{u.pk}", u.name, rep, r, rep_exp, depth=u.level, unit_id=u.pk)
        line.dso = engine.dso(
            receivables=line.reporting_total, credit_sales=unit_sales[u.pk], days=dso_days
        )
        unit_lines.append(line)
    unit_lines.sort(key=lambda x: units[x.unit_id].path)
    total = _rollup_line("total", "", rep, total_row, rep_exp)
    total.dso = engine.dso(
        receivables=total.reporting_total,
        credit_sales=sum(sales.values(), Decimal(0)),
        days=dso_days,
    )
    return AgingReport(
        as_of=as_of,
        reporting_currency=rep,
        buckets=buckets(),
        units=unit_lines,
        total=total,
        dso_days=dso_days,
        account_table=account_table,
        partner_table=partner_table,
        sales=sales,
    )


def _account_values(ids: list[int], column: str) -> dict[int, object]:
    out: dict[int, object] = {}
    for chunk in range(0, len(ids), 900):
        out.update(
            Account.objects.filter(pk__in=ids[chunk : chunk + 900]).values_list("pk", column)
        )
    return out


def _ancestor_paths(path: str) -> list[str]:
    """'000001.000004.000007.' -> ['000001.', '000001.000004.', '000001.000004.000007.']"""
    parts = [p for p in path.split(".") if p]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


def aging_page_context(report: AgingReport, *, show: str = "account", unit: str = "") -> dict:
    """What the aging page shows: the org tree, and the accounts (of one unit's subtree when
    `unit` is given), in their own currency or in the reporting currency."""
    from django.utils.translation import gettext as _

    from salesops.core.models import OrgUnit

    from .documents.layout import bucket_label

    ids = None
    if unit.isdigit():
        u = OrgUnit.objects.filter(pk=int(unit)).first()
        if u is not None:
            ids = Account.objects.filter(territory__path__startswith=u.path).values_list(
                "pk", flat=True
            )
    top, count = report.top_accounts(limit=500, account_ids=ids)
    rows = []
    for a in top:
        if show == "reporting":
            rows.append(
                (
                    a,
                    report.reporting_currency,
                    a.reporting_buckets,
                    a.reporting_credit,
                    a.reporting_total,
                )
            )
        else:
            rows.append((a, a.currency, a.buckets, a.credit, a.total))
    return {
        "report": report,
        "bucket_labels": [bucket_label(b) for b in report.buckets] + [_("On account"), _("Total")],
        "account_rows": rows,
        "account_count": count,
    }
