"""Browser fixtures: Playwright driving Debian's chromium against pytest-django's live server.

- ``browser`` (session): one headless chromium for the whole run, fresh profile dir.
- ``page`` (function): a new browser context + page per test (own cookies, own language);
  on failure a full-page screenshot goes to /tmp/ui-shots/<test name>.png.
- ``live_app`` (function): the running app (live_server, transactional DB) with the
  ``company`` fixture loaded; returns a :class:`LiveApp` with ``url`` and ``company``.
- ``ui_login(page, live_url, username)``: logs in through the login form.

Chromium missing: the tests are skipped with a reason locally, and FAIL when ``CI`` is set
(CI must never silently skip the browser tests).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

# Playwright's sync API runs an asyncio event loop in this thread; Django's async-unsafe
# guard would then refuse ORM calls made by fixtures in the same thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SALESOPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS_DIR = Path("/tmp/ui-shots")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependency
        _unavailable("the playwright package is not installed (uv sync)")
    pw = sync_playwright().start()
    try:
        try:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                # launch() gives chromium a fresh temporary profile (user-data dir) each run
                args=CHROMIUM_ARGS,
                headless=True,
            )
        except Exception as exc:
            _unavailable(f"chromium at {CHROMIUM} did not start: {exc}")
        yield browser
        browser.close()
    finally:
        pw.stop()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace("::", "__")
        # a failed screenshot must never hide the real failure
        with contextlib.suppress(Exception):
            pg.screenshot(path=str(SHOTS_DIR / f"{name}.png"), full_page=True)
    context.close()


@dataclass
class LiveApp:
    url: str
    company: object


@pytest.fixture
def live_app(live_server, transactional_db, company) -> LiveApp:
    return LiveApp(url=live_server.url, company=company)


def ui_login(page, live_url: str, username: str, password: str = PASSWORD):
    """Log in through the login form; returns once the home page has loaded."""
    page.goto(f"{live_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_url}/")
    return page
