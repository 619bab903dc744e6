"""Statement, payment sheet and order board: the numbers tie out to the ledger, and the PDF,
XLSX and HTML files carry them (opened with pypdf and openpyxl)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from salesops.core.errors import NotFound
from salesops.receivables import selectors, services
from salesops.receivables.documents import document_data, document_render

D = Decimal
START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def _pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def _xlsx_numbers(content: bytes) -> list:
    wb = load_workbook(io.BytesIO(content))
    return [c.value for ws in wb for row in ws.iter_rows() for c in row]


@pytest.fixture
def busy(ledger):
    """partner1 with every kind of ledger entry, some in a second currency (USD)."""
    c = ledger
    coord, fin = c.coordinator, c.finance
    p1 = ledger.inv1.account
    # a credit note applied to inv2, a refund from a second payment's unallocated rest,
    # a write-off, an invoice reversal and a payment reversal, all dated in October
    cn = services.credit_note_request(
        account=p1,
        amount="150.00",
        currency="CNY",
        reason="price",
        invoice=c.inv2,
        issue_date=dt.date(2026, 10, 20),
        by=coord,
    )
    if cn.status != "approved":
        services.credit_note_approve(credit_note=cn, by=fin)
    pay2 = services.payment_receive(
        amount="600.00",
        currency="CNY",
        value_date=dt.date(2026, 10, 22),
        account=p1,
        by=coord,
    )
    services.payment_book(payment=pay2, by=coord)
    refund = services.refund_request(payment=pay2, amount="100.00", reason="overpaid", by=coord)
    services.refund_approve(refund=refund, paid_on=dt.date(2026, 10, 25), by=fin)
    bad = services.invoice_post(
        account=p1, amount="99.00", currency="CNY", issue_date=dt.date(2026, 10, 5), by=coord
    )
    services.invoice_reverse(invoice=bad, reason="posted twice", on=dt.date(2026, 10, 6), by=coord)
    pay3 = services.payment_receive(
        amount="50.00", currency="CNY", value_date=dt.date(2026, 10, 7), account=p1, by=coord
    )
    services.payment_book(payment=pay3, by=coord)
    services.payment_reverse(payment=pay3, reason="bounced", on=dt.date(2026, 10, 9), by=coord)
    usd = services.invoice_post(
        account=p1, amount="1234.56", currency="USD", issue_date=dt.date(2026, 8, 1), by=coord
    )
    return c, p1, usd


def test_statement_ties_out_to_the_ledger(busy):
    c, p1, _usd = busy
    doc = document_data(kind="statement", account=p1, start=START, end=END)
    balances = selectors.account_balance(user=c.coordinator, account_id=p1.pk, on=END)
    assert [s.currency for s in doc.sections] == ["CNY", "USD"]
    for s in doc.sections:
        assert s.closing == s.opening + sum(line.amount for line in s.lines)
        assert s.closing == balances[s.currency]
        assert s.aging_total == s.closing
        assert sum(s.aging) + s.aging_credit == s.aging_total
        assert sum(i.open_amount for i in s.open_items) == s.aging_total
        if s.lines:
            assert s.lines[-1].balance == s.closing
    cny = doc.sections[0]
    assert cny.opening == D("11300.00")  # inv1 in September
    kinds = {line.kind for line in cny.lines}
    assert {
        "invoice",
        "invoice_reversal",
        "payment",
        "payment_reversal",
        "credit_note",
        "refund",
    } <= kinds
    # the allocation of pay1 to inv1 is dated today (after END): on END inv1 was still open
    # in full and pay1 was on account
    assert {i.number: i.open_amount for i in cny.open_items}[c.inv1.number] == D("11300.00")


def test_statement_pdf_has_account_closing_balance_and_chinese_labels(busy):
    _c, p1, _usd = busy
    doc = document_data(kind="statement", account=p1, start=START, end=END)
    closing = doc.sections[0].closing
    en = document_render(kind="statement", account=p1, start=START, end=END, fmt="pdf", lang="en")
    assert en.content.startswith(b"%PDF") and en.filename.endswith("-en.pdf")
    text = _pdf_text(en.content)
    assert p1.name in text
    assert f"{closing:,.2f}" in text
    assert "Closing balance" in text and "Page 1 of" in text
    zh = document_render(
        kind="statement", account=p1, start=START, end=END, fmt="pdf", lang="zh-hans"
    )
    text = _pdf_text(zh.content)
    assert p1.name in text and f"{closing:,.2f}" in text
    assert "2026年10月31日" in text  # dates in the Chinese format
    # the embedded font has a ToUnicode map: Chinese text comes back out of the PDF
    assert "类型" in text


def test_chinese_account_name_survives_the_pdf(fx, company):
    a1 = company.acct_rep1  # 上海东方贸易有限公司
    services.invoice_post(
        account=a1,
        amount="100.00",
        currency="CNY",
        issue_date=dt.date(2026, 10, 2),
        by=company.users["coordinator"],
    )
    out = document_render(
        kind="statement", account=a1, start=START, end=END, fmt="pdf", lang="zh-hans"
    )
    assert "上海东方贸易有限公司" in _pdf_text(out.content)


def test_long_statement_paginates_with_page_numbers(fx, company):
    coord = company.users["coordinator"]
    for day in range(1, 29):
        for _ in range(3):
            services.invoice_post(
                account=company.partner2,
                amount="10.00",
                currency="CNY",
                issue_date=dt.date(2026, 10, day),
                by=coord,
            )
    out = document_render(
        kind="statement", account=company.partner2, start=START, end=END, fmt="pdf", lang="en"
    )
    reader = PdfReader(io.BytesIO(out.content))
    pages = len(reader.pages)
    assert pages >= 3
    for i, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {i} of {pages}" in text
        assert "Due date" in text  # the table header repeats on every page


def test_statement_xlsx_has_numeric_cells_equal_to_the_amounts(busy):
    _c, p1, _usd = busy
    doc = document_data(kind="statement", account=p1, start=START, end=END)
    out = document_render(
        kind="statement", account=p1, start=START, end=END, fmt="xlsx", lang="zh-hans"
    )
    wb = load_workbook(io.BytesIO(out.content))
    assert wb.sheetnames == ["CNY", "USD"]
    for s, ws in zip(doc.sections, wb, strict=True):
        numbers = [
            (c.value, c.number_format)
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, int | float)
        ]
        values = {D(str(v)) for v, _f in numbers}
        assert s.closing in values and s.opening in values
        for line in s.lines:
            assert abs(line.amount) in values and line.balance in values
        assert all(f.startswith("#,##0") for _v, f in numbers)
    usd = wb["USD"]
    money = [c for row in usd.iter_rows() for c in row if c.value == 1234.56]
    assert money and money[0].number_format == "#,##0.00;-#,##0.00"


def test_payment_sheet_shows_what_each_payment_paid(busy):
    c, p1, _usd = busy
    sheet = document_data(kind="payment_sheet", account=p1, start=START, end=dt.date(2099, 1, 1))
    cny = sheet.sections[0]
    by_number = {p.number: p for p in cny.payments}
    pay1 = by_number[c.pay1.number]
    assert [(a.invoice_number, a.amount) for a in pay1.applications] == [
        (c.inv1.number, D("8000.00"))
    ]
    assert pay1.unallocated == 0
    pay2 = next(p for p in cny.payments if p.refunded)
    assert pay2.unallocated == D("500.00") and pay2.refunded == D("100.00")
    assert any(p.status == "reversed" for p in cny.payments)
    assert cny.total_received == cny.total_allocated + cny.total_refunded + cny.total_unallocated
    # before the allocation's date the payment was all on account
    early = document_data(kind="payment_sheet", account=p1, start=START, end=END)
    pay1_early = {p.number: p for p in early.sections[0].payments}[c.pay1.number]
    assert pay1_early.applications == () and pay1_early.unallocated == D("8000.00")
    out = document_render(
        kind="payment_sheet",
        account=p1,
        start=START,
        end=dt.date(2099, 1, 1),
        fmt="xlsx",
        lang="en",
    )
    assert 8000 in _xlsx_numbers(out.content)


def test_order_board_lists_backlog_with_totals_per_currency(fx, company):
    from salesops.masterdata.models import Product

    coord = company.users["coordinator"]
    prod = Product.objects.create(sku="SKU-1", name="螺丝刀 Screwdriver")
    order = services.sales_order_create(
        account=company.partner1,
        currency="CNY",
        order_date=dt.date(2026, 10, 3),
        lines=[
            services.OrderLineIn(D("10"), D("12.50"), dt.date(2026, 10, 20), product=prod),
            services.OrderLineIn(
                D("4"),
                D("100.00"),
                dt.date(2026, 11, 20),
                product=prod,
                promised_date=dt.date(2026, 11, 25),
            ),
        ],
        by=coord,
    )
    first = order.lines.order_by("line_no").first()
    services.sales_order_line_ship(line=first, quantity=D("3"), by=coord)
    board = document_data(kind="order_board", account=company.partner1, start=None, end=END)
    s = board.sections[0]
    assert [(x.line_no, x.backlog_quantity, x.backlog_value) for x in s.lines] == [
        (1, D("7"), D("87.5")),
        (2, D("4"), D("400")),
    ]
    assert s.total_backlog_value == D("487.50")
    assert s.late_backlog_value == D("87.50")  # line 1 was requested for 20 October
    for lang in ("en", "zh-hans"):
        pdf = document_render(
            kind="order_board", account=company.partner1, start=None, end=END, fmt="pdf", lang=lang
        )
        text = _pdf_text(pdf.content)
        assert "螺丝刀" in text and "487.50" in text
    xlsx = document_render(
        kind="order_board", account=company.partner1, start=None, end=END, fmt="xlsx", lang="en"
    )
    assert 487.5 in _xlsx_numbers(xlsx.content)


def test_partner_cannot_render_another_partners_document(ledger, company):
    partner = company.users["partner"]
    out = document_render(
        kind="statement",
        account=company.partner1,
        start=START,
        end=END,
        fmt="html",
        lang="en",
        user=partner,
    )
    assert company.partner1.name.encode() in out.content
    with pytest.raises(NotFound):
        document_render(
            kind="statement",
            account=company.partner2,
            start=START,
            end=END,
            fmt="pdf",
            lang="en",
            user=partner,
        )


def test_view_is_scoped_to_the_user(ledger, company, login):
    client = login("partner")
    url = f"/receivables/documents/statement/{company.partner1.pk}/"
    own = client.get(url, {"start": "2026-10-01", "end": "2026-10-31"})
    assert own.status_code == 200
    assert company.partner1.name in own.content.decode()
    pdf = client.get(url, {"start": "2026-10-01", "end": "2026-10-31", "fmt": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    other = f"/receivables/documents/statement/{company.partner2.pk}/"
    for fmt in ("html", "pdf", "xlsx"):
        assert client.get(other, {"fmt": fmt}).status_code == 404
    assert client.get(f"/receivables/documents/nonsense/{company.partner1.pk}/").status_code == 404


def test_rep_sees_own_accounts_only(ledger, company, login):
    client = login("rep")  # owns partner1, not partner2
    ok = client.get(f"/receivables/documents/payment_sheet/{company.partner1.pk}/", {"fmt": "xlsx"})
    assert ok.status_code == 200
    assert (
        client.get(f"/receivables/documents/order_board/{company.partner2.pk}/").status_code == 404
    )


def test_missing_font_names_the_path(ledger, company, settings):
    from salesops.receivables.documents.pdf import PdfFontMissing

    settings.PDF_FONT = "/nonexistent/font.ttc"
    with pytest.raises(PdfFontMissing, match=r"/nonexistent/font\.ttc"):
        document_render(
            kind="statement",
            account=company.partner1,
            start=START,
            end=END,
            fmt="pdf",
            lang="en",
        )


def test_a_bad_date_on_the_document_page_is_bad_input_not_not_found(ledger, login):
    client = login("coordinator")
    url = f"/receivables/documents/statement/{ledger.inv1.account_id}/"
    assert client.get(url, {"end": "2026-13-45"}).status_code == 400
    assert client.get(url, {"end": "1999-12-31"}).status_code == 400
