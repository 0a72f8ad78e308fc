"""Payout pages: platform finance runs a batch (once per form), downloads it as CSV and records each
payout paid or failed after confirming; a provider sees what it is owed, being paid and was paid,
payout by payout with the lines each paid. Everyone else gets 404."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.tests import factories as af
from marketplace import ledger
from marketplace.budgets import services
from marketplace.models import Payout, PayoutBatch
from marketplace.payouts import selectors
from marketplace.payouts import services as payouts
from marketplace.tests.factories import key, make_budget, make_commitment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_fee")]


@pytest.fixture
def _fee(settings: Any) -> None:
    settings.CAREHUB_PLATFORM_FEE_PERCENT = "5"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def settle(cast: Any, provider: Any, amount_pence: int, description: str) -> Any:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=amount_pence)
    commitment = make_commitment(budget=budget, provider=provider, amount_pence=amount_pence, description=description)
    return services.budget_settle(actor=cast.person.user, commitment=commitment, idempotency_key=key())


@pytest.fixture
def owed(cast: Any) -> dict[str, Any]:
    """Kelvin Companions is owed £285.00 (£300 of care less the 5% fee), Forth Home Care £95.00."""
    return {
        "ours": settle(cast, cast.provider, 30_000, "Tuesday visits"),
        "theirs": settle(cast, cast.other_provider, 10_000, "Night sitting"),
    }


def page_url(name: str, code: Any = None) -> str:
    return reverse(f"marketplace:{name}", kwargs={"code": code} if code else None)


def payable(provider: Any) -> int:
    return ledger.account_provider_payable(provider.pk).balance_pence


# --- Running a batch -----------------------------------------------------------------------------


def test_payout_page_shows_what_is_ready_and_a_double_submit_makes_one_batch(finance: Any, owed: dict) -> None:
    client = client_for(finance)
    page = client.get(page_url("payout-batch-list"))
    assert page.status_code == 200 and "£380.00" in page.content.decode()  # 285.00 + 95.00, to 2 providers
    form_key = page.context["form"].initial["idempotency_key"]

    responses = [client.post(page_url("payout-batch-list"), {"idempotency_key": form_key}) for _ in range(2)]

    batch = PayoutBatch.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {page_url("payout-batch-detail", batch.code)}
    assert sorted(batch.payouts.values_list("amount_pence", flat=True)) == [9_500, 28_500]
    assert AuditEvent.objects.filter(action="payout_batch.create").count() == 1
    call_command("check_ledger")


def test_payout_run_with_nobody_owed_is_refused_without_a_batch(finance: Any, cast: Any) -> None:
    response = client_for(finance).post(page_url("payout-batch-list"), {"idempotency_key": key()})
    assert response.status_code == 400
    assert "nothing to pay out" in response.content.decode()
    assert not PayoutBatch.objects.exists()


def test_payout_batch_page_lists_each_payout_with_its_actions(finance: Any, owed: dict, cast: Any) -> None:
    batch = payouts.payout_batch_create(actor=finance, idempotency_key=key())
    html = client_for(finance).get(page_url("payout-batch-detail", batch.code)).content.decode()
    for payout in batch.payouts.all():
        assert str(payout.code) in html and page_url("payout-paid", payout.code) in html
    assert "Kelvin Companions" in html and "£285.00" in html and "Forth Home Care" in html and "£95.00" in html


@pytest.mark.parametrize(
    ("instant", "uk_date"),
    [
        (datetime(2027, 6, 30, 23, 30, tzinfo=UTC), "01/07/2027"),  # 00:30 BST on 1 July: UTC still says 30 June
        (datetime(2027, 1, 15, 12, 0, tzinfo=UTC), "15/01/2027"),
    ],
)
def test_payout_batch_csv_has_pounds_and_uk_dates(
    finance: Any, cast: Any, time_machine: Any, instant: datetime, uk_date: str
) -> None:
    time_machine.move_to(instant)
    settle(cast, cast.provider, 123_456, "A year of visits")  # £1,234.56, less the fee: £1,172.83
    batch = payouts.payout_batch_create(actor=finance, idempotency_key=key())
    payout = batch.payouts.get()
    payouts.payout_mark_paid(actor=finance, payout=payout, idempotency_key=key())

    response = client_for(finance).get(page_url("payout-batch-csv", batch.code))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    day = uk_date.split("/")
    assert f'filename="payout-batch-{day[2]}-{day[1]}-{day[0]}.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Payout reference", "Provider", "Provider reference", "Amount (£)", "Batch date", "Status", "Paid or failed on",
    ]  # fmt: skip
    assert rows[1:] == [
        [str(payout.code), "Kelvin Companions", str(cast.provider.code), "1172.83", uk_date, "Paid", uk_date]
    ]


# --- Recording results -----------------------------------------------------------------------------


def test_payout_paid_asks_to_confirm_then_records_once(finance: Any, owed: dict, cast: Any) -> None:
    batch = payouts.payout_batch_create(actor=finance, idempotency_key=key())
    payout = batch.payouts.get(provider=cast.provider)
    client = client_for(finance)
    confirm = client.get(page_url("payout-paid", payout.code))
    assert confirm.status_code == 200 and "Has the bank paid £285.00 to Kelvin Companions?" in confirm.content.decode()
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PENDING  # showing the question changes nothing

    form = {"idempotency_key": confirm.context["form"].initial["idempotency_key"]}
    responses = [client.post(page_url("payout-paid", payout.code), form) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert ledger.account_provider_paid(cast.provider.pk).balance_pence == 28_500
    assert ledger.account_payouts_clearing().balance_pence == 9_500  # the other provider's, still waiting
    # A new form for a payout already recorded: refused, said on the page.
    again = client.post(page_url("payout-paid", payout.code), {"idempotency_key": key()})
    assert again.status_code == 400 and "already been recorded" in again.content.decode()
    call_command("check_ledger")


def test_payout_failed_needs_a_reason_and_puts_the_money_back_to_be_paid_again(
    finance: Any, owed: dict, cast: Any
) -> None:
    batch = payouts.payout_batch_create(actor=finance, idempotency_key=key())
    payout = batch.payouts.get(provider=cast.provider)
    client = client_for(finance)
    missing = client.post(page_url("payout-failed", payout.code), {"idempotency_key": key(), "reason": ""})
    assert missing.status_code == 400 and "Say why the payment failed" in missing.content.decode()

    done = client.post(page_url("payout-failed", payout.code), {"idempotency_key": key(), "reason": "Account closed"})

    assert done.status_code == 302
    payout.refresh_from_db()
    assert (payout.status, payout.failure_reason) == (Payout.Status.FAILED, "Account closed")
    assert payable(cast.provider) == 28_500
    # The provider sees why, and the money as owed again, with where it came from.
    money = selectors.provider_money(provider=cast.provider)
    assert money.owed_pence == 28_500 and money.in_payment_pence == 0
    assert [line.description for line in money.owed_lines] == ["Payout failed: Account closed"]
    # The next run pays it.
    again = payouts.payout_batch_create(actor=finance, idempotency_key=key())
    assert again.payouts.get().amount_pence == 28_500


# --- The provider's page ---------------------------------------------------------------------------


def test_provider_sees_owed_being_paid_and_paid_with_the_lines_of_each_payout(finance: Any, cast: Any) -> None:
    settle(cast, cast.provider, 30_000, "Tuesday visits")
    first = payouts.payout_batch_create(actor=finance, idempotency_key=key())
    payouts.payout_mark_paid(actor=finance, payout=first.payouts.get(), idempotency_key=key())
    settle(cast, cast.provider, 10_000, "Thursday visit")
    second = payouts.payout_batch_create(actor=finance, idempotency_key=key())
    settle(cast, cast.provider, 2_000, "Saturday hour")

    page = client_for(cast.provider_staff).get(page_url("provider-payouts", cast.provider.code))

    assert page.status_code == 200
    money = page.context["money"]
    assert (money.owed_pence, money.in_payment_pence, money.paid_pence) == (1_900, 9_500, 28_500)
    assert [line.description for line in money.owed_lines] == ["Saturday hour"]
    assert [item.payout.batch for item in money.payouts] == [second, first]  # newest first
    for item in money.payouts:  # each payout is exactly the lines it paid
        assert sum(line.amount_pence for line in item.lines) == item.payout.amount_pence
    assert [line.description for line in money.payouts[1].lines] == ["Tuesday visits"]
    html = page.content.decode()
    assert "£19.00" in html and "£95.00" in html and "£285.00" in html and "Thursday visit" in html


def test_provider_page_nets_a_refund_after_a_payout_into_the_next(finance: Any, cast: Any) -> None:
    commitment = settle(cast, cast.provider, 30_000, "Tuesday visits")
    payouts.payout_batch_create(actor=finance, idempotency_key=key())
    services.budget_refund(actor=cast.provider_owner, commitment=commitment, amount_pence=10_000, idempotency_key=key())
    settle(cast, cast.provider, 20_000, "Friday visits")
    payout = payouts.payout_batch_create(actor=finance, idempotency_key=key()).payouts.get()
    money = selectors.provider_money(provider=cast.provider)
    lines = money.payouts[0].lines
    assert [line.amount_pence for line in lines] == [-9_500, 19_000]
    assert sum(line.amount_pence for line in lines) == payout.amount_pence == 9_500


@pytest.mark.parametrize("who", ["other_provider", "person", "commissioner", "vetting_officer", "outsider"])
def test_provider_payout_page_is_not_found_for_anyone_else(cast: Any, owed: dict, who: str) -> None:
    user = {
        "other_provider": lambda: af.make_provider_member(provider=cast.other_provider),
        "person": lambda: cast.person.user,
    }.get(who, lambda: getattr(cast, who))()
    assert client_for(user).get(page_url("provider-payouts", cast.provider.code)).status_code == 404


@pytest.mark.parametrize("who", ["provider_owner", "commissioner", "vetting_officer", "outsider"])
def test_finance_pages_are_not_found_for_anyone_but_platform_finance(
    finance: Any, cast: Any, owed: dict, who: str
) -> None:
    batch = payouts.payout_batch_create(actor=finance, idempotency_key=key())
    payout = batch.payouts.get(provider=cast.provider)
    client = client_for(getattr(cast, who))
    for target in (
        page_url("payout-batch-list"),
        page_url("payout-batch-detail", batch.code),
        page_url("payout-batch-csv", batch.code),
        page_url("payout-paid", payout.code),
        page_url("payout-failed", payout.code),
    ):
        assert client.get(target).status_code == 404, target
    assert client.post(page_url("payout-batch-list"), {"idempotency_key": key()}).status_code == 404
    assert client.post(page_url("payout-paid", payout.code), {"idempotency_key": key()}).status_code == 404
    assert (
        client.post(page_url("payout-failed", payout.code), {"idempotency_key": key(), "reason": "x"}).status_code
        == 404
    )
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PENDING and PayoutBatch.objects.count() == 1


def test_payout_pages_need_sign_in(cast: Any) -> None:
    for target in (page_url("payout-batch-list"), page_url("provider-payouts", cast.provider.code)):
        response = Client().get(target)
        assert response.status_code == 302 and reverse("accounts:sign-in") in response["Location"]


def test_provider_money_query_count_does_not_grow_with_history(
    finance: Any, cast: Any, django_assert_num_queries: Any
) -> None:
    for i in range(4):
        settle(cast, cast.provider, 1_000 + i, f"Visit {i}")
        payouts.payout_batch_create(actor=finance, idempotency_key=key())
    with django_assert_num_queries(4):
        money = selectors.provider_money(provider=cast.provider)
        assert len(money.payouts) == 4 and all(len(p.lines) == 1 for p in money.payouts)
        assert [p.payout.batch.created_at for p in money.payouts]  # batches come with their payouts


def test_payout_batch_list_query_count(finance: Any, cast: Any, django_assert_num_queries: Any) -> None:
    for i in range(3):
        settle(cast, cast.provider, 1_000 + i, f"Visit {i}")
        payouts.payout_batch_create(actor=finance, idempotency_key=key())
    with django_assert_num_queries(1):
        rows = [
            (b.created_by.full_name, b.payout_count, b.total_pence)
            for b in selectors.payout_batch_list_for_user(user=finance)
        ]
    assert len(rows) == 3
