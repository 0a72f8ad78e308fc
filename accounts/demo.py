"""Demo accounts for `manage.py seed_demo`: one per role. Idempotent."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import (
    VETTING_OFFICERS_GROUP,
    CarerLink,
    CommissionerMembership,
    PersonProfile,
    ProviderMembership,
    User,
)
from carehub import clock

DEMO_PASSWORD = "carehub-demo-password"  # noqa: S105  # nosec B105  # published demo login, development data only

DEMO_USERS = {
    "person": ("alex.morgan@example.com", "Alex Morgan", "Person who uses care"),
    "carer": ("sam.morgan@example.com", "Sam Morgan", "Carer (acts for Alex)"),
    "provider": ("priya.shah@example.com", "Priya Shah", "Provider owner"),
    "commissioner": ("chris.reid@example.com", "Chris Reid", "Council commissioner"),
    "vetting": ("val.okafor@example.com", "Val Okafor", "Vetting officer"),
    "admin": ("admin@example.com", "Ada Admin", "Administrator"),
}


def _user(key: str, **extra: Any) -> User:
    email, name, _ = DEMO_USERS[key]
    return demo_user(email=email, full_name=name, **extra)


@functools.cache
def _demo_password_hash(default_hasher: str) -> str:
    # Hashed once per run (and default hasher, the cache key): each Argon2 hash costs about a
    # third of a second of CPU and 100 MB, ten of them a noticeable part of `make run`. One
    # salt for every demo account is fine for a password printed on the console.
    return make_password(DEMO_PASSWORD)


def demo_user(*, email: str, full_name: str, **extra: Any) -> User:
    """A demo account (the demo password), created once."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name, **extra)
        user.password = _demo_password_hash(settings.PASSWORD_HASHERS[0])
        user.save(update_fields=["password"])
    return user


def demo_person(*, email: str, full_name: str, postcode: str) -> PersonProfile:
    """A demo-only person who uses care (other reviewers in the demo), created once."""
    user = demo_user(email=email, full_name=full_name)
    return PersonProfile.objects.get_or_create(user=user, defaults={"postcode": postcode})[0]


@transaction.atomic
def seed(*, provider: Any, council: Any) -> dict[str, User]:
    users = {
        "person": _user("person"),
        "carer": _user("carer"),
        "provider": _user("provider"),
        "commissioner": _user("commissioner"),
        "vetting": _user("vetting", is_staff=True),
        "admin": _user("admin", is_staff=True, is_superuser=True),
    }
    person, _ = PersonProfile.objects.get_or_create(
        user=users["person"], defaults={"postcode": "G12 8QQ", "communication_needs": "Large print, please."}
    )
    if not CarerLink.objects.filter(carer=users["carer"], person=person).exists():
        CarerLink.objects.create(
            carer=users["carer"],
            person=person,
            relationship="son",
            status=CarerLink.Status.ACTIVE,
            can_view=True,
            can_book=True,
            can_manage_budget=True,
            consented_at=clock.now(),
        )
    ProviderMembership.objects.get_or_create(
        user=users["provider"], provider=provider, defaults={"role": ProviderMembership.Role.OWNER}
    )
    CommissionerMembership.objects.get_or_create(
        user=users["commissioner"], council=council, defaults={"role": CommissionerMembership.Role.MANAGER}
    )
    group, _ = Group.objects.get_or_create(name=VETTING_OFFICERS_GROUP)
    users["vetting"].groups.add(group)
    return users
