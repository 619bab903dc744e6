"""Browser test: a coordinator uploads a partner's Excel ledger, maps its Chinese columns and
reads the reconciliation result."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from salesops.receivables import services
from tests.receivables.test_reconciliation import huadong_xlsx
from tests.ui.conftest import ui_login


@pytest.fixture
def partner_ledger(live_app):
    """partner1's ledger: two invoices and a booked payment (as the receivables fixtures)."""
    c = live_app.company
    coord = c.users["coordinator"]
    inv1 = services.invoice_post(
        account=c.partner1, amount="11300.00", currency="CNY",
        issue_date=dt.date(2026, 9, 5), by=coord,
    )  # fmt: skip
    inv2 = services.invoice_post(
        account=c.partner1, amount="5650.00", currency="CNY",
        issue_date=dt.date(2026, 10, 10), by=coord,
    )  # fmt: skip
    pay = services.payment_receive(
        amount="8000.00", currency="CNY", value_date=dt.date(2026, 10, 15),
        account=c.partner1, by=coord,
    )  # fmt: skip
    services.payment_book(payment=pay, by=coord)
    return inv1, inv2


def test_coordinator_reconciles_a_partner_ledger_through_the_browser(
    page, live_app, partner_ledger, tmp_path
):
    inv1, inv2 = partner_ledger
    f = huadong_xlsx(tmp_path / "华东分销-应付账款.xlsx", inv1.number, inv2.number)
    partner = live_app.company.partner1

    ui_login(page, live_app.url, "coordinator")
    page.goto(f"{live_app.url}/receivables/reconciliations/")
    expect(page.locator("h1")).to_have_text("Partner reconciliation")
    page.select_option("#id_account", str(partner.pk))
    page.fill("#id_as_of", "2026-10-31")
    page.set_input_files("#id_file", str(f))
    page.get_by_role("button", name="Upload").click()

    expect(page.locator("h1")).to_have_text("Map the partner's columns")
    expect(page.locator("table.recon-preview")).to_contain_text("记-0012")
    # guessed from the Chinese headers
    expect(page.locator("#id_col_date option:checked")).to_have_text("日期")
    expect(page.locator("#id_col_debit option:checked")).to_have_text("借方")
    expect(page.locator("#id_col_credit option:checked")).to_have_text("贷方")
    expect(page.locator("#id_col_reference option:checked")).to_have_text("凭证字号")
    page.select_option("#id_col_document", label="单据号")
    expect(page.locator("#id_flip_sign")).to_be_checked()
    page.locator("#recon-run").click()

    expect(page.locator("h1")).to_contain_text("Reconciliation")
    expect(page.locator("#recon-our-balance")).to_have_text("8,950.00")
    expect(page.locator("#recon-their-balance")).to_have_text("8,600.00")
    expect(page.locator("#recon-difference")).to_have_text("350.00")
    expect(page.locator("#recon-explained")).to_have_text("350.00")
    expect(page.locator("#section-amount_differs")).to_contain_text(inv2.number)
    expect(page.locator("#section-only_theirs")).to_contain_text("记-0052")
    expect(page.locator("#section-matched tbody tr")).to_have_count(2)
    with page.expect_download() as dl:
        page.locator("#recon-pdf").click()
    assert dl.value.suggested_filename.endswith(".pdf")
