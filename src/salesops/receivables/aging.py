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
from collections import defaultdict
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
    accounts: list[AgingLine]  # per account and currency
    partners: list[AgingLine]  # per account group (a parent account and its children), reporting
    units: list[AgingLine]  # per org unit, rolled up the tree, reporting currency
    total: AgingLine
    dso_days: int


def _scope_q(user) -> Q | None:
    if user is None:
        return None
    from salesops.core.scoping import scope_for
    from salesops.masterdata.selectors import account_scope_q

    scope = scope_for(user)
    if scope.kind == "none":
        return Q(pk__in=[])
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


def credit_sales(*, as_of: dt.date, days: int, account_q: Q | None = None) -> dict[int, Decimal]:
    """Invoices issued in the `days` days up to `as_of` (not reversed by then), per account,
    in the reporting currency."""
    from django.db.models import DecimalField, F, Sum

    from .models import Invoice, LedgerEntry

    qs = Invoice.objects.filter(
        issue_date__gt=as_of - dt.timedelta(days=days), issue_date__lte=as_of
    ).exclude(
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


def aging_report(*, user, as_of: dt.date, dso_days: int | None = None) -> AgingReport:
    """Aging of every account in the user's scope on `as_of` (`user=None`: all accounts), per
    account and currency, per account group and up the org tree in the reporting currency."""
    from salesops.core.models import OrgUnit

    dso_days = dso_days or settings.DSO_DAYS
    account_q = _scope_q(user)
    items = open_items_as_of(as_of=as_of, account_q=account_q)
    rep = settings.REPORTING_CURRENCY
    rep_exp = currency_exponent(rep)
    edges = aging_edges()
    rows = (
        engine.rows_from_table(
            engine.age_table(
                items_table(items),
                as_of=as_of,
                exponents=_exponents([i.currency for i in items] + [rep]),
                reporting_exponent=rep_exp,
                edges=edges,
            ),
            edges,
        )
        if items
        else []
    )
    sales = credit_sales(as_of=as_of, days=dso_days, account_q=account_q)
    ids = sorted({r.account_id for r in rows})
    meta: dict[int, tuple] = {}
    for chunk in range(0, len(ids), 900):
        for row in Account.objects.filter(pk__in=ids[chunk : chunk + 900]).values_list(
            "pk", "number", "name", "parent_id", "territory_id"
        ):
            meta[row[0]] = row
    n = len(edges) + 2
    zero = Decimal(0)

    def line(key, label, currency, depth=0, **kw) -> AgingLine:
        return AgingLine(
            key, label, currency, [zero] * n, zero, zero, [zero] * n, depth=depth, **kw
        )

    def add(target: AgingLine, a: AccountAging, *, reporting_only: bool) -> None:
        for i in range(n):
            target.reporting_buckets[i] += a.reporting_buckets[i]
            if reporting_only:
                target.buckets[i] += a.reporting_buckets[i]
            else:
                target.buckets[i] += a.buckets[i]
        target.reporting_credit += a.reporting_credit
        target.reporting_total += a.reporting_total
        target.credit += a.reporting_credit if reporting_only else a.credit
        target.total += a.reporting_total if reporting_only else a.total

    units = {u.pk: u for u in OrgUnit.objects.all()}
    by_path = {u.path: u for u in units.values()}
    accounts: list[AgingLine] = []
    partners: dict[int, AgingLine] = {}
    unit_lines: dict[int, AgingLine] = {}
    unit_sales: dict[int, Decimal] = defaultdict(Decimal)
    total = line("total", "", rep)
    for r in rows:
        a = _account_aging(r, rep_exp)
        pk, number, name, parent_id, territory_id = meta[r.account_id]
        acc = line(f"a{pk}:{r.currency}", f"{number} {name}", r.currency, account_id=pk)
        add(acc, a, reporting_only=False)
        accounts.append(acc)
        group = parent_id or pk
        if group not in partners:
            partners[group] = line(f"g{group}", "", rep, account_id=group)
        add(partners[group], a, reporting_only=True)
        add(total, a, reporting_only=True)
        unit = units.get(territory_id)
        if unit is not None:
            for path in _ancestor_paths(unit.path):
                u = by_path.get(path)
                if u is None:
                    continue
                if u.pk not in unit_lines:
                    unit_lines[u.pk] = line(f"u{u.pk}", u.name, rep, depth=u.level, unit_id=u.pk)
                add(unit_lines[u.pk], a, reporting_only=True)
    # sales for DSO, rolled up the same way
    sales_meta = _account_values(list(sales), "territory_id")
    for account_id, amount in sales.items():
        unit = units.get(sales_meta.get(account_id))
        if unit is not None:
            for path in _ancestor_paths(unit.path):
                u = by_path.get(path)
                if u is not None:
                    unit_sales[u.pk] += amount
    for acc in accounts:
        s = sales.get(acc.account_id)
        acc.dso = (
            engine.dso(receivables=acc.reporting_total, credit_sales=s, days=dso_days)
            if s
            else None
        )
    for ul in unit_lines.values():
        ul.dso = engine.dso(
            receivables=ul.reporting_total, credit_sales=unit_sales[ul.unit_id], days=dso_days
        )
    total.dso = engine.dso(
        receivables=total.reporting_total, credit_sales=sum(sales.values(), zero), days=dso_days
    )
    group_names = _account_values(list(partners), "name")
    for g, pl in partners.items():
        pl.label = group_names.get(g, str(g))
    return AgingReport(
        as_of=as_of,
        reporting_currency=rep,
        buckets=buckets(),
        accounts=accounts,
        partners=sorted(partners.values(), key=lambda x: -x.reporting_total),
        units=sorted(unit_lines.values(), key=lambda u: units[u.unit_id].path),
        total=total,
        dso_days=dso_days,
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

    accounts = report.accounts
    if unit.isdigit():
        u = OrgUnit.objects.filter(pk=int(unit)).first()
        if u is not None:
            ids = set(
                Account.objects.filter(territory__path__startswith=u.path).values_list(
                    "pk", flat=True
                )
            )
            accounts = [a for a in accounts if a.account_id in ids]
    rows = []
    for a in sorted(accounts, key=lambda x: -x.reporting_total)[:500]:
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
        "account_count": len(accounts),
    }
