"""Issue 18, item 6: the statement reads as one story and agrees with the budget page (or says why not);
its CSV is in pounds with UK dates."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from carehub.testing.clock import QUIET_INSTANT
from marketplace.budgets import services
from marketplace.tests.factories import key, make_budget, make_commitment

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _quiet_clock(time_machine: Any) -> None:
    time_machine.move_to(QUIET_INSTANT)  # 14 October 2026


@pytest.fixture
def budget(cast: Any) -> Any:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=64_000, name="Alex's direct payment")
    visit = make_commitment(
        budget=budget,
        provider=cast.provider,
        amount_pence=4_750,
        description="Home visit (Kelvin Companions)",
        due_on=date(2026, 12, 3),
    )
    services.budget_settle(actor=cast.person.user, commitment=visit, idempotency_key=key())
    return budget


def _rows(html: str) -> list[list[str]]:
    body = html.split('id="statement-lines"')[1].split("</table>")[0].split("<tbody")[1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[re.sub(r"<[^>]+>", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def test_statement_tells_a_bookings_set_aside_and_payment_as_one_story(cast: Any, budget: Any) -> None:
    url = reverse("marketplace:budget-statement", args=[budget.code])
    html = client_for(cast.person.user).get(url, {"start": "2026-10-01", "end": "2026-10-14"}).content.decode()
    rows = _rows(html)
    descriptions = [r[1] for r in rows]
    assert any(d.startswith("Set aside for Home visit (Kelvin Companions) on 3 Dec 2026") for d in descriptions)
    assert any(
        d.startswith("Paid for Home visit (Kelvin Companions) on 3 Dec 2026 (from money set aside)")
        for d in descriptions
    )
    assert all(r[2] for r in rows), "Money in or out is never blank"
    paid = next(r for r in rows if r[1].startswith("Paid for"))
    assert paid[2] == "£0.00" and paid[3] == "-£47.50"


def test_statement_closing_balance_agrees_with_the_budget_page(cast: Any, budget: Any) -> None:
    client = client_for(cast.person.user)
    html = client.get(
        reverse("marketplace:budget-statement", args=[budget.code]), {"start": "2026-10-01", "end": "2026-10-14"}
    ).content.decode()
    assert "Closing balance available: <strong>£592.50</strong>" in html
    assert "same as the £592.50 available on the budget page" in html
    assert "£592.50" in client.get(reverse("marketplace:budget-detail", args=[budget.code])).content.decode()


def test_statement_explains_money_set_aside_for_future_dates_after_it_closed(
    cast: Any, budget: Any, time_machine: Any
) -> None:
    time_machine.move_to(QUIET_INSTANT + timedelta(days=2))
    make_commitment(budget=budget, provider=cast.provider, amount_pence=2_000, due_on=date(2026, 12, 10))
    url = reverse("marketplace:budget-statement", args=[budget.code])
    html = client_for(cast.person.user).get(url, {"start": "2026-10-01", "end": "2026-10-14"}).content.decode()
    assert "Closing balance available: <strong>£592.50</strong>" in html
    difference = html.split('id="statement-difference"')[1].split("</p>")[0]
    assert "The budget page shows £572.50 available now" in difference
    assert "£20.00 less is available after 14 October 2026" in difference
    assert "£20.00 is now set aside for future dates" in difference


def test_statement_csv_is_in_pounds_with_uk_dates(cast: Any, budget: Any) -> None:
    url = reverse("marketplace:budget-statement", args=[budget.code])
    response = client_for(cast.carer).get(url, {"start": "2026-10-01", "end": "2026-10-14", "output": "csv"})
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Date,Description,Type,Reference,Money in or out (£)")
    assert lines[1] == "01/10/2026,Opening balance,,,,,0.00"
    assert any(
        line.startswith("14/10/2026,Set aside for Home visit") and ",-47.50,47.50,592.50" in line for line in lines
    )
    assert any(",0.00,-47.50,592.50" in line for line in lines)
    assert lines[-1] == "14/10/2026,Closing balance,,,,0.00,592.50"
    assert not any(re.search(r"\b59250\b|2026-10-", line) for line in lines)
