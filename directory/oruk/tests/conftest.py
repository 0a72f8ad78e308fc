"""Fixtures for the Open Referral UK tests: a small world of listings, schema validation
against the standard's own files, and no network (the fetch adapter refuses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

import pytest
from django.apps import apps
from jsonschema import Draft202012Validator, FormatChecker

from directory.models import (
    AvailabilityWindow,
    Council,
    Provider,
    RegisteredProvider,
    Registration,
    Regulator,
    Service,
    ServiceConfirmation,
)
from directory.models.vetting import ProviderVetting
from directory.oruk import standard
from directory.tests.factories import category, client_group, make_council, make_postcode, make_provider, make_service

STUB = "/o/ServiceDirectoryService/v3"
G12_8QQ = (55.871751, -4.28836)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(url: str) -> Any:
        raise AssertionError(f"a test tried to fetch {url}: replace directory.oruk.fetch.fetch_json")

    monkeypatch.setattr("directory.oruk.fetch.fetch_json", refuse)


@pytest.fixture(scope="session")
def oruk_spec() -> dict[str, Any]:
    if not standard.standard_dir().exists():
        pytest.fail(f"The ORUK standard is missing at {standard.standard_dir()} (set ORUK_STANDARD_DIR)")
    return standard.openapi_self_contained()


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": spec["components"]}, format_checker=FormatChecker())


def assert_valid(spec: dict[str, Any], schema: dict[str, Any], body: Any) -> None:
    errors = sorted(_validator(spec, schema).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.fixture
def validate(oruk_spec: dict[str, Any]) -> Any:
    """validate(path_template, body): the body against the standard's OpenAPI answer for that
    path, and list items / detail bodies against the compiled schema the task names."""

    def check(template: str, body: Any, *, compiled: str | None = None) -> None:
        operation = oruk_spec["paths"][template]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert_valid(oruk_spec, schema, body)
        if compiled:
            ref = {"$ref": f"#/components/schemas/schema_compiled_{compiled}"}
            oruk_spec["components"]["schemas"].setdefault(
                f"schema_compiled_{compiled}", standard.load(f"schema/compiled/{compiled}.json")
            )
            for item in body.get("contents", [body]):
                assert_valid(oruk_spec, ref, item)

    return check


@dataclass
class World:
    council: Council
    provider: Provider
    home_care: Service  # registered, graded, rated, vetted; visits at home within 10 miles
    day_centre: Service  # at a location, Monday and Wednesday
    remote: Service  # no location at all
    draft: Service
    suspended: Service


@pytest.fixture
def world(db: Any) -> World:
    council = make_council(name="Glasgow City", gss_code="S12000049", slug="glasgow-city")
    make_postcode("G12 8QQ", *G12_8QQ, council=council)
    make_postcode("G12 8", 55.875097, -4.287462, council=council)
    make_postcode("EH1 1YZ", 55.9533, -3.1883)
    provider = make_provider(
        name="Kelvin Companions",
        description="Care at home in the West End.",
        email="hello@kelvin.example",
        website="https://kelvin.example",
        phone="0141 496 0000",
    )
    RegisteredProvider.objects.create(
        regulator=Regulator.CARE_INSPECTORATE,
        provider_number="SP2003000001",
        registered_name="Kelvin Companions",
        provider=provider,
    )
    home_care = make_service(
        provider=provider,
        name="Kelvin Care at Home",
        description="Personal care and companionship.",
        address_line_1="1 Byres Road",
        address_line_2="Second floor",
        town="Glasgow",
        postcode="G12 8QQ",
        latitude=G12_8QQ[0],
        longitude=G12_8QQ[1],
        council=council,
        delivered_at_location=False,
        delivered_at_home=True,
        service_radius_miles=10,
        price_pence=2450,
        price_unit=Service.PriceUnit.HOUR,
        categories=[category("personal-care")],
        client_groups=[client_group("older-people")],
    )
    Registration.objects.create(
        service=home_care,
        regulator=Regulator.CARE_INSPECTORATE,
        registration_number="CS2003000001",
        registered_name="Kelvin Care at Home",
        grades={"support_wellbeing": 5, "leadership": 4},
        lowest_grade=4,
    )
    AvailabilityWindow.objects.create(service=home_care, weekday=0, starts_at=time(8), ends_at=time(20))
    apps.get_model("reviews", "ServiceRating").objects.create(
        service=home_care, review_count=3, average=4.6667, score=4.1
    )
    ProviderVetting.objects.create(
        provider=provider,
        vetted_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
        checks=[{"kind": "registration", "label": "Registration with the regulator", "checked_on": "2026-03-01"}],
    )
    ServiceConfirmation.objects.create(service=home_care, confirmed_at=datetime(2026, 5, 4, 10, tzinfo=UTC))
    day_centre = make_service(
        name="Hillhead Day Centre",
        postcode="G12 8QQ",
        latitude=55.8890,  # about 1.2 miles north
        longitude=-4.2884,
        address_line_1="20 Great George Street",
        town="Glasgow",
        council=council,
        price_pence=None,
        price_unit="",
        price_on_request=True,
        categories=[category("day-centres")],
    )
    AvailabilityWindow.objects.create(service=day_centre, weekday=0, starts_at=time(9), ends_at=time(16))
    AvailabilityWindow.objects.create(service=day_centre, weekday=2, starts_at=time(10), ends_at=time(14))
    remote = make_service(
        name="Carers' Phone Line",
        postcode="",
        latitude=None,
        longitude=None,
        location_precision="",
        delivered_at_location=False,
        delivered_remotely=True,
        categories=[category("carers-support")],
    )
    draft = make_service(name="Unpublished draft", status=Service.Status.DRAFT)
    suspended = make_service(name="Suspended listing", status=Service.Status.SUSPENDED)
    return World(council, provider, home_care, day_centre, remote, draft, suspended)
