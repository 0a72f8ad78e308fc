"""Councils and providers in a real browser, with and without JavaScript (axe-core on every page
when it runs): a care manager sets up and changes a budget, finance runs and records payouts and
the provider sees them, a provider sets its cancellation rule and a person books under it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests import factories as af
from directory.tests import factories as df
from marketplace import ledger
from marketplace.budgets import services as budgets
from marketplace.models import Booking, Budget, LedgerTransaction, Payout
from marketplace.tests.booking_world import make_hourly_service
from marketplace.tests.factories import key, make_budget, make_commitment
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JS = pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])


def check(page: Page, javascript: bool) -> None:
    """axe-core runs as a script in the page: only when the page may run scripts."""
    if javascript:
        assert_accessible(page)


@JS
def test_care_manager_sets_up_reduces_and_reads_a_budget(open_as: Any, javascript: bool) -> None:
    council = df.make_council(name="Glasgow City", gss_code="S12000049", slug="glasgow-city")
    manager = af.make_commissioner(council=council, role="manager", full_name="Carla Manager")
    person = af.make_person(user=af.make_user(full_name="Morag Brown", email="morag@example.org"))
    page = open_as(manager.email, javascript=javascript)

    page.get_by_role("link", name="Council budgets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Council budgets")
    check(page, javascript)
    page.get_by_role("link", name="Set up a budget").click()
    page.get_by_label("Their e-mail address, or your council's reference for them").fill("nobody@example.org")
    page.get_by_role("button", name="Find the person").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nobody on CareHub has that e-mail address")
    check(page, javascript)
    page.get_by_label("Their e-mail address, or your council's reference for them").fill("MORAG@example.org")
    page.get_by_role("button", name="Find the person").click()
    expect(page.locator("#person-found")).to_contain_text("Morag Brown")
    check(page, javascript)
    # The period defaults to the UK budget year; the kind to a direct payment.
    page.get_by_label("Your council's reference for them (optional)").fill("SW-4242")
    page.get_by_label("Money to allocate now (optional)").fill("6000")
    page.get_by_role("button", name="Set up the budget").click()
    expect(page.get_by_text("The budget for Morag Brown is set up.")).to_be_visible()
    expect(page.locator("#available")).to_have_text("£6,000.00")
    check(page, javascript)
    budget = Budget.objects.get(person=person)
    assert (budget.funder, budget.council_reference) == (council, "SW-4242")
    assert budget.period_start.month == 4 and budget.period_start.day == 1

    page.get_by_role("link", name="Increase or reduce").click()
    page.get_by_label("Reduce it").check()
    page.get_by_label("By how much?").fill("6000.01")
    page.get_by_label("Why is it changing?").fill("Reassessment")
    page.get_by_role("button", name="Change the budget").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("You can reduce this budget by at most £6,000.00")
    check(page, javascript)
    page.get_by_label("By how much?").fill("500")
    page.get_by_role("button", name="Change the budget").click()
    expect(page.get_by_text("The budget has been reduced by £500.00.")).to_be_visible()
    expect(page.locator("#available")).to_have_text("£5,500.00")

    page.get_by_role("link", name="See the statement").click()
    expect(page.locator("#statement-lines")).to_contain_text("Reduced by Glasgow City: Reassessment")
    check(page, javascript)
    assert LedgerTransaction.objects.filter(budget=budget, reason="reduction").count() == 1
    assert ledger.account_budget_available(budget).balance_pence == 550_000
    call_command("check_ledger")


@JS
@override_settings(CAREHUB_PLATFORM_FEE_PERCENT="5")
def test_finance_runs_payouts_and_the_provider_sees_them(open_as: Any, javascript: bool) -> None:
    council = df.make_council(name="Glasgow City", gss_code="S12000049", slug="glasgow-city")
    provider = df.make_provider(name="Kelvin Companions")
    owner = af.make_provider_member(provider=provider, full_name="Pat Provider")
    person = af.make_person()
    budget = make_budget(person=person, funder=council, allocated_pence=50_000)
    commitment = make_commitment(budget=budget, provider=provider, amount_pence=30_000, description="Tuesday visits")
    budgets.budget_settle(actor=person.user, commitment=commitment, idempotency_key=key())
    finance = af.make_user(full_name="Fin Ance", is_staff=True, is_superuser=True)

    page = open_as(finance.email, javascript=javascript)
    page.get_by_role("link", name="Payouts").click()
    expect(page.locator("#ready")).to_contain_text("£285.00")
    check(page, javascript)
    page.get_by_role("button", name="Run payouts now").click()
    expect(page.get_by_text("The payout batch is ready: 1 payments to make.")).to_be_visible()
    expect(page.locator("#payouts")).to_contain_text("Kelvin Companions")
    check(page, javascript)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the batch as a spreadsheet (CSV)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[1][1:4] == ["Kelvin Companions", str(provider.code), "285.00"]
    page.get_by_role("link", name="Record as paid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Has the bank paid £285.00 to Kelvin Companions?")
    check(page, javascript)
    page.get_by_role("button", name="Yes, record it as paid").click()
    expect(page.get_by_text("The payment of £285.00 to Kelvin Companions is recorded as paid.")).to_be_visible()
    expect(page.locator("#payouts")).to_contain_text("Paid")
    assert Payout.objects.get().status == Payout.Status.PAID

    provider_page = open_as(owner.email, javascript=javascript)
    provider_page.get_by_role("link", name="Provider pages").click()
    provider_page.get_by_role("link", name="Kelvin Companions").click()
    provider_page.get_by_role("link", name="Money and payouts").click()
    expect(provider_page.locator("#paid")).to_have_text("£285.00")
    expect(provider_page.locator("#owed")).to_have_text("£0.00")
    expect(provider_page.get_by_role("main")).to_contain_text("Tuesday visits")
    check(provider_page, javascript)
    call_command("check_ledger")


@JS
def test_provider_sets_the_cancellation_rule_and_the_person_books_under_it(
    open_as: Any, live_server: Any, javascript: bool
) -> None:
    council = df.make_council(name="Glasgow City", gss_code="S12000049", slug="glasgow-city")
    provider = df.make_provider(name="Kelvin Companions")
    owner = af.make_provider_member(provider=provider, full_name="Pat Provider")
    service = make_hourly_service(provider, name="Personal assistant hours")
    person = af.make_person(user=af.make_user(full_name="Morag Brown"))
    make_budget(person=person, funder=council, allocated_pence=50_000)

    provider_page = open_as(owner.email, javascript=javascript)
    provider_page.get_by_role("link", name="Provider pages").click()
    provider_page.get_by_role("link", name="Kelvin Companions").click()
    provider_page.get_by_role("link", name="Personal assistant hours").click()
    provider_page.get_by_role("link", name="Change the cancellation rule").click()
    check(provider_page, javascript)
    notice = provider_page.get_by_label("How many hours' notice do people need to give to cancel at no cost?")
    notice.fill("200")
    provider_page.get_by_role("button", name="Save the rule").click()
    expect(provider_page.locator(".govuk-error-summary")).to_contain_text("at most 168 hours")
    check(provider_page, javascript)
    notice.fill("48")
    provider_page.get_by_label("If they cancel later than that, what percentage of the price do they pay?").fill("50")
    provider_page.get_by_role("button", name="Save the rule").click()
    expect(provider_page.get_by_text("The cancellation rule is saved.")).to_be_visible()

    rule = "Free to cancel until 48 hours before it starts. If you cancel later, you pay 50% of the price."
    person_page = open_as(person.user.email, javascript=javascript)
    person_page.goto(f"{live_server.url}/bookings/new/{service.code}/")
    expect(person_page.locator("#cancellation-rule")).to_have_text(rule)
    tomorrow = timezone.localdate() + timedelta(days=1)
    person_page.get_by_label("Day").fill(tomorrow.isoformat())
    person_page.get_by_role("button", name="Show free times").click()
    person_page.get_by_label("Start time").select_option(label="10:00")
    person_page.get_by_label("How many hours?").fill("1")
    person_page.get_by_role("button", name="Request booking").click()
    expect(person_page.get_by_text("Your booking request has been sent.")).to_be_visible()
    check(person_page, javascript)

    # The provider then makes cancelling free: the booking already made keeps its rule and its charge.
    provider_page.get_by_role("link", name="Change the cancellation rule").click()
    provider_page.get_by_label("How many hours' notice do people need to give to cancel at no cost?").fill("0")
    provider_page.get_by_label("If they cancel later than that, what percentage of the price do they pay?").fill("0")
    provider_page.get_by_role("button", name="Save the rule").click()
    expect(provider_page.get_by_text("The cancellation rule is saved.")).to_be_visible()
    person_page.reload()
    expect(person_page.get_by_role("main")).to_contain_text(rule)
    expect(person_page.get_by_role("main")).to_contain_text("if you cancel, you pay £10.00")
    booking = Booking.objects.get()
    assert (booking.free_cancellation_hours, booking.late_cancellation_percent) == (48, 50)
