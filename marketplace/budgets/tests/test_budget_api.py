"""Budget API: permissions (404 so nothing leaks), pence-only input, idempotency, query counts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests import factories as af
from carehub.testing.clock import QUIET_INSTANT
from marketplace import ledger
from marketplace.models import Commitment, Entry, LedgerTransaction
from marketplace.tests.factories import key, make_budget, make_commitment

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _quiet_clock(time_machine: Any) -> None:
    # Statements and planned months here are for the 2026-27 budget year.
    time_machine.move_to(QUIET_INSTANT)


@pytest.fixture
def budget(cast: Any) -> Any:
    return make_budget(person=cast.person, funder=cast.council, allocated_pence=50_000)


def commit_url(budget: Any) -> str:
    return reverse("marketplace-api:budget-commit", args=[budget.code])


def commit_body(cast: Any, **overrides: Any) -> dict[str, Any]:
    return {"amount_pence": 1_250, "reference": "booking-1", "provider": str(cast.provider.code), **overrides}


def test_budget_api_person_and_carer_see_the_same_budget(cast: Any, budget: Any) -> None:
    make_commitment(budget=budget, provider=cast.provider, amount_pence=2_000, reference="visit")
    url = reverse("marketplace-api:budget-detail", args=[budget.code])
    as_person = client_for(cast.person.user).get(url)
    as_carer = client_for(cast.carer).get(url)
    assert as_person.status_code == as_carer.status_code == 200
    assert as_person.json() == as_carer.json()
    body = as_person.json()
    assert (body["available_pence"], body["committed_pence"], body["allocated_pence"]) == (48_000, 2_000, 50_000)
    assert body["upcoming"][0]["reference"] == "visit"
    listed = client_for(cast.carer).get(reverse("marketplace-api:budget-list")).json()
    assert [b["code"] for b in listed["results"]] == [str(budget.code)]


@pytest.mark.parametrize(
    "who", ["outsider", "other_person", "provider_owner", "provider_staff", "commissioner", "no_scope_carer"]
)
def test_budget_api_refuses_everyone_else_with_404(cast: Any, budget: Any, who: str) -> None:
    if who == "no_scope_carer":
        user = af.make_user()
        af.make_carer_link(carer=user, person=cast.person, can_view=False, can_book=False, can_manage_budget=False)
    elif who == "other_person":
        user = cast.other_person.user
    else:
        user = getattr(cast, who)
    client = client_for(user)
    for name in ["budget-detail", "budget-statement"]:
        assert client.get(reverse(f"marketplace-api:{name}", args=[budget.code])).status_code == 404
    response = client.post(commit_url(budget), commit_body(cast), format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert response.status_code == 404
    assert client.get(reverse("marketplace-api:budget-list")).json()["results"] == []
    assert LedgerTransaction.objects.filter(reason="commit").count() == 0


def test_budget_api_anonymous_is_refused(budget: Any) -> None:
    response = APIClient().get(reverse("marketplace-api:budget-detail", args=[budget.code]))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (12.5, "whole pence"),
        ("12.50", "whole pence"),
        (12.0, "whole pence"),
        (True, "whole pence"),
        (0, "more than 0"),
        (-100, "more than 0"),
        (10**12, "too large"),
        (None, "null"),
    ],
)
def test_budget_commit_api_refuses_bad_amounts_with_400(cast: Any, budget: Any, amount: Any, message: str) -> None:
    response = client_for(cast.person.user).post(
        commit_url(budget), commit_body(cast, amount_pence=amount), format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert response.status_code == 400
    assert message in str(response.json()["amount_pence"])
    assert Commitment.objects.count() == 0


def test_budget_commit_api_over_budget_is_409_with_plain_message(cast: Any, budget: Any) -> None:
    response = client_for(cast.person.user).post(
        commit_url(budget), commit_body(cast, amount_pence=50_001), format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "There is not enough left in this budget"
    assert response.json()["code"] == "insufficient_funds"


def test_budget_commit_api_needs_an_idempotency_key(cast: Any, budget: Any) -> None:
    response = client_for(cast.person.user).post(commit_url(budget), commit_body(cast), format="json")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert Commitment.objects.count() == 0


def test_budget_commit_api_same_key_returns_first_result_and_moves_no_money(cast: Any, budget: Any) -> None:
    client = client_for(cast.person.user)
    first = client.post(commit_url(budget), commit_body(cast), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(commit_url(budget), commit_body(cast), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert ledger.account_budget_available(budget).balance_pence == 50_000 - 1_250
    different = client.post(
        commit_url(budget), commit_body(cast, amount_pence=999), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert different.status_code == 422
    assert LedgerTransaction.objects.filter(reason="commit").count() == 1


def test_commitment_api_release_settle_refund_by_the_right_people(cast: Any, budget: Any) -> None:
    person, owner = client_for(cast.person.user), client_for(cast.provider_owner)
    held = person.post(
        commit_url(budget), commit_body(cast, amount_pence=10_000), format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    code = held.json()["code"]
    outsider = client_for(cast.outsider)
    url = reverse("marketplace-api:commitment-settle", args=[code])
    assert outsider.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=key()).status_code == 404
    # The provider sees the booking's money but may not pay itself.
    assert owner.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=key()).status_code == 403
    settled = person.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert settled.status_code == 200
    assert (settled.json()["status"], settled.json()["fee_pence"]) == ("settled", 500)
    refund_url = reverse("marketplace-api:commitment-refund", args=[code])
    assert person.post(refund_url, {"amount_pence": 100}, format="json", HTTP_IDEMPOTENCY_KEY=key()).status_code == 403
    refunded = owner.post(refund_url, {"amount_pence": 4_000}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert refunded.status_code == 200
    assert refunded.json()["refunded_pence"] == 4_000
    assert ledger.account_budget_available(budget).balance_pence == 50_000 - 10_000 + 4_000
    assert ledger.ledger_verify() == []


def test_budget_allocate_api_only_for_funding_council_managers(cast: Any, budget: Any) -> None:
    url = reverse("marketplace-api:budget-allocate", args=[budget.code])
    manager = af.make_commissioner(council=cast.council, role="manager")
    for user in [
        cast.person.user,
        cast.carer,
        cast.commissioner,
        af.make_commissioner(council=cast.other_council, role="manager"),
    ]:
        assert (
            client_for(user).post(url, {"amount_pence": 100}, format="json", HTTP_IDEMPOTENCY_KEY=key()).status_code
            == 404
        )
    outside = client_for(manager).post(
        url, {"amount_pence": 100, "effective_on": "2030-01-01"}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert outside.status_code == 400
    assert "within the budget period" in outside.json()["effective_on"][0]
    ok = client_for(manager).post(
        url, {"amount_pence": 100, "effective_on": "2026-05-01"}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert ok.status_code == 201
    assert ledger.account_budget_available(budget).balance_pence == 50_100


def test_budget_topup_api_declined_is_400_and_moves_no_money(cast: Any, fake_gateway: Any) -> None:
    budget = make_budget(person=cast.person)
    url = reverse("marketplace-api:budget-topup", args=[budget.code])
    fake_gateway.decline_with = "Insufficient funds on card"
    declined = client_for(cast.carer).post(url, {"amount_pence": 5_000}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert declined.status_code == 400
    assert "declined" in declined.json()["detail"]
    assert Entry.objects.filter(account__budget=budget).count() == 0
    fake_gateway.decline_with = ""
    ok = client_for(cast.carer).post(url, {"amount_pence": 5_000}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert (ok.status_code, ok.json()["status"]) == (201, "succeeded")
    assert ledger.account_budget_available(budget).balance_pence == 5_000


def test_budget_alert_api_sets_threshold(cast: Any, budget: Any) -> None:
    url = reverse("marketplace-api:budget-alert", args=[budget.code])
    response = client_for(cast.carer).put(url, {"threshold_pence": 10_000}, format="json")
    assert (response.status_code, response.json()["alert_threshold_pence"]) == (200, 10_000)
    assert client_for(cast.outsider).put(url, {"threshold_pence": 1}, format="json").status_code == 404


def test_payout_api_only_for_finance(cast: Any, budget: Any, finance: Any) -> None:
    commitment = make_commitment(budget=budget, provider=cast.provider, amount_pence=2_000)
    client_for(cast.person.user).post(
        reverse("marketplace-api:commitment-settle", args=[commitment.code]),
        {},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key(),
    )
    url = reverse("marketplace-api:payout-batch-create")
    assert client_for(cast.provider_owner).post(url, HTTP_IDEMPOTENCY_KEY=key()).status_code == 403
    batch = client_for(finance).post(url, HTTP_IDEMPOTENCY_KEY="batch-1")
    assert batch.status_code == 201
    payout = batch.json()["payouts"][0]
    assert payout["amount_pence"] == 1_900
    result_url = reverse("marketplace-api:payout-result", args=[payout["code"]])
    refused = client_for(cast.provider_owner).post(result_url, {"paid": True}, format="json")
    unknown_url = reverse("marketplace-api:payout-result", args=[uuid.uuid4()])
    unknown = client_for(finance).post(unknown_url, {"paid": True}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert refused.status_code == unknown.status_code == 404 and refused.json() == unknown.json()
    paid = client_for(finance).post(result_url, {"paid": True}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert paid.json()["status"] == "paid"
    twice = client_for(finance).post(result_url, {"paid": False}, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert twice.status_code == 409


def test_budget_statement_api_csv_and_json(cast: Any, budget: Any) -> None:
    make_commitment(budget=budget, provider=cast.provider, amount_pence=2_000, reference="visit-1")
    url = reverse("marketplace-api:budget-statement", args=[budget.code])
    client = client_for(cast.person.user)
    body = client.get(url, {"start": "2026-01-01", "end": "2027-12-31"}).json()
    assert (body["opening_available_pence"], body["closing_available_pence"]) == (0, 48_000)
    assert [line["available_change_pence"] for line in body["lines"]] == [50_000, -2_000]
    csv_text = client.get(url, {"start": "2026-01-01", "end": "2027-12-31", "output": "csv"}).content.decode()
    assert "visit-1,-2000,2000,48000" in csv_text
    assert client.get(url, {"start": "2026-02-01", "end": "2026-01-01"}).status_code == 400


def test_budget_list_api_query_count_does_not_grow(cast: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(5):
        make_budget(person=cast.person, funder=cast.council, allocated_pence=1_000)
    client = client_for(cast.carer)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("marketplace-api:budget-list"))
    assert len(response.json()["results"]) == 5


def test_openapi_schema_documents_budget_endpoints(cast: Any) -> None:
    response = APIClient().get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    commit = schema["paths"]["/api/v1/budgets/{code}/commitments/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in commit["parameters"])


def test_budget_create_api_by_council_manager_and_self_funder(cast: Any) -> None:
    url = reverse("marketplace-api:budget-list")
    body = {
        "person": str(cast.person.code), "kind": "direct_payment", "funder": cast.council.slug,
        "period_start": "2026-04-01", "period_end": "2027-03-31",
    }  # fmt: skip
    manager = af.make_commissioner(council=cast.council, role="manager")
    created = client_for(manager).post(url, body, format="json")
    assert created.status_code == 201
    assert created.json()["available_pence"] == 0
    for user in (cast.commissioner, cast.outsider, cast.person.user):
        assert client_for(user).post(url, body, format="json").status_code == 403
    backwards = client_for(manager).post(url, {**body, "period_end": "2026-01-01"}, format="json")
    assert backwards.status_code == 400
    own = {**body, "kind": "self_funded", "funder": None}
    assert client_for(cast.carer).post(url, own, format="json").status_code == 201
    assert client_for(cast.outsider).post(url, own, format="json").status_code == 403


def test_budget_api_carer_loses_access_when_the_person_revokes_the_link(cast: Any, budget: Any) -> None:
    from accounts.models import CarerLink
    from accounts.services import carer_link_end

    url = reverse("marketplace-api:budget-detail", args=[budget.code])
    assert client_for(cast.carer).get(url).status_code == 200
    link = CarerLink.objects.get(carer=cast.carer, person=cast.person)
    carer_link_end(actor=cast.person.user, link_code=link.code)
    assert client_for(cast.carer).get(url).status_code == 404
