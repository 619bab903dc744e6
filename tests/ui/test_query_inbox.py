"""Browser test of the query inbox: the coordinator sees the query due on the home page, answers
it from the inbox, the answer is e-mailed, and the partner reads it in the portal."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.portal.conftest import portal  # noqa: F401 - fixture
from tests.receivables.conftest import fx, ledger  # noqa: F401 - fixtures
from tests.ui.conftest import ui_login

SHOTS = Path("/tmp/shots_portal")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_coordinator_answers_and_partner_sees_the_reply(
    page,
    browser,
    live_app,
    portal,  # noqa: F811 - the imported fixture
    smtp_server,
):
    q = portal.q1
    ui_login(page, live_app.url, "coordinator")
    due = page.locator("#queue-queries_due")
    expect(due).to_contain_text(q.number)
    _shot(page, "20_coordinator_home")
    due.get_by_role("link", name="Queries due").click()
    expect(page.locator(f'tr[data-query="{q.number}"]')).to_contain_text("left")
    _shot(page, "21_inbox")
    page.locator(f'tr[data-query="{q.number}"]').get_by_role("link", name=q.number).click()
    expect(page.locator("#thread")).to_contain_text("Is our October payment booked?")
    expect(page.locator("#documents")).to_contain_text(portal.ledger.inv1.number)
    page.fill("#note-body", "Checked the bank statement: booked 15 Oct.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#thread .qmsg-note")).to_contain_text("Checked the bank statement")
    page.fill("#reply-body", "Yes: your payment was booked on 15 October and paid INV-0000001.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#thread .qmsg-reply")).to_contain_text("booked on 15 October")
    page.reload()  # the e-mail goes out after the commit
    expect(page.locator("#thread .qmsg-reply .qmail")).to_contain_text(
        "E-mailed to zhou.min@huadong.example"
    )
    _shot(page, "22_inbox_answered")
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["zhou.min@huadong.example"]

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    partner = context.new_page()
    try:
        ui_login(partner, live_app.url, "partner")
        partner.goto(f"{live_app.url}/portal/queries/")
        row = partner.locator(f'tr[data-query="{q.number}"]')
        expect(row).to_contain_text("Answered")
        row.get_by_role("link", name=q.number).click()
        expect(partner.locator("#thread")).to_contain_text("booked on 15 October")
        expect(partner.locator("main")).not_to_contain_text("Checked the bank statement")
        _shot(partner, "23_partner_sees_reply")
    finally:
        context.close()
