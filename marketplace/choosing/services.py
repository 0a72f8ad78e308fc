"""Writes for choosing care: shortlists (in the account or, before sign-in, the session),
share links, saved searches and their alerts.

Alerts (a Celery beat task, hourly): a saved search with alerts on is looked at again;
what is new since its snapshot (a service that now matches, one that became vetted, a
grade change on a shortlisted service) is sent through the notifications outbox, at most
once in 24 hours per saved search. Until an alert goes the snapshot is left alone, so
news waits for the next allowed alert instead of being lost. The snapshot and the alert
count move in one conditional update, so two runs at once send one alert.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from accounts.models import User
from accounts.notifications import services as notifications
from accounts.services import audit_record
from carehub import clock
from carehub.errors import DomainError, NotFound
from directory.models import GradeChange, Service
from directory.models.regulator import regulator_grade_words
from directory.registers.grades import grade_label
from marketplace.choosing import selectors
from marketplace.models import SavedSearch, Shortlist, ShortlistItem

ALERT_EVERY = timedelta(hours=24)
UNSUBSCRIBE_SALT = "marketplace.saved-search.unsubscribe"
MAX_SAVED_SEARCHES = 20


class ShortlistFull(DomainError):
    code = "shortlist_full"


def _full() -> ShortlistFull:
    return ShortlistFull(f"Your shortlist is full: remove a service first (up to {selectors.MAX_ITEMS}).")


# --- Shortlists -----------------------------------------------------------------------


@transaction.atomic
def shortlist_add(*, actor: User, service: Service, postcode: str = "") -> ShortlistItem:
    """Put a published service on the actor's shortlist (adding it twice changes nothing)."""
    if service.status != Service.Status.PUBLISHED:
        raise NotFound("No such service")
    shortlist, _ = Shortlist.objects.get_or_create(owner=actor)
    existing = ShortlistItem.objects.filter(shortlist=shortlist, service=service).first()
    if existing is not None:
        return existing
    if ShortlistItem.objects.filter(shortlist=shortlist).count() >= selectors.MAX_ITEMS:
        raise _full()
    # get_or_create: a second click racing the first finds the row instead of failing on the constraint.
    item, _ = ShortlistItem.objects.get_or_create(
        shortlist=shortlist, service=service, defaults={"postcode": postcode[:8]}
    )
    return item


def shortlist_remove(*, actor: User, service: Service) -> bool:
    return bool(ShortlistItem.objects.filter(shortlist__owner=actor, service=service).delete()[0])


def session_shortlist_add(*, session: SessionBase, service: Service, postcode: str = "") -> None:
    """The signed-out shortlist: service codes in the session, merged into the account at sign-in."""
    if service.status != Service.Status.PUBLISHED:
        raise NotFound("No such service")
    items = selectors.session_items(session)
    if any(i["service"] == str(service.code) for i in items):
        return
    if len(items) >= selectors.MAX_ITEMS:
        raise _full()
    session[selectors.SESSION_KEY] = [*items, {"service": str(service.code), "postcode": postcode[:8]}]


def session_shortlist_remove(*, session: SessionBase, service: Service) -> bool:
    items = selectors.session_items(session)
    kept = [i for i in items if i["service"] != str(service.code)]
    session[selectors.SESSION_KEY] = kept
    return len(kept) != len(items)


def shortlist_merge_session(*, actor: User, session: SessionBase) -> int:
    """At sign-in: move the session's shortlist into the account's; returns how many were added."""
    already = set(ShortlistItem.objects.filter(shortlist__owner=actor).values_list("service_id", flat=True))
    added = 0
    for entry in selectors.session_entries(session):
        if entry.service.pk in already:
            continue
        try:
            shortlist_add(actor=actor, service=entry.service, postcode=entry.postcode)
        except ShortlistFull:
            break
        added += 1
    session.pop(selectors.SESSION_KEY, None)
    return added


@transaction.atomic
def shortlist_share_create(*, actor: User) -> Shortlist:
    """Make (or replace) the read-only share link of the actor's shortlist."""
    shortlist, _ = Shortlist.objects.get_or_create(owner=actor)
    shortlist.share_token = secrets.token_urlsafe(32)
    shortlist.shared_at = clock.now()
    shortlist.save(update_fields=["share_token", "shared_at"])
    audit_record(actor=actor, action="shortlist.share", obj=shortlist)
    return shortlist


@transaction.atomic
def shortlist_share_revoke(*, actor: User) -> Shortlist | None:
    """Turn the share link off: the old link then shows 'not found'."""
    shortlist = Shortlist.objects.filter(owner=actor).first()
    if shortlist is None or not shortlist.share_token:
        return shortlist
    shortlist.share_token = ""  # nosec B105  # no link: the empty token matches nothing
    shortlist.shared_at = None
    shortlist.save(update_fields=["share_token", "shared_at"])
    audit_record(actor=actor, action="shortlist.unshare", obj=shortlist)
    return shortlist


# --- Saved searches -------------------------------------------------------------------


def _clean_query(query_string: str) -> tuple[str, dict[str, Any]]:
    form = selectors.search_form(query_string)
    if not form.is_valid():
        raise DomainError("This search cannot be saved: search again and then save it.")
    if selectors.compare_origin(form.cleaned_data["postcode"]) is None:
        raise DomainError("We could not find the postcode of this search: search again and then save it.")
    query = QueryDict(mutable=True)
    for key in form.data:
        values = [v for v in form.data.getlist(key) if v != ""]
        if values and key in form.fields:
            query.setlist(key, values)
    query["postcode"] = form.cleaned_data["postcode"]
    return query.urlencode(), form.cleaned_data


@transaction.atomic
def saved_search_create(*, actor: User, query_string: str, name: str = "", alerts: bool = True) -> SavedSearch:
    """Save a results page's search; what it finds now is the starting point for alerts."""
    query, data = _clean_query(query_string)
    if SavedSearch.objects.filter(owner=actor).count() >= MAX_SAVED_SEARCHES:
        raise DomainError(f"You can save up to {MAX_SAVED_SEARCHES} searches: delete one first.")
    postcode, radius = data["postcode"], data["radius_miles"]
    saved = SavedSearch(
        owner=actor,
        name=(name.strip() or f"Within {radius} miles of {postcode}")[:100],
        postcode=postcode,
        radius_miles=radius,
        query_string=query,
        alerts=alerts,
        checked_at=clock.now(),
    )
    saved.seen_service_ids, saved.seen_vetted_ids = _snapshot(saved)
    saved.save()
    audit_record(actor=actor, action="saved_search.create", obj=saved)
    return saved


def _snapshot(saved: SavedSearch) -> tuple[list[int], list[int]]:
    matches = selectors.saved_search_matches(saved_search=saved)
    rows = list(matches.values_list("pk", "provider__vetting__vetted_at", "provider__vetting__valid_until"))
    today = clock.today()
    vetted = [pk for pk, at, until in rows if at is not None and (until is None or until > today)]
    return sorted(pk for pk, _, _ in rows), sorted(vetted)


def saved_search_alerts_set(*, actor: User, saved_search: SavedSearch, alerts: bool) -> SavedSearch:
    if saved_search.owner_id != actor.pk:
        raise NotFound("No such saved search")
    fields = ["alerts"]
    if alerts and not saved_search.alerts:
        # Back on after a pause: start from what matches now, not from what was news while off.
        saved_search.seen_service_ids, saved_search.seen_vetted_ids = _snapshot(saved_search)
        saved_search.checked_at = clock.now()
        fields += ["seen_service_ids", "seen_vetted_ids", "checked_at"]
    saved_search.alerts = alerts
    saved_search.save(update_fields=fields)
    return saved_search


@transaction.atomic
def saved_search_delete(*, actor: User, saved_search: SavedSearch) -> None:
    if saved_search.owner_id != actor.pk:
        raise NotFound("No such saved search")
    audit_record(actor=actor, action="saved_search.delete", obj=saved_search, name=saved_search.name)
    saved_search.delete()


def unsubscribe_token(saved_search: SavedSearch) -> str:
    """A signed token naming the saved search: no expiry, so an old e-mail's link still works."""
    return signing.dumps(str(saved_search.code), salt=UNSUBSCRIBE_SALT)


def saved_search_from_token(token: str) -> SavedSearch:
    try:
        code = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise NotFound("This unsubscribe link does not work") from exc
    found = SavedSearch.objects.select_related("owner").filter(code=code).first()
    if found is None:
        raise NotFound("This saved search has been deleted, so there is nothing to unsubscribe from")
    return found


def saved_search_unsubscribe(*, token: str) -> SavedSearch:
    """Alerts off, from the link in an alert (the link is the proof: no sign-in needed)."""
    saved = saved_search_from_token(token)
    if saved.alerts:
        saved.alerts = False
        saved.save(update_fields=["alerts"])
        audit_record(actor=None, action="saved_search.unsubscribe", obj=saved)
    return saved


def saved_search_check(*, saved_search_id: int, now: datetime | None = None) -> bool:
    """Look at one saved search again and send an alert if something is new. Returns True if it alerted."""
    now = now or clock.now()
    saved = SavedSearch.objects.select_related("owner").filter(pk=saved_search_id, alerts=True).first()
    if saved is None or not saved.owner.is_active:
        return False
    if saved.last_alerted_at is not None and now - saved.last_alerted_at < ALERT_EVERY:
        return False  # at most one alert a day; the news waits in the unchanged snapshot
    seen, seen_vetted = set(saved.seen_service_ids), set(saved.seen_vetted_ids)
    current, vetted = _snapshot(saved)
    new_ids = [pk for pk in current if pk not in seen]
    newly_vetted_ids = [pk for pk in vetted if pk in seen and pk not in seen_vetted]
    # Grade changes of shortlisted services this search finds: one search's alert, not every search's.
    changes = [
        c
        for c in selectors.watched_grade_changes(user=saved.owner, since=saved.checked_at)
        if c.registration.service_id in seen or c.registration.service_id in current
    ]
    with transaction.atomic():
        news = bool(new_ids or newly_vetted_ids or changes)
        updates: dict[str, Any] = {"seen_service_ids": current, "seen_vetted_ids": vetted, "checked_at": now}
        if news:
            updates |= {"last_alerted_at": now, "alert_count": saved.alert_count + 1}
        claimed = SavedSearch.objects.filter(pk=saved.pk, alert_count=saved.alert_count, alerts=True).update(**updates)
        if not claimed or not news:
            return False
        _alert(saved, saved.alert_count + 1, new_ids, newly_vetted_ids, changes)
    return True


def saved_searches_check_due(*, now: datetime | None = None) -> int:
    """Beat: every saved search with alerts on that may alert again; returns how many alerted."""
    now = now or clock.now()
    due = SavedSearch.objects.filter(alerts=True, owner__is_active=True).exclude(last_alerted_at__gt=now - ALERT_EVERY)
    return sum(saved_search_check(saved_search_id=pk, now=now) for pk in due.values_list("pk", flat=True))


def _grade_change_text(change: GradeChange) -> str:
    registration = change.registration

    def words(grade: int | None) -> str:
        return regulator_grade_words(registration.regulator, grade) if grade else "not graded"

    label = grade_label(registration.regulator, change.key)
    return f"{registration.service.name}: {label} was {words(change.old_grade)}, now {words(change.new_grade)}"


def _alert(saved: SavedSearch, number: int, new_ids: list[int], vetted_ids: list[int], changes: list[Any]) -> None:
    names = dict(Service.objects.filter(pk__in=[*new_ids, *vetted_ids]).values_list("pk", "name"))
    lines = [f"There is news in your saved search “{saved.name}”."]
    if new_ids:
        lines += ["", "New services that match:", *[f"- {names[pk]}" for pk in new_ids[:20] if pk in names]]
        if len(new_ids) > 20:
            lines.append(f"- and {len(new_ids) - 20} more")
    if vetted_ids:
        lines += ["", "Now vetted by CareHub:", *[f"- {names[pk]}" for pk in vetted_ids[:20] if pk in names]]
    if changes:
        lines += ["", "Inspection grades changed on your shortlist:"]
        lines += [f"- {_grade_change_text(c)}" for c in changes[:20]]
    unsubscribe = reverse("marketplace:saved-search-unsubscribe", kwargs={"token": unsubscribe_token(saved)})
    lines += ["", f"To stop these alerts: {settings.SITE_URL.rstrip('/')}{unsubscribe}", "", "See the results:"]
    notifications.notify(
        kind=notifications.Kind.SEARCH,
        subject=f"New in your saved search: {saved.name}",
        body="\n".join(lines),
        key=f"saved-search:{saved.code}:alert:{number}",
        users=[saved.owner],
        url=f"{reverse('directory:search')}?{saved.query_string}",
    )
