"""Browser fixtures: Playwright driving Debian's Chromium (never a downloaded
browser) against pytest-django's live server. The axe-core check is in
accessibility.py."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an asyncio event loop in this thread; Django refuses
# ORM calls from a thread with a running loop unless told it is safe. It is here:
# the loop only drives the browser and the live server runs in its own thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

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
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    yield new_page
    context.close()
