"""CareHub rows → Open Referral UK 3.0 objects (plain dicts, ready for JSON).

Every id is stable and derived from CareHub's UUID ``code`` fields:

- service = ``Service.code``; organization = ``Provider.code``;
- location and service_at_location = the service's code XOR a fixed mask (reversible,
  so ``/service_at_locations/{id}`` finds its service without storing anything);
- addresses, phones, schedules, service areas, cost options and attributes = UUIDv5 of
  the owner's code and what the object is (a schedule's day and hours, a term's id).

Fields CareHub does not know are left out rather than sent empty or null (the
schemas type them as plain strings). CareHub's own facts that the standard has no
field for travel as local properties prefixed ``carehub_``; the standard allows
extra properties that do not conflict with its own.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from carehub import clock
from directory.models import AvailabilityWindow, Provider, Service
from directory.oruk.taxonomy import NAMESPACE, category_term, client_group_term
from directory.registers.display import regulator_summary
from directory.vetting.selectors import vetting_public

# Masks keep a UUID's version nibble and variant bits, so a v4 code stays a v4-shaped id.
_KEEP_VERSION_AND_VARIANT = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
_LOCATION_MASK = 0x6A1D_3C57_92E4_0B8F_C3A1_5D76_E09B_24F1 & _KEEP_VERSION_AND_VARIANT
_SERVICE_AT_LOCATION_MASK = 0x2F94_B0C6_1D83_7E5A_8B2C_F417_60D9_A35E & _KEEP_VERSION_AND_VARIANT

STATUS = {
    Service.Status.PUBLISHED: "active",
    Service.Status.SUSPENDED: "temporarily closed",
    Service.Status.NO_LONGER_REGISTERED: "defunct",
    Service.Status.DRAFT: "inactive",
}
# RRULE day codes, Monday first like Weekday.
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
PRICE_UNIT_TEXT = {unit.value: unit.label for unit in Service.PriceUnit}
PRICE_ON_REQUEST = "Price on request"


def location_id(service: Service) -> str:
    return str(uuid.UUID(int=service.code.int ^ _LOCATION_MASK))


def service_at_location_id(service: Service) -> str:
    return str(uuid.UUID(int=service.code.int ^ _SERVICE_AT_LOCATION_MASK))


def service_code_from_service_at_location_id(value: uuid.UUID) -> uuid.UUID:
    return uuid.UUID(int=value.int ^ _SERVICE_AT_LOCATION_MASK)


def derived_id(owner: uuid.UUID, what: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{owner}:{what}"))


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _last_modified(*moments: datetime) -> str:
    return max(moments).isoformat()


def _one(obj: Any, name: str) -> Any:
    """A reverse one-to-one that may be missing (joined by select_related, so no query)."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


@functools.cache
def _service_path_template() -> str:
    return reverse("directory:service-detail", kwargs={"code": _PLACEHOLDER})


_PLACEHOLDER = uuid.UUID(int=0)


def _service_path(code: uuid.UUID) -> str:
    # One reverse() per process, not one per service on a page of 100.
    return _service_path_template().replace(str(_PLACEHOLDER), str(code))


def has_location(service: Service) -> bool:
    return bool(service.postcode or service.address_line_1 or service.latitude is not None)


# --- organization ------------------------------------------------------------------------


def organization_object(provider: Provider, *, full: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(provider.code), "name": provider.name, "description": provider.description}
    if provider.email:
        data["email"] = provider.email
    if provider.website:
        data["website"] = provider.website
    if full:
        registered = _one(provider, "registered_as")
        if registered is not None:
            data["organization_identifiers"] = [
                {
                    "id": derived_id(provider.code, f"identifier:{registered.regulator}"),
                    "organization_id": str(provider.code),
                    "identifier_type": f"{registered.get_regulator_display()} provider number",
                    "identifier": registered.provider_number,
                }
            ]
    return data


# --- service -----------------------------------------------------------------------------


def service_basic(service: Service, *, base_url: str) -> dict[str, Any]:
    """The one-to-one fields of a service and its organization (compiled/service_list.json)."""
    provider = service.provider
    data: dict[str, Any] = {
        "id": str(service.code),
        "organization_id": str(provider.code),
        "name": service.name,
        "description": service.description,
        "status": STATUS.get(service.status, "inactive"),
        "last_modified": _last_modified(service.updated_at, provider.updated_at),
        "organization": organization_object(provider, full=False),
    }
    if service.website:
        data["url"] = service.website
    email = service.email or provider.email
    if email:
        data["email"] = email
    data.update(_local_properties(service, base_url=base_url))
    return data


def _local_properties(service: Service, *, base_url: str) -> dict[str, Any]:
    local: dict[str, Any] = {
        "carehub_url": base_url + _service_path(service.code),
        "carehub_delivery": {
            "at_location": service.delivered_at_location,
            "at_home": service.delivered_at_home,
            "remotely": service.delivered_remotely,
        },
        "carehub_price": {
            "pence": service.price_pence,
            "unit": service.price_unit or None,
            "on_request": service.price_on_request,
        },
    }
    regulator = regulator_summary(service)
    if regulator is not None:
        local["carehub_regulator"] = regulator
    rating = _one(service, "rating_summary")
    if rating is not None and rating.review_count:
        local["carehub_rating"] = {
            "average": round(rating.average, 2),
            "count": rating.review_count,
            "score": None if rating.score is None else round(rating.score, 3),
        }
    vetting = vetting_public(service.provider)
    if vetting is not None:
        local["carehub_vetting"] = vetting
    record = _one(service, "oruk_record")
    if record is not None:
        local["carehub_source"] = {"feed": record.source, "id": record.external_id}
    distance = getattr(service, "distance_km", None)
    if distance is not None:
        local["carehub_distance"] = {"km": round(distance, 3), "miles": round(service.distance_miles, 3)}
    return local


def service_full(service: Service, *, base_url: str, confirmed_at: datetime | None = None) -> dict[str, Any]:
    """The fully nested service (compiled/service.json). Needs the service's categories
    (with their parents), client groups and availability prefetched."""
    code = service.code
    data = service_basic(service, base_url=base_url)
    data["organization"] = organization_object(service.provider, full=True)
    if confirmed_at is not None:
        data["assured_date"] = clock.local_date(confirmed_at).isoformat()
    phone = service.phone or service.provider.phone
    if phone:
        # HSDS core's service.phones (the UK profile leaves phones out; it does not forbid them).
        data["phones"] = [{"id": derived_id(code, "phone"), "service_id": str(code), "number": phone}]
    data["schedules"] = [_schedule(service, window) for window in service.availability.all()]
    data["service_areas"] = _service_areas(service)
    data["cost_options"] = _cost_options(service)
    data["attributes"] = _attributes(service)
    data["service_at_locations"] = (
        [service_at_location_object(service, base_url=base_url, full=True, nested_service=False)]
        if has_location(service)
        else []
    )
    return data


def _schedule(service: Service, window: AvailabilityWindow) -> dict[str, Any]:
    day, opens, closes = BYDAY[window.weekday], _hhmm(window.starts_at), _hhmm(window.ends_at)
    return {
        "id": derived_id(service.code, f"schedule:{day}:{opens}-{closes}"),
        "service_id": str(service.code),
        "freq": "WEEKLY",
        "interval": 1,
        "byday": day,
        "opens_at": opens,
        "closes_at": closes,
        "description": f"{window.get_weekday_display()} {opens} to {closes}",
    }


def _service_areas(service: Service) -> list[dict[str, Any]]:
    if not service.delivered_at_home:
        return []
    area: dict[str, Any] = {"id": derived_id(service.code, "service_area"), "service_id": str(service.code)}
    if service.service_radius_miles is not None:
        miles = float(service.service_radius_miles)
        where = f" of {service.postcode}" if service.postcode else ""
        area["name"] = f"Within {miles:g} miles{where}"
        area["service_area"] = f"Visits people at home within {miles:g} miles{where}."
        area["carehub_radius_miles"] = miles
    else:
        area["name"] = "At home"
        area["service_area"] = "Visits people at home; the area is not given."
    return [area]


def _cost_options(service: Service) -> list[dict[str, Any]]:
    option: dict[str, Any] = {"id": derived_id(service.code, "cost_option"), "service_id": str(service.code)}
    if service.price_on_request:
        option["option"] = PRICE_ON_REQUEST
    elif service.price_pence is not None:
        option["option"] = "Standard price"
        option["amount"] = service.price_pence / 100
        if service.price_unit:
            option["amount_description"] = PRICE_UNIT_TEXT[service.price_unit]
    else:
        return []
    return [option]


def _attributes(service: Service) -> list[dict[str, Any]]:
    terms = [("category", category_term(c, c.parent.slug if c.parent_id else None)) for c in service.categories.all()]
    terms += [("client_group", client_group_term(g)) for g in service.client_groups.all()]
    return [
        {
            "id": derived_id(service.code, f"attribute:{term['id']}"),
            "link_id": str(service.code),
            "link_type": link_type,
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
        }
        for link_type, term in terms
    ]


# --- location and service_at_location ------------------------------------------------------


def location_object(service: Service, *, full: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"id": location_id(service), "location_type": "physical", "name": service.name}
    if service.latitude is not None:
        data["latitude"] = service.latitude
        data["longitude"] = service.longitude
    if full:
        data["addresses"] = [_address(service)] if (service.address_line_1 or service.postcode) else []
    return data


def _address(service: Service) -> dict[str, Any]:
    council = service.council
    address: dict[str, Any] = {
        "id": derived_id(service.code, "address"),
        "location_id": location_id(service),
        "address_1": service.address_line_1,
        "city": service.town,
        "state_province": council.name if council else "",
        "postal_code": service.postcode,
        "country": "GB",
        "address_type": "physical",
    }
    if service.address_line_2:
        address["address_2"] = service.address_line_2  # HSDS core; the UK profile has one line
    if council:
        address["region"] = council.get_nation_display()
    return address


def service_at_location_object(
    service: Service, *, base_url: str, full: bool, nested_service: bool = True
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": service_at_location_id(service),
        "service_id": str(service.code),
        "location_id": location_id(service),
        "location": location_object(service, full=full),
    }
    if nested_service:
        data["service"] = service_basic(service, base_url=base_url)
    return data
