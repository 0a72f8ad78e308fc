"""Journeys of issue 15 in a real browser, axe-core on every page: the guided questions to a
filtered search, an information page from a service in the results, and an event near a
postcode to its calendar file."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import BrowserContext, Page, expect

from accounts.tests import factories as af
from carehub import clock
from directory.models import AdvicePage, Category, ClientGroup
from directory.tests import factories as df
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world() -> None:
    # Transactional tests empty the tables between tests, seeded rows included: make sure they exist.
    df.make_postcode("G12 8QQ", 55.8733, -4.2923)
    home = Category.objects.get_or_create(slug="help-at-home", defaults={"name": "Help at home", "position": 1})[0]
    Category.objects.get_or_create(slug="day-services", defaults={"name": "Day services and activities", "position": 2})
    older = ClientGroup.objects.get_or_create(slug="older-people", defaults={"name": "Older people"})[0]
    for slug, title in [("paying-for-care", "Paying for care"), ("how-to-complain", "How to complain"),
                        ("regulator-grades", "What regulator grades mean"), ("carers-rights", "Carers' rights"),
                        ("personal-budgets", "Personal budgets")]:  # fmt: skip
        AdvicePage.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "summary": f"About {title.lower()}.",
                "body": "Start here.\n\n- One\n- Two",
                "published": True,
            },  # fmt: skip
        )
    df.make_service(name="Kelvin home help", price_pence=2000, categories=[home], client_groups=[older])
    df.make_service(name="Costly home help", price_pence=4500, categories=[home], client_groups=[older])
    df.make_service(name="Partick lunch club", price_pence=500)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_guided_questions_end_in_a_filtered_search(
    new_context: Callable[..., BrowserContext], live_server, javascript: bool
) -> None:
    _world()
    page = new_context(java_script_enabled=javascript).new_page()

    def check(page: Page) -> None:
        if javascript:  # axe-core runs as a script in the page; the with-js run checks every page
            assert_accessible(page)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Answer a few questions to find support that might suit you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What support might suit me")
    check(page)
    page.get_by_role("button", name="Start now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Who needs support?")
    check(page)
    page.get_by_role("button", name="Continue").click()  # nothing chosen: the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who needs support")
    check(page)
    page.get_by_label("Someone I look after or care for").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Which of these best describes them?")
    check(page)
    page.get_by_label("Older people").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What do they need help with?")
    check(page)
    page.get_by_label("Help at home").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What is the postcode where they need support?")
    check(page)
    page.get_by_label("What is the postcode where they need support?").fill("not a postcode")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page)
    page.get_by_label("What is the postcode where they need support?").fill("g12 8qq")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("How often do they need support?")
    check(page)
    page.get_by_label("A few hours a week").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("How much can be spent on each hour of support?")
    check(page)
    page.get_by_label("Up to £25 an hour").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.locator("#tips")).to_contain_text("carer")
    check(page)
    page.get_by_role("link", name="Change budget").click()
    expect(page.get_by_label("Up to £25 an hour")).to_be_checked()
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")

    page.get_by_role("button", name="Show services that might suit").click()
    expect(page).to_have_url(re.compile(r"/search/\?postcode=G12"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Care and support near G12 8QQ")
    expect(page.get_by_role("link", name="Kelvin home help")).to_be_visible()
    expect(page.get_by_text("Costly home help")).to_have_count(0)  # over £25 an hour
    expect(page.get_by_text("Partick lunch club")).to_have_count(0)  # not help at home
    check(page)


def test_an_information_page_from_a_service_in_the_results_and_the_advice_search(page: Page, live_server) -> None:
    _world()
    page.goto(live_server.url + "/search/?postcode=G12+8QQ")
    page.get_by_role("link", name="Kelvin home help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kelvin home help")
    page.get_by_role("complementary").get_by_role("link", name="How to complain").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How to complain")
    expect(page.locator("main ul.govuk-list--bullet li")).to_have_count(2)
    assert_accessible(page)

    page.get_by_role("link", name="All information and advice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Information and advice")
    assert_accessible(page)
    page.get_by_label("Search information and advice").fill("xylophone")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#no-results")).to_contain_text("No pages match")
    assert_accessible(page)
    page.get_by_label("Search information and advice").fill("budgets")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Personal budgets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personal budgets")


def test_find_an_event_near_a_postcode_and_download_its_calendar_file(page: Page, live_server) -> None:
    _world()
    group = df.make_community_group(name="Partick Walking Group", phone="0141 496 0456")
    day = clock.today() + timedelta(days=3)
    df.make_event(title="Riverside walk", community_group=group, day=day)
    df.make_event(
        title="Already over", starts_at=clock.now() - timedelta(hours=3), ends_at=clock.now() - timedelta(hours=1)
    )

    page.goto(live_server.url + "/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find events and activities")
    assert_accessible(page)
    page.get_by_label("Postcode").fill("G12 8QQ")
    page.get_by_label("From").fill(clock.today().isoformat())
    page.get_by_label("To").fill((day + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Find events").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events and activities near G12 8QQ")
    expect(page.locator("#result-count")).to_have_text("1 event within 5 miles of G12 8QQ")
    expect(page.get_by_text("Already over")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Riverside walk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside walk")
    expect(page.locator("#when")).to_contain_text("10:00am to 12:00pm")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to your calendar (.ics file)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), "rb") as handle:
        [event] = Calendar.from_ical(handle.read()).walk("VEVENT")
    assert str(event["summary"]) == "Riverside walk"
    assert event.decoded("dtstart").hour == 10


def test_a_provider_lists_an_event_from_the_portal(page: Page, live_server) -> None:
    df.make_postcode("G12 8QQ", 55.8733, -4.2923)
    provider = df.make_provider(name="Kelvin Companions")
    owner = af.make_provider_member(provider=provider, full_name="Priya Shah")
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(af.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text("Signed in as")

    page.goto(live_server.url + f"/portal/providers/{provider.code}/")
    page.get_by_role("link", name="Events and activities").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Events and activities")
    expect(page.locator("#no-events")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add an event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an event")
    assert_accessible(page)

    day = clock.today() + timedelta(days=5)
    page.get_by_label("Name of the event").fill("Seated exercise")
    page.get_by_label("Where").fill("Partick Burgh Hall")
    page.get_by_label("Postcode").fill("G12 8QQ")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("09:00")
    page.get_by_label("How to book").fill("Just turn up")
    page.get_by_role("button", name="Save event").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The end time must be after the start time")
    assert_accessible(page)
    page.get_by_label("End time").fill("11:00")
    page.get_by_role("button", name="Save event").click()

    expect(page.get_by_text("Seated exercise is listed")).to_be_visible()
    expect(page.get_by_role("cell", name="Seated exercise", exact=True)).to_be_visible()
    assert_accessible(page)
