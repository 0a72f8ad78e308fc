"""What people meet (issue 18) in a real browser: a phone-width search puts results first,
the navigation collapses, wide tables scroll in their own region and never the page, the
keyboard reaches the results and the free times directly, the commissioning charts use the
page's font and their widest table fits the page. axe-core on every page visited."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from accounts.tests import factories as af
from carehub import clock
from commissioning.filters import financial_year
from commissioning.tests.test_commissioning_figures import settle
from directory.models import SearchLog
from directory.tests import factories as df
from marketplace.models import Booking
from marketplace.tests.booking_world import World, drive
from marketplace.tests.factories import make_commitment
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def open_page(new_context: Callable[..., BrowserContext], *, phone: bool = False, javascript: bool = True) -> Page:
    options: dict[str, Any] = {"java_script_enabled": javascript}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    return new_context(**options).new_page()


def sign_in(page: Page, live_server: Any, email: str) -> None:
    page.goto(live_server.url + reverse("accounts:sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(af.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text("Signed in as")


def page_scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.fixture
def taxonomy(db: Any) -> None:
    """The real types of care and client groups (a transactional test starts with empty
    tables): the search page's filters are as many as people meet."""
    importlib.import_module("directory.migrations.0003_taxonomy").seed(django_apps, None)


@pytest.fixture
def near_g12(taxonomy: None) -> None:
    df.make_postcode("G12 8QQ", 55.8733, -4.2923)
    for n in range(3):
        df.make_service(
            name=f"Kelvin home help {n}", postcode="G12 8QQ", latitude=55.8733 + n / 1000, longitude=-4.2923
        )


def search_url(live_server: Any) -> str:
    return live_server.url + reverse("directory:search") + "?postcode=G12+8QQ"


# --- Item 2: a phone-width screen ----------------------------------------------------------------


def test_phone_search_shows_the_first_result_on_the_first_screen_and_collapses_the_menu(
    new_context: Callable[..., BrowserContext], live_server: Any, cast: Any, near_g12: None
) -> None:
    page = open_page(new_context, phone=True)
    sign_in(page, live_server, cast.person.user.email)
    page.goto(search_url(live_server))
    first = page.get_by_role("link", name="Kelvin home help 0")
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    assert not page_scrolls_sideways(page)
    # The filters wait behind a disclosure; the links behind the GOV.UK "Menu" button.
    expect(page.get_by_text("Filter results")).to_be_visible()
    expect(page.get_by_label("Keywords")).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="Your budget")).to_be_hidden()
    menu.click()
    expect(page.get_by_role("link", name="Your budget")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Filter results").click()
    expect(page.get_by_label("Keywords")).to_be_visible()
    assert not page_scrolls_sideways(page)


def test_phone_search_without_javascript_still_puts_results_first(
    new_context: Callable[..., BrowserContext], live_server: Any, near_g12: None
) -> None:
    page = open_page(new_context, phone=True, javascript=False)
    page.goto(search_url(live_server))
    box = page.get_by_role("link", name="Kelvin home help 0").bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    assert not page_scrolls_sideways(page)
    page.get_by_text("Filter results").click()  # a <details>: opens with no script
    page.get_by_label("Keywords").fill("help")
    page.get_by_role("button", name="Update results").click()
    expect(page.get_by_label("Keywords")).to_be_visible()  # open while a filter is in use


def spend_and_searches(world: World) -> None:
    importlib.import_module("directory.migrations.0003_taxonomy").seed(django_apps, None)
    cast = world.cast
    settle(
        make_commitment(budget=world.budget, provider=cast.provider, amount_pence=12_345),
        financial_year(clock.today()).start,
    )
    care_homes = df.category("care-homes")
    for district in ("G12", "G11", "G3", "G20"):
        SearchLog.objects.create(
            district=district,
            council=cast.council,
            category=care_homes,
            radius_miles=5,
            result_count=0,
            searched_on=clock.today(),
        )


def test_phone_wide_tables_scroll_in_their_own_region_never_the_page(
    new_context: Callable[..., BrowserContext], live_server: Any, world: World
) -> None:
    cast = world.cast
    drive(world, Booking.Status.REQUESTED)
    spend_and_searches(world)
    visits = [
        (cast.person.user.email, reverse("marketplace:booking-list")),
        (cast.person.user.email, reverse("marketplace:budget-statement", args=[world.budget.code])),
        (cast.provider_owner.email, reverse("marketplace:booking-inbox")),
        (cast.commissioner.email, reverse("commissioning:dashboard", kwargs={"council": cast.council.slug})),
    ]
    for email, path in visits:
        page = open_page(new_context, phone=True)
        sign_in(page, live_server, email)
        page.goto(live_server.url + path)
        regions = page.locator(".app-table-scroll")
        assert regions.count() > 0, path
        for n in range(regions.count()):
            region = regions.nth(n)
            assert region.get_attribute("role") == "region", path
            assert region.get_attribute("tabindex") == "0", path
            assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby"), path
        assert not page_scrolls_sideways(page), path
        assert_accessible(page)


# --- Item 4: keyboard ---------------------------------------------------------------------------


def test_skip_to_results_reaches_the_first_result_in_three_presses(
    new_context: Callable[..., BrowserContext], live_server: Any, near_g12: None
) -> None:
    page = open_page(new_context)
    page.goto(search_url(live_server))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to results")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Kelvin home help 0")).to_be_focused()
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_show_free_times_puts_focus_on_the_times(
    new_context: Callable[..., BrowserContext], live_server: Any, world: World, javascript: bool
) -> None:
    page = open_page(new_context, javascript=javascript)
    sign_in(page, live_server, world.person_user.email)
    page.goto(live_server.url + reverse("marketplace:booking-new", args=[world.hourly.code]))
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Day").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Show free times").click()
    heading = page.get_by_role("heading", name=f"Free times on {tomorrow:%A} {tomorrow.day} {tomorrow:%B}")
    expect(heading).to_be_focused()
    assert page.url.endswith("#free-times")
    # The next Tab goes on into the booking form, not back to the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('form[method=post]') !== null")
    if javascript:
        assert_accessible(page)


# --- Item 10: sign-in lands on the person's work; Find care starts from their postcode ---------


def test_person_lands_on_their_bookings_and_find_care_knows_their_postcode(
    new_context: Callable[..., BrowserContext], live_server: Any, cast: Any
) -> None:
    page = open_page(new_context)
    sign_in(page, live_server, cast.person.user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your bookings")
    expect(page.get_by_role("link", name="Your budget").first).to_be_visible()
    page.get_by_role("link", name="Find care").click()
    expect(page.get_by_label("Enter a postcode")).to_have_value(cast.person.postcode)
    assert_accessible(page)


# --- Item 7: commissioning ----------------------------------------------------------------------


def test_commissioning_charts_use_the_page_font_and_the_widest_table_fits(
    new_context: Callable[..., BrowserContext], live_server: Any, world: World
) -> None:
    cast = world.cast
    spend_and_searches(world)
    page = open_page(new_context)
    sign_in(page, live_server, cast.commissioner.email)
    page.goto(live_server.url + reverse("commissioning:dashboard", kwargs={"council": cast.council.slug}))
    body_font = page.locator("p.govuk-body").first.evaluate("el => getComputedStyle(el).fontFamily")
    label = page.locator(".app-chart__label").first
    expect(label).to_be_attached()
    assert label.evaluate("el => getComputedStyle(el).fontFamily") == body_font
    fits = page.locator("#unmet-demand table").evaluate(
        "t => t.getBoundingClientRect().right <= document.querySelector('main').getBoundingClientRect().right"
        " && t.parentElement.scrollWidth <= t.parentElement.clientWidth"
    )
    assert fits
    expect(page.get_by_text("no provider paid in this period has a grade of Good or better")).to_have_count(2)
    assert not page_scrolls_sideways(page)
    assert_accessible(page)
    page.get_by_role("link", name="Councils' care spending").click()
    page.get_by_role("link", name=cast.council.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(cast.council.name)
    assert_accessible(page)
