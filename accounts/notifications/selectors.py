"""Who is told about what: the recipients senders pass to notify()."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import CarerLink, PersonProfile, User


def recipients_for_person(*, person: PersonProfile) -> list[User]:
    """The person and every carer whose active link lets them see the person's affairs."""
    links = CarerLink.objects.filter(person=person, status=CarerLink.Status.ACTIVE, can_view=True)
    return [person.user, *(link.carer for link in links.select_related("carer").order_by("pk"))]


def recipients_for_provider(*, provider_id: int) -> QuerySet[User]:
    """The provider's members (owners and staff)."""
    return User.objects.filter(provider_memberships__provider_id=provider_id).distinct().order_by("pk")
