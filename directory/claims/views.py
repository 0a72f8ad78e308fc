"""Pages for claiming a listing and the vetting officers' claims queue.

Thin: parse the form, call one selector or service, render. Claims are looked up
through the `*_for_officer` selectors, which 404 for anyone else.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import Action, can
from carehub.forms import form_status, form_submit, posted
from directory.claims import selectors, services
from directory.claims.forms import ClaimDecisionForm, ClaimForm
from directory.models import ListingClaim
from directory.uploads import evidence_file_response


@login_required
def claim_create(request: HttpRequest, code: UUID) -> HttpResponse:
    service = selectors.service_get_claimable(code=code)
    if services.provider_is_claimed(service.provider):
        context = {"service": service, "registration": service.registration, "claimed": True}
        return render(request, "directory/claims/claim_form.html", context, status=409)
    form = ClaimForm(posted(request), request.FILES or None)
    if response := form_submit(
        request,
        form,
        lambda data: services.listing_claim_create(actor=request.user, service=service, **data),
        success_message="Thank you. A vetting officer will check your evidence and reply by email.",
        redirect_to="directory:portal-home",
    ):
        return response
    context = {"form": form, "service": service, "registration": service.registration}
    return render(request, "directory/claims/claim_form.html", context, status=form_status(form))


@login_required
def claim_queue(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VETTING_REVIEW):
        raise Http404("No such page")
    claims = selectors.claim_list_for_officer(user=request.user)
    return render(request, "directory/claims/queue.html", {"claims": claims})


@login_required
def claim_review(request: HttpRequest, code: UUID) -> HttpResponse:
    claim = selectors.claim_get_for_officer(user=request.user, code=code)
    form = ClaimDecisionForm(posted(request))

    def decide(data: dict[str, Any]) -> ListingClaim:
        if data["decision"] == "approve":
            return services.listing_claim_approve(actor=request.user, claim=claim)
        return services.listing_claim_reject(actor=request.user, claim=claim, reason=data["reason"])

    if response := form_submit(
        request,
        form,
        decide,
        success_message=lambda decided: (
            f"{claim.claimant.full_name} is now the owner of {claim.provider.name}."
            if decided.status == ListingClaim.Status.APPROVED
            else f"The claim by {claim.claimant.full_name} was rejected."
        ),
        redirect_to="directory:claim-queue",
    ):
        return response
    return render(request, "directory/claims/review.html", {"claim": claim, "form": form}, status=form_status(form))


@login_required
def claim_evidence(request: HttpRequest, code: UUID) -> FileResponse:
    """Evidence is served only through this permission-checked view (MEDIA_ROOT has no URL)."""
    claim = selectors.claim_get_for_officer(user=request.user, code=code)
    return evidence_file_response(claim.evidence)
