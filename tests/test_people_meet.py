"""What people meet (issue 18): the navigation by role with unread counts, where sign-in
lands, "Find care" starting from the person's postcode, what vetting officers find in the
admin, the search filters behind a disclosure, and the commissioning pages explaining
themselves. Browser checks (mobile width, keyboard, fonts) are in tests/browser/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.notifications.services import notify
from accounts.tests import factories as af
from carehub import clock
from commissioning.filters import financial_year
from commissioning.tests.test_commissioning_figures import settle
from conftest import Cast
from directory.tests import factories as df
from marketplace.context_processors import unread
from marketplace.messaging import services as messaging
from marketplace.models import Booking
from marketplace.tests.booking_world import World, drive
from marketplace.tests.factories import make_budget, make_commitment

pytestmark = pytest.mark.django_db


def nav(client: Client, user: Any) -> str:
    client.force_login(user)
    html = client.get("/").content.decode()
    return html[html.index('id="navigation"') : html.index("</nav>")]


def nav_links(client: Client, user: Any) -> set[str]:
    return {
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(r"<a [^>]*>(.*?)</a>", nav(client, user))
    }


# --- Navigation by role -------------------------------------------------------------------------


def test_navigation_person_sees_bookings_budget_and_carers_not_provider_pages(client: Client, cast: Cast) -> None:
    links = nav_links(client, cast.person.user)
    assert {"Find care", "Your bookings", "Your budget", "Your carers", "Messages", "Notifications"} <= links
    assert not links & {"Provider pages", "Booking requests", "Reviews", "Vetting queue", "Commissioning"}


def test_navigation_carer_sees_people_they_support_not_your_carers(client: Client, cast: Cast) -> None:
    links = nav_links(client, cast.carer)
    assert {"Your bookings", "Your budget", "People you support"} <= links
    assert "Your carers" not in links


def test_navigation_provider_sees_requests_reviews_and_portal_not_budget_or_carers(client: Client, cast: Cast) -> None:
    links = nav_links(client, cast.provider_owner)
    assert {"Booking requests", "Reviews", "Provider pages", "Messages", "Notifications"} <= links
    assert not links & {"Your budget", "Your carers", "Your bookings", "People you support", "Vetting queue"}
    assert reverse("reviews:provider-list") in nav(client, cast.provider_owner)


def test_navigation_vetting_officer_sees_queue_claims_and_moderation(client: Client, cast: Cast) -> None:
    links = nav_links(client, cast.vetting_officer)
    assert {"Vetting queue", "Listing claims", "Review moderation"} <= links
    assert not links & {"Your budget", "Your carers", "Booking requests", "Commissioning"}


def test_navigation_commissioner_sees_commissioning_not_budget(client: Client, cast: Cast) -> None:
    links = nav_links(client, cast.commissioner)
    assert {"Commissioning", "Council budgets"} <= links
    assert not links & {"Your budget", "Your carers", "Provider pages", "Vetting queue"}


def test_navigation_newcomer_with_no_role_sees_where_to_start(client: Client, cast: Cast) -> None:
    links = nav_links(client, cast.outsider)
    assert {"People you support", "Provider pages", "Messages", "Notifications"} <= links
    assert not links & {"Your budget", "Your carers", "Booking requests", "Vetting queue"}


def test_navigation_signed_out_shows_only_find_care(client: Client, cast: Cast) -> None:
    html = client.get("/").content.decode()
    links = re.findall(r"<a [^>]*>(.*?)</a>", html[html.index('id="navigation"') : html.index("</nav>")])
    assert [link.strip() for link in links] == ["Find care"]


# --- Unread counts ------------------------------------------------------------------------------


def test_unread_counts_in_the_navigation_with_words_for_screen_readers(client: Client, cast: Cast) -> None:
    service = df.make_service(provider=cast.provider, name="Kelvin help at home")
    thread = messaging.thread_start_enquiry(actor=cast.person.user, service=service, person=cast.person, body="Hello")
    messaging.message_send(actor=cast.person.user, thread=thread, body="Are you free on Tuesdays?")
    for n in range(3):
        notify(kind="booking", subject=f"Booking {n}", body="", key=f"k{n}", users=[cast.provider_owner])

    html = nav(client, cast.provider_owner)
    hidden = '<span class="govuk-visually-hidden"> unread</span>'
    assert f'Messages <span class="app-nav-count">2{hidden}' in html
    # Three notifications, and one for each of the two messages.
    assert f'Notifications <span class="app-nav-count">5{hidden}' in html
    # The author has nothing unread: their own messages do not count.
    assert "app-nav-count" not in nav(client, cast.person.user)

    messaging.thread_mark_read(actor=cast.provider_owner, thread=thread)
    assert "Messages <span" not in nav(client, cast.provider_owner)


def test_unread_counts_take_two_queries_however_many_threads(cast: Cast, django_assert_num_queries: Any) -> None:
    for n in range(5):
        service = df.make_service(provider=cast.provider, name=f"Service {n}")
        messaging.thread_start_enquiry(actor=cast.person.user, service=service, person=cast.person, body="Hi")
    request = RequestFactory().get("/")
    request.user = cast.provider_owner
    counts = unread(request)["unread"]
    with django_assert_num_queries(2):
        assert counts.messages == 5
        assert counts.notifications == 5  # one for each new conversation
        assert counts.messages == 5  # asked again in the same page: no new query


def test_unread_counts_cost_nothing_signed_out(django_assert_num_queries: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        counts = unread(request)["unread"]
        assert (counts.messages, counts.notifications) == (0, 0)


# --- Where sign-in lands ------------------------------------------------------------------------


def sign_in(client: Client, user: Any, next_url: str | None = None) -> str:
    url = reverse("accounts:sign-in") + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": user.email, "password": af.PASSWORD})
    assert response.status_code == 302
    return response.url


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("person", "marketplace:booking-list"),
        ("carer", "marketplace:booking-list"),
        ("provider_owner", "marketplace:booking-inbox"),
        ("commissioner", "commissioning:home"),
        ("vetting_officer", "directory:vetting-queue"),
        ("outsider", "accounts:profile"),
    ],
)
def test_sign_in_lands_on_each_roles_own_page(client: Client, cast: Cast, who: str, landing: str) -> None:
    user = cast.person.user if who == "person" else getattr(cast, who)
    assert sign_in(client, user) == reverse(landing)


def test_sign_in_follows_a_safe_next_and_ignores_an_unsafe_one(client: Client, cast: Cast) -> None:
    assert sign_in(client, cast.provider_owner, "/messages/") == "/messages/"
    client.logout()
    assert sign_in(client, cast.provider_owner, "https://evil.example/") == reverse("marketplace:booking-inbox")


def test_bookings_page_leads_to_the_budget(client: Client, cast: Cast) -> None:
    client.force_login(cast.person.user)
    html = client.get(reverse("marketplace:booking-list")).content.decode()
    assert f'href="{reverse("marketplace:budget-list")}">Your budget</a>' in html


# --- "Find care" starts from the person's postcode ---------------------------------------------


def test_find_care_prefills_the_persons_postcode(client: Client, cast: Cast) -> None:
    cast.person.postcode = "G12 8QQ"
    cast.person.save()
    client.force_login(cast.person.user)
    assert 'aria-describedby="postcode-hint" value="G12 8QQ"' in client.get("/").content.decode()
    assert 'value="G12 8QQ"' in client.get(reverse("directory:search")).content.decode()


def test_find_care_prefills_the_supported_persons_postcode_for_a_carer(client: Client, cast: Cast) -> None:
    cast.person.postcode = "G11 5AA"
    cast.person.save()
    client.force_login(cast.carer)
    assert 'value="G11 5AA"' in client.get("/").content.decode()


def test_find_care_is_blank_for_others_and_a_given_postcode_wins(client: Client, cast: Cast) -> None:
    client.force_login(cast.provider_owner)
    assert 'aria-describedby="postcode-hint" value=""' in client.get("/").content.decode()
    client.force_login(cast.person.user)
    assert 'value="EH1 1YZ"' in client.get("/?postcode=EH1 1YZ").content.decode()


# --- The admin keeps the README's promise to vetting officers -----------------------------------


def test_vetting_officer_admin_has_register_imports_and_disputes(client: Client, world: World) -> None:
    cast = world.cast
    drive(world, Booking.Status.DISPUTED)
    client.force_login(cast.vetting_officer)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Register imports" in index
    assert "Bookings" in index
    assert client.get(reverse("admin:directory_registerimport_add")).status_code == 200
    disputes = client.get(reverse("admin:marketplace_booking_changelist") + "?status__exact=disputed")
    assert disputes.status_code == 200
    assert b"Resolve dispute: pay the provider in full" in disputes.content


def test_readme_promises_vetting_officers_what_the_admin_gives() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| vetting officer | `/vetting/`"))
    assert "`/admin/` (register imports with progress, disputes)" in row


def test_other_staff_and_providers_get_no_admin_for_disputes(client: Client, cast: Cast) -> None:
    staff = af.make_user(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:marketplace_booking_changelist")).status_code == 403
    client.force_login(cast.provider_owner)
    assert client.get(reverse("admin:marketplace_booking_changelist")).status_code == 302


# --- Search: results first, filters behind "Filter results" ------------------------------------


@pytest.fixture
def place(db: Any) -> None:
    df.make_postcode("G12 8QQ", 55.8733, -4.2923)
    df.make_service(name="Kelvin home help", postcode="G12 8QQ", latitude=55.8733, longitude=-4.2923)


def test_search_results_come_before_filters_which_are_closed_without_filters(client: Client, place: None) -> None:
    html = client.get(reverse("directory:search"), {"postcode": "G12 8QQ"}).content.decode()
    assert '<details class="govuk-details app-search-filters-details">' in html
    assert '<span class="govuk-details__summary-text">Filter results</span>' in html
    assert 'href="#results"' in html and "Skip to results" in html


def test_search_filters_open_when_a_filter_is_in_use(client: Client, place: None) -> None:
    html = client.get(reverse("directory:search"), {"postcode": "G12 8QQ", "q": "help"}).content.decode()
    assert '<details class="govuk-details app-search-filters-details" open>' in html


def test_search_form_shows_open_before_a_search_and_on_an_error(client: Client, place: None) -> None:
    assert "<details" not in client.get(reverse("directory:search")).content.decode()
    assert "<details" not in client.get(reverse("directory:search"), {"postcode": "nonsense"}).content.decode()


# --- Commissioning explains itself and the public page is linked ------------------------------


def test_good_or_better_nought_explains_itself(client: Client, cast: Cast) -> None:
    # Money paid to a provider with no regulator grade (the cast's providers have none).
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=100_000)
    commitment = make_commitment(budget=budget, provider=cast.provider, amount_pence=12_345)
    settle(commitment, financial_year(clock.today()).start)
    client.force_login(cast.commissioner)
    html = client.get(reverse("commissioning:dashboard", kwargs={"council": cast.council.slug})).content.decode()
    assert "0.0% (no provider paid in this period has a grade of Good or better)" in html
    assert "personal assistants, community groups and services not yet inspected never count" in html


def test_public_spending_is_linked_from_the_footer_and_the_councils_list(client: Client, cast: Cast) -> None:
    home = client.get("/").content.decode()
    assert f'href="{reverse("commissioning:council-list")}">Councils&#x27; care spending</a>' in home or (
        f'href="{reverse("commissioning:council-list")}">Councils\' care spending</a>' in home
    )
    councils = client.get(reverse("commissioning:council-list")).content.decode()
    assert reverse("commissioning:council-spending", kwargs={"council": cast.council.slug}) in councils
    assert reverse("commissioning:council-spending", kwargs={"council": cast.other_council.slug}) in councils


def test_public_spending_is_linked_from_a_service_in_the_council(client: Client, cast: Cast) -> None:
    service = df.make_service(name="Partick day centre", council=cast.council)
    html = client.get(reverse("directory:service-detail", args=[service.code])).content.decode()
    assert reverse("commissioning:council-spending", kwargs={"council": cast.council.slug}) in html
    assert "What Glasgow City spends on care through CareHub" in html
