from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import CarerLink, PersonProfile, ProviderMembership, User
from accounts.permissions import role_labels


def person_for_user(*, user: User) -> PersonProfile | None:
    """The user's own person profile; None for someone who does not use care (a carer, provider staff)."""
    return PersonProfile.objects.filter(user=user).first()


def carer_links_for_person(*, user: User) -> QuerySet[CarerLink]:
    return CarerLink.objects.filter(person__user=user).select_related("carer").order_by("-requested_at")


def carer_link_get_for_person(*, user: User, code: Any) -> CarerLink:
    """One of the person's carer links; Http404 both when it does not exist and when it is someone else's."""
    link = carer_links_for_person(user=user).filter(code=code).first()
    if link is None:
        raise Http404("No such carer link")
    return link


def carer_links_for_carer(*, user: User) -> QuerySet[CarerLink]:
    return CarerLink.objects.filter(carer=user).select_related("person__user").order_by("-requested_at")


def people_user_may_act_for(*, user: User, scope_field: str = "can_view") -> QuerySet[PersonProfile]:
    """The person's own profile plus everyone who gave this user the scope."""
    own = PersonProfile.objects.filter(user=user)
    linked = PersonProfile.objects.filter(
        carer_links__carer=user, carer_links__status=CarerLink.Status.ACTIVE, **{f"carer_links__{scope_field}": True}
    )
    return (own | linked).distinct().select_related("user")


def postcode_for_search(*, user: User) -> str:
    """The postcode "Find care" starts from: the person's own, else that of the person who first
    let this carer see their affairs; blank for anyone else. One query."""
    if not user.is_authenticated:
        return ""
    people = people_user_may_act_for(user=user).exclude(postcode="").order_by("pk")
    own = next((p.postcode for p in people if p.user_id == user.pk), None)
    return own or next((p.postcode for p in people), "")


def provider_ids_for_member(*, user: User) -> QuerySet[ProviderMembership]:
    """The providers this user belongs to, as a subquery of ``provider_id`` values."""
    return ProviderMembership.objects.filter(user=user).values("provider_id")


# Who to tell. Every app that notifies "the person's side" or "a provider" asks here, so a
# change to who counts (a new carer scope, a suspended member) is made once.


def person_side_users(*, person: PersonProfile) -> QuerySet[User]:
    """The person and the carers they let see their affairs (an active link with `can_view`)."""
    carers = CarerLink.objects.filter(person=person, status=CarerLink.Status.ACTIVE, can_view=True)
    return User.objects.filter(Q(pk=person.user_id) | Q(pk__in=carers.values("carer_id"))).order_by("pk")


def provider_member_users(*, provider_id: int) -> QuerySet[User]:
    """Everyone who works for the provider (owners and staff; one membership each)."""
    return User.objects.filter(provider_memberships__provider_id=provider_id).order_by("pk")


# Where sign-in lands when no ?next= is given: the first role's page in this order.
LANDING_BY_ROLE = (
    ("Vetting officer", "directory:vetting-queue"),
    ("Commissioner", "commissioning:home"),
    ("Provider", "marketplace:booking-inbox"),
    ("Person using care", "marketplace:booking-list"),
    ("Carer", "marketplace:booking-list"),
)


def landing_url_name(*, user: User) -> str:
    """The page a user lands on after signing in: the vetting officer's queue, the commissioner's
    dashboard, the provider's booking requests, the person's (or carer's) bookings and budget;
    anyone else their account page."""
    roles = role_labels(user)
    return next((name for role, name in LANDING_BY_ROLE if role in roles), "accounts:profile")
