"""The council's budget pages: its care managers set up, allocate and adjust budgets; its
other commissioners only see them; everyone else, another council's care managers included, gets 404."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.tests import factories as af
from carehub import clock
from carehub.errors import NotPermitted
from marketplace import ledger
from marketplace.budgets import selectors, services
from marketplace.models import Budget, IdempotencyRecord, LedgerTransaction
from marketplace.tests.factories import key, make_budget, make_commitment

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def council(cast: Any) -> dict[str, Any]:
    """A care manager and a viewer of cast.council, a care manager of the other council, and a
    budget cast.council funds for cast.person with £1,000 in it, £200 of it committed."""
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=100_000)
    Budget.objects.filter(pk=budget.pk).update(council_reference="SW-1001")
    make_commitment(budget=budget, provider=cast.provider, amount_pence=20_000)
    return {
        "manager": af.make_commissioner(council=cast.council, role="manager", full_name="Carla Manager"),
        "viewer": cast.commissioner,
        "other_manager": af.make_commissioner(council=cast.other_council, role="manager"),
        "budget": budget,
    }


def url(name: str, budget: Budget | None = None) -> str:
    return reverse(f"marketplace:{name}", kwargs={"code": budget.code} if budget else None)


def available(budget: Budget) -> int:
    return ledger.account_budget_available(budget).balance_pence


def setup_form(person: Any, council: Any, **overrides: Any) -> dict[str, Any]:
    start, end = clock.budget_year(clock.today())
    return {
        "person": str(person.code),
        "funder": council.pk,
        "kind": Budget.Kind.DIRECT_PAYMENT,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "council_reference": "SW-2002",
        "amount": "6000.00",
        "idempotency_key": str(uuid.uuid4()),
        **overrides,
    }


# --- Setting up a budget -------------------------------------------------------------------------


def test_council_budget_new_finds_the_person_by_email_and_defaults_to_the_budget_year(cast: Any, council: dict) -> None:
    page = client_for(council["manager"]).get(url("council-budget-new"), {"find": cast.other_person.user.email.upper()})
    html = page.content.decode()
    assert page.status_code == 200
    assert cast.other_person.display_name in html and 'id="person-found"' in html
    start, end = clock.budget_year(clock.today())
    assert start.month == 4 and start.day == 1 and end.month == 3 and end.day == 31
    assert f'value="{start.isoformat()}"' in html and f'value="{end.isoformat()}"' in html
    assert f'value="{cast.other_person.code}"' in html


def test_council_budget_new_finds_the_person_by_the_councils_reference(cast: Any, council: dict) -> None:
    page = client_for(council["manager"]).get(url("council-budget-new"), {"find": "sw-1001"})
    assert page.status_code == 200
    assert f'value="{cast.person.code}"' in page.content.decode()


@pytest.mark.parametrize("find", ["nobody@example.org", "SW-9999"])
def test_council_budget_new_says_when_nobody_matches(council: dict, find: str) -> None:
    page = client_for(council["manager"]).get(url("council-budget-new"), {"find": find})
    assert page.status_code == 400
    html = page.content.decode()
    assert "govuk-error-summary" in html and "Nobody on CareHub has that e-mail address" in html
    assert 'id="person-found"' not in html


def test_council_budget_new_does_not_find_by_another_councils_reference(cast: Any, council: dict) -> None:
    page = client_for(council["other_manager"]).get(url("council-budget-new"), {"find": "SW-1001"})
    assert page.status_code == 400
    assert str(cast.person.code) not in page.content.decode()


def test_council_budget_setup_opens_the_budget_and_allocates_once_on_a_double_submit(cast: Any, council: dict) -> None:
    client = client_for(council["manager"])
    form = setup_form(cast.other_person, cast.council)
    first = client.post(url("council-budget-new"), form)
    second = client.post(url("council-budget-new"), form)  # the same form again: the same hidden key
    budget = Budget.objects.get(person=cast.other_person)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url("council-budget-detail", budget)
    assert (budget.funder, budget.kind, budget.council_reference) == (cast.council, "direct_payment", "SW-2002")
    assert (budget.period_start, budget.period_end) == clock.budget_year(clock.today())
    assert LedgerTransaction.objects.filter(budget=budget, reason="allocation").count() == 1
    assert available(budget) == 600_000
    actions = set(AuditEvent.objects.filter(object_id=str(budget.pk)).values_list("action", flat=True))
    assert {"budget.create", "budget.allocate", "budget.setup"} <= actions
    call_command("check_ledger")


def test_council_budget_setup_refuses_a_second_budget_for_the_same_period(cast: Any, council: dict) -> None:
    form = setup_form(cast.person, cast.council)  # this budget year: inside the existing budget's period
    response = client_for(council["manager"]).post(url("council-budget-new"), form)
    assert response.status_code == 400
    assert "already has a direct payment" in response.content.decode()
    assert Budget.objects.filter(person=cast.person).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("period_end", "2020-01-01", "The end of the period must be on or after its start"),
        ("amount", "12.345", "no more than 2 decimal places"),
        ("kind", "self_funded", "Select a valid choice"),
    ],
)
def test_council_budget_setup_shows_form_errors(cast: Any, council: dict, field: str, value: str, message: str) -> None:
    response = client_for(council["manager"]).post(
        url("council-budget-new"), setup_form(cast.other_person, cast.council, **{field: value})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Budget.objects.filter(person=cast.other_person).exists()


def test_council_budget_setup_refuses_another_councils_funding(cast: Any, council: dict) -> None:
    response = client_for(council["manager"]).post(
        url("council-budget-new"), setup_form(cast.other_person, cast.other_council)
    )
    assert response.status_code == 400
    assert "Choose a council you are a care manager for" in response.content.decode()
    assert not Budget.objects.filter(person=cast.other_person).exists()


@pytest.mark.parametrize("who", ["viewer", "person", "provider_owner", "outsider"])
def test_council_budget_new_is_refused_to_anyone_but_care_managers(cast: Any, council: dict, who: str) -> None:
    user = council["viewer"] if who == "viewer" else cast.person.user if who == "person" else getattr(cast, who)
    client = client_for(user)
    assert client.get(url("council-budget-new"), {"find": cast.other_person.user.email}).status_code == 403
    assert client.post(url("council-budget-new"), setup_form(cast.other_person, cast.council)).status_code == 403
    assert not Budget.objects.filter(person=cast.other_person).exists()


# --- Allocating and adjusting ------------------------------------------------------------------------


def test_council_budget_allocate_moves_money_once_on_a_double_submit(council: dict) -> None:
    budget, client = council["budget"], client_for(council["manager"])
    form = {
        "amount": "250.00",
        "effective_on": clock.today().isoformat(),
        "memo": "Extra for July",
        "idempotency_key": key(),
    }
    responses = [client.post(url("council-budget-allocate", budget), form) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert available(budget) == 80_000 + 25_000
    assert LedgerTransaction.objects.filter(budget=budget, reason="allocation", memo="Extra for July").count() == 1


def test_council_budget_allocate_refuses_a_date_outside_the_period(council: dict) -> None:
    budget = council["budget"]
    form = {"amount": "10.00", "effective_on": "2001-01-01", "idempotency_key": key()}
    response = client_for(council["manager"]).post(url("council-budget-allocate", budget), form)
    assert response.status_code == 400
    assert "within the budget period" in response.content.decode()
    assert available(budget) == 80_000


def test_council_budget_increase_is_a_further_allocation_with_its_reason(council: dict) -> None:
    budget = council["budget"]
    form = {
        "direction": "increase",
        "amount": "150.00",
        "reason": "Reassessed: more help at home",
        "idempotency_key": key(),
    }
    response = client_for(council["manager"]).post(url("council-budget-adjust", budget), form)
    assert response.status_code == 302
    txn = LedgerTransaction.objects.filter(budget=budget, reason="allocation").latest("pk")
    assert "Reassessed: more help at home" in txn.memo
    assert available(budget) == 95_000
    audit = AuditEvent.objects.filter(action="budget.allocate", object_id=str(budget.pk)).latest("pk")
    assert "Reassessed" in audit.detail["memo"] and audit.actor == council["manager"]


def test_council_budget_reduction_takes_back_available_money_once_with_its_reason(council: dict) -> None:
    budget, client = council["budget"], client_for(council["manager"])
    form = {"direction": "reduce", "amount": "300.00", "reason": "Respite no longer needed", "idempotency_key": key()}
    assert [client.post(url("council-budget-adjust", budget), form).status_code for _ in range(2)] == [302, 302]
    assert available(budget) == 50_000
    assert ledger.account_budget_committed(budget).balance_pence == 20_000  # booked care is untouched
    reductions = LedgerTransaction.objects.filter(budget=budget, reason="reduction")
    assert reductions.count() == 1 and "Respite no longer needed" in reductions.get().memo
    audit = AuditEvent.objects.get(action="budget.reduce", object_id=str(budget.pk))
    assert audit.detail["reason"] == "Respite no longer needed" and audit.detail["amount_pence"] == 30_000
    assert selectors.budget_summary(budget=budget).allocated_pence == 70_000  # paid in, net of the reduction
    call_command("check_ledger")


def test_council_budget_reduction_below_zero_is_refused_with_what_can_be_taken(council: dict) -> None:
    budget = council["budget"]
    form = {"direction": "reduce", "amount": "800.01", "reason": "Budget review", "idempotency_key": key()}
    response = client_for(council["manager"]).post(url("council-budget-adjust", budget), form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "You can reduce this budget by at most £800.00" in html and "govuk-error-summary" in html
    assert available(budget) == 80_000
    assert not LedgerTransaction.objects.filter(reason="reduction").exists()
    assert not IdempotencyRecord.objects.filter(key=form["idempotency_key"]).exists()  # a retry may run again


def test_council_budget_reduction_of_everything_available_is_allowed(council: dict) -> None:
    budget = council["budget"]
    services.budget_reduce(
        actor=council["manager"],
        budget=budget,
        amount_pence=80_000,
        reason="Moved to a new budget",
        idempotency_key=key(),
    )
    assert available(budget) == 0


def test_council_budget_adjust_needs_a_reason(council: dict) -> None:
    budget = council["budget"]
    form = {"direction": "reduce", "amount": "10.00", "reason": "   ", "idempotency_key": key()}
    response = client_for(council["manager"]).post(url("council-budget-adjust", budget), form)
    assert response.status_code == 400
    assert "Say why the budget is changing" in response.content.decode()
    assert available(budget) == 80_000


def test_council_cannot_change_a_self_funded_budget(cast: Any, council: dict) -> None:
    own = make_budget(person=cast.person)
    with pytest.raises(NotPermitted):
        services.budget_reduce(actor=council["manager"], budget=own, amount_pence=1, reason="x", idempotency_key=key())


# --- Who sees what -------------------------------------------------------------------------------------


def test_council_sees_the_statement_the_person_sees(cast: Any, council: dict) -> None:
    budget = council["budget"]
    services.budget_reduce(
        actor=council["manager"], budget=budget, amount_pence=5_000, reason="Review", idempotency_key=key()
    )
    query = {"start": budget.period_start.isoformat(), "end": clock.today().isoformat()}
    person_page = client_for(cast.person.user).get(url("budget-statement", budget), query).content.decode()
    for user in (council["manager"], council["viewer"]):
        page = client_for(user).get(url("council-budget-statement", budget), query)
        assert page.status_code == 200
        html = page.content.decode()
        for text in ("Reduced by Glasgow City: Review", "-£50.00", "£750.00", "£1,000.00", "-£200.00"):
            assert text in html and text in person_page
        csv_person = client_for(cast.person.user).get(url("budget-statement", budget), {**query, "output": "csv"})
        csv_council = client_for(user).get(url("council-budget-statement", budget), {**query, "output": "csv"})
        assert csv_council.content == csv_person.content


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_council_commissioners_see_their_councils_budgets(cast: Any, council: dict, who: str) -> None:
    client, budget = client_for(council[who]), council["budget"]
    listing = client.get(url("council-budget-list"))
    assert listing.status_code == 200 and cast.person.display_name in listing.content.decode()
    detail = client.get(url("council-budget-detail", budget))
    html = detail.content.decode()
    assert detail.status_code == 200 and "£800.00" in html and "£200.00" in html and "SW-1001" in html
    assert (url("council-budget-adjust", budget) in html) is (who == "manager")


def test_council_viewer_can_see_but_not_change(council: dict) -> None:
    client, budget = client_for(council["viewer"]), council["budget"]
    for name in ("council-budget-allocate", "council-budget-adjust"):
        assert client.get(url(name, budget)).status_code == 403
    form = {
        "direction": "reduce",
        "amount": "10.00",
        "reason": "x",
        "effective_on": clock.today(),
        "idempotency_key": key(),
    }
    posts = [client.post(url(name, budget), form) for name in ("council-budget-allocate", "council-budget-adjust")]
    assert [r.status_code for r in posts] == [403, 403]
    assert available(budget) == 80_000


@pytest.mark.parametrize("who", ["other_manager", "person", "carer", "provider_owner", "outsider", "vetting_officer"])
@pytest.mark.parametrize(
    "name", ["council-budget-detail", "council-budget-statement", "council-budget-allocate", "council-budget-adjust"]
)
def test_council_budget_pages_are_not_found_for_anyone_else(cast: Any, council: dict, who: str, name: str) -> None:
    user = council[who] if who in council else cast.person.user if who == "person" else getattr(cast, who)
    client, budget = client_for(user), council["budget"]
    assert client.get(url(name, budget)).status_code == 404
    if name in ("council-budget-allocate", "council-budget-adjust"):
        form = {
            "direction": "increase",
            "amount": "10",
            "reason": "x",
            "effective_on": clock.today(),
            "idempotency_key": key(),
        }
        assert client.post(url(name, budget), form).status_code == 404
        assert available(budget) == 80_000


def test_council_budget_list_shows_only_the_councils_budgets_and_finds_by_email(cast: Any, council: dict) -> None:
    make_budget(person=cast.other_person, funder=cast.other_council, allocated_pence=1_000, name="Edinburgh budget")
    client = client_for(council["manager"])
    html = client.get(url("council-budget-list")).content.decode()
    assert "Edinburgh budget" not in html and cast.person.display_name in html
    found = client.get(url("council-budget-list"), {"find": cast.other_person.user.email}).content.decode()
    assert 'id="none-found"' in found
    other = client_for(council["other_manager"]).get(url("council-budget-list")).content.decode()
    assert "Edinburgh budget" in other and cast.person.display_name not in other


def test_council_budget_list_for_someone_without_a_council_says_so(cast: Any) -> None:
    page = client_for(cast.outsider).get(url("council-budget-list"))
    assert page.status_code == 200
    assert "You are not a commissioner or care manager for any council" in page.content.decode()


def test_council_budget_pages_need_sign_in(council: dict) -> None:
    for target in (
        url("council-budget-list"),
        url("council-budget-new"),
        url("council-budget-detail", council["budget"]),
    ):
        response = Client().get(target)
        assert response.status_code == 302 and reverse("accounts:sign-in") in response["Location"]


def test_council_budget_list_query_count(cast: Any, council: dict, django_assert_num_queries: Any) -> None:
    for _ in range(5):
        make_budget(person=af.make_person(), funder=cast.council, allocated_pence=1_000)
    budgets = selectors.budget_list_for_council_user(user=council["manager"])
    with django_assert_num_queries(1):
        rows = [(b.person.user.email, b.funder.name, b.available_pence) for b in budgets]
    assert len(rows) == 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_council_budget_reductions_in_parallel_never_take_available_below_zero(council: dict) -> None:
    from marketplace.tests.parallel import run_parallel

    budget, manager = council["budget"], council["manager"]  # £800 available

    def reduce(_: int) -> Any:
        return services.budget_reduce(
            actor=manager, budget=budget, amount_pence=10_000, reason="Review", idempotency_key=key()
        )

    results = run_parallel(12, reduce)
    refused = [r for r in results if isinstance(r, ledger.InsufficientFunds)]
    assert len(refused) == 4 and len([r for r in results if isinstance(r, LedgerTransaction)]) == 8
    assert available(budget) == 0
    assert ledger.account_budget_committed(budget).balance_pence == 20_000
    call_command("check_ledger")
