"""Vetting pages: a provider's checks and evidence uploads (provider members),
the officers' queue and decisions, and permission-checked evidence downloads.

Thin: look up through directory.vetting_selectors (404 for anything not the
user's), call one service, render."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import Action, can
from carehub.forms import form_status, form_submit, posted
from directory.models import VettingEvidence
from directory.models.vetting import CheckKind
from directory.uploads import evidence_file_response
from directory.vetting import selectors
from directory.vetting.checks import vetting_checks_applicable
from directory.vetting.forms import FIELDS_BY_KIND, VettingDecisionForm, VettingEvidenceForm
from directory.vetting.services import vetting_checks_request, vetting_evidence_decide, vetting_evidence_upload

# Which evidence each check needs, for the provider's page.
EVIDENCE_FOR_CHECK = {
    CheckKind.INSURANCE: VettingEvidence.Kind.INSURANCE,
    CheckKind.CRIMINAL_RECORD: VettingEvidence.Kind.CRIMINAL_RECORD,
    CheckKind.REFERENCES: VettingEvidence.Kind.REFERENCE,
    CheckKind.IDENTITY: VettingEvidence.Kind.IDENTITY,
    CheckKind.TRAINING: VettingEvidence.Kind.TRAINING,
    CheckKind.QUALITY_MARK: VettingEvidence.Kind.QUALITY_MARK,
}


@login_required
def vetting_provider(request: HttpRequest, code: UUID) -> HttpResponse:
    provider = selectors.vetting_provider_get_for_user(user=request.user, code=code)
    kinds = vetting_checks_applicable(provider)
    checks = list(selectors.vetting_check_list(provider=provider))
    current = {c.kind: c for c in checks if c.is_current}
    context = {
        "provider": provider,
        "vetting": selectors.provider_vetting_of(provider),
        "public": selectors.vetting_public(provider),
        "needed": [
            {
                "kind": k,
                "label": CheckKind(k).label,
                "check": current.get(k),
                "evidence_kind": EVIDENCE_FOR_CHECK.get(k),
            }
            for k in kinds
        ],
        "history": [c for c in checks if not c.is_current][:50],
        "evidence": selectors.vetting_evidence_list(provider=provider),
        "is_member": can(request.user, Action.PROVIDER_MANAGE, provider),
    }
    return render(request, "directory/vetting/provider.html", context)


@require_POST
@login_required
def vetting_provider_check(request: HttpRequest, code: UUID) -> HttpResponse:
    provider = selectors.vetting_provider_get_for_user(user=request.user, code=code)
    vetting_checks_request(actor=request.user, provider=provider)
    messages.success(request, "The checks have run. Results that need an officer may take a few days.")
    return redirect("directory:vetting-provider", code=provider.code)


@login_required
def vetting_evidence_add(request: HttpRequest, code: UUID, kind: str) -> HttpResponse:
    provider = selectors.vetting_provider_get_for_user(user=request.user, code=code)
    if kind not in FIELDS_BY_KIND or not can(request.user, Action.PROVIDER_MANAGE, provider):
        raise Http404("No such page")
    form = VettingEvidenceForm(posted(request), request.FILES or None, kind=kind)
    if response := form_submit(
        request,
        form,
        lambda data: vetting_evidence_upload(actor=request.user, provider=provider, kind=kind, **data),
        success_message="Thank you. We have your evidence and will check it.",
        redirect_to=reverse("directory:vetting-provider", kwargs={"code": provider.code}),
        default_field="file",
    ):
        return response
    context = {"provider": provider, "form": form, "kind_label": VettingEvidence.Kind(kind).label}
    return render(request, "directory/vetting/evidence_form.html", context, status=form_status(form))


@login_required
def vetting_evidence_file(request: HttpRequest, code: UUID) -> FileResponse:
    """Served only through this view (MEDIA_ROOT has no URL): the provider's members and vetting officers."""
    evidence = selectors.vetting_evidence_get_for_user(user=request.user, code=code)
    name = f"{evidence.get_kind_display()}{evidence.extension}".replace(" ", "-").lower()
    return evidence_file_response(evidence.file, download_name=name)


@login_required
def vetting_queue(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VETTING_REVIEW):
        raise Http404("No such page")
    return render(
        request, "directory/vetting/queue.html", {"queue": selectors.vetting_evidence_queue(user=request.user)}
    )


@login_required
def vetting_evidence_review(request: HttpRequest, code: UUID) -> HttpResponse:
    if not can(request.user, Action.VETTING_REVIEW):
        raise Http404("No such page")
    evidence = selectors.vetting_evidence_get_for_user(user=request.user, code=code)
    if evidence.review != VettingEvidence.Review.PENDING:  # already decided: show it, decide nothing
        status = 409 if request.method == "POST" else 200
        return render(request, "directory/vetting/review.html", {"evidence": evidence}, status=status)
    form = VettingDecisionForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: vetting_evidence_decide(
            actor=request.user, evidence=evidence, approve=data["decision"] == "approve", reason=data["reason"]
        ),
        success_message=lambda decided: (
            f"{'Approved' if decided.review == VettingEvidence.Review.APPROVED else 'Rejected'}: "
            f"{evidence.get_kind_display()} of {evidence.provider.name}."
        ),
        redirect_to="directory:vetting-queue",
        default_field="reason",
    ):
        return response
    context = {"evidence": evidence, "form": form}
    return render(request, "directory/vetting/review.html", context, status=form_status(form))
