"""Choosing care in a real browser (issue 15): search → shortlist two → compare; save a search →
an alert after a new matching service; the unsubscribe link from the alert. axe-core on every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from accounts.tests import factories as af
from directory.tests import factories as df
from marketplace.choosing import services as choosing
from marketplace.choosing.tasks import saved_search_alerts_task
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def near_g12() -> None:
    df.make_postcode("G12 8QQ", 55.8733, -4.2923)
    df.make_service(name="Kelvin home help", delivered_at_home=True)
    df.make_service(name="Partick lunch club", latitude=55.87, price_pence=850, price_unit="day")
    df.make_service(name="Hyndland sitters", latitude=55.876)


def search(page: Page, base: str) -> None:
    page.goto(base + "/search/?postcode=G12+8QQ")
    expect(page.get_by_role("heading", level=1)).to_have_text("Care and support near G12 8QQ")


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(af.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text("Signed in as")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_search_shortlist_two_and_compare_then_keep_the_list_at_sign_in(
    new_context: Callable[..., BrowserContext], live_server: Any, javascript: bool
) -> None:
    near_g12()
    user = af.make_user(full_name="Morag Brown")
    page = new_context(java_script_enabled=javascript).new_page()
    # axe-core needs JavaScript: the run without it checks that the journey works, the other checks access.
    check: Callable[[Page], None] = assert_accessible if javascript else (lambda _page: None)
    search(page, live_server.url)
    check(page)
    page.get_by_role("button", name=re.compile(r"Add to shortlist\W+Kelvin home help")).click()
    expect(page.get_by_text("Kelvin home help is on your shortlist.")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Add to shortlist\W+Partick lunch club")).click()
    expect(page.locator(".app-shortlisted")).to_have_count(2)
    check(page)

    page.get_by_role("link", name="Your shortlist", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your shortlist")
    check(page)
    page.get_by_role("button", name="Compare").click()  # nothing chosen: the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose 2 to 4 services to compare")
    check(page)
    page.get_by_label("Kelvin home help").check()
    page.get_by_label("Partick lunch club").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare services")
    table = page.locator("#comparison")
    expect(page.get_by_text("Distances are from G12 8QQ.")).to_be_visible()
    expect(table).to_contain_text("£8.50")
    expect(table.get_by_role("row", name=re.compile("^At your home"))).to_contain_text("Yes")
    check(page)

    sign_in(page, live_server.url, user.email)
    page.goto(live_server.url + "/shortlist/")
    expect(page.locator("#shortlist")).to_contain_text("Kelvin home help")
    expect(page.locator("#shortlist")).to_contain_text("Partick lunch club")


def test_save_a_search_get_an_alert_for_a_new_service_and_unsubscribe_signed_out(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    near_g12()
    user = af.make_user(full_name="Morag Brown")
    page = new_context().new_page()
    sign_in(page, live_server.url, user.email)
    search(page, live_server.url)
    page.get_by_role("link", name="Save this search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save this search")
    assert_accessible(page)
    page.get_by_label("Name this search (optional)").fill("Help near home")
    page.get_by_role("button", name="Save search").click()
    expect(page.get_by_text("Your search “Help near home” has been saved.")).to_be_visible()
    expect(page.locator("#alerts-state")).to_have_text("on")
    assert_accessible(page)

    df.make_service(name="Byres Road befrienders")
    mail.outbox.clear()
    assert saved_search_alerts_task() == 1  # what beat runs every hour
    page.goto(live_server.url + "/notifications/")
    expect(page.get_by_text("New in your saved search: Help near home")).to_be_visible()
    assert_accessible(page)
    (message,) = mail.outbox
    assert "Byres Road befrienders" in message.body
    link = re.search(r"To stop these alerts: (\S+)", message.body).group(1)

    reader = new_context().new_page()  # the e-mail opened elsewhere, signed out
    reader.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    expect(reader.get_by_role("heading", level=1)).to_have_text("Stop alerts about “Help near home”?")
    assert_accessible(reader)
    reader.get_by_role("button", name="Unsubscribe").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    assert_accessible(reader)
    page.goto(live_server.url + "/saved-searches/")
    expect(page.locator("#saved-searches")).to_contain_text("Off")


def test_share_remove_delete_and_carer_pages_are_accessible(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    near_g12()
    person = af.make_person()
    carer = af.make_user(full_name="Sam Carer")
    af.make_carer_link(carer=carer, person=person)
    kelvin = df.make_service(name="Kelvin befrienders")
    shortlist = choosing.shortlist_add(actor=person.user, service=kelvin).shortlist
    saved = choosing.saved_search_create(actor=person.user, query_string="postcode=G12+8QQ")
    page = new_context().new_page()
    sign_in(page, live_server.url, person.user.email)
    page.goto(live_server.url + "/shortlist/share/")
    expect(page.locator("#carers")).to_contain_text("Sam Carer")
    page.get_by_role("button", name="Make a link").click()
    expect(page.locator("#share-link")).to_contain_text("/shortlist/shared/")
    assert_accessible(page)
    shared = page.locator("#share-link a").get_attribute("href")
    for path in (
        "/shortlist/share/turn-off/",
        f"/shortlist/remove/{kelvin.code}/",
        "/saved-searches/",
        f"/saved-searches/{saved.code}/",
        f"/saved-searches/{saved.code}/delete/",
        "/shortlist/compare/",
    ):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    visitor = new_context().new_page()
    visitor.goto(shared)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(f"Shortlist of {person.display_name}")
    assert_accessible(visitor)
    sign_in(visitor, live_server.url, carer.email)
    visitor.goto(live_server.url + "/shortlist/")
    visitor.get_by_role("link", name=f"Shortlist of {person.display_name}").click()
    expect(visitor.locator("#shortlist")).to_contain_text("Kelvin befrienders")
    assert_accessible(visitor)
    assert visitor.url.endswith(f"/shortlist/{shortlist.code}/")
