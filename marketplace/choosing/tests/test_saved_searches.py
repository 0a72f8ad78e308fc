"""Saved searches: saving a results page's search, daily alerts through the outbox, one-click unsubscribe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.notifications.models import Notification
from carehub import clock
from carehub.errors import DomainError, NotFound
from directory.models import GradeChange, ProviderVetting, RegisterImport
from directory.tests import factories as df
from directory.tests.register_fixtures import make_registration
from marketplace.choosing import services as choosing
from marketplace.choosing.tasks import saved_search_alerts_task
from marketplace.models import SavedSearch

QUERY = "postcode=g128qq&radius_miles=5&q=&page=3"


def save(user: Any, query: str = QUERY) -> SavedSearch:
    return choosing.saved_search_create(actor=user, query_string=query, name="")


def later(hours: float) -> Any:
    return clock.now() + timedelta(hours=hours)


def test_saving_keeps_the_filters_and_what_matches_now(choosing_world: Any) -> None:
    w = choosing_world
    saved = save(w.cast.person.user)
    assert saved.name == "Within 5 miles of G12 8QQ"
    assert saved.query_string == "postcode=G12+8QQ&radius_miles=5"  # normalised; no page, no empty filters
    assert set(saved.seen_service_ids) == {w.near.pk, w.also_near.pk, w.third.pk}
    for bad in ("", "postcode=nonsense", "postcode=ZE1+0AA"):
        with pytest.raises(DomainError):
            save(w.cast.person.user, bad)


def test_new_matching_service_alerts_once_by_email_and_inbox(
    choosing_world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    w = choosing_world
    user = w.cast.person.user
    saved = save(user)
    assert not choosing.saved_search_check(saved_search_id=saved.pk, now=later(1))  # nothing new
    df.make_service(name="Byres Road befrienders")
    df.make_service(name="Far away", postcode="AB10 1AB", latitude=57.1482, longitude=-2.0928)
    with django_capture_on_commit_callbacks(execute=True):
        assert choosing.saved_search_check(saved_search_id=saved.pk, now=later(2))
        assert not choosing.saved_search_check(saved_search_id=saved.pk, now=later(3))  # once a day
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "Byres Road befrienders" in message.body and "Far away" not in message.body
    unsubscribe = message.body.split("To stop these alerts: ")[1].split()[0]
    assert "/saved-searches/unsubscribe/" in unsubscribe
    assert Notification.objects.get(user=user).kind == Notification.Kind.SEARCH


def test_news_that_comes_within_a_day_waits_for_the_next_alert(choosing_world: Any) -> None:
    w = choosing_world
    saved = save(w.cast.person.user)
    df.make_service(name="First news")
    assert choosing.saved_search_check(saved_search_id=saved.pk, now=later(1))
    df.make_service(name="Second news")
    assert not choosing.saved_search_check(saved_search_id=saved.pk, now=later(5))
    assert choosing.saved_search_check(saved_search_id=saved.pk, now=later(26))
    assert "Second news" in Notification.objects.order_by("pk").last().body


def test_newly_vetted_service_and_shortlisted_grade_change_alert(choosing_world: Any) -> None:
    w = choosing_world
    user = w.cast.person.user
    registration = make_registration(w.third)
    choosing.shortlist_add(actor=user, service=w.third)
    saved = save(user)
    ProviderVetting.objects.create(provider=w.cast.other_provider, vetted_at=clock.now(), checks=[])
    run = RegisterImport.objects.create(regulator="ci", status=RegisterImport.Status.DONE)
    GradeChange.objects.create(
        registration=registration, register_import=run, key="support_wellbeing", old_grade=5, new_grade=3
    )
    assert choosing.saved_search_check(saved_search_id=saved.pk, now=later(1))
    body = Notification.objects.get(user=user).body
    assert "Now vetted by CareHub:\n- Partick lunch club" in body
    assert "Hyndland sitters:" in body and "now Adequate" in body


def test_alerts_task_skips_searches_turned_off_and_runs_twice_safely(choosing_world: Any) -> None:
    w = choosing_world
    on, off = save(w.cast.person.user), save(w.cast.other_person.user)
    choosing.saved_search_alerts_set(actor=w.cast.other_person.user, saved_search=off, alerts=False)
    df.make_service(name="Something new")
    assert saved_search_alerts_task() == 1
    assert saved_search_alerts_task() == 0
    assert Notification.objects.filter(kind="search").count() == 1
    on.refresh_from_db()
    assert on.alert_count == 1


def test_unsubscribe_link_asks_then_turns_alerts_off_signed_out(choosing_world: Any) -> None:
    saved = save(choosing_world.cast.person.user)
    url = reverse("marketplace:saved-search-unsubscribe", kwargs={"token": choosing.unsubscribe_token(saved)})
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    saved.refresh_from_db()
    assert saved.alerts  # a GET (a mail scanner following links) changes nothing
    done = client.post(url)
    assert done.status_code == 200 and b"You have unsubscribed" in done.content
    saved.refresh_from_db()
    assert not saved.alerts
    assert client.get(url + "x").status_code == 404
    other = reverse("marketplace:saved-search-unsubscribe", kwargs={"token": "forged:token"})
    assert client.post(other).status_code == 404


def test_saved_search_belongs_to_its_owner(choosing_world: Any) -> None:
    w = choosing_world
    saved = save(w.cast.person.user)
    with pytest.raises(NotFound):
        choosing.saved_search_delete(actor=w.cast.carer, saved_search=saved)
    client = Client()
    client.force_login(w.cast.other_person.user)
    for name in ("saved-search-detail", "saved-search-delete"):
        url = reverse(f"marketplace:{name}", kwargs={"code": saved.code})
        assert client.get(url).status_code == 404
        assert client.post(url, {"alerts": ""}).status_code == 404
    assert SavedSearch.objects.filter(pk=saved.pk, alerts=True).exists()


def test_a_grade_change_is_told_by_the_search_that_finds_the_service_only(choosing_world: Any) -> None:
    w = choosing_world
    user = w.cast.person.user
    df.make_postcode("AB10 1AB", 57.1482, -2.0928)
    registration = make_registration(w.third)
    choosing.shortlist_add(actor=user, service=w.third)
    glasgow, aberdeen = save(user), save(user, "postcode=AB10+1AB&radius_miles=5")
    run = RegisterImport.objects.create(regulator="ci", status=RegisterImport.Status.DONE)
    GradeChange.objects.create(
        registration=registration, register_import=run, key="support_wellbeing", old_grade=5, new_grade=6
    )
    assert choosing.saved_search_check(saved_search_id=glasgow.pk, now=later(1))
    assert not choosing.saved_search_check(saved_search_id=aberdeen.pk, now=later(1))


def test_alerts_turned_back_on_start_from_what_matches_then(choosing_world: Any) -> None:
    user = choosing_world.cast.person.user
    saved = choosing.saved_search_alerts_set(actor=user, saved_search=save(user), alerts=False)
    df.make_service(name="Opened while alerts were off")
    choosing.saved_search_alerts_set(actor=user, saved_search=saved, alerts=True)
    assert not choosing.saved_search_check(saved_search_id=saved.pk, now=later(1))
