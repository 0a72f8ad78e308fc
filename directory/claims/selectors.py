"""Reads for claims: the officers' queue and a claimant's own claims."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.permissions import Action, can
from directory.models import ListingClaim


def claim_list_for_officer(*, user: Any, status: str = ListingClaim.Status.PENDING) -> QuerySet[ListingClaim]:
    if not can(user, Action.VETTING_REVIEW):
        return ListingClaim.objects.none()
    return (
        ListingClaim.objects.filter(status=status)
        .select_related("provider", "service", "claimant", "decided_by")
        .order_by("created_at", "id")
    )


def claim_get_for_officer(*, user: Any, code: Any) -> ListingClaim:
    claim = (
        ListingClaim.objects.select_related("provider", "service", "claimant", "decided_by").filter(code=code).first()
        if can(user, Action.VETTING_REVIEW)
        else None
    )
    if claim is None:
        raise Http404("No such claim")
    return claim


def claim_list_for_claimant(*, user: Any) -> QuerySet[ListingClaim]:
    if not getattr(user, "is_authenticated", False):
        return ListingClaim.objects.none()
    return ListingClaim.objects.filter(claimant=user).select_related("provider").order_by("-created_at")
