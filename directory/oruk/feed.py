"""Reading another directory's Open Referral UK feed: JSON documents (from a file, or
crawled from an API root through a fetch function) → checked `ServiceRecord`s and
`OrganizationRecord`s, with every problem collected. Nothing here writes; the importer
(directory/oruk/importer.py) does, and its docstring has the rules for both steps.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from carehub.errors import DomainError
from carehub.postcodes import InvalidPostcode, normalise_postcode
from directory.models import Category, ClientGroup, Service
from directory.oruk.mapping import BYDAY
from directory.oruk.taxonomy import category_term_id, client_group_term_id

MAX_PROBLEMS_SHOWN = 20
MAX_PENCE = 10**11  # a billion pounds: anything above is a mistake, and would overflow a column
MAX_RADIUS_MILES = Decimal("9999.9")  # Service.service_radius_miles holds five digits
MAX_PAGES = 10_000
SERVICE_STATUS = {
    "active": Service.Status.PUBLISHED,
    "inactive": Service.Status.SUSPENDED,
    "defunct": Service.Status.SUSPENDED,
    "temporarily closed": Service.Status.SUSPENDED,
}
PRICE_UNIT_WORDS = {unit.value: unit.value for unit in Service.PriceUnit} | {
    "hourly": "hour",
    "daily": "day",
    "weekly": "week",
    "session": "visit",
}


class OrukFeedInvalid(DomainError):
    """The input cannot be imported; ``problems`` says why, record by record."""

    code = "oruk_feed_invalid"

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class OrganizationRecord:
    external_id: str
    name: str
    description: str = ""
    email: str = ""
    website: str = ""

    def digest(self) -> str:
        return _digest(asdict(self))


@dataclass
class ServiceRecord:
    external_id: str
    organization_id: str
    name: str
    source_status: str  # the feed's word: active, inactive, defunct, temporarily closed
    description: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    price_pence: int | None = None
    price_unit: str = ""
    price_on_request: bool = False
    delivered_at_location: bool = False
    delivered_at_home: bool = False
    delivered_remotely: bool = False
    service_radius_miles: str | None = None  # a Decimal as text, so the digest is exact
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    category_slugs: list[str] = field(default_factory=list)
    client_group_slugs: list[str] = field(default_factory=list)
    windows: list[tuple[int, str, str]] = field(default_factory=list)

    def digest(self) -> str:
        return _digest(asdict(self))

    def fill_blanks_from(self, other: ServiceRecord) -> None:
        """The same service seen twice (a service list and a service_at_location list): keep
        what this copy has, take what only the other has."""
        for f in fields(self):
            if getattr(self, f.name) in ("", None, [], False) and getattr(other, f.name) not in ("", None, [], False):
                setattr(self, f.name, getattr(other, f.name))


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Feed:
    services: dict[str, ServiceRecord] = field(default_factory=dict)
    organizations: dict[str, OrganizationRecord] = field(default_factory=dict)
    terms: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → term, from taxonomy_terms documents
    terms_matched: set[str] = field(default_factory=set)
    terms_unmatched: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


@dataclass
class ImportResult:
    source: str
    services: Counts
    organizations: Counts
    terms_matched: int
    terms_unmatched: int
    warnings: list[str]
    skipped_reasons: list[str]


# --- reading ---------------------------------------------------------------------------------


def oruk_documents_from_file(path: str | Path) -> list[Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OrukFeedInvalid(f"Could not read {path}: {exc}") from exc
    try:
        return [json.loads(text)]
    except ValueError as exc:
        raise OrukFeedInvalid(f"{path} is not JSON: {exc}") from exc


def _is_api_root(doc: Any) -> bool:
    return isinstance(doc, dict) and ("openapi_url" in doc or "version" in doc) and "id" not in doc


def feed_stub(url: str) -> str:
    """The feed's identity: its URL without query, fragment or trailing slash."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def oruk_documents_from_url(url: str, *, fetch: Callable[[str], Any]) -> list[Any]:
    """The documents behind a URL: a whole feed when it is an API root, else that one answer."""
    first = fetch(url)
    if not _is_api_root(first):
        return [first]
    base = feed_stub(url)
    documents: list[Any] = []
    documents += _pages(f"{base}/taxonomy_terms", fetch=fetch, optional=True)
    for page in _pages(f"{base}/services", fetch=fetch, optional=False):
        for item in page["contents"]:
            if not isinstance(item, dict) or not item.get("id"):
                raise OrukFeedInvalid(f"{base}/services lists a service without an id")
            documents.append(fetch(f"{base}/services/{quote(str(item['id']), safe='')}"))
    return documents


def _pages(url: str, *, fetch: Callable[[str], Any], optional: bool) -> list[dict[str, Any]]:
    pages = []
    for number in range(1, MAX_PAGES + 1):
        try:
            page = fetch(f"{url}?page={number}&per_page=100")
        except DomainError:
            if optional and number == 1:
                return []  # not every feed serves its taxonomy terms
            raise
        if not isinstance(page, dict) or not isinstance(page.get("contents"), list):
            raise OrukFeedInvalid(f"{url} page {number} is not an ORUK page (no contents list)")
        pages.append(page)
        total_pages = page.get("total_pages")
        if not page["contents"] or page.get("last_page") is True:
            break
        if isinstance(total_pages, int) and number >= total_pages:
            break
    return pages


def _items(doc: Any) -> list[Any]:
    """The objects in one document: a page's contents, a list's elements (a saved crawl: pages
    and services side by side), or the document itself."""
    if isinstance(doc, dict) and isinstance(doc.get("contents"), list):
        return doc["contents"]
    if isinstance(doc, list):
        return [item for element in doc for item in (_items(element) if isinstance(element, dict) else [element])]
    return [doc]


def _kind(item: dict[str, Any]) -> str:
    if _is_api_root(item):
        return "root"
    if "taxonomy_terms" in item:
        return "taxonomy"
    if "location" in item and ("service" in item or "service_id" in item):
        return "service_at_location"
    if "status" in item or "service_at_locations" in item or "organization" in item:
        return "service"
    if "name" in item and ({"taxonomy_id", "parent_id", "term", "taxonomy", "term_uri"} & item.keys()):
        return "taxonomy_term"
    return ""


def oruk_feed_read(documents: Iterable[Any]) -> Feed:
    """Check and convert ORUK documents; raises OrukFeedInvalid listing every unusable record."""
    feed = Feed()
    index = _TermIndex()
    pending: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    for doc in documents:
        for n, item in enumerate(_items(doc), start=1):
            if not isinstance(item, dict):
                feed.problems.append(f"item {n}: expected an object, found {type(item).__name__}")
                continue
            kind = _kind(item)
            if kind == "root":
                feed.problems.append("this is the root of an ORUK API: give its URL to import the whole feed")
            elif kind == "taxonomy":
                for term in _list(item.get("taxonomy_terms")):
                    if isinstance(term, dict) and term.get("id"):
                        feed.terms[str(term["id"])] = term
            elif kind == "taxonomy_term":
                if item.get("id"):
                    feed.terms[str(item["id"])] = item
                else:
                    feed.problems.append(f"item {n}: a taxonomy term without an id")
            elif kind == "service_at_location":
                service = item.get("service")
                if isinstance(service, dict):
                    pending.append((f"item {n}", service, item.get("location")))
                else:
                    feed.warnings.append(f"item {n}: a service_at_location without its service was not imported")
            elif kind == "service":
                pending.append((f"item {n}", item, None))
            else:
                feed.problems.append(
                    f"item {n}: not an ORUK service, service_at_location or taxonomy term (keys: "
                    f"{', '.join(sorted(item)[:8])})"
                )
    for where, item, location in pending:
        record = _service_record(item, location, feed=feed, index=index, where=where)
        if record is None:
            continue
        known = feed.services.get(record.external_id)
        if known is None:
            feed.services[record.external_id] = record
        else:
            known.fill_blanks_from(record)
    if feed.problems:
        shown = feed.problems[:MAX_PROBLEMS_SHOWN]
        more = len(feed.problems) - len(shown)
        raise OrukFeedInvalid(
            f"Nothing was imported: {len(feed.problems)} problem(s)" + (f" (first {len(shown)} shown)" if more else ""),
            shown,
        )
    if not feed.services and not feed.terms:
        raise OrukFeedInvalid("Nothing was imported: no ORUK service or taxonomy term found")
    for term in feed.terms.values():
        (feed.terms_matched if index.match(term) else feed.terms_unmatched).add(str(term["id"]))
    return feed


class _TermIndex:
    """CareHub's categories and client groups, found by our stable id, slug or name."""

    def __init__(self) -> None:
        self.by_key: dict[str, tuple[str, str]] = {}
        for slug, name in Category.objects.values_list("slug", "name"):
            for key in (category_term_id(slug), slug, name.lower()):
                self.by_key.setdefault(key, ("category", slug))
        for slug, name in ClientGroup.objects.values_list("slug", "name"):
            for key in (client_group_term_id(slug), slug, name.lower()):
                self.by_key.setdefault(key, ("client_group", slug))

    def match(self, term: dict[str, Any]) -> tuple[str, str] | None:
        for key in (term.get("id"), term.get("term"), term.get("code"), term.get("name")):
            if isinstance(key, str) and key.strip():
                found = self.by_key.get(key.strip()) or self.by_key.get(key.strip().lower())
                if found:
                    return found
        return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _service_record(
    item: dict[str, Any], sal_location: dict[str, Any] | None, *, feed: Feed, index: _TermIndex, where: str
) -> ServiceRecord | None:
    external_id = item.get("id")
    if not isinstance(external_id, str | int) or not str(external_id).strip():
        feed.problems.append(f"{where}: a service without an id")
        return None
    external_id = str(external_id).strip()
    where = f"service {external_id}"
    name = _text(item.get("name"))
    status = _text(item.get("status")).lower()
    if not name:
        feed.problems.append(f"{where}: no name")
    elif len(name) > 255:
        feed.problems.append(f"{where}: the name is longer than 255 characters")
    if status not in SERVICE_STATUS:
        feed.problems.append(f"{where}: status {item.get('status')!r} is not one of {', '.join(SERVICE_STATUS)}")
    if len(external_id) > 255:
        feed.problems.append(f"{where}: the id is longer than 255 characters")
    if feed.problems and (not name or status not in SERVICE_STATUS or len(name) > 255 or len(external_id) > 255):
        return None

    organization = _organization(item, name=name, service_id=external_id, feed=feed)
    record = ServiceRecord(
        external_id=external_id,
        organization_id=organization.external_id,
        name=name,
        source_status=status,
        description=_text(item.get("description")),
        website=_url(item.get("url"), feed=feed, where=where),
        email=_email(item.get("email"), feed=feed, where=where),
        phone=_phone(item.get("phones")),
    )
    _price(record, item)
    _location(record, item, sal_location, feed=feed, where=where)
    _delivery(record, item)
    _windows(record, item.get("schedules"))
    _terms(record, item.get("attributes"), feed=feed, index=index)
    return record


def _organization(item: dict[str, Any], *, name: str, service_id: str, feed: Feed) -> OrganizationRecord:
    data = item.get("organization") if isinstance(item.get("organization"), dict) else {}
    org_id = data.get("id") or item.get("organization_id")
    if not isinstance(org_id, str | int) or not str(org_id).strip() or len(str(org_id)) > 200:
        # A service with no organisation still needs a provider: one of its own.
        org_id = f"service:{service_id}"
    org_id = str(org_id).strip()
    where = f"organization {org_id}"
    record = OrganizationRecord(
        external_id=org_id,
        name=(_text(data.get("name")) or name)[:255],
        description=_text(data.get("description")),
        email=_email(data.get("email"), feed=feed, where=where),
        website=_url(data.get("website"), feed=feed, where=where),
    )
    if org_id not in feed.organizations or data:  # a fuller copy replaces a bare organization_id
        feed.organizations[org_id] = record
    return feed.organizations[org_id]


def _url(value: Any, *, feed: Feed, where: str) -> str:
    url = _text(value)
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        feed.warnings.append(f"{where}: the URL {url[:100]!r} is not a web address; left out")
        return ""
    if len(url) > 200:
        feed.warnings.append(f"{where}: the URL is longer than 200 characters; left out")
        return ""
    return url


def _email(value: Any, *, feed: Feed, where: str) -> str:
    email = _text(value)
    if not email:
        return ""
    try:
        EmailValidator()(email)
    except ValidationError:
        feed.warnings.append(f"{where}: the e-mail address {email[:100]!r} is not valid; left out")
        return ""
    if len(email) > 254:
        feed.warnings.append(f"{where}: the e-mail address is longer than 254 characters; left out")
        return ""
    return email


def _phone(phones: Any) -> str:
    for phone in _list(phones):
        number = _text(phone.get("number")) if isinstance(phone, dict) else ""
        if number and len(number) <= 40:
            return number
    return ""


def _price(record: ServiceRecord, item: dict[str, Any]) -> None:
    own = item.get("carehub_price")
    if isinstance(own, dict):  # another CareHub's exact figures
        pence, unit = own.get("pence"), own.get("unit") or ""
        exact = isinstance(pence, int) and not isinstance(pence, bool) and 0 <= pence <= MAX_PENCE
        if exact and (unit == "" or unit in Service.PriceUnit.values):
            record.price_pence, record.price_unit = pence, unit
        record.price_on_request = own.get("on_request") is True
        return
    for option in _list(item.get("cost_options")):
        if not isinstance(option, dict):
            continue
        words = f"{_text(option.get('option'))} {_text(option.get('amount_description'))}".lower()
        amount = _number(option.get("amount"))
        if amount is not None and 0 <= amount * 100 <= MAX_PENCE:
            try:
                record.price_pence = int((Decimal(str(amount)) * 100).quantize(Decimal(1)))
            except InvalidOperation:
                continue
            record.price_unit = next((unit for word, unit in PRICE_UNIT_WORDS.items() if word in words), "")
            return
        if "on request" in words:
            record.price_on_request = True
            return


def _location(
    record: ServiceRecord,
    item: dict[str, Any],
    sal_location: dict[str, Any] | None,
    *,
    feed: Feed,
    where: str,
) -> None:
    locations = [sal_location] if isinstance(sal_location, dict) else []
    for sal in _list(item.get("service_at_locations")):
        if isinstance(sal, dict) and isinstance(sal.get("location"), dict):
            locations.append(sal["location"])
    physical = [loc for loc in locations if loc.get("location_type", "physical") == "physical"]
    if not physical:
        return
    if len(physical) > 1:
        feed.warnings.append(f"{where}: {len(physical)} locations; CareHub keeps the first")
    location = physical[0]
    record.delivered_at_location = True
    lat, lng = _number(location.get("latitude")), _number(location.get("longitude"))
    if lat is not None and lng is not None:
        if -90 <= lat <= 90 and -180 <= lng <= 180:
            record.latitude, record.longitude = round(lat, 6), round(lng, 6)
        else:
            feed.warnings.append(f"{where}: the position ({lat:g}, {lng:g}) is impossible; left out")
    addresses = [a for a in _list(location.get("addresses")) if isinstance(a, dict)]
    address = next((a for a in addresses if a.get("address_type") == "physical"), addresses[0] if addresses else {})
    record.address_line_1 = _text(address.get("address_1"))[:255]
    record.address_line_2 = _text(address.get("address_2"))[:255]
    record.town = _text(address.get("city"))[:120]
    postcode = _text(address.get("postal_code"))
    if postcode:
        try:
            record.postcode = normalise_postcode(postcode)
        except InvalidPostcode:
            feed.warnings.append(f"{where}: {postcode[:20]!r} is not a UK postcode; left out")


def _delivery(record: ServiceRecord, item: dict[str, Any]) -> None:
    for area in _list(item.get("service_areas")):
        miles = _number(area.get("carehub_radius_miles")) if isinstance(area, dict) else None
        radius = Decimal(str(miles)).quantize(Decimal("0.1")) if miles is not None and abs(miles) < 1e6 else None
        if radius is not None and 0 < radius <= MAX_RADIUS_MILES:
            record.delivered_at_home = True
            record.service_radius_miles = str(radius)
            break
    own = item.get("carehub_delivery")
    if isinstance(own, dict):  # another CareHub says exactly how the service is given
        record.delivered_at_location = own.get("at_location") is True
        record.delivered_at_home = own.get("at_home") is True
        record.delivered_remotely = own.get("remotely") is True


_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?$")


def _clock_time(value: Any) -> str | None:
    match = _TIME.match(_text(value))
    return f"{match.group(1)}:{match.group(2)}" if match else None


def _windows(record: ServiceRecord, schedules: Any) -> None:
    """Weekly opening hours become availability windows; other schedules are not mapped."""
    windows = set()
    for schedule in _list(schedules):
        if not isinstance(schedule, dict) or _text(schedule.get("freq")).upper() != "WEEKLY":
            continue
        opens, closes = _clock_time(schedule.get("opens_at")), _clock_time(schedule.get("closes_at"))
        if opens is None or closes is None or closes <= opens:
            continue
        for day in _text(schedule.get("byday")).upper().split(","):
            if day.strip() in BYDAY:
                windows.add((BYDAY.index(day.strip()), opens, closes))
    record.windows = sorted(windows)


def _terms(record: ServiceRecord, attributes: Any, *, feed: Feed, index: _TermIndex) -> None:
    categories, groups = set(), set()
    for attribute in _list(attributes):
        if not isinstance(attribute, dict):
            continue
        term = attribute.get("taxonomy_term")
        if not isinstance(term, dict):
            term = feed.terms.get(str(attribute.get("taxonomy_term_id")))
        if not isinstance(term, dict) or not term.get("id"):
            continue
        feed.terms.setdefault(str(term["id"]), term)
        found = index.match(term)
        if found:
            (categories if found[0] == "category" else groups).add(found[1])
    record.category_slugs = sorted(categories)
    record.client_group_slugs = sorted(groups)
