"""The axe-core check itself must be able to fail, or every browser test is hollow."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.accessibility import assert_accessible

pytestmark = pytest.mark.browser

BROKEN_PAGE = """<!DOCTYPE html><html><head><title>Broken</title></head><body>
<main><h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input type="text" name="postcode"><button type="submit"></button></form>
<p style="color:#777;background:#888">Hard to read</p></main></body></html>"""

ACCESSIBLE_PAGE = """<!DOCTYPE html><html lang="en-GB"><head><title>Fine</title></head><body>
<main><h1>Fine</h1><form><label for="postcode">Postcode</label><input id="postcode" name="postcode">
<button type="submit">Search</button></form></main></body></html>"""


def test_assert_accessible_lists_serious_and_critical_violations(page: Page) -> None:
    page.set_content(BROKEN_PAGE)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    report = str(failure.value)
    for rule in ("html-has-lang", "image-alt", "label", "button-name", "color-contrast"):
        assert rule in report


def test_assert_accessible_passes_a_page_without_violations(page: Page) -> None:
    page.set_content(ACCESSIBLE_PAGE)
    assert_accessible(page)
