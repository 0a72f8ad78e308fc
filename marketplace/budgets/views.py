"""'My budget' pages for a person and the carers they let see it, and the council's budget
pages for its care managers (set up, allocate, adjust) and its other commissioners (read only)."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.permissions import Action, can
from carehub import clock
from carehub.errors import NotFound
from carehub.forms import form_status, form_submit, posted
from carehub.money import format_pence, pounds, pounds_to_pence
from marketplace.budgets import alerts, selectors, services, topups
from marketplace.budgets.forms import (
    AdjustForm,
    AlertForm,
    AllocateForm,
    BudgetSetupForm,
    PersonFindForm,
    StatementForm,
    TopUpForm,
)
from marketplace.models import Budget


def _budget_or_404(request: HttpRequest, code: str) -> Budget | None:
    try:
        return selectors.budget_get_for_user(user=request.user, code=code)
    except NotFound:
        return None


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_required
def budget_list(request: HttpRequest) -> HttpResponse:
    budgets = list(selectors.budget_list_for_user(user=request.user))
    if len(budgets) == 1:
        return redirect("marketplace:budget-detail", code=budgets[0].code)
    return render(request, "marketplace/budget_list.html", {"budgets": budgets})


@login_required
def budget_detail(request: HttpRequest, code: str) -> HttpResponse:
    budget = _budget_or_404(request, code)
    if budget is None:
        return _not_found(request)
    summary = selectors.budget_summary(budget=budget)
    return render(
        request,
        "marketplace/budget_detail.html",
        {
            "budget": budget,
            "summary": summary,
            "can_manage": can(request.user, Action.PERSON_MANAGE_BUDGET, budget),
            "max_month_pence": max([row["spent_pence"] + row["planned_pence"] for row in summary.by_month] or [0]),
        },
    )


@login_required
def budget_statement(request: HttpRequest, code: str) -> HttpResponse:
    budget = _budget_or_404(request, code)
    if budget is None:
        return _not_found(request)
    return _statement_page(request, budget, "marketplace/budget_statement.html")


def _statement_page(request: HttpRequest, budget: Budget, template: str) -> HttpResponse:
    """A budget's statement for the dates asked, as a page or (?output=csv) a spreadsheet:
    the person's and the funding council's pages show the same one."""
    form = StatementForm(request.GET)
    statement = None
    if form.is_valid():
        statement = selectors.budget_statement(
            budget=budget, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
        if request.GET.get("output") == "csv":
            return statement_csv(statement)
    return render(request, template, {"budget": budget, "form": form, "statement": statement}, status=form_status(form))


def statement_csv(statement: selectors.Statement) -> HttpResponse:
    """The statement as a spreadsheet for people: pounds (592.50) and UK dates (dd/mm/yyyy), the
    lines worded as on the page. (The API's CSV keeps integer pence and ISO dates for machines.)"""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="budget-statement-{statement.start:%Y-%m-%d}-to-{statement.end:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        ["Date", "Description", "Type", "Reference", "Money in or out (£)", "Set aside (£)", "Available after (£)"]
    )
    writer.writerow([f"{statement.start:%d/%m/%Y}", "Opening balance", "", "", "", "",
                     pounds(statement.opening_available_pence)])  # fmt: skip
    for line in statement.lines:
        writer.writerow([
            f"{clock.local_time(line.when):%d/%m/%Y}", line.story, line.reason, line.reference,
            pounds(line.available_change_pence), pounds(line.committed_change_pence),
            pounds(line.available_after_pence),
        ])  # fmt: skip
    closing = [pounds(statement.closing_committed_pence), pounds(statement.closing_available_pence)]
    writer.writerow([f"{statement.end:%d/%m/%Y}", "Closing balance", "", "", "", *closing])
    return response


@login_required
def budget_alert(request: HttpRequest, code: str) -> HttpResponse:
    budget = _budget_or_404(request, code)
    if budget is None:
        return _not_found(request)
    pence = budget.alert_threshold_pence
    initial = {"threshold": None if pence is None else Decimal(pence) / 100}
    form = AlertForm(posted(request), initial=initial)
    if response := form_submit(
        request,
        form,
        lambda data: alerts.budget_alert_set(
            actor=request.user,
            budget=budget,
            threshold_pence=None if data["threshold"] is None else pounds_to_pence(data["threshold"]),
        ),
        success_message="Your budget alert has been saved.",
        redirect_to=_detail_url(budget),
        default_field="threshold",
    ):
        return response
    return render(request, "marketplace/budget_alert.html", {"budget": budget, "form": form}, status=form_status(form))


@login_required
def budget_topup(request: HttpRequest, code: str) -> HttpResponse:
    budget = _budget_or_404(request, code)
    if budget is None:
        return _not_found(request)
    form = TopUpForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: topups.budget_topup(
            actor=request.user,
            budget=budget,
            amount_pence=pounds_to_pence(data["amount"]),
            idempotency_key=data["idempotency_key"],
        ),
        success_message=lambda topup: (
            f"Thank you. Your payment ({topup.get_status_display().lower()}) has been recorded."
        ),
        redirect_to=_detail_url(budget),
        default_field="amount",
    ):
        return response
    return render(request, "marketplace/budget_topup.html", {"budget": budget, "form": form}, status=form_status(form))


def _detail_url(budget: Budget) -> str:
    return reverse("marketplace:budget-detail", kwargs={"code": budget.code})


# --- The council's pages ------------------------------------------------------------------------
# Every commissioner of the funding council sees its budgets (404 for anyone else, another
# council's care managers included); only its care managers (the "manager" role) change them:
# for the others the pages that change money answer 403, as they may see the budget exists.


def _council_budget_or_404(request: HttpRequest, code: str) -> Budget | None:
    try:
        return selectors.budget_get_for_council_user(user=request.user, code=code)
    except NotFound:
        return None


def _require_manager(request: HttpRequest, budget: Budget) -> None:
    if not can(request.user, Action.COUNCIL_MANAGE, budget):
        raise PermissionDenied("Only the council's care managers can change its budgets.")


def _council_detail_url(budget: Budget) -> str:
    return reverse("marketplace:council-budget-detail", kwargs={"code": budget.code})


@login_required
def council_budget_list(request: HttpRequest) -> HttpResponse:
    find = request.GET.get("find", "").strip()[:254]
    context = {
        "councils": selectors.council_list_for_user(user=request.user),
        "can_set_up": selectors.council_list_for_user(user=request.user, manage=True).exists(),
        "budgets": selectors.budget_list_for_council_user(user=request.user, find=find)[:200],
        "find": find,
    }
    return render(request, "marketplace/council/budget_list.html", context)


@login_required
def council_budget_new(request: HttpRequest) -> HttpResponse:
    """Set up a budget: find the person (GET `find`), then choose kind, period and funding (POST)."""
    councils = selectors.council_list_for_user(user=request.user, manage=True)
    if not councils.exists():
        raise PermissionDenied("Only council care managers can set up budgets.")
    find_form = PersonFindForm(request.GET if "find" in request.GET else None)
    person = None
    if find_form.is_valid():
        person = selectors.person_find_for_council(user=request.user, find=find_form.cleaned_data["find"])
        if person is None:
            find_form.add_error(
                "find",
                "Nobody on CareHub has that e-mail address, and no budget of your council has that reference. "
                "Check it, or ask the person to create a CareHub account.",
            )
    form = BudgetSetupForm(posted(request), councils=councils, initial={"person": person.code if person else None})
    if response := form_submit(
        request,
        form,
        lambda data: services.budget_setup(
            actor=request.user,
            person=data["person"],
            funder=data["funder"],
            kind=data["kind"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            council_reference=data["council_reference"],
            amount_pence=None if data["amount"] is None else pounds_to_pence(data["amount"]),
            idempotency_key=data["idempotency_key"],
        ),
        success_message=lambda budget: f"The budget for {budget.person.display_name} is set up.",
        redirect_to=_council_detail_url,
        default_field="period_start",
    ):
        return response
    if form.is_bound:
        # After a refused POST, the person chosen on the form (None if the code was not a person's).
        person = getattr(form, "cleaned_data", {}).get("person")
    context = {
        "find_form": find_form,
        "form": form,
        "person": person,
        "summary_form": form if form.errors else find_form,
        "error_message": bool(find_form.errors),
    }
    status = 400 if form.errors or find_form.errors else 200
    return render(request, "marketplace/council/budget_new.html", context, status=status)


@login_required
def council_budget_detail(request: HttpRequest, code: str) -> HttpResponse:
    budget = _council_budget_or_404(request, code)
    if budget is None:
        return _not_found(request)
    context = {
        "budget": budget,
        "summary": selectors.budget_summary(budget=budget),
        "can_manage": can(request.user, Action.COUNCIL_MANAGE, budget),
    }
    return render(request, "marketplace/council/budget_detail.html", context)


@login_required
def council_budget_statement(request: HttpRequest, code: str) -> HttpResponse:
    """The statement the person sees (the same selector and CSV), for the funding council."""
    budget = _council_budget_or_404(request, code)
    if budget is None:
        return _not_found(request)
    return _statement_page(request, budget, "marketplace/council/budget_statement.html")


@login_required
def council_budget_allocate(request: HttpRequest, code: str) -> HttpResponse:
    budget = _council_budget_or_404(request, code)
    if budget is None:
        return _not_found(request)
    _require_manager(request, budget)
    today = min(max(clock.today(), budget.period_start), budget.period_end)
    form = AllocateForm(posted(request), initial={"effective_on": today.isoformat()})
    if response := form_submit(
        request,
        form,
        lambda data: services.budget_allocate(
            actor=request.user,
            budget=budget,
            amount_pence=pounds_to_pence(data["amount"]),
            effective_on=data["effective_on"],
            memo=data["memo"],
            idempotency_key=data["idempotency_key"],
        ),
        success_message=lambda _: f"{format_pence(pounds_to_pence(form.cleaned_data['amount']))} has been allocated.",
        redirect_to=_council_detail_url(budget),
        default_field="amount",
    ):
        return response
    context = {"budget": budget, "form": form}
    return render(request, "marketplace/council/budget_allocate.html", context, status=form_status(form))


@login_required
def council_budget_adjust(request: HttpRequest, code: str) -> HttpResponse:
    budget = _council_budget_or_404(request, code)
    if budget is None:
        return _not_found(request)
    _require_manager(request, budget)
    form = AdjustForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: services.budget_adjust(
            actor=request.user,
            budget=budget,
            direction=data["direction"],
            amount_pence=pounds_to_pence(data["amount"]),
            reason=data["reason"],
            idempotency_key=data["idempotency_key"],
        ),
        success_message=lambda txn: (
            f"The budget has been {'reduced' if txn.reason == 'reduction' else 'increased'} "
            f"by {format_pence(pounds_to_pence(form.cleaned_data['amount']))}."
        ),
        redirect_to=_council_detail_url(budget),
        default_field="amount",
    ):
        return response
    context = {"budget": budget, "form": form}
    return render(request, "marketplace/council/budget_adjust.html", context, status=form_status(form))
