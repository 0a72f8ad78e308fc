"""Reads for choosing care: shortlists (one's own, a supported person's, one shared by
link), the side-by-side comparison, and what a saved search finds now."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import QuerySet
from django.http import Http404, QueryDict

from accounts.models import CarerLink, User
from accounts.permissions import Action, can
from carehub import clock
from carehub.errors import DomainError
from directory.models import AvailabilityException, AvailabilityWindow, GradeChange, Service
from directory.search.display import service_price_text
from directory.search.forms import ServiceSearchForm
from directory.search.selectors import KM_PER_MILE, Origin, great_circle_km, search_origin, service_search
from directory.vetting.selectors import vetting_public
from marketplace.models import SavedSearch, Shortlist, ShortlistItem

SESSION_KEY = "shortlist"  # [{"service": "<code>", "postcode": "G12 8QQ"}, ...] before sign-in
MAX_ITEMS = 50
COMPARE_MIN, COMPARE_MAX = 2, 4


@dataclass(frozen=True)
class Entry:
    """A shortlisted service and the postcode that was searched when it was added."""

    service: Service
    postcode: str = ""


def _published(codes: list[str] | None = None) -> QuerySet[Service]:
    qs = Service.objects.filter(status=Service.Status.PUBLISHED).select_related("provider")
    return qs if codes is None else qs.filter(code__in=[c for c in codes if _is_uuid(c)])


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def session_items(session: SessionBase) -> list[dict[str, str]]:
    items = session.get(SESSION_KEY)
    return [i for i in items if isinstance(i, dict) and "service" in i] if isinstance(items, list) else []


def session_entries(session: SessionBase) -> list[Entry]:
    items = session_items(session)
    services = {str(s.code): s for s in _published([i["service"] for i in items])}
    return [Entry(services[i["service"]], i.get("postcode", "")) for i in items if i["service"] in services]


def shortlist_of(*, user: User) -> Shortlist | None:
    return Shortlist.objects.filter(owner=user).first() if user.is_authenticated else None


def shortlist_entries(*, shortlist: Shortlist | None) -> list[Entry]:
    """Published services on the shortlist, oldest first (a withdrawn listing drops out of view)."""
    if shortlist is None:
        return []
    items = ShortlistItem.objects.filter(shortlist=shortlist, service__status=Service.Status.PUBLISHED)
    return [Entry(item.service, item.postcode) for item in items.select_related("service__provider")]


def my_shortlist_entries(*, user: Any, session: SessionBase) -> list[Entry]:
    """The visitor's own shortlist: their account's when signed in, else the session's."""
    if user.is_authenticated:
        return shortlist_entries(shortlist=shortlist_of(user=user))
    return session_entries(session)


def shortlisted_service_ids(*, user: Any, session: SessionBase) -> set[int]:
    """Ids of the services on the visitor's shortlist, in one query (for the results page's buttons)."""
    if user.is_authenticated:
        return set(ShortlistItem.objects.filter(shortlist__owner=user).values_list("service_id", flat=True))
    codes = [i["service"] for i in session_items(session)]
    return set(Service.objects.filter(code__in=codes).values_list("pk", flat=True)) if codes else set()


def shortlist_get_for_user(*, user: Any, code: Any) -> Shortlist:
    """Someone's shortlist, for its owner and the carers the owner granted 'view'; 404 for everyone else."""
    shortlist = Shortlist.objects.select_related("owner").filter(code=code).first()
    if shortlist is None or not user.is_authenticated:
        raise Http404("No such shortlist")
    if shortlist.owner_id == user.pk:
        return shortlist
    person = getattr(shortlist.owner, "person_profile", None)
    if person is None or not can(user, Action.PERSON_VIEW, person):
        raise Http404("No such shortlist")
    return shortlist


def shortlist_get_by_token(*, token: str) -> Shortlist:
    shortlist = Shortlist.objects.select_related("owner").filter(share_token=token).first() if token else None
    if shortlist is None:
        raise Http404("This link does not work: it may have been turned off")
    return shortlist


def shortlists_shared_with(*, user: User) -> QuerySet[Shortlist]:
    """The shortlists of the people who granted this user 'view'."""
    return Shortlist.objects.filter(
        owner__person_profile__carer_links__carer=user,
        owner__person_profile__carer_links__status=CarerLink.Status.ACTIVE,
        owner__person_profile__carer_links__can_view=True,
    ).select_related("owner__person_profile")


# --- Comparing ------------------------------------------------------------------------


@dataclass
class Compared:
    """One column of the comparison table."""

    service: Service
    distance_miles: float | None
    price_text: str
    grades: list[dict[str, object]]
    registration: Any
    rating: Any
    vetting: dict[str, Any] | None
    week: list[tuple[date, str]] = field(default_factory=list)

    @property
    def distance_km(self) -> float | None:
        return None if self.distance_miles is None else self.distance_miles * KM_PER_MILE


def compare_origin(postcode: str) -> Origin | None:
    """Where to measure distances from; None when there is no postcode or it cannot be found."""
    if not postcode:
        return None
    try:
        return search_origin(postcode=postcode)
    except DomainError:  # InvalidPostcode, UnknownPostcode: the page then leaves distance out
        return None


def compare_services(*, codes: list[str], origin: Origin | None, today: date | None = None) -> list[Compared]:
    """The chosen published services side by side, in the order given, in a fixed number of queries."""
    services = {
        str(s.code): s for s in _published(codes).select_related("registration", "provider__vetting", "rating_summary")
    }
    chosen = [services[c] for c in dict.fromkeys(codes) if c in services]
    weeks = _week_availability([s.pk for s in chosen], today or clock.today())
    columns = []
    for service in chosen:
        registration = getattr(service, "registration", None)
        rating = getattr(service, "rating_summary", None)  # the reviews app's row, by its reverse name
        distance = None
        if origin is not None and service.latitude is not None and service.longitude is not None:
            km = great_circle_km(origin.latitude, origin.longitude, service.latitude, service.longitude)
            distance = km / KM_PER_MILE
        columns.append(
            Compared(
                service=service,
                distance_miles=distance,
                price_text=service_price_text(service),
                grades=registration.grade_list() if registration else [],
                registration=registration,
                rating=rating if rating is not None and rating.review_count else None,
                vetting=vetting_public(service.provider),
                week=weeks.get(service.pk, []),
            )
        )
    return columns


def _week_availability(service_ids: list[int], today: date) -> dict[int, list[tuple[date, str]]]:
    """For each service, the next 7 days it is open and its hours, from the provider's usual
    weekly times and dated changes (two queries for all the services)."""
    days = [today + timedelta(days=n) for n in range(7)]
    windows: dict[tuple[int, int], list[str]] = defaultdict(list)
    for w in AvailabilityWindow.objects.filter(service_id__in=service_ids):
        windows[(w.service_id, w.weekday)].append(f"{w.starts_at:%H:%M} to {w.ends_at:%H:%M}")
    exceptions = {
        (e.service_id, e.date): e
        for e in AvailabilityException.objects.filter(service_id__in=service_ids, date__in=days)
    }
    result: dict[int, list[tuple[date, str]]] = {}
    for service_id in service_ids:
        open_days = []
        for day in days:
            exception = exceptions.get((service_id, day))
            if exception is not None:
                if not exception.is_closed:
                    open_days.append((day, f"{exception.starts_at:%H:%M} to {exception.ends_at:%H:%M}"))
            elif windows.get((service_id, day.weekday())):
                open_days.append((day, ", ".join(windows[(service_id, day.weekday())])))
        result[service_id] = open_days
    return result


# --- Saved searches -------------------------------------------------------------------


def saved_search_list_for_user(*, user: User) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(owner=user)


def saved_search_get_for_user(*, user: Any, code: Any) -> SavedSearch:
    """The user's own saved search; 404 when it is missing or someone else's."""
    found = SavedSearch.objects.filter(owner=user, code=code).first() if user.is_authenticated else None
    if found is None:
        raise Http404("No such saved search")
    return found


def search_form(query_string: str) -> ServiceSearchForm:
    data = QueryDict(query_string, mutable=True)
    data.pop("page", None)
    return ServiceSearchForm(data)


def search_kwargs(form: ServiceSearchForm) -> dict[str, Any]:
    """The results page's filters (a valid ServiceSearchForm) as service_search arguments, as the page maps them."""
    data = form.cleaned_data
    return {
        "radius_miles": data["radius_miles"],
        "categories": data["category"],
        "client_groups": [data["client_group"]] if data["client_group"] else None,
        "delivery": data["delivery"] or None,
        "max_price_pence": int(data["max_price"] * 100) if data["max_price"] is not None else None,
        "q": data["q"] or None,
        "vetted": data["vetted"] or None,
    }


def saved_search_matches(*, saved_search: SavedSearch) -> QuerySet[Service]:
    """What the saved search finds now, with the search's own selector (the same results as the page)."""
    form = search_form(saved_search.query_string)
    if not form.is_valid():
        return Service.objects.none()
    origin = compare_origin(form.cleaned_data["postcode"])
    if origin is None:
        return Service.objects.none()
    return service_search(origin=origin, **search_kwargs(form))


def watched_grade_changes(*, user: User, since: Any) -> QuerySet[GradeChange]:
    """Grade changes recorded since `since` for services on the user's shortlist."""
    return (
        GradeChange.objects.filter(
            created_at__gt=since,
            registration__service__in=ShortlistItem.objects.filter(shortlist__owner=user).values("service_id"),
        )
        .select_related("registration__service")
        .order_by("created_at", "pk")
    )
