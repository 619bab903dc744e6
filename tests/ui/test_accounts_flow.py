"""Browser tests: the daily paths a user takes, in a real chromium against the live app."""

from playwright.sync_api import expect

from tests.ui.conftest import ui_login


def test_coordinator_searches_an_account_and_opens_its_360_page(page, live_app):
    ui_login(page, live_app.url, "coordinator")
    page.get_by_role("link", name="Accounts", exact=True).click()
    page.fill("#q", "pudong")  # htmx live search, no submit
    rows = page.locator("#account-rows table.accounts tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="Pudong Hardware Co.").click()
    expect(page.locator("h1")).to_contain_text("Pudong Hardware Co.")
    expect(page.locator("#details")).to_contain_text("A0000002")
    expect(page.locator("#history")).to_be_visible()


def test_switching_to_simplified_chinese_translates_the_navigation(page, live_app):
    ui_login(page, live_app.url, "coordinator")
    page.locator(".topbar .lang-switch").get_by_role("button", name="简体中文").click()
    nav = page.locator("nav.mainnav")
    expect(nav).to_contain_text("客户")
    expect(nav).to_contain_text("首页")
    # the choice persists for the session, on every page
    page.goto(f"{live_app.url}/accounts/")
    expect(page.locator("nav.mainnav")).to_contain_text("首页")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_partner_sees_only_their_own_account(page, live_app):
    c = live_app.company
    ui_login(page, live_app.url, "partner")
    page.goto(f"{live_app.url}/accounts/")
    rows = page.locator("#account-rows table.accounts tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(c.partner1.name)
    response = page.goto(f"{live_app.url}/accounts/{c.partner2.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(c.partner2.name)


def test_rep_account_list_shows_only_their_accounts(page, live_app):
    c = live_app.company
    ui_login(page, live_app.url, "rep")
    page.goto(f"{live_app.url}/accounts/")
    names = page.locator("#account-rows table.accounts tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(names) == sorted([c.acct_rep1.name, c.partner1.name])


def test_logout_returns_to_the_login_page_and_closes_the_session(page, live_app):
    ui_login(page, live_app.url, "coordinator")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_app.url}/login/")
    page.goto(f"{live_app.url}/accounts/")
    assert "/login/" in page.url


def test_partner_home_is_a_card_with_their_account_and_contacts(page, live_app):
    c = live_app.company
    ui_login(page, live_app.url, "partner")
    card = page.locator("#queue-partner_account")
    expect(card).to_contain_text(c.partner1.name)
    expect(card).to_contain_text("Zhou Min")
    expect(page.locator("main")).not_to_contain_text(c.partner2.name)
    expect(page.locator("nav.mainnav")).not_to_contain_text("Organisation")
