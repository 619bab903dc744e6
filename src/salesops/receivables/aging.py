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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

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


def open_items_as_of(*, as_of: dt.date, account_q: Q | None = None) -> list[OpenItem]:
    """Every item open on `as_of` for the accounts matching `account_q` (a filter on Account;
    None: all accounts). Callers check scope: pass the user's account filter."""
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
    sql = f"""
    WITH c AS ({union}),
    g AS (SELECT t, id, SUM(u) AS u FROM c GROUP BY t, id HAVING SUM(u) <> 0)
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
