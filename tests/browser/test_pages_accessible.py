"""axe-core over the account pages a journey test does not reach."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.tests import factories as af
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(af.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text("Signed in as")


@pytest.mark.parametrize(
    "path",
    ["/accounts/password/reset/", "/accounts/password/reset/sent/", "/no-such-page/"],
)
def test_public_pages_have_no_serious_accessibility_violations(page: Page, live_server, path: str) -> None:
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_sign_in_error_page_has_no_serious_accessibility_violations(page: Page, live_server) -> None:
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong-password-entirely")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password.")
    assert_accessible(page)


def test_signed_in_account_pages_have_no_serious_accessibility_violations(page: Page, live_server) -> None:
    person = af.make_person()
    carer = af.make_user(full_name="Sam Carer")
    af.make_carer_link(carer=carer, person=person)
    sign_in(page, live_server.url, person.user.email)
    for path in ["/accounts/profile/", "/accounts/carers/", "/accounts/password/change/"]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server.url, carer.email)
    page.goto(live_server.url + "/accounts/supporting/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_api_token_pages_make_show_once_and_revoke_accessibly(page: Page, live_server) -> None:
    person = af.make_person()
    sign_in(page, live_server.url, person.user.email)
    page.goto(live_server.url + "/accounts/profile/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_role("button", name="Make token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the token")
    assert_accessible(page)
    page.get_by_label("Name").fill("Budget spreadsheet")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new API token")
    token = page.locator("#api-token").inner_text()
    assert token.startswith("chp_")
    assert_accessible(page)
    page.get_by_role("link", name="Back to your API tokens").click()
    expect(page.locator("body")).not_to_contain_text(token)
    assert_accessible(page)
    page.get_by_role("link", name="Revoke Budget spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Are you sure")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, revoke this token").click()
    expect(page.locator("body")).to_contain_text("has been revoked")
    expect(page.locator("body")).to_contain_text("Revoked")
