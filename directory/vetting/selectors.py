"""Reads for vetting pages and the API: what officers must review, a provider's
evidence and checks, and the status people see on results and service pages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import Action, can
from carehub import clock
from directory.models import Provider, ProviderVetting, VettingCheck, VettingEvidence


def vetting_evidence_queue(*, user: User) -> QuerySet[VettingEvidence]:
    """Evidence waiting for an officer, oldest first; empty for anyone who is not a vetting officer."""
    if not can(user, Action.VETTING_REVIEW):
        return VettingEvidence.objects.none()
    return (
        VettingEvidence.objects.filter(review=VettingEvidence.Review.PENDING)
        .select_related("provider", "uploaded_by")
        .order_by("uploaded_at", "pk")
    )


def vetting_evidence_get_for_user(*, user: User, code: UUID) -> VettingEvidence:
    """Evidence for the provider's members and vetting officers; 404 for everyone else, so nothing leaks."""
    evidence = (
        VettingEvidence.objects.select_related("provider", "uploaded_by", "reviewed_by").filter(code=code).first()
    )
    if evidence is None or not (
        can(user, Action.VETTING_REVIEW) or can(user, Action.PROVIDER_MANAGE, evidence.provider)
    ):
        raise Http404("No such evidence")
    return evidence


def vetting_provider_get_for_user(*, user: User, code: UUID) -> Provider:
    """A provider's vetting page: for its members and vetting officers; 404 otherwise."""
    provider = Provider.objects.filter(code=code).first()
    if provider is None or not (can(user, Action.VETTING_REVIEW) or can(user, Action.PROVIDER_MANAGE, provider)):
        raise Http404("No such provider")
    return provider


def vetting_check_list(*, provider: Provider) -> QuerySet[VettingCheck]:
    return VettingCheck.objects.filter(provider=provider).prefetch_related("evidence").order_by("kind", "-checked_at")


def vetting_evidence_list(*, provider: Provider) -> QuerySet[VettingEvidence]:
    return VettingEvidence.objects.filter(provider=provider).select_related("uploaded_by")


def provider_vetting_of(provider: Provider) -> ProviderVetting | None:
    try:
        return provider.vetting
    except ObjectDoesNotExist:
        return None


def vetting_public(provider: Provider) -> dict[str, Any] | None:
    """What people see: None unless the provider is vetted today, else the date and what was checked when."""
    vetting = provider_vetting_of(provider)
    today = clock.today()
    if vetting is None or vetting.vetted_at is None:
        return None
    if vetting.valid_until is not None and vetting.valid_until <= today:
        return None
    return {
        "vetted": True,
        "vetted_on": clock.local_date(vetting.vetted_at).isoformat(),
        "checks": [{"kind": c["kind"], "label": c["label"], "checked_on": c["checked_on"]} for c in vetting.checks],
    }


def vetted_q(prefix: str = "provider__") -> Q:
    """Providers vetted today, in SQL (the cached ProviderVetting row)."""
    today = clock.today()
    return Q(**{f"{prefix}vetting__vetted_at__isnull": False}) & (
        Q(**{f"{prefix}vetting__valid_until__isnull": True}) | Q(**{f"{prefix}vetting__valid_until__gt": today})
    )
