"""'My budget' pages: person and carer see the same; everyone else gets 404."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests import factories as af
from carehub.testing.clock import QUIET_INSTANT
from directory.models import Category
from marketplace import ledger
from marketplace.budgets import services
from marketplace.models import LedgerTransaction, TopUp
from marketplace.tests.factories import key, make_budget, make_commitment

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _quiet_clock(time_machine: Any) -> None:
    # Statements and planned months here are for the 2026-27 budget year.
    time_machine.move_to(QUIET_INSTANT)


@pytest.fixture
def budget(cast: Any) -> Any:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=120_000, name="Alex's direct payment")
    category = Category.objects.create(name="Help at home", slug="help-at-home-test")
    paid = make_commitment(budget=budget, provider=cast.provider, amount_pence=4_900, category=category)
    services.budget_settle(actor=cast.person.user, commitment=paid, idempotency_key=key())
    make_commitment(
        budget=budget, provider=cast.provider, amount_pence=2_450, description="Tuesday visit", due_on=date(2026, 12, 1)
    )
    return budget


def test_budget_page_person_and_carer_see_the_same_numbers(cast: Any, budget: Any) -> None:
    url = reverse("marketplace:budget-detail", args=[budget.code])
    pages = [client_for(user).get(url) for user in (cast.person.user, cast.carer)]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "£1,126.50" in html  # available: 1,200.00 − 49.00 spent − 24.50 committed
        assert "£24.50" in html and "Tuesday visit" in html  # planned spending
        assert "£49.00" in html and "Help at home" in html  # spent, by category
        assert "December 2026" in html  # by month (planned)
        assert 'id="forecast"' in html


@pytest.mark.parametrize(
    "who", ["outsider", "other_person", "provider_owner", "provider_staff", "commissioner", "no_scope_carer"]
)
@pytest.mark.parametrize("page", ["budget-detail", "budget-statement", "budget-alert", "budget-topup"])
def test_budget_pages_refuse_everyone_else_with_404(cast: Any, budget: Any, who: str, page: str) -> None:
    if who == "no_scope_carer":
        user = af.make_user()
        af.make_carer_link(carer=user, person=cast.person, can_view=False, can_book=False, can_manage_budget=False)
    elif who == "other_person":
        user = cast.other_person.user
    else:
        user = getattr(cast, who)
    assert client_for(user).get(reverse(f"marketplace:{page}", args=[budget.code])).status_code == 404


def test_budget_pages_need_sign_in(budget: Any) -> None:
    response = Client().get(reverse("marketplace:budget-detail", args=[budget.code]))
    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


def test_budget_statement_page_html_and_csv(cast: Any, budget: Any) -> None:
    url = reverse("marketplace:budget-statement", args=[budget.code])
    client = client_for(cast.carer)
    page = client.get(url, {"start": "2026-01-01", "end": "2027-12-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Closing balance available: <strong>£1,126.50</strong>" in html
    assert "Allocation from Glasgow City" in html
    csv_response = client.get(url, {"start": "2026-01-01", "end": "2027-12-31", "output": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = csv_response.content.decode().splitlines()
    assert rows[-2].endswith(",-24.50,24.50,1126.50")  # pounds, not pence (issue 18)
    assert rows[-1] == "31/12/2027,Closing balance,,,,24.50,1126.50"
    bad = client.get(url, {"start": "2027-01-01", "end": "2026-01-01"})
    assert bad.status_code == 400
    assert "The end date must be on or after the start date" in bad.content.decode()


def test_budget_alert_page_saves_pounds_as_pence_for_a_managing_carer(cast: Any, budget: Any) -> None:
    url = reverse("marketplace:budget-alert", args=[budget.code])
    response = client_for(cast.carer).post(url, {"threshold": "200.50"})
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.alert_threshold_pence == 20_050
    bad = client_for(cast.carer).post(url, {"threshold": "12.345"})
    assert bad.status_code == 400
    assert "no more than 2 decimal places" in bad.content.decode()


def test_budget_alert_page_refuses_a_view_only_carer(cast: Any, budget: Any) -> None:
    viewer = af.make_user()
    af.make_carer_link(carer=viewer, person=cast.person, can_view=True, can_book=False, can_manage_budget=False)
    response = client_for(viewer).post(reverse("marketplace:budget-alert", args=[budget.code]), {"threshold": "10"})
    assert response.status_code == 400
    assert "permission" in response.content.decode()
    budget.refresh_from_db()
    assert budget.alert_threshold_pence is None


def test_budget_topup_page_double_submit_pays_once(cast: Any, fake_gateway: Any) -> None:
    budget = make_budget(person=cast.person)
    url = reverse("marketplace:budget-topup", args=[budget.code])
    client = client_for(cast.person.user)
    form_key = client.get(url).context["form"].initial["idempotency_key"]
    for _ in range(2):
        assert client.post(url, {"amount": "50.00", "idempotency_key": form_key}).status_code == 302
    assert len(fake_gateway.charges) == 1
    assert TopUp.objects.count() == 1
    assert ledger.account_budget_available(budget).balance_pence == 5_000


def test_budget_topup_page_declined_shows_error_and_moves_no_money(cast: Any, fake_gateway: Any) -> None:
    budget = make_budget(person=cast.person)
    fake_gateway.decline_with = "Card expired"
    response = client_for(cast.person.user).post(
        reverse("marketplace:budget-topup", args=[budget.code]), {"amount": "50.00", "idempotency_key": key()}
    )
    assert response.status_code == 400
    assert "Card expired" in response.content.decode()
    assert LedgerTransaction.objects.filter(budget=budget).count() == 0


def test_budget_list_page_query_count_does_not_grow_with_budgets(cast: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(cast.carer)
    for _ in range(2):
        make_budget(person=cast.person, funder=cast.council, allocated_pence=1_000)
    url = reverse("marketplace:budget-list")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(6):
        make_budget(person=cast.person, funder=cast.council, allocated_pence=1_000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["budgets"]) == 8


def test_budget_detail_page_query_count_is_fixed(cast: Any, budget: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(cast.person.user)
    url = reverse("marketplace:budget-detail", args=[budget.code])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for n in range(5):
        make_commitment(budget=budget, provider=cast.provider, amount_pence=100, due_on=date(2026, 6, n + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
