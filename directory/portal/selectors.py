"""Reads for the provider portal, scoped to the user in SQL.

`*_get_for_*` raise Http404 both when the object is missing and when it is not
the user's, so nothing leaks (not even whether a draft exists).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict

from django.db.models import Max, QuerySet
from django.http import Http404

from accounts.permissions import Action, can
from carehub import clock
from directory.claims.selectors import claim_count_for_officer, claim_list_for_claimant
from directory.models import (
    AvailabilityException,
    AvailabilityWindow,
    ListingClaim,
    Provider,
    Service,
    ServiceConfirmation,
    ServiceEdit,
)

CONFIRM_EVERY = timedelta(days=183)


def provider_list_for_member(*, user: Any) -> QuerySet[Provider]:
    if not getattr(user, "is_authenticated", False):
        return Provider.objects.none()
    return Provider.objects.filter(memberships__user=user).distinct().order_by("name")


class PortalHome(TypedDict):
    providers: QuerySet[Provider]
    claims: QuerySet[ListingClaim]
    claims_waiting: int | None


def portal_home_for_user(*, user: Any) -> PortalHome:
    """The portal's first page: the user's providers, the listings they claimed and, for
    vetting officers, how many claims wait for a decision."""
    return {
        "providers": provider_list_for_member(user=user),
        "claims": claim_list_for_claimant(user=user),
        "claims_waiting": claim_count_for_officer(user=user),
    }


def provider_get_for_member(*, user: Any, code: Any) -> Provider:
    provider = provider_list_for_member(user=user).filter(code=code).first()
    if provider is None:
        raise Http404("No such provider")
    return provider


def service_list_for_member(*, user: Any, provider: Provider) -> QuerySet[Service]:
    """Every listing of the provider, drafts included, with when each was last confirmed."""
    if not can(user, Action.PROVIDER_MANAGE, provider):
        return Service.objects.none()
    return (
        Service.objects.filter(provider=provider)
        .select_related("registration")
        .annotate(last_confirmed_at=Max("confirmations__confirmed_at"))
        .order_by("name", "id")
    )


def service_list_for_user(*, user: Any) -> QuerySet[Service]:
    """The listings of every provider the user belongs to, drafts included."""
    return (
        Service.objects.filter(provider__in=provider_list_for_member(user=user))
        .select_related("provider", "registration")
        .order_by("provider__name", "name", "id")
    )


def service_get_for_member(*, user: Any, code: Any) -> Service:
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such service")
    service = (
        Service.objects.select_related("provider", "registration")
        .filter(code=code, provider__memberships__user=user)
        .distinct()
        .first()
    )
    if service is None:
        raise Http404("No such service")
    return service


def service_edit_history(*, service: Service) -> QuerySet[ServiceEdit]:
    return ServiceEdit.objects.filter(service=service).select_related("actor")


def provider_edit_history(*, provider: Provider) -> QuerySet[ServiceEdit]:
    return ServiceEdit.objects.filter(provider=provider, service__isnull=True).select_related("actor")


def service_last_confirmed(*, service: Service) -> ServiceConfirmation | None:
    return ServiceConfirmation.objects.filter(service=service).select_related("confirmed_by").first()


def service_needs_confirming(last_confirmed_at: Any, created_at: Any) -> bool:
    """Flagged (never hidden) when nobody at the provider confirmed the details for 6 months."""
    return (last_confirmed_at or created_at) < clock.now() - CONFIRM_EVERY


def availability_windows(*, service: Service) -> QuerySet[AvailabilityWindow]:
    return AvailabilityWindow.objects.filter(service=service)


def availability_exceptions(*, service: Service) -> QuerySet[AvailabilityException]:
    """Today's and future exceptions only: past ones no longer matter to anyone."""
    return AvailabilityException.objects.filter(service=service, date__gte=clock.today())
