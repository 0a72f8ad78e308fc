"""manage.py import_oruk: the standard's examples, a crawled feed (through a fake fetch), CareHub's
own feed round trip, idempotence, updates, claimed listings and bad input that writes nothing."""

from __future__ import annotations

import json
from datetime import time
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.tests.factories import make_provider_member
from directory.models import (
    AvailabilityWindow,
    Provider,
    RegisteredProvider,
    Registration,
    Service,
    ServiceConfirmation,
)
from directory.models.oruk import OrukRecord
from directory.models.vetting import ProviderVetting
from directory.oruk import standard
from directory.oruk.fetch import FetchFailed
from directory.oruk.fetch import fetch_json as real_fetch_json
from directory.oruk.taxonomy import category_term_id
from directory.oruk.tests.conftest import STUB

EXAMPLE_SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_ORG_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


def example(name: str) -> Path:
    return standard.standard_dir() / "examples" / f"{name}.json"


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_oruk", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: Any, name: str = "feed.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def snapshot() -> list[tuple]:
    return list(Service.objects.order_by("pk").values_list("pk", "code", "name", "updated_at", "status"))


# --- the standard's examples ----------------------------------------------------------------


def test_import_oruk_example_service_becomes_an_unclaimed_listing(db):
    out = run(str(example("service_full")))
    assert "services       inserted 1, updated 0, unchanged 0, skipped 0" in out
    assert "organisations  inserted 1, updated 0, unchanged 0, skipped 0" in out
    assert "the position (100, 101) is impossible; left out" in out
    assert "'ABC 1234' is not a UK postcode; left out" in out
    service = Service.objects.select_related("provider").get()
    assert str(service.code) == EXAMPLE_SERVICE_ID  # the source's id survives
    assert str(service.provider.code) == EXAMPLE_ORG_ID
    assert service.provider.name == "Example Organization Inc."
    assert not service.provider.memberships.exists()  # unclaimed
    assert (service.name, service.status, service.website) == (
        "Community Counselling",
        Service.Status.PUBLISHED,
        "http://example.com/counselling",
    )
    assert (service.price_pence, service.price_unit) == (3500, "hour")  # 35, "per 1 hour session"
    assert (service.latitude, service.postcode, service.address_line_1, service.town) == (
        None,
        "",
        "1-30 Main Street",
        "MyCity",
    )
    assert service.delivered_at_location is True
    assert list(AvailabilityWindow.objects.values_list("weekday", "starts_at", "ends_at")) == [
        (3, time(10), time(18)),
        (4, time(10), time(18)),
    ]
    record = OrukRecord.objects.get(kind="service")
    assert (record.source, record.external_id, record.service) == ("service_full.json", EXAMPLE_SERVICE_ID, service)


@pytest.mark.parametrize("name", ["service_full", "service_list", "service_at_location_list", "taxonomy_term_list"])
def test_import_oruk_every_example_imports_and_a_second_run_changes_nothing(db, name):
    first = run(str(example(name)), "--source", "examples")
    before = snapshot()
    second = run(str(example(name)), "--source", "examples")
    assert snapshot() == before
    if name == "taxonomy_term_list":
        assert "0 matched a CareHub category or client group, 1 did not" in first
        assert Service.objects.count() == 0
    else:
        assert "services       inserted 1" in first
        assert "services       inserted 0, updated 0, unchanged 1, skipped 0" in second
        assert "organisations  inserted 0, updated 0, unchanged 1, skipped 0" in second


def test_import_oruk_examples_of_one_feed_merge_into_one_listing(db):
    run(str(example("service_list")), "--source", "examples")
    out = run(str(example("service_full")), "--source", "examples")
    assert "services       inserted 0, updated 1, unchanged 0, skipped 0" in out
    service = Service.objects.get()
    assert service.address_line_1 == "1-30 Main Street"  # only the full record has the address
    assert AvailabilityWindow.objects.filter(service=service).count() == 2


def test_import_oruk_the_same_service_from_another_source_is_skipped(db):
    run(str(example("service_full")))
    out = run(str(example("service_list")))  # another file name = another source
    assert "skipped 1" in out and "already a CareHub listing" in out
    assert Service.objects.count() == 1


# --- bad input writes nothing ------------------------------------------------------------------


def _service(n: int, **overrides: Any) -> dict[str, Any]:
    return {"id": f"svc-{n}", "name": f"Service {n}", "status": "active", **overrides}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json at all", "is not JSON"),
        ('{"hello": "world"}', "not an ORUK service"),
        ('{"version": "3.0", "openapi_url": "https://x.example/openapi.json"}', "root of an ORUK API"),
        ("[]", "no ORUK service or taxonomy term found"),
        (json.dumps({"contents": [_service(1), _service(2, name="")]}), "service svc-2: no name"),
        (json.dumps([_service(1), _service(2, status="open")]), "status 'open' is not one of"),
        (json.dumps([_service(1), {"name": "No id", "status": "active"}]), "a service without an id"),
        (json.dumps([_service(1), "a string"]), "expected an object"),
    ],
)
def test_import_oruk_bad_input_is_a_clear_error_and_writes_nothing(db, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run(str(path))
    assert Service.objects.count() == 0 and Provider.objects.count() == 0 and OrukRecord.objects.count() == 0


def test_import_oruk_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Could not read"):
        run(str(tmp_path / "nope.json"))


def test_import_oruk_odd_fields_are_left_out_with_warnings(db, tmp_path):
    item = _service(
        1,
        email="not an email",
        url="javascript:alert(1)",
        service_at_locations=[
            {"id": "sal", "location": {"id": "l", "location_type": "physical", "latitude": "x", "longitude": 3}},
            {"id": "sal2", "location": {"id": "l2", "location_type": "physical"}},
        ],
        cost_options=[{"id": "c", "amount": -5}, {"id": "d", "option": "Price on request"}],
    )
    out = run(write(tmp_path, [item]))
    assert "is not valid; left out" in out and "is not a web address; left out" in out
    assert "2 locations; CareHub keeps the first" in out
    service = Service.objects.get()
    assert (service.email, service.website, service.latitude, service.price_on_request) == ("", "", None, True)


# --- updates, claims and statuses ----------------------------------------------------------------


def test_import_oruk_a_changed_record_updates_its_listing(db, tmp_path):
    path = write(tmp_path, [_service(1, description="Old")])
    run(path, "--source", "feed")
    path = write(tmp_path, [_service(1, description="New")])
    assert "updated 1" in run(path, "--source", "feed")
    assert Service.objects.get().description == "New"


def test_import_oruk_leaves_a_claimed_listing_to_its_provider(db, tmp_path):
    run(write(tmp_path, [_service(1, description="Old")]), "--source", "feed")
    make_provider_member(provider=Service.objects.get().provider)
    out = run(write(tmp_path, [_service(1, description="New")]), "--source", "feed")
    assert "skipped 1" in out and "claimed by its provider" in out
    assert Service.objects.get().description == "Old"


def test_import_oruk_status_follows_the_source_only_when_the_source_changes(db, tmp_path):
    run(write(tmp_path, [_service(1)]), "--source", "feed")
    Service.objects.update(status=Service.Status.SUSPENDED)  # an officer's decision
    run(write(tmp_path, [_service(1, description="Edited")]), "--source", "feed")
    assert Service.objects.get().status == Service.Status.SUSPENDED
    run(write(tmp_path, [_service(1, description="Edited", status="defunct")]), "--source", "feed")
    run(write(tmp_path, [_service(1, description="Edited", status="active")]), "--source", "feed")
    assert Service.objects.get().status == Service.Status.PUBLISHED


def test_import_oruk_does_not_add_closed_services(db, tmp_path):
    out = run(write(tmp_path, [_service(1, status="defunct")]))
    assert "skipped 1" in out and Service.objects.count() == 0


def test_import_oruk_matches_terms_to_carehub_categories_by_id_slug_or_name(db, tmp_path):
    def attribute(term: dict[str, Any]) -> dict[str, Any]:
        return {"id": "a", "taxonomy_term": {"description": "", **term}}

    item = _service(
        1,
        attributes=[
            attribute({"id": category_term_id("befriending"), "name": "x"}),
            attribute({"id": "t2", "name": "Something", "term": "day-centres"}),
            attribute({"id": "t3", "name": "people living with DEMENTIA"}),
            attribute({"id": "t4", "name": "Knitting"}),
        ],
    )
    out = run(write(tmp_path, [item]))
    assert "3 matched a CareHub category or client group, 1 did not" in out
    service = Service.objects.get()
    assert sorted(service.categories.values_list("slug", flat=True)) == ["befriending", "day-centres"]
    assert list(service.client_groups.values_list("slug", flat=True)) == ["dementia"]


# --- a feed by URL, through a fake fetch ----------------------------------------------------------


class FakeFeed:
    """Answers like an ORUK API at https://feed.example/o/v3 from the standard's examples."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> Any:
        self.urls.append(url)
        parts = urlsplit(url)
        if parts.netloc != "feed.example":
            raise FetchFailed(f"Could not fetch {url}: no such host")
        path = parts.path.removeprefix("/o/v3")
        page_two = "page=2" in parts.query
        empty = {"total_items": 1, "contents": [], "empty": True}
        if path in ("", "/"):
            return {"version": "3.0", "openapi_url": "https://example.org/openapi.json"}
        if path == "/services":
            return empty if page_two else json.loads(example("service_list").read_text())
        if path == "/taxonomy_terms":
            return empty if page_two else json.loads(example("taxonomy_term_list").read_text())
        if path == f"/services/{EXAMPLE_SERVICE_ID}":
            return json.loads(example("service_full").read_text())
        raise FetchFailed(f"Could not fetch {url}: HTTP Error 404")


def test_import_oruk_crawls_a_feed_from_its_api_root(db, monkeypatch):
    fake = FakeFeed()
    monkeypatch.setattr("directory.oruk.fetch.fetch_json", fake)
    out = run("https://feed.example/o/v3/")
    assert "services       inserted 1" in out
    assert fake.urls == [
        "https://feed.example/o/v3/",
        "https://feed.example/o/v3/taxonomy_terms?page=1&per_page=100",
        "https://feed.example/o/v3/taxonomy_terms?page=2&per_page=100",
        "https://feed.example/o/v3/services?page=1&per_page=100",
        "https://feed.example/o/v3/services?page=2&per_page=100",
        f"https://feed.example/o/v3/services/{EXAMPLE_SERVICE_ID}",
    ]
    record = OrukRecord.objects.get(kind="service")
    assert record.source == "https://feed.example/o/v3"
    assert Service.objects.get().address_line_1 == "1-30 Main Street"  # from the fully nested service
    assert "unchanged 1" in run("https://feed.example/o/v3")


def test_import_oruk_an_unreachable_url_is_a_clear_error(db, monkeypatch):
    monkeypatch.setattr("directory.oruk.fetch.fetch_json", FakeFeed())
    with pytest.raises(CommandError, match="no such host"):
        run("https://elsewhere.example/o/v3/")
    assert Service.objects.count() == 0


def test_fetch_adapter_refuses_other_schemes_without_any_request():
    with pytest.raises(FetchFailed, match="Only http and https"):
        real_fetch_json("file:///etc/passwd")


# --- CareHub's own feed -------------------------------------------------------------------------


def _crawl_own_feed(client) -> Any:
    def fetch(url: str) -> Any:
        parts = urlsplit(url)
        response = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
        assert response.status_code == 200, url
        return response.json()

    return fetch


# Facts CareHub does not take from a feed (they are CareHub's own judgements or history).
NOT_IMPORTED = {"last_modified", "carehub_regulator", "carehub_rating", "carehub_vetting", "assured_date"}


def _comparable(service: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in service.items() if k not in NOT_IMPORTED | {"carehub_source"}}
    data["organization"] = {k: v for k, v in data["organization"].items() if k != "organization_identifiers"}
    return data


def test_import_oruk_own_feed_into_the_same_database_changes_nothing(client, world, monkeypatch):
    monkeypatch.setattr("directory.oruk.fetch.fetch_json", _crawl_own_feed(client))
    before = snapshot()
    out = run(f"http://testserver{STUB}/")
    assert "services       inserted 0, updated 0, unchanged 0, skipped 3" in out
    assert snapshot() == before


def test_import_oruk_round_trip_export_import_into_an_empty_database_gives_the_same_services(client, world, tmp_path):
    fetch = _crawl_own_feed(client)
    from directory.oruk.feed import oruk_documents_from_url

    exported = oruk_documents_from_url(f"http://testserver{STUB}/", fetch=fetch)
    services_before = sorted((d for d in exported if "status" in d), key=lambda s: s["id"])
    assert len(services_before) == 3
    path = write(tmp_path, exported, "carehub.json")

    # An empty directory (the taxonomy and postcodes are seeded, as on any CareHub).
    Registration.objects.all().delete()
    RegisteredProvider.objects.all().delete()
    apps.get_model("reviews", "ServiceRating").objects.all().delete()
    ProviderVetting.objects.all().delete()
    ServiceConfirmation.objects.all().delete()
    Service.objects.all().delete()
    Provider.objects.all().delete()

    out = run(path, "--source", "carehub-demo")
    assert "services       inserted 3, updated 0, unchanged 0, skipped 0" in out
    services_after = sorted(
        (client.get(f"{STUB}/services/{s['id']}").json() for s in services_before), key=lambda s: s["id"]
    )
    for after, before in zip(services_after, services_before, strict=True):
        after, before = _comparable(after), _comparable(before)
        differences = {k: (after.get(k), before.get(k)) for k in after | before if after.get(k) != before.get(k)}
        assert after == before, differences
    assert all(s["carehub_source"]["feed"] == "carehub-demo" for s in services_after)
    assert "unchanged 3" in run(path, "--source", "carehub-demo")
