"""The permission matrix: every role against objects that belong to someone else."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import CarerLink
from accounts.permissions import Action, can, require, role_labels
from accounts.tests import factories as af
from carehub.errors import NotPermitted

PERSON_ACTIONS = [Action.PERSON_VIEW, Action.PERSON_BOOK, Action.PERSON_MANAGE_BUDGET]


def _on_person(profile):
    return SimpleNamespace(person_id=profile.pk)  # a booking or budget of that person


@pytest.mark.parametrize("action", PERSON_ACTIONS + [Action.PERSON_MANAGE_CARERS])
def test_person_may_act_on_their_own_things(cast, action):
    assert can(cast.person.user, action, cast.person)
    assert can(cast.person.user, action, _on_person(cast.person))


@pytest.mark.parametrize("action", PERSON_ACTIONS + [Action.PERSON_MANAGE_CARERS])
def test_person_is_refused_on_another_persons_things(cast, action):
    assert not can(cast.person.user, action, cast.other_person)
    assert not can(cast.person.user, action, _on_person(cast.other_person))


@pytest.mark.parametrize("action", PERSON_ACTIONS)
def test_carer_with_scope_may_act_for_the_person(cast, action):
    assert can(cast.carer, action, _on_person(cast.person))


def test_carer_may_never_manage_the_persons_carers(cast):
    assert not can(cast.carer, Action.PERSON_MANAGE_CARERS, cast.person)


@pytest.mark.parametrize("action", PERSON_ACTIONS)
def test_carer_is_refused_for_someone_they_do_not_support(cast, action):
    assert not can(cast.carer, action, _on_person(cast.other_person))


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [
        ({"can_view": True, "can_book": False, "can_manage_budget": False}, {Action.PERSON_VIEW}),
        ({"can_view": True, "can_book": True, "can_manage_budget": False}, {Action.PERSON_VIEW, Action.PERSON_BOOK}),
        (
            {"can_view": True, "can_book": False, "can_manage_budget": True},
            {Action.PERSON_VIEW, Action.PERSON_MANAGE_BUDGET},
        ),
    ],
)
def test_carer_gets_only_the_scopes_the_person_granted(db, scopes, allowed):
    person = af.make_person()
    carer = af.make_user()
    af.make_carer_link(carer=carer, person=person, **scopes)
    for action in PERSON_ACTIONS:
        assert can(carer, action, person) is (action in allowed), action


@pytest.mark.parametrize("status", [CarerLink.Status.REQUESTED, CarerLink.Status.DECLINED, CarerLink.Status.REVOKED])
def test_carer_link_without_consent_grants_nothing(db, status):
    person = af.make_person()
    carer = af.make_user()
    link = af.make_carer_link(carer=carer, person=person, active=False)
    link.status = status
    link.save()
    for action in PERSON_ACTIONS:
        assert not can(carer, action, person)


@pytest.mark.parametrize("who", ["outsider", "provider_owner", "provider_staff", "commissioner", "vetting_officer"])
@pytest.mark.parametrize("action", PERSON_ACTIONS + [Action.PERSON_MANAGE_CARERS])
def test_nobody_else_may_act_on_a_persons_things(cast, who, action):
    assert not can(getattr(cast, who), action, cast.person)


def test_provider_members_manage_their_own_provider_only(cast):
    own = SimpleNamespace(provider_id=cast.provider.pk)  # e.g. one of its services
    other = SimpleNamespace(provider_id=cast.other_provider.pk)
    for member in (cast.provider_owner, cast.provider_staff):
        assert can(member, Action.PROVIDER_MANAGE, cast.provider)
        assert can(member, Action.PROVIDER_MANAGE, own)
        assert not can(member, Action.PROVIDER_MANAGE, cast.other_provider)
        assert not can(member, Action.PROVIDER_MANAGE, other)


def test_only_owners_manage_provider_members(cast):
    assert can(cast.provider_owner, Action.PROVIDER_MANAGE_MEMBERS, cast.provider)
    assert not can(cast.provider_staff, Action.PROVIDER_MANAGE_MEMBERS, cast.provider)
    assert not can(cast.provider_owner, Action.PROVIDER_MANAGE_MEMBERS, cast.other_provider)


@pytest.mark.parametrize("who", ["outsider", "carer", "commissioner", "vetting_officer"])
def test_non_members_may_not_manage_a_provider(cast, who):
    assert not can(getattr(cast, who), Action.PROVIDER_MANAGE, cast.provider)
    assert not can(getattr(cast, who), Action.PROVIDER_MANAGE_MEMBERS, cast.provider)


def test_commissioners_see_their_own_council_only(cast):
    assert can(cast.commissioner, Action.COUNCIL_VIEW, cast.council)
    assert can(cast.commissioner, Action.COUNCIL_VIEW, SimpleNamespace(council_id=cast.council.pk))
    assert not can(cast.commissioner, Action.COUNCIL_VIEW, cast.other_council)
    assert not can(cast.commissioner, Action.COUNCIL_MANAGE, cast.council)  # a viewer, not a manager


def test_commissioner_manager_may_manage_their_council(db, cast):
    manager = af.make_commissioner(council=cast.council, role="manager")
    assert can(manager, Action.COUNCIL_MANAGE, cast.council)
    assert not can(manager, Action.COUNCIL_MANAGE, cast.other_council)


@pytest.mark.parametrize("who", ["outsider", "provider_owner", "carer", "vetting_officer"])
def test_non_commissioners_may_not_see_council_dashboards(cast, who):
    assert not can(getattr(cast, who), Action.COUNCIL_VIEW, cast.council)


def test_vetting_and_moderation_are_for_vetting_officers(cast):
    for action in (Action.VETTING_REVIEW, Action.MODERATE):
        assert can(cast.vetting_officer, action)
        for who in ("outsider", "provider_owner", "commissioner", "carer"):
            assert not can(getattr(cast, who), action)


def test_staff_without_the_vetting_group_are_not_vetting_officers(db):
    assert not can(af.make_user(is_staff=True), Action.VETTING_REVIEW)


def test_anonymous_and_inactive_users_may_do_nothing(cast):
    cast.person.user.is_active = False
    for action in Action:
        assert not can(AnonymousUser(), action, cast.person)
        assert not can(None, action, cast.person)
        assert not can(cast.person.user, action, cast.person)


def test_require_raises_not_permitted(cast):
    with pytest.raises(NotPermitted):
        require(cast.outsider, Action.PERSON_VIEW, cast.person)
    require(cast.person.user, Action.PERSON_VIEW, cast.person)


def test_role_labels_name_each_relation(cast):
    assert role_labels(cast.person.user) == ["Person using care"]
    assert role_labels(cast.carer) == ["Carer"]
    assert role_labels(cast.provider_owner) == ["Provider"]
    assert role_labels(cast.commissioner) == ["Commissioner"]
    assert role_labels(cast.vetting_officer) == ["Vetting officer"]
    assert role_labels(cast.outsider) == []
