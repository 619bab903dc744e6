"""Browser tests of the partner portal: a partner who has never seen it finds their open items,
asks about an invoice and downloads a statement. Screenshots go to /tmp/shots_portal/."""

from __future__ import annotations

import io
from pathlib import Path

from playwright.sync_api import expect

from salesops.receivables.models import Query
from tests.portal.conftest import portal  # noqa: F401 - fixture
from tests.receivables.conftest import fx, ledger  # noqa: F401 - fixtures
from tests.ui.conftest import ui_login

SHOTS = Path("/tmp/shots_portal")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_partner_sees_own_open_items_and_asks_about_an_invoice(page, live_app, portal):  # noqa: F811
    c = live_app.company
    led = portal.ledger
    ui_login(page, live_app.url, "partner")
    card = page.locator("#queue-partner_portal")
    expect(card).to_contain_text("Open items")
    _shot(page, "01_home")
    page.get_by_role("link", name="Partner portal", exact=True).click()
    expect(page.locator("h1")).to_contain_text(c.partner1.name)
    expect(page.locator("#tile-balance")).to_contain_text("8,900.00 CNY")
    _shot(page, "02_portal_overview")
    page.locator(".portal-tabs").get_by_role("link", name="Open items").click()
    rows = page.locator("#open-items tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f'tr[data-invoice="{led.inv1.number}"]')).to_contain_text("3,300.00 CNY")
    expect(page.locator(f'tr[data-invoice="{led.inv1.number}"] .badge.overdue')).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(led.inv3.number)
    _shot(page, "03_open_items")
    page.locator(f'tr[data-invoice="{led.inv2.number}"]').get_by_role(
        "link", name="Ask about this"
    ).click()
    expect(page.locator("#id_invoice")).to_have_value(str(led.inv2.pk))
    page.fill("#id_subject", "Credit for damaged boxes")
    page.fill("#id_body", "Two boxes arrived damaged. Can you credit them on this invoice?")
    page.select_option("#id_category", "credit_note")
    _shot(page, "04_ask_question")
    page.get_by_role("button", name="Send question").click()
    expect(page.locator(".messages")).to_contain_text("Your query Q-")
    expect(page.locator("#thread")).to_contain_text("Two boxes arrived damaged")
    _shot(page, "05_query_sent")
    q = Query.objects.get(subject="Credit for damaged boxes")
    assert q.invoice_id == led.inv2.pk and q.account_id == c.partner1.pk
    page.locator(".portal-tabs").get_by_role("link", name="Queries").click()
    expect(page.locator(f'tr[data-query="{q.number}"]')).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(portal.q2.number)
    _shot(page, "06_my_queries")


def test_partner_pages_and_statement_download(page, live_app, portal):  # noqa: F811
    led = portal.ledger
    ui_login(page, live_app.url, "partner")
    for name, path in (
        ("07_order_board", "/portal/orders/"),
        ("08_payments", "/portal/payments/"),
    ):
        page.goto(live_app.url + path)
        _shot(page, name)
    expect(page.locator(f'tr[data-payment="{led.pay1.number}"]')).to_contain_text(led.inv1.number)
    page.goto(live_app.url + "/portal/statements/")
    page.select_option("select[name=month]", "2026-10")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#statement-CNY")).to_contain_text("Closing balance")
    expect(page.locator("#statement-CNY")).to_contain_text("8,900.00 CNY")
    _shot(page, "09_statement")
    with page.expect_download() as dl:
        page.locator("#download-pdf").click()
    content = Path(dl.value.path()).read_bytes()
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert led.inv2.number in text
    assert portal.ledger.inv3.number not in text


def test_partner_in_chinese_sees_a_translated_portal(page, live_app, portal):  # noqa: F811
    ui_login(page, live_app.url, "partner")
    page.locator(".topbar .lang-switch").get_by_role("button", name="简体中文").click()
    page.goto(live_app.url + "/portal/invoices/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    _shot(page, "10_open_items_zh")
