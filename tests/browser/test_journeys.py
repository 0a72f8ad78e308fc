"""End-to-end journeys in a real browser, with axe-core on every page visited."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import User
from directory.tests import factories as df
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "kelvingrove-tearoom-42"


def fill_sign_up(page: Page, *, email: str, password: str, confirm: str) -> None:
    page.get_by_label("Full name").fill("Morag Brown")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Myself").check()
    page.get_by_label("Postcode (optional)").fill("G12 8QQ")
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Confirm password").fill(confirm)
    page.get_by_role("button", name="Create account").click()


def test_sign_up_sign_out_sign_in_and_search_from_the_start_page(page: Page, live_server) -> None:
    df.make_postcode("G12 8QQ", 55.8733, -4.2923)
    df.make_service(name="Kelvin home help", postcode="G12 8QQ", latitude=55.8733, longitude=-4.2923)
    df.make_service(name="Aberdeen day centre", postcode="AB10 1AB", latitude=57.1482, longitude=-2.0928)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find care and support near you")
    assert_accessible(page)

    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    assert_accessible(page)
    fill_sign_up(page, email="morag@example.org", password=PASSWORD, confirm=PASSWORD)

    expect(page.get_by_text("Your account has been created.")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Signed in as Morag Brown")
    assert_accessible(page)
    assert User.objects.filter(email="morag@example.org").exists()

    # The sign-out form sits inside the header's account area (a <p> there would be split by the parser).
    page.locator(".app-header__who").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("banner")).to_contain_text("Sign in")
    expect(page.get_by_role("banner")).not_to_contain_text("Signed in as")
    assert_accessible(page)

    page.get_by_role("banner").get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)
    page.get_by_label("Email address").fill("morag@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text("Signed in as Morag Brown")
    assert_accessible(page)

    page.get_by_role("link", name="Find care").click()
    expect(page.get_by_role("link", name="Find care")).to_have_attribute("aria-current", "page")
    page.get_by_label("Enter a postcode").fill("G12 8QQ")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search/\?postcode=G12"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Care and support near G12 8QQ")
    expect(page.get_by_role("link", name="Kelvin home help")).to_be_visible()
    expect(page.get_by_text("Aberdeen day centre")).to_have_count(0)
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_sign_up_shows_the_error_summary_for_mismatched_passwords(
    new_context: Callable[..., BrowserContext], live_server, javascript: bool
) -> None:
    # Without JavaScript the summary must still be there: it is rendered by the server.
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(live_server.url + "/accounts/sign-up/")
    fill_sign_up(page, email="ewan@example.org", password=PASSWORD, confirm=PASSWORD + "x")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    message = "The passwords do not match. Enter the same password twice."
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#id_password2")
    expect(page.locator("#id_password2-error")).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: "))
    if javascript:  # axe-core runs as a script in the page
        assert_accessible(page)
    assert not User.objects.filter(email="ewan@example.org").exists()


def test_start_page_search_with_an_invalid_postcode_shows_the_error_summary(page: Page, live_server) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Enter a postcode").fill("not a postcode")
    page.get_by_role("button", name="Search").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_postcode")
    assert_accessible(page)
