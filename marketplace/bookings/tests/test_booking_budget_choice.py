"""Issue 18, item 1: the person (or carer) chooses which budget pays; a short budget says how
much is left and how much is needed, against the budget choice, and nothing is written."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from marketplace import ledger
from marketplace.budgets import services
from marketplace.models import Booking, BookingSlot, Budget, Commitment
from marketplace.tests.booking_world import BUDGET_PENCE, HOURLY_PENCE, tomorrow_at
from marketplace.tests.factories import key, make_budget

SHORT = "There is not enough left in My own money: it has £10.00 left and this booking needs £40.00."


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def book_form(world: Any, **extra: Any) -> dict[str, Any]:
    start = tomorrow_at(10)
    return {
        "person": world.cast.person.pk,
        "day": start.date().isoformat(),
        "starts_at": start.isoformat(),
        "hours": 2,
        "note": "",
        "idempotency_key": str(uuid.uuid4()),
        **extra,
    }


def balances(budget: Budget) -> tuple[int, int]:
    return (
        ledger.account_budget_available(budget).balance_pence,
        ledger.account_budget_committed(budget).balance_pence,
    )


@pytest.fixture
def own_money(world: Any, fake_gateway: Any) -> Any:
    def make(pence: int) -> Budget:
        budget = make_budget(person=world.cast.person, name="My own money")
        services.budget_topup(actor=world.person_user, budget=budget, amount_pence=pence, idempotency_key=key())
        return budget

    return make


def nothing_written(world: Any, *budgets: Budget, before: dict) -> None:
    assert Booking.objects.count() == 0
    assert BookingSlot.objects.count() == 0
    assert Commitment.objects.count() == 0
    for budget in budgets:
        assert balances(budget) == before[budget.pk]


def test_booking_form_shows_no_budget_choice_with_one_budget(world: Any) -> None:
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    html = client_for(world.person_user).get(url).content.decode()
    assert "Which budget pays?" not in html


def test_booking_form_lets_the_person_choose_which_budget_pays(world: Any, own_money: Any) -> None:
    own = own_money(10_000)
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    html = client_for(world.person_user).get(url).content.decode()
    assert "Which budget pays?" in html
    assert 'type="radio"' in html and "My own money (£100.00 left)" in html
    response = client_for(world.person_user).post(url, book_form(world, budget=own.pk))
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.budget == own
    assert balances(own)[0] == 10_000 - 2 * HOURLY_PENCE
    assert balances(world.budget)[0] == BUDGET_PENCE


def test_booking_form_carer_chooses_the_budget_too(world: Any, own_money: Any) -> None:
    own = own_money(10_000)
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    response = client_for(world.cast.carer).post(url, book_form(world, budget=own.pk))
    assert response.status_code == 302
    assert Booking.objects.get().budget == own


def test_booking_form_short_budget_says_left_and_needed_against_the_budget_choice(world: Any, own_money: Any) -> None:
    own = own_money(1_000)
    before = {b.pk: balances(b) for b in (own, world.budget)}
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    response = client_for(world.person_user).post(url, book_form(world, budget=own.pk))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["budget"] == [SHORT]
    assert "starts_at" not in form.errors
    html = response.content.decode()
    assert 'href="#id_budget_0"' in html  # the error summary points at the budget choice
    assert reverse("marketplace:budget-topup", args=[own.code]) in html  # pay money in
    assert world.budget.display_name in html.split('id="budget-short"')[1]  # the other budget is offered
    nothing_written(world, own, world.budget, before=before)


def test_booking_form_single_short_budget_is_not_blamed_on_the_start_time(world: Any) -> None:
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    world.hourly.price_pence = 50_000  # two hours cost £1,000; the budget holds £500
    world.hourly.save(update_fields=["price_pence"])
    before = {world.budget.pk: balances(world.budget)}
    response = client_for(world.person_user).post(url, book_form(world))
    assert response.status_code == 400
    form = response.context["form"]
    assert "starts_at" not in form.errors
    assert "£500.00 left" in form.non_field_errors()[0] and "needs £1,000.00" in form.non_field_errors()[0]
    assert 'id="budget-short"' in response.content.decode()
    nothing_written(world, world.budget, before=before)


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def api_body(world: Any, **extra: Any) -> dict:
    return {
        "service": str(world.hourly.code),
        "person": str(world.cast.person.code),
        "starts_at": tomorrow_at(10).isoformat(),
        "hours": 2,
        **extra,
    }


def post(client: APIClient, data: dict) -> Any:
    url = reverse("marketplace-api:booking-list")
    return client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def test_booking_api_accepts_a_budget_of_the_person(world: Any, own_money: Any) -> None:
    own = own_money(10_000)
    response = post(api(world.cast.carer), api_body(world, budget=str(own.code)))
    assert response.status_code == 201, response.json()
    assert Booking.objects.get().budget == own


def test_booking_api_refuses_someone_elses_budget_and_writes_nothing(world: Any) -> None:
    theirs = make_budget(person=world.cast.other_person, funder=world.cast.council, allocated_pence=BUDGET_PENCE)
    before = {b.pk: balances(b) for b in (theirs, world.budget)}
    response = post(api(world.person_user), api_body(world, budget=str(theirs.code)))
    assert response.status_code == 400
    assert "budget" in response.json()
    nothing_written(world, theirs, world.budget, before=before)


def test_booking_api_short_budget_is_409_with_left_and_needed(world: Any, own_money: Any) -> None:
    own = own_money(1_000)
    before = {b.pk: balances(b) for b in (own, world.budget)}
    response = post(api(world.person_user), api_body(world, budget=str(own.code)))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_funds"
    assert body["budget"] == [SHORT]
    nothing_written(world, own, world.budget, before=before)


def test_booking_form_budget_that_does_not_cover_the_date_is_the_budget_choices_error(world: Any) -> None:
    ending = make_budget(
        person=world.cast.person,
        name="Money that ends tomorrow",
        period_start=world.budget.period_start,
        period_end=tomorrow_at(10).date(),
    )
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    start = tomorrow_at(10, days=2)
    data = book_form(world, budget=ending.pk, day=start.date().isoformat(), starts_at=start.isoformat())
    response = client_for(world.person_user).post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "budget" in form.errors and "starts_at" not in form.errors
    assert Booking.objects.count() == 0
