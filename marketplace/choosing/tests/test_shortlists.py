"""Shortlists: signed in or in the session, kept at sign-in, shared with carers and by a revocable link."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import Http404

from accounts.tests import factories as af
from carehub.errors import NotFound
from directory.models import AvailabilityException, AvailabilityWindow, Service
from directory.search.selectors import search_origin
from directory.tests.register_fixtures import make_registration
from marketplace.choosing import selectors
from marketplace.choosing import services as choosing
from marketplace.models import ShortlistItem


def add(user: Any, service: Service) -> ShortlistItem:
    return choosing.shortlist_add(actor=user, service=service, postcode="G12 8QQ")


def test_shortlist_add_is_idempotent_and_refuses_unpublished(choosing_world: Any) -> None:
    w = choosing_world
    user = w.cast.person.user
    first = add(user, w.near)
    assert add(user, w.near).pk == first.pk
    assert ShortlistItem.objects.count() == 1
    draft = Service.objects.create(provider=w.cast.provider, name="Draft", status=Service.Status.DRAFT)
    with pytest.raises(NotFound):
        add(user, draft)


def test_session_shortlist_is_kept_at_sign_in(choosing_world: Any) -> None:
    w = choosing_world
    session = SessionStore()
    choosing.session_shortlist_add(session=session, service=w.near, postcode="G12 8QQ")
    choosing.session_shortlist_add(session=session, service=w.also_near)
    choosing.session_shortlist_add(session=session, service=w.near)  # twice: kept once
    assert [e.service for e in selectors.session_entries(session)] == [w.near, w.also_near]
    user = w.cast.person.user
    choosing.shortlist_add(actor=user, service=w.near)  # already on the account's list
    assert choosing.shortlist_merge_session(actor=user, session=session) == 1
    assert selectors.session_items(session) == []
    entries = selectors.shortlist_entries(shortlist=selectors.shortlist_of(user=user))
    assert [e.service for e in entries] == [w.near, w.also_near]


def test_shortlist_is_visible_to_owner_and_granted_carers_only(choosing_world: Any) -> None:
    cast = choosing_world.cast
    item = add(cast.person.user, choosing_world.near)
    code = item.shortlist.code
    assert selectors.shortlist_get_for_user(user=cast.person.user, code=code) == item.shortlist
    assert selectors.shortlist_get_for_user(user=cast.carer, code=code) == item.shortlist
    assert list(selectors.shortlists_shared_with(user=cast.carer)) == [item.shortlist]
    no_view = af.make_user(full_name="No View")
    af.make_carer_link(carer=no_view, person=cast.person, can_view=False, can_book=True)
    pending = af.make_user(full_name="Pending")
    af.make_carer_link(carer=pending, person=cast.person, active=False)
    for outsider in (cast.outsider, cast.other_person.user, cast.provider_owner, no_view, pending):
        with pytest.raises(Http404):
            selectors.shortlist_get_for_user(user=outsider, code=code)
        assert not selectors.shortlists_shared_with(user=outsider).exists()


def test_share_link_works_until_revoked_and_a_new_link_replaces_the_old(choosing_world: Any) -> None:
    user = choosing_world.cast.person.user
    add(user, choosing_world.near)
    first = choosing.shortlist_share_create(actor=user).share_token
    assert len(first) >= 40
    assert selectors.shortlist_get_by_token(token=first).owner == user
    second = choosing.shortlist_share_create(actor=user).share_token
    with pytest.raises(Http404):
        selectors.shortlist_get_by_token(token=first)
    choosing.shortlist_share_revoke(actor=user)
    for token in (second, ""):
        with pytest.raises(Http404):
            selectors.shortlist_get_by_token(token=token)


def test_compare_shows_distance_grades_rating_vetting_week_and_delivery(choosing_world: Any) -> None:
    w = choosing_world
    make_registration(w.near, grades={"support_wellbeing": 5}, graded_on=date(2025, 3, 1))
    AvailabilityWindow.objects.create(service=w.near, weekday=0, starts_at=time(9), ends_at=time(17))
    AvailabilityWindow.objects.create(service=w.near, weekday=1, starts_at=time(9), ends_at=time(12))
    AvailabilityException.objects.create(service=w.near, date=date(2026, 12, 8), is_closed=True)
    AvailabilityException.objects.create(
        service=w.near, date=date(2026, 12, 12), is_closed=False, starts_at=time(10), ends_at=time(11)
    )
    codes = [str(w.near.code), str(w.far.code)]
    # Monday 7 December 2026 is open 9 to 5, Tuesday 8 closed that day, Saturday 12 open specially.
    origin = search_origin(postcode="G12 8QQ")
    near, far = selectors.compare_services(codes=codes, origin=origin, today=date(2026, 12, 7))
    assert near.service == w.near and near.distance_miles == pytest.approx(0, abs=0.01)
    assert far.distance_miles == pytest.approx(120, rel=0.1)
    assert near.price_text == "£20.00 per hour"
    assert near.grades[0]["grade"] == 5 and near.registration.graded_on == date(2025, 3, 1)
    assert far.registration is None and far.rating is None and far.vetting is None
    assert near.week == [(date(2026, 12, 7), "09:00 to 17:00"), (date(2026, 12, 12), "10:00 to 11:00")]
    assert selectors.compare_services(codes=codes, origin=None)[0].distance_miles is None


def test_compare_runs_a_fixed_number_of_queries(choosing_world: Any, django_assert_max_num_queries: Any) -> None:
    w = choosing_world
    codes = [str(s.code) for s in (w.near, w.also_near, w.third, w.far)]
    with django_assert_max_num_queries(6):
        columns = selectors.compare_services(codes=codes, origin=None)
    assert len(columns) == 4
