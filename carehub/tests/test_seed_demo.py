"""`manage.py seed_demo` gives every role something to see, and a second run changes nothing."""

from __future__ import annotations

import csv
import gzip
import io
import time
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DEMO_USERS
from carehub.demo import replay_clock
from directory import demo as directory_demo
from directory.models import ProviderVetting, RegisterImport, Registration, Regulator, SearchLog, Service
from directory.search.selectors import search_origin, service_search
from directory.tests.register_fixtures import ci_row, write_ci
from marketplace.ledger import ledger_verify
from marketplace.models import Booking, MessageThread
from reviews import demo as reviews_demo
from reviews.models import Review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the vetting evidence files


@pytest.fixture
def seed(django_capture_on_commit_callbacks: Any) -> Any:
    def run(*args: str) -> str:
        out = io.StringIO()
        # The command commits as it goes; here the test's transaction holds the commits back.
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", *args, stdout=out)
        return out.getvalue()

    return run


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_twice_fills_every_role_once_and_keeps_the_ledger_sound(seed: Any) -> None:
    call_command("load_postcode_centroids", stdout=io.StringIO())  # as `make run` does first
    first = seed("--no-register")
    counts = _row_counts()
    second = seed("--no-register")

    assert _row_counts() == counts  # the second run creates nothing
    assert ledger_verify() == []
    call_command("check_ledger", stdout=io.StringIO())
    for output in (first, second):
        assert "Register import skipped (--no-register)" in output
        assert "alex.morgan@example.com    — see /budgets/, /bookings/" in output
    assert RegisterImport.objects.count() == 0

    alex = DEMO_USERS["person"][0]
    statuses = sorted(Booking.objects.filter(person__user__email=alex).values_list("status", flat=True))
    assert statuses == ["completed", "requested", "scheduled"]
    review = Review.objects.get(person__user__email=alex)
    assert (review.status, review.verified, review.booking.status) == ("published", True, "completed")
    assert review.reply.author.email == DEMO_USERS["provider"][0]
    assert Review.objects.filter(status="published").count() >= 3
    assert MessageThread.objects.filter(person__user__email=alex, provider__name="Kelvin Companions").exists()
    assert ProviderVetting.objects.get(provider__name="Kelvin Companions").vetted_at is not None
    published = Service.objects.filter(status="published", provider__memberships__isnull=False).distinct()
    assert {s.provider.kind for s in published} == {"organisation", "individual"}
    assert published.filter(availability__isnull=False).distinct().count() == 3
    assert SearchLog.objects.filter(council__name="Glasgow City").exists()


def test_seed_demo_loads_the_shipped_register_so_a_fresh_clone_is_real(seed: Any) -> None:
    call_command("load_postcode_centroids", stdout=io.StringIO())  # as `make run` does first
    first = seed()
    counts = _row_counts()
    started = time.monotonic()
    second = seed()

    assert "Imported the Care Inspectorate register care_inspectorate_datastore_2026-05-31.csv.gz in" in first
    assert "10,566 services, 10,436 of them active (0 rows with errors, 0 with warnings" in first
    assert "is already in (import #" in second
    assert _row_counts() == counts  # the second run creates nothing...
    assert time.monotonic() - started < 30  # ...and is quick (generous: the machine may be busy)
    registered = Service.objects.filter(registration__regulator=Regulator.CARE_INSPECTORATE)
    assert registered.filter(status=Service.Status.PUBLISHED).count() == 10_436
    assert Registration.objects.filter(regulator=Regulator.CARE_INSPECTORATE).exclude(grades={}).count() > 7_000

    # Searchable by postcode at once: real services around the demo's invented ones.
    near_alex = service_search(origin=search_origin(postcode="G12 8QQ"), radius_miles=5)
    assert near_alex.filter(registration__isnull=False).count() > 500
    assert near_alex.filter(provider__name="Kelvin Companions").exists()
    assert service_search(origin=search_origin(postcode="EH1 1YZ"), radius_miles=5).count() > 500
    # The invented providers carry every invented thing; no real service has a demo review or booking.
    assert not Review.objects.filter(service__registration__isnull=False).exists()
    assert not Booking.objects.filter(service__registration__isnull=False).exists()
    # The search log counts what a search finds today.
    logged = SearchLog.objects.filter(district="G12", category__slug="personal-care").get()
    personal_care = service_search(
        origin=search_origin(postcode="G12 8QQ"), radius_miles=5, categories=["personal-care"]
    )
    assert logged.result_count == personal_care.count() > 1


def test_seed_demo_never_loads_the_shipped_register_over_one_already_imported(seed: Any, tmp_path: Path) -> None:
    # Say a newer month was imported: syncing the older shipped copy would close its new services.
    newer = write_ci(tmp_path / "datastore_2026-06-30.csv", [ci_row("CS2003000001"), ci_row("CS2003000002")])
    call_command("import_care_inspectorate", str(newer), stdout=io.StringIO())

    output = seed()

    assert "The Care Inspectorate register datastore_2026-06-30.csv is already in (import #" in output
    assert RegisterImport.objects.count() == 1
    assert not Service.objects.filter(status=Service.Status.NO_LONGER_REGISTERED).exists()


def test_seed_demo_imports_a_register_file_once(seed: Any, tmp_path: Path) -> None:
    path = write_ci(tmp_path / "datastore.csv", [ci_row("CS2003000001"), ci_row("CS2003000002")])

    first = seed("--register", str(path))
    again = seed("--register", str(path))

    assert "Imported the Care Inspectorate register datastore.csv" in first
    assert "2 services" in first
    assert "already in (import #" in again
    assert RegisterImport.objects.count() == 1
    assert Registration.objects.count() == 2


def test_seed_demo_says_how_to_import_a_register_when_the_file_is_missing(seed: Any, tmp_path: Path) -> None:
    output = seed("--register", str(tmp_path / "missing.csv"))

    assert "the demo has only the sample listings" in output
    assert "manage.py import_care_inspectorate" in output


@pytest.mark.parametrize("day", [date(2027, 4, 1), date(2027, 3, 29)])
def test_seed_demo_runs_at_either_end_of_the_financial_year(seed: Any, day: date) -> None:
    # Bookings must fall inside the budget's period; those that cannot are left out, nothing fails.
    with replay_clock(timezone.make_aware(datetime.combine(day, clock_time(8)))):
        seed("--no-register")
        counts = _row_counts()
        seed("--no-register")

    assert _row_counts() == counts
    assert ledger_verify() == []
    assert Booking.objects.exists()


def test_seed_demo_invented_names_are_not_on_the_shipped_register() -> None:
    # The invented providers and people sit among real registered services: none may share a name
    # with a service or provider on the register (a childminder's service is named after them).
    with gzip.open(directory_demo.REGISTER_FILE, "rt", encoding="utf-8", newline="") as fh:
        on_register = {
            name.strip().lower()
            for row in csv.DictReader(fh)
            for name in (row["ServiceName"], row["ServiceProvider"])
            if name.strip()
        }
    invented = {
        "Kelvin Companions",
        directory_demo.PA_PROVIDER,
        directory_demo.DAY_CENTRE_PROVIDER,
        directory_demo.PA_OWNER[1],
        directory_demo.DAY_CENTRE_OWNER[1],
        *(name for _email, name, _role in DEMO_USERS.values()),
        *(name for _email, name, _postcode in reviews_demo.OTHERS),
    }

    assert len(on_register) > 10_000
    assert {name.lower() for name in invented} & on_register == set()
