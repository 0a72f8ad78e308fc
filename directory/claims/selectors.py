"""Reads for claims: the officers' queue and a claimant's own claims."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.permissions import Action, can
from directory.models import ListingClaim, Service
from directory.registers.display import service_registration


def claim_list_for_officer(*, user: Any, status: str = ListingClaim.Status.PENDING) -> QuerySet[ListingClaim]:
    if not can(user, Action.VETTING_REVIEW):
        return ListingClaim.objects.none()
    return (
        ListingClaim.objects.filter(status=status)
        .select_related("provider", "service", "claimant", "decided_by")
        .order_by("created_at", "id")
    )


def claim_count_for_officer(*, user: Any) -> int | None:
    """How many claims wait for a decision; None for anyone who may not decide them."""
    if not can(user, Action.VETTING_REVIEW):
        return None
    return claim_list_for_officer(user=user).count()


def claim_get_for_officer(*, user: Any, code: Any) -> ListingClaim:
    claim = (
        ListingClaim.objects.select_related("provider", "service", "claimant", "decided_by").filter(code=code).first()
        if can(user, Action.VETTING_REVIEW)
        else None
    )
    if claim is None:
        raise Http404("No such claim")
    return claim


def service_get_claimable(*, code: Any) -> Service:
    """A published, registered listing that someone may claim; Http404 for any other."""
    service = Service.objects.select_related("provider", "registration").filter(code=code).first()
    if service is None or service.status != Service.Status.PUBLISHED or service_registration(service) is None:
        raise Http404("No such listing")
    return service


def claim_list_for_claimant(*, user: Any) -> QuerySet[ListingClaim]:
    if not getattr(user, "is_authenticated", False):
        return ListingClaim.objects.none()
    return ListingClaim.objects.filter(claimant=user).select_related("provider").order_by("-created_at")
