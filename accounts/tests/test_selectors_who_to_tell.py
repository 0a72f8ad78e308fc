"""Who to tell about a person or a provider: the one answer bookings, messaging and reviews use."""

from __future__ import annotations

from typing import Any

from accounts.models import CarerLink
from accounts.selectors import person_side_users, provider_member_users
from accounts.tests import factories as af


def test_person_side_users_are_the_person_and_carers_who_may_view(cast: Any) -> None:
    viewer_only = af.make_user()
    af.make_carer_link(carer=viewer_only, person=cast.person, can_book=False, can_manage_budget=False)
    no_view = af.make_user()
    af.make_carer_link(carer=no_view, person=cast.person, can_view=False)
    waiting = af.make_user()
    af.make_carer_link(carer=waiting, person=cast.person, active=False)  # not consented yet
    revoked = af.make_user()
    link = af.make_carer_link(carer=revoked, person=cast.person)
    link.status = CarerLink.Status.REVOKED
    link.save()
    users = set(person_side_users(person=cast.person))
    assert users == {cast.person.user, cast.carer, viewer_only}
    assert cast.outsider not in users and cast.other_person.user not in users


def test_provider_member_users_are_owners_and_staff_of_that_provider_only(cast: Any) -> None:
    af.make_provider_member(provider=cast.other_provider)
    assert list(provider_member_users(provider_id=cast.provider.pk)) == [cast.provider_owner, cast.provider_staff]
    assert set(provider_member_users(provider_id=cast.other_provider.pk)).isdisjoint(
        {cast.provider_owner, cast.provider_staff, cast.outsider}
    )
