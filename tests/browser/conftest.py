"""Browser fixtures: Playwright driving Debian's Chromium (never a downloaded
browser) against pytest-django's live server. The axe-core check is in
accessibility.py."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an asyncio event loop in this thread; Django refuses
# ORM calls from a thread with a running loop unless told it is safe. It is here:
# the loop only drives the browser and the live server runs in its own thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402

# The machine's cores are shared: allow a slow page, never an endless one.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, started with a MEDIA_URL.

    settings.MEDIA_URL is None on purpose (uploads are served only through
    permission-checked views), but Django's LiveServerThread builds a media
    handler from it when the thread starts and every request then fails with a
    TypeError. A prefix that nothing links to keeps the server working.
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(MEDIA_URL="/live-server-media/"):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (a fresh profile each: no cookies shared); closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**{"locale": "en-GB", "viewport": {"width": 1280, "height": 900}, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


@pytest.fixture
def open_as(new_context: Callable[..., BrowserContext], live_server: LiveServer) -> Callable[..., Page]:
    """Sign someone in through the sign-in page, in a fresh profile; javascript=False for the
    run without scripts."""
    from accounts.tests.factories import PASSWORD

    def open_as(email: str, *, javascript: bool = True) -> Page:
        page = new_context(java_script_enabled=javascript).new_page()
        page.goto(live_server.url + "/accounts/sign-in/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("banner")).to_contain_text("Signed in as")
        return page

    return open_as
