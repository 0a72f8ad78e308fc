"""Commissioner dashboard pages, CSVs, print view and API: the council's commissioners
only; bad input is a 400 with a message; the public spending page suppresses small numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests import factories as af
from carehub import clock
from commissioning.filters import Period, financial_year
from commissioning.tests.test_commissioning_figures import settle
from commissioning.transparency import transparency
from commissioning.views import VIEWS
from conftest import Cast
from directory.tests import factories as df
from marketplace.tests.factories import make_budget, make_commitment

API_VIEWS = (
    "summary",
    "spend-by-month",
    "spend-by-category",
    "spend-by-provider",
    "spend-by-kind",
    "unmet-demand",
    "gaps",
)


def this_year() -> Period:
    """The dashboard's default period: the budget year of today (read when the test runs)."""
    return financial_year(clock.today())


def pages(slug: str) -> list[str]:
    return [
        reverse("commissioning:dashboard", kwargs={"council": slug}),
        reverse("commissioning:dashboard-print", kwargs={"council": slug}),
        *[reverse("commissioning:dashboard-csv", kwargs={"council": slug, "view": v}) for v in VIEWS],
    ]


def apis(ref: str) -> list[str]:
    return [reverse(f"commissioning-api:{v}", kwargs={"council": ref}) for v in API_VIEWS]


@pytest.fixture
def spend(cast: Cast) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=100_000)
    commitment = make_commitment(
        budget=budget, provider=cast.provider, amount_pence=12_345, category=df.category("care-homes")
    )
    settle(commitment, this_year().start)


def test_commissioning_pages_and_api_open_for_the_councils_commissioner(
    client: Client, cast: Cast, spend: None
) -> None:
    client.force_login(cast.commissioner)
    for url in pages(cast.council.slug) + apis(cast.council.slug) + apis(cast.council.gss_code):
        response = client.get(url)
        assert response.status_code == 200, url
    body = client.get(reverse("commissioning:dashboard", kwargs={"council": cast.council.slug})).content.decode()
    assert "£123.45" in body and "Kelvin Companions" in body
    assert '<table class="govuk-table">' in body and 'class="app-chart"' in body
    summary = client.get(apis(cast.council.slug)[0]).json()
    assert summary["filters"]["council_gss_code"] == cast.council.gss_code
    assert summary["results"]["spent_pence"] == 12_345
    assert summary["results"]["vetted_share"] == 0.0


@pytest.mark.parametrize("who", ["other_commissioner", "outsider", "provider_owner", "person", "carer"])
def test_commissioning_refuses_everyone_else_with_404(client: Client, cast: Cast, spend: None, who: str) -> None:
    users = {
        "other_commissioner": af.make_commissioner(council=cast.other_council),
        "outsider": cast.outsider,
        "provider_owner": cast.provider_owner,
        "person": cast.person.user,
        "carer": cast.carer,
    }
    client.force_login(users[who])
    for url in pages(cast.council.slug) + apis(cast.council.slug) + apis(cast.council.gss_code):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"12345" not in response.content and "123.45" not in response.content.decode()


def test_commissioning_signed_out_is_sent_to_sign_in_or_refused(client: Client, cast: Cast) -> None:
    for url in pages(cast.council.slug):
        response = client.get(url)
        assert response.status_code == 302, url
    for url in apis(cast.council.slug):
        assert client.get(url).status_code == 401, url


def test_commissioning_unknown_council_is_404(client: Client, cast: Cast) -> None:
    client.force_login(cast.commissioner)
    assert client.get(reverse("commissioning:dashboard", kwargs={"council": "nowhere"})).status_code == 404
    assert client.get(apis("nowhere")[0]).status_code == 404
    assert client.get(reverse("commissioning:council-spending", kwargs={"council": "nowhere"})).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "2026"}, "Choose a financial year like 2026-27."),
        ({"category": "no-such-care"}, "Choose a type of care from the list."),
        ({"miles": "far"}, "Enter a distance from 1 to 50 miles."),
        ({"miles": "500"}, "Enter a distance from 1 to 50 miles."),
    ],
)
def test_commissioning_bad_filters_are_400_with_a_message(
    client: Client, cast: Cast, query: dict[str, str], message: str
) -> None:
    client.force_login(cast.commissioner)
    for url in pages(cast.council.slug):
        response = client.get(url, query)
        assert response.status_code == 400, url
        assert message in response.content.decode()
    for url in apis(cast.council.slug):
        response = client.get(url, query)
        assert response.status_code == 400
        assert response.json()["detail"] == message


def test_commissioning_csv_has_the_tables_figures(client: Client, cast: Cast, spend: None) -> None:
    client.force_login(cast.commissioner)
    url = reverse("commissioning:dashboard-csv", kwargs={"council": cast.council.slug, "view": "by-provider"})
    response = client.get(url, {"period": this_year().label})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"glasgow-city-by-provider-{this_year().label}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Provider", "Spent", "Committed"], ["Kelvin Companions", "123.45", "0.00"]]
    url = reverse("commissioning:dashboard-csv", kwargs={"council": cast.council.slug, "view": "nonsense"})
    assert client.get(url).status_code == 404


def test_commissioning_print_view_has_no_filter_form(client: Client, cast: Cast, spend: None) -> None:
    client.force_login(cast.commissioner)
    body = client.get(reverse("commissioning:dashboard-print", kwargs={"council": cast.council.slug})).content
    assert b"Printed" in body and b"@media print" in body
    assert b'name="period"' not in body and b"Download" not in body


def test_commissioning_nav_link_only_for_commissioners(client: Client, cast: Cast) -> None:
    client.force_login(cast.commissioner)
    assert reverse("commissioning:home").encode() in client.get("/").content
    assert client.get(reverse("commissioning:home")).status_code == 302
    client.force_login(cast.outsider)
    assert reverse("commissioning:home").encode() not in client.get("/").content
    assert b"not a commissioner" in client.get(reverse("commissioning:home")).content


def test_commissioning_dashboard_page_query_count_does_not_grow(
    client: Client, cast: Cast, spend: None, django_assert_max_num_queries: Any
) -> None:
    client.force_login(cast.commissioner)
    url = reverse("commissioning:dashboard", kwargs={"council": cast.council.slug})
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for n in range(6):
        budget = make_budget(person=af.make_person(), funder=cast.council, allocated_pence=10_000)
        settle(make_commitment(budget=budget, provider=df.make_provider(), amount_pence=100 + n), this_year().start)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- The public spending page ---------------------------------------------------------------------


def _holders_spend(cast: Cast, n: int, category: str, amount: int = 1_000) -> None:
    for _ in range(n):
        budget = make_budget(person=af.make_person(), funder=cast.council, allocated_pence=50_000)
        commitment = make_commitment(
            budget=budget, provider=cast.provider, amount_pence=amount, category=df.category(category)
        )
        settle(commitment, this_year().start)


def test_council_spending_is_public_and_suppresses_small_numbers(client: Client, cast: Cast) -> None:
    _holders_spend(cast, 6, "care-homes")  # shown: 6 people
    _holders_spend(cast, 5, "transport", amount=2_000)  # shown: exactly 5 people
    _holders_spend(cast, 2, "day-services", amount=3_333)  # hidden: 2 people
    df.make_service(council=cast.council)
    report = transparency(council=cast.council, period=this_year())
    cells = {row["name"]: (row["spent_pence"], row["holders"], row["suppressed"]) for row in report.by_category}
    # Day services (2 people) is hidden, and so is the next smallest (transport), so that
    # day services cannot be worked out from the published total.
    assert cells == {
        "Care homes": (6_000, 6, False),
        "Transport": (None, None, True),
        df.category("day-services").name: (None, None, True),
    }
    assert report.total_spent_pence == 6_000 + 10_000 + 6_666
    assert report.active_services == 1
    response = client.get(reverse("commissioning:council-spending", kwargs={"council": cast.council.slug}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "£60.00" in body and "£66.66" not in body and "£100.00" not in body
    assert cast.person.user.full_name not in body and "Kelvin Companions" not in body


def test_council_spending_hides_the_total_under_five_people(client: Client, cast: Cast) -> None:
    _holders_spend(cast, 3, "care-homes")
    report = transparency(council=cast.council, period=this_year())
    assert report.total_spent_pence is None and report.total_holders is None
    assert [row["spent_pence"] for row in report.by_category] == [None]
    assert [row["spent_pence"] for row in report.by_month] == [None]
    body = client.get(reverse("commissioning:council-spending", kwargs={"council": cast.council.slug})).content
    assert b"\xc2\xa330.00" not in body and b"Not shown" in body


def test_council_spending_bad_period_is_400(client: Client, cast: Cast) -> None:
    url = reverse("commissioning:council-spending", kwargs={"council": cast.council.slug})
    response = client.get(url, {"period": "last year"})
    assert response.status_code == 400
    assert "Choose a financial year like 2026-27." in response.content.decode()
