"""The one place that answers "may user U do action A to object O".

Objects from higher apps are recognised by their attributes, never imported
(accounts sits below every other app): anything with `provider_id` belongs
to a provider, anything with `person_id` to a person, anything with
`council_id` to a council. Services and selectors call `can` or `require`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser

from accounts.models import (
    VETTING_OFFICERS_GROUP,
    CarerLink,
    CommissionerMembership,
    PersonProfile,
    ProviderMembership,
    User,
)
from carehub.errors import NotPermitted


class Action(StrEnum):
    PERSON_VIEW = "person.view"  # see a person's bookings, budget and messages
    PERSON_BOOK = "person.book"  # book care for the person
    PERSON_MANAGE_BUDGET = "person.manage_budget"  # move money, set alerts
    PERSON_MANAGE_CARERS = "person.manage_carers"  # only the person themselves
    PROVIDER_MANAGE = "provider.manage"  # edit listings, accept bookings, reply
    PROVIDER_MANAGE_MEMBERS = "provider.manage_members"  # invite or remove staff
    COUNCIL_VIEW = "council.view"  # commissioner dashboards for that council
    COUNCIL_MANAGE = "council.manage"  # allocate budgets for that council
    VETTING_REVIEW = "vetting.review"  # vetting queue, claims, evidence
    MODERATE = "moderate"  # review moderation


_CARER_SCOPE = {
    Action.PERSON_VIEW: "can_view",
    Action.PERSON_BOOK: "can_book",
    Action.PERSON_MANAGE_BUDGET: "can_manage_budget",
}


def _object_id(obj: Any, attr: str, label: str) -> int | None:
    if obj is None:
        return None
    if getattr(getattr(obj, "_meta", None), "label", None) == label:
        return obj.pk
    return getattr(obj, attr, None)


def is_platform_finance(user: User | AnonymousUser) -> bool:
    """Platform finance staff (superusers) run payouts and may act on any budget."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_vetting_officer(user: User | AnonymousUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.is_staff and user.groups.filter(name=VETTING_OFFICERS_GROUP).exists())


def carer_has_scope(user: User, person_id: int, scope_field: str) -> bool:
    return CarerLink.objects.filter(
        carer=user, person_id=person_id, status=CarerLink.Status.ACTIVE, **{scope_field: True}
    ).exists()


def can(user: User | AnonymousUser | None, action: Action | str, obj: Any = None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    action = Action(action)
    if action in _CARER_SCOPE or action is Action.PERSON_MANAGE_CARERS:
        person_id = _object_id(obj, "person_id", "accounts.PersonProfile")
        if person_id is None:
            return False
        if PersonProfile.objects.filter(pk=person_id, user=user).exists():
            return True
        if action is Action.PERSON_MANAGE_CARERS:
            return False
        return carer_has_scope(user, person_id, _CARER_SCOPE[action])
    if action in (Action.PROVIDER_MANAGE, Action.PROVIDER_MANAGE_MEMBERS):
        provider_id = _object_id(obj, "provider_id", "directory.Provider")
        if provider_id is None:
            return False
        memberships = ProviderMembership.objects.filter(user=user, provider_id=provider_id)
        if action is Action.PROVIDER_MANAGE_MEMBERS:
            memberships = memberships.filter(role=ProviderMembership.Role.OWNER)
        return memberships.exists()
    if action in (Action.COUNCIL_VIEW, Action.COUNCIL_MANAGE):
        council_id = _object_id(obj, "council_id", "directory.Council")
        if council_id is None:
            return False
        memberships = CommissionerMembership.objects.filter(user=user, council_id=council_id)
        if action is Action.COUNCIL_MANAGE:
            memberships = memberships.filter(role=CommissionerMembership.Role.MANAGER)
        return memberships.exists()
    if action in (Action.VETTING_REVIEW, Action.MODERATE):
        return is_vetting_officer(user)
    return False  # pragma: no cover - every Action is handled above


def require(user: User | AnonymousUser | None, action: Action | str, obj: Any = None) -> None:
    """Raise NotPermitted unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        raise NotPermitted("You do not have permission to do that.")


def role_labels(user: User | AnonymousUser) -> list[str]:
    """Plain-English roles for the page header ("Person using care", "Carer"...)."""
    if not user.is_authenticated:
        return []
    labels = []
    if PersonProfile.objects.filter(user=user).exists():
        labels.append("Person using care")
    if CarerLink.objects.filter(carer=user, status=CarerLink.Status.ACTIVE).exists():
        labels.append("Carer")
    if ProviderMembership.objects.filter(user=user).exists():
        labels.append("Provider")
    if CommissionerMembership.objects.filter(user=user).exists():
        labels.append("Commissioner")
    if is_vetting_officer(user):
        labels.append("Vetting officer")
    elif user.is_staff:
        labels.append("Staff")
    return labels
