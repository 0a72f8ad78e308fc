"""Vetting on a schedule (issue 8): beat entries name real tasks, the nightly registration checks,
query counts of the lists, and the read-only admin."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import make_user
from carehub.celery import app
from carehub.tests.processes import run_python
from carehub.tests.test_settings import settings_error
from directory.models import ProviderVetting, Registration, Regulator, VettingCheck, VettingEvidence
from directory.models.vetting import CheckKind
from directory.tests.factories import make_postcode, make_provider, make_service
from directory.tests.vetting_factories import make_evidence, make_insurance, make_vetted
from directory.vetting.tasks import (
    vetting_check_task,
    vetting_expire_task,
    vetting_registration_checks_task,
    vetting_remind_task,
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


def test_vetting_beat_entries_name_registered_tasks() -> None:
    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("vetting_registration_checks_task", "vetting_expire_task", "vetting_remind_task"):
        assert f"directory.tasks.{name}" in tasks and f"directory.tasks.{name}" in app.tasks


def test_vetting_nightly_registration_checks_cover_providers_in_vetting_only(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    in_vetting, untouched = make_provider(), make_provider()
    for n, provider in enumerate((in_vetting, untouched)):
        Registration.objects.create(
            service=make_service(provider=provider),
            regulator=Regulator.CARE_INSPECTORATE,
            registration_number=f"CS20030000{n}",
            registered_name=provider.name,
            lowest_grade=5,
        )
    ProviderVetting.objects.create(provider=in_vetting)

    with django_capture_on_commit_callbacks(execute=True):
        assert vetting_registration_checks_task.delay().get() == 1
        assert vetting_registration_checks_task.delay(Regulator.CQC).get() == 0

    check = VettingCheck.objects.get()
    assert check.provider == in_vetting and check.kind == CheckKind.REGISTRATION
    assert check.status == VettingCheck.Status.PASSED


def test_vetting_expire_and_remind_tasks_run_the_services(db: None) -> None:
    provider = make_provider()
    make_vetted(provider, timezone.localdate() - timedelta(days=400))  # evidence dated from long ago
    assert vetting_expire_task.delay().get() >= 1
    provider.vetting.refresh_from_db()
    assert provider.vetting.vetted_at is None
    assert vetting_remind_task.delay().get() == 0


def test_vetting_results_api_has_no_query_per_vetted_result(
    client: Client, db: None, django_assert_max_num_queries: Any
) -> None:
    make_postcode("G12 8QQ", 55.871751, -4.28836)
    today = timezone.localdate()

    def add(n: int) -> None:
        for _ in range(n):
            make_vetted(make_service(latitude=55.871751, longitude=-4.28836).provider, today)

    add(2)
    with django_assert_max_num_queries(10) as few:
        assert client.get("/api/v1/services/", {"postcode": "G12 8QQ", "vetted": "true"}).json()["count"] == 2
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        results = client.get("/api/v1/services/", {"postcode": "G12 8QQ", "vetted": "true"}).json()["results"]
    assert len(results) == 10 and all(r["vetting"]["vetted"] for r in results)


def test_vetting_queue_has_no_query_per_row(client: Client, cast: Any, django_assert_max_num_queries: Any) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            make_evidence(provider=make_provider(), kind=VettingEvidence.Kind.IDENTITY, review="pending")

    client.force_login(cast.vetting_officer)
    add(2)
    with django_assert_max_num_queries(30) as few:
        assert client.get(reverse("directory:vetting-queue")).status_code == 200
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("directory:vetting-queue")).status_code == 200


def test_vetting_admin_lists_are_read_only(client: Client, db: None) -> None:
    provider = make_provider()
    make_insurance(provider, timezone.localdate() + timedelta(days=5))
    client.force_login(make_user(is_staff=True, is_superuser=True))
    for model in ("providervetting", "vettingcheck", "vettingevidence"):
        assert client.get(reverse(f"admin:directory_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:directory_{model}_add")).status_code == 403


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VETTING_MIN_GRADE": "7"}, "VETTING_MIN_GRADE must be between 1 and 6"),
        ({"VETTING_TRAINING_VALID_DAYS": "0"}, "must be positive"),
        ({"VETTING_CRIMINAL_RECORD_RENEWAL_DAYS": "soon"}, "VETTING_CRIMINAL_RECORD_RENEWAL_DAYS"),
    ],
)
def test_vetting_settings_refuse_malformed_values(tmp_path: Path, env: dict[str, str], message: str) -> None:
    assert message in settings_error(tmp_path, **env)


def test_vetting_settings_come_from_the_environment(tmp_path: Path) -> None:
    show = "from django.conf import settings as s; print(s.VETTING_MIN_GRADE, s.VETTING_TRAINING_VALID_DAYS)"
    result = run_python(["-c", show], {"VETTING_MIN_GRADE": "4"}, tmp_path)
    assert result.stdout.split() == ["4", str(3 * 365)], result.stderr


def test_vetting_check_task_for_a_deleted_provider_does_nothing(db: None) -> None:
    assert vetting_check_task.delay(987654, CheckKind.INSURANCE).get() == "gone"
    assert not VettingCheck.objects.exists()
