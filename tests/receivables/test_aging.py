"""Aging from the database: what was open on a date, tied to the ledger; roll-up up the org
tree; scoping; the aging page; the `statement` and `aging` commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Q
from openpyxl import load_workbook
from pypdf import PdfReader

from salesops.receivables import aging, selectors
from tests.receivables.test_documents import busy  # noqa: F401 (fixture)

D = Decimal


def test_open_items_add_up_to_the_ledger_balance_on_any_date(busy):  # noqa: F811
    c, p1, _usd = busy
    today = dt.date.today()
    for on in (
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 6),
        dt.date(2026, 10, 8),
        dt.date(2026, 10, 22),
        dt.date(2026, 10, 31),
        today,
    ):
        items = aging.open_items_as_of(as_of=on, account_q=Q(pk=p1.pk))
        totals: dict[str, Decimal] = {}
        for i in items:
            totals[i.currency] = totals.get(i.currency, D(0)) + i.open_amount
        balance = selectors.account_balance(user=c.coordinator, account_id=p1.pk, on=on)
        assert {k: v for k, v in totals.items() if v} == {k: v for k, v in balance.items() if v}


def test_today_open_items_equal_the_stored_open_amounts(busy):  # noqa: F811
    c, p1, usd = busy
    items = aging.open_items_as_of(as_of=dt.date(2099, 1, 1), account_q=Q(pk=p1.pk))
    by_number = {i.number: i.open_amount for i in items}
    for inv in (c.inv1, c.inv2, usd):
        inv.refresh_from_db()
        assert by_number.get(inv.number, D(0)) == inv.open_amount
    stored = selectors.account_open_items_total(account_id=p1.pk)
    assert {
        cur: sum((i.open_amount for i in items if i.currency == cur), D(0)) for cur in stored
    } == stored


def test_aging_at_a_past_date_ignores_later_allocations(ledger, company):
    # pay1 was allocated to inv1 today; on 31 October inv1 (due 5 October) was 26 days late
    # in full, and the payment sat on account
    items = aging.open_items_as_of(as_of=dt.date(2026, 10, 31), account_q=Q(pk=company.partner1.pk))
    (row,) = aging.age_open_items(items, as_of=dt.date(2026, 10, 31)).values()
    assert row.buckets[1] == D("11300.00")  # 1-30 days
    assert row.buckets[0] == D("5650.00")  # inv2 not due
    assert row.credit == D("-8000.00")
    now = aging.open_items_as_of(as_of=dt.date(2099, 1, 1), account_q=Q(pk=company.partner1.pk))
    (later,) = aging.age_open_items(now, as_of=dt.date(2099, 1, 1)).values()
    assert later.credit == 0 and later.total == D("8950.00")


def test_buckets_follow_the_setting(ledger, company, settings):
    settings.AGING_BUCKETS = "10,20"
    items = aging.open_items_as_of(as_of=dt.date(2026, 10, 31), account_q=Q(pk=company.partner1.pk))
    (row,) = aging.age_open_items(items, as_of=dt.date(2026, 10, 31)).values()
    assert len(row.buckets) == 4 and row.buckets[3] == D("11300.00")  # over 20 days


def test_report_rolls_up_the_org_tree_and_is_scoped(busy, company):  # noqa: F811
    _c, p1, usd = busy
    on = dt.date(2026, 10, 31)
    everything = aging.aging_report(user=company.users["finance"], as_of=on)
    by_unit = {u.unit_id: u for u in everything.units}
    accounts_total = sum((a.reporting_total for a in everything.accounts), D(0))
    assert everything.total.reporting_total == accounts_total
    assert by_unit[company.company.pk].reporting_total == accounts_total
    t1 = sum(
        (a.reporting_total for a in everything.accounts if a.account_id == p1.pk), D(0)
    )  # partner1 is the only account with open items in territory t1
    assert by_unit[company.t1.pk].reporting_total == t1
    assert by_unit[company.market.pk].reporting_total == (
        by_unit[company.t1.pk].reporting_total + by_unit[company.t2.pk].reporting_total
    )
    usd_row = next(a for a in everything.accounts if a.currency == "USD")
    assert usd_row.total == D("1234.56")
    assert usd_row.reporting_total == (D("1234.56") * usd.fx_rate).quantize(D("0.01"))
    # a partner sees only their own account; a rep only theirs
    mine = aging.aging_report(user=company.users["partner2"], as_of=on)
    assert {a.account_id for a in mine.accounts} == {company.partner2.pk}
    rep = aging.aging_report(user=company.users["rep"], as_of=on)
    assert company.partner2.pk not in {a.account_id for a in rep.accounts}


def test_dso_uses_the_last_n_days_of_invoices(ledger, company):
    on = dt.date(2026, 10, 31)
    report = aging.aging_report(user=None, as_of=on, dso_days=90)
    p1 = next(a for a in report.accounts if a.account_id == company.partner1.pk)
    # open 8,950 (11,300 + 5,650 - 8,000 on account) / sales 16,950 * 90
    assert p1.dso == (D("8950") / D("16950") * 90).quantize(D("0.1"))


def test_aging_page(busy, company, login):  # noqa: F811
    page = login("coordinator").get("/receivables/aging/", {"as_of": "2026-10-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert company.partner1.name in html and "Pudong Market" in html
    rep = login("partner2").get("/receivables/aging/", {"currency": "reporting"})
    assert rep.status_code == 200
    assert company.partner1.name not in rep.content.decode()


def test_statement_command_writes_pdf_and_xlsx(busy, tmp_path):  # noqa: F811
    _c, p1, _usd = busy
    pdf = tmp_path / "s.pdf"
    call_command(
        "statement", p1.number, "--period", "2026-10", "--format", "pdf", "--lang", "zh-hans",
        "--out", str(pdf),
    )  # fmt: skip
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert p1.name in text
    p1.salesforce_id = "001000000000001AAA"
    p1.save(update_fields=["salesforce_id"])
    xlsx = tmp_path / "s.xlsx"
    call_command("statement", "001000000000001AAA", "--period", "2026-10", "--out", str(xlsx))
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["CNY", "USD"]


def test_aging_command_writes_xlsx_and_csv(busy, tmp_path):  # noqa: F811
    _c, p1, _usd = busy
    out_csv = tmp_path / "a.csv"
    call_command("aging", "--as-of", "2026-10-31", "--out", str(out_csv))
    rows = list(csv.reader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Account", "Currency", "Not due"]
    p1_rows = [r for r in rows[1:] if r[0].startswith(p1.number)]
    assert {r[1] for r in p1_rows} == {"CNY", "USD"}
    out_xlsx = tmp_path / "a.xlsx"
    call_command("aging", "--as-of", "2026-10-31", "--out", str(out_xlsx))
    ws = load_workbook(out_xlsx).active
    usd = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "USD")
    assert D(str(usd[2 + 8 - 1])) == D("1234.56")  # total column, a number


def test_api_router_documents_and_aging(ledger, company):
    from ninja.testing import TestClient

    from salesops.receivables.api_documents import router

    client = TestClient(router)
    partner = company.users["partner"]
    ok = client.get(
        f"/receivables/documents/statement/{company.partner1.pk}?end=2026-10-31&fmt=xlsx",
        user=partner,
    )
    assert ok.status_code == 200 and ok.content.startswith(b"PK")
    data = client.get("/receivables/aging?as_of=2026-10-31", user=partner).json()
    assert {r["account_id"] for r in data["rows"]} == {company.partner1.pk}
    assert D(data["rows"][0]["total"]) == D("8950")


def _report_numbers(report):
    def line(x):
        return (x.key, x.label, x.currency, x.buckets, x.credit, x.total, x.reporting_buckets,
                x.reporting_credit, x.reporting_total, x.dso)  # fmt: skip

    return (
        [line(a) for a in report.accounts],
        [line(p) for p in report.partners],
        [line(u) for u in report.units],
        line(report.total),
    )


def test_stored_open_amounts_and_the_history_agree(busy, company):  # noqa: F811
    from django.utils import timezone

    from salesops.receivables import services

    c, p1, _usd = busy
    coord = c.coordinator
    # neither way counts a receipt not yet booked, a pending credit note or a pending refund
    services.payment_receive(amount="70.00", currency="CNY", account=p1, by=coord)
    services.credit_note_request(
        account=p1, amount="5.00", currency="CNY", reason="price", invoice=c.inv1, by=coord
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert aging.stored_amounts_usable(tomorrow)
    stored = aging.open_items_table(as_of=tomorrow, stored=True)
    history = aging.open_items_table(as_of=tomorrow, stored=False)

    def rows(t):
        return sorted(tuple(r.values()) for r in t.to_pylist())

    assert rows(stored) == rows(history)
    assert stored.num_rows >= 3 and {"USD", "CNY"} <= set(stored.column("currency").to_pylist())
    assert any(r["open_minor"] < 0 for r in stored.to_pylist())  # money on account
    for user in (None, company.users["finance"], company.users["partner2"]):
        a = aging.aging_report(user=user, as_of=tomorrow, stored=True)
        b = aging.aging_report(user=user, as_of=tomorrow, stored=False)
        assert _report_numbers(a) == _report_numbers(b)
    assert aging.aging_report(user=None, as_of=tomorrow).total.reporting_total == (
        aging.aging_report(user=None, as_of=tomorrow, stored=False).total.reporting_total
    )
    # something dated after the as-of date: the stored amounts are not used
    services.invoice_post(
        account=p1, amount="10.00", currency="CNY", issue_date=tomorrow + dt.timedelta(days=3),
        by=coord,
    )  # fmt: skip
    assert not aging.stored_amounts_usable(tomorrow)
    assert not aging.stored_amounts_usable(dt.date(2026, 10, 31))  # the past: always history
    assert _report_numbers(aging.aging_report(user=None, as_of=tomorrow)) == _report_numbers(
        aging.aging_report(user=None, as_of=tomorrow, stored=False)
    )
    assert _report_numbers(aging.aging_report(user=None, as_of=tomorrow, stored=True)) != (
        _report_numbers(aging.aging_report(user=None, as_of=tomorrow, stored=False))
    )
