from tests.ui.conftest import ui_login


def test_coordinator_logs_in_through_the_form_and_lands_on_home(page, live_app):
    ui_login(page, live_app.url, "coordinator")
    assert page.locator("nav").count() >= 1
    assert "/login/" not in page.url
