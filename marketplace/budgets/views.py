"""'My budget' pages for a person and the carers they let see it."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.permissions import Action, can
from carehub.errors import NotFound
from carehub.forms import form_status, form_submit, posted
from carehub.money import pounds_to_pence
from marketplace.budgets import selectors, services
from marketplace.budgets.api import statement_csv
from marketplace.budgets.forms import AlertForm, StatementForm, TopUpForm
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
    form = StatementForm(request.GET)
    statement = None
    if form.is_valid():
        statement = selectors.budget_statement(
            budget=budget, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
        )
        if request.GET.get("output") == "csv":
            return statement_csv(statement)
    return render(
        request,
        "marketplace/budget_statement.html",
        {"budget": budget, "form": form, "statement": statement},
        status=form_status(form),
    )


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
        lambda data: services.budget_alert_set(
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
        lambda data: services.budget_topup(
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
