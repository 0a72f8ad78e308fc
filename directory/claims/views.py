"""Pages for claiming a listing and the vetting officers' claims queue.

Thin: parse the form, call one selector or service, render. Claims are looked up
through the `*_for_officer` selectors, which 404 for anyone else.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.permissions import Action, can
from carehub.errors import DomainError
from carehub.forms import add_domain_error, form_status, posted
from directory.claims import selectors, services
from directory.claims.forms import ClaimDecisionForm, ClaimForm
from directory.models import Service
from directory.registers.display import service_registration
from directory.uploads import evidence_file_response


@login_required
def claim_create(request: HttpRequest, code: UUID) -> HttpResponse:
    service = Service.objects.select_related("provider", "registration").filter(code=code).first()
    if service is None or service.status != Service.Status.PUBLISHED or service_registration(service) is None:
        raise Http404("No such listing")
    if services.provider_is_claimed(service.provider):
        context = {"service": service, "registration": service.registration, "claimed": True}
        return render(request, "directory/claims/claim_form.html", context, status=409)
    form = ClaimForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_claim_create(actor=request.user, service=service, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Thank you. A vetting officer will check your evidence and reply by email.")
            return redirect("directory:portal-home")
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
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.listing_claim_approve(actor=request.user, claim=claim)
                messages.success(request, f"{claim.claimant.full_name} is now the owner of {claim.provider.name}.")
            else:
                services.listing_claim_reject(actor=request.user, claim=claim, reason=form.cleaned_data["reason"])
                messages.success(request, f"The claim by {claim.claimant.full_name} was rejected.")
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("directory:claim-queue")
    return render(request, "directory/claims/review.html", {"claim": claim, "form": form}, status=form_status(form))


@login_required
def claim_evidence(request: HttpRequest, code: UUID) -> FileResponse:
    """Evidence is served only through this permission-checked view (MEDIA_ROOT has no URL)."""
    claim = selectors.claim_get_for_officer(user=request.user, code=code)
    return evidence_file_response(claim.evidence)
