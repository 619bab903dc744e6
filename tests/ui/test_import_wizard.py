"""Browser test: a coordinator runs a Salesforce account export through the import wizard."""

from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY
from playwright.sync_api import expect

from tests.ui.conftest import ui_login

SAMPLE = Path("/work/shared/testdata/crm/salesforce-sample/Accounts.csv")


@pytest.fixture
def immediate_huey():
    """No worker runs beside the live server: the commit job runs in the request."""
    HUEY.immediate = True
    yield
    HUEY.immediate = False


def test_coordinator_imports_a_salesforce_export_through_the_wizard(page, live_app, immediate_huey):
    ui_login(page, live_app.url, "coordinator")
    page.get_by_role("link", name="Imports", exact=True).click()
    page.select_option("#id_kind", "accounts")
    page.set_input_files("#id_file", str(SAMPLE))
    page.get_by_role("button", name="Upload").click()

    expect(page.locator("h1")).to_have_text("Column mapping")
    expect(page.get_by_label("billingcity")).to_have_value("billing_city")
    page.get_by_role("button", name="Preview").click()

    expect(page.locator("h1")).to_have_text("Preview")
    expect(page.locator("#count-created")).to_have_text("50")
    expect(page.locator("#count-rejected")).to_have_text("0")
    page.locator("#commit-button").click()

    expect(page.locator("h1")).to_have_text("Import report")
    expect(page.locator("#batch-status")).to_have_text("Committed")
    expect(page.locator("#count-created")).to_have_text("50")
    page.locator("#accounts-link").click()
    page.fill("#q", "zoonoodle")
    expect(page.locator("#account-rows table.accounts tbody tr")).to_have_count(1)
