"""Payout pages: platform finance runs a batch, downloads it as CSV and records each payout
as paid or failed (after a confirmation page); a provider's members see what it is owed,
what is being paid and what was paid, payout by payout. Others get 404."""

from __future__ import annotations

import csv
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.permissions import is_platform_finance
from carehub import clock
from carehub.errors import NotFound
from carehub.forms import form_status, form_submit, posted
from carehub.money import format_pence, pounds
from marketplace.models import Payout, PayoutBatch
from marketplace.payouts import selectors, services
from marketplace.payouts.forms import PayoutFailedForm, PayoutPaidForm, PayoutRunForm


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


def _batch_url(batch: PayoutBatch) -> str:
    return reverse("marketplace:payout-batch-detail", kwargs={"code": batch.code})


@login_required
def payout_batch_list(request: HttpRequest) -> HttpResponse:
    """The finance page: what the next run would pay, the button that runs it, and past batches."""
    if not is_platform_finance(request.user):
        return _not_found(request)
    form = PayoutRunForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: services.payout_batch_create(
            actor=request.user, idempotency_key=data["idempotency_key"], allow_empty=False
        ),
        success_message=lambda batch: f"The payout batch is ready: {batch.payouts.count()} payments to make.",
        redirect_to=_batch_url,
    ):
        return response
    context = {
        "form": form,
        "ready": selectors.payouts_ready(user=request.user),
        "batches": selectors.payout_batch_list_for_user(user=request.user)[:100],
    }
    return render(request, "marketplace/payouts/batch_list.html", context, status=form_status(form))


@login_required
def payout_batch_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    try:
        batch = selectors.payout_batch_get_for_user(user=request.user, code=code)
    except NotFound:
        return _not_found(request)
    context = {"batch": batch, "payouts": selectors.payout_batch_lines(batch=batch)}
    return render(request, "marketplace/payouts/batch_detail.html", context)


@login_required
def payout_batch_csv(request: HttpRequest, code: UUID) -> HttpResponse:
    """The batch for the bank or council finance: pounds (carehub.money) and UK dates, with each
    payout's status as it is now."""
    try:
        batch = selectors.payout_batch_get_for_user(user=request.user, code=code)
    except NotFound:
        return _not_found(request)
    batch_date = clock.local_date(batch.created_at)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payout-batch-{batch_date:%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Payout reference",
            "Provider",
            "Provider reference",
            "Amount (£)",
            "Batch date",
            "Status",
            "Paid or failed on",
        ]
    )
    for payout in selectors.payout_batch_lines(batch=batch):
        writer.writerow(
            [
                payout.code,
                payout.provider.name,
                payout.provider.code,
                pounds(payout.amount_pence),
                f"{batch_date:%d/%m/%Y}",
                payout.get_status_display(),
                f"{clock.local_date(payout.completed_at):%d/%m/%Y}" if payout.completed_at else "",
            ]
        )
    return response


def _payout_result(request: HttpRequest, code: UUID, *, paid: bool) -> HttpResponse:
    """Record a payout as paid or failed: GET asks to confirm, POST records it (once per key)."""
    try:
        payout = selectors.payout_get_for_user(user=request.user, code=code)
    except NotFound:
        return _not_found(request)
    form = (PayoutPaidForm if paid else PayoutFailedForm)(posted(request))
    amount = format_pence(payout.amount_pence)

    def run(data: dict) -> Payout:
        if paid:
            return services.payout_mark_paid(actor=request.user, payout=payout, idempotency_key=data["idempotency_key"])
        return services.payout_mark_failed(
            actor=request.user, payout=payout, reason=data["reason"], idempotency_key=data["idempotency_key"]
        )

    done = f"The payment of {amount} to {payout.provider.name} is recorded as " + (
        "paid." if paid else "failed. The money is owed to them again and goes in the next payout run."
    )
    if response := form_submit(request, form, run, success_message=done, redirect_to=_batch_url(payout.batch)):
        return response
    context = {"payout": payout, "form": form, "paid": paid, "is_pending": payout.status == Payout.Status.PENDING}
    return render(request, "marketplace/payouts/payout_result.html", context, status=form_status(form))


@login_required
def payout_paid(request: HttpRequest, code: UUID) -> HttpResponse:
    return _payout_result(request, code, paid=True)


@login_required
def payout_failed(request: HttpRequest, code: UUID) -> HttpResponse:
    return _payout_result(request, code, paid=False)


@login_required
def provider_payouts(request: HttpRequest, code: UUID) -> HttpResponse:
    try:
        provider = selectors.provider_get_for_payouts(user=request.user, code=code)
    except NotFound:
        return _not_found(request)
    return render(request, "marketplace/payouts/provider.html", {"money": selectors.provider_money(provider=provider)})
