"""Builders for accounts: make_<thing>(**overrides)."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import (
    VETTING_OFFICERS_GROUP,
    CarerLink,
    CommissionerMembership,
    PersonProfile,
    ProviderMembership,
    User,
)

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(**overrides: Any) -> User:
    n = next(_seq)
    fields = {"email": f"user{n}@example.com", "full_name": f"Test User {n}", "password": PASSWORD}
    fields.update(overrides)
    return User.objects.create_user(**fields)


def make_person(**overrides: Any) -> PersonProfile:
    user = overrides.pop("user", None) or make_user()
    return PersonProfile.objects.create(user=user, **{"postcode": "G12 8QQ", **overrides})


def make_carer_link(*, carer: User, person: PersonProfile, active: bool = True, **scopes: bool) -> CarerLink:
    fields: dict[str, Any] = {"can_view": True, "can_book": True, "can_manage_budget": True, **scopes}
    if active:
        fields.update(status=CarerLink.Status.ACTIVE, consented_at=timezone.now())
    return CarerLink.objects.create(carer=carer, person=person, **fields)


def make_provider_member(*, provider: Any, role: str = ProviderMembership.Role.OWNER, **user_fields: Any) -> User:
    user = make_user(**user_fields)
    ProviderMembership.objects.create(user=user, provider=provider, role=role)
    return user


def make_commissioner(*, council: Any, role: str = CommissionerMembership.Role.VIEWER, **user_fields: Any) -> User:
    user = make_user(**user_fields)
    CommissionerMembership.objects.create(user=user, council=council, role=role)
    return user


def make_vetting_officer(**user_fields: Any) -> User:
    user = make_user(is_staff=True, **user_fields)
    group, _ = Group.objects.get_or_create(name=VETTING_OFFICERS_GROUP)
    user.groups.add(group)
    return user


def make_api_token(*, user: User, scope: str = "read", name: str = "Test script") -> tuple[Any, str]:
    """A token and its secret, made through the service (as the account page does)."""
    from accounts.tokens.services import api_token_create

    return api_token_create(actor=user, name=name, scope=scope)
