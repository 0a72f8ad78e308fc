"""Vetting checks (issue 8): which apply, each check's outcomes, the provider's status, expiry and reminders,
and the Done-when scenario across two register files."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.notifications.models import Notification, OutboxMessage
from accounts.tests.factories import make_provider_member
from directory.models import Provider, Registration, Regulator, Service, VettingCheck, VettingEvidence
from directory.models.vetting import CheckKind, TrainingTopic
from directory.registers.services import register_import_from_path
from directory.search.selectors import service_search
from directory.tests.factories import make_provider, make_service
from directory.tests.register_fixtures import ci_row, make_categories, make_client_groups, make_postcodes, write_ci
from directory.tests.vetting_factories import make_all_evidence, make_evidence, make_insurance, make_vetted
from directory.vetting.checks import (
    ProviderType,
    check_criminal_record,
    check_identity,
    check_insurance,
    check_quality_mark,
    check_references,
    check_registration,
    check_training,
    vetting_checks_applicable,
    vetting_provider_type,
)
from directory.vetting.services import vetting_check_run, vetting_expire, vetting_remind

TODAY = date(2026, 6, 1)
Status = VettingCheck.Status
Kind = VettingEvidence.Kind


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _registered(provider: Provider, *, number: str = "CS2003000001", **fields: Any) -> Registration:
    service = make_service(provider=provider)
    return Registration.objects.create(
        service=service,
        regulator=Regulator.CARE_INSPECTORATE,
        registration_number=number,
        registered_name=service.name,
        **fields,
    )


# --- Which checks apply -----------------------------------------------------------------


def test_vetting_checks_applicable_depend_on_the_kind_of_provider(db: None) -> None:
    registered = make_provider()
    _registered(registered)
    micro = make_provider(kind=Provider.Kind.ORGANISATION)
    assistant = make_provider(kind=Provider.Kind.INDIVIDUAL)
    registered_individual = make_provider(kind=Provider.Kind.INDIVIDUAL)  # a childminder on the register
    _registered(registered_individual, number="CS2003000099")

    assert vetting_provider_type(registered) == vetting_provider_type(registered_individual) == ProviderType.REGISTERED
    assert vetting_provider_type(micro) == ProviderType.MICRO
    assert vetting_provider_type(assistant) == ProviderType.PERSONAL_ASSISTANT
    assert vetting_checks_applicable(registered) == (CheckKind.REGISTRATION, CheckKind.INSURANCE)
    assert set(vetting_checks_applicable(micro)) == {
        CheckKind.INSURANCE,
        CheckKind.REFERENCES,
        CheckKind.IDENTITY,
        CheckKind.QUALITY_MARK,
    }
    assert set(vetting_checks_applicable(assistant)) == {
        CheckKind.IDENTITY,
        CheckKind.CRIMINAL_RECORD,
        CheckKind.INSURANCE,
        CheckKind.TRAINING,
    }


# --- Each check ---------------------------------------------------------------------------


def test_vetting_registration_passes_when_active_and_graded_at_or_above_the_floor(db: None, settings: Any) -> None:
    settings.VETTING_MIN_GRADE = 3
    provider = make_provider()
    _registered(provider, status=Registration.Status.ACTIVE, lowest_grade=3)
    outcome = check_registration(provider, TODAY)
    assert outcome.status == Status.PASSED and "CS2003000001" in outcome.detail


def test_vetting_registration_fails_below_the_configured_grade_floor(db: None, settings: Any) -> None:
    provider = make_provider()
    _registered(provider, status=Registration.Status.ACTIVE, lowest_grade=3)
    settings.VETTING_MIN_GRADE = 4
    outcome = check_registration(provider, TODAY)
    assert outcome.status == Status.FAILED and "Adequate" in outcome.detail and "(4)" in outcome.detail


@pytest.mark.parametrize("status", [Registration.Status.NO_LONGER_REGISTERED, Registration.Status.INACTIVE])
def test_vetting_registration_fails_when_not_active_in_the_register(db: None, status: str) -> None:
    provider = make_provider()
    _registered(provider, status=status, lowest_grade=5)
    outcome = check_registration(provider, TODAY)
    assert outcome.status == Status.FAILED and outcome.detail.startswith("Not active in")


def test_vetting_registration_fails_without_a_registration(db: None) -> None:
    assert check_registration(make_provider(), TODAY).status == Status.FAILED


def test_vetting_insurance_passes_until_the_expiry_date_and_expires_on_it(db: None) -> None:
    provider = make_provider()
    assert check_insurance(provider, TODAY).status == Status.FAILED  # nothing uploaded
    evidence = make_insurance(provider, TODAY + timedelta(days=10))

    passed = check_insurance(provider, TODAY)
    assert passed.status == Status.PASSED and passed.valid_until == TODAY + timedelta(days=10)
    assert passed.evidence == [evidence] and "PL-12345" in passed.detail and "Caledonian Mutual" in passed.detail
    assert check_insurance(provider, TODAY + timedelta(days=9)).status == Status.PASSED
    assert check_insurance(provider, TODAY + timedelta(days=10)).status == Status.EXPIRED


def test_vetting_insurance_ignores_rejected_certificates(db: None) -> None:
    provider = make_provider()
    make_insurance(provider, TODAY + timedelta(days=10), review=VettingEvidence.Review.REJECTED)
    assert check_insurance(provider, TODAY).status == Status.FAILED


def test_vetting_criminal_record_is_flagged_after_the_renewal_period(db: None, settings: Any) -> None:
    settings.VETTING_CRIMINAL_RECORD_RENEWAL_DAYS = 365
    provider = make_provider(kind=Provider.Kind.INDIVIDUAL)
    assert check_criminal_record(provider, TODAY).status == Status.FAILED
    make_evidence(
        provider=provider,
        kind=Kind.CRIMINAL_RECORD,
        scheme="dbs",
        certificate_number="001234567890",
        issued_on=TODAY - timedelta(days=364),
    )
    passed = check_criminal_record(provider, TODAY)
    assert passed.status == Status.PASSED and "DBS certificate 001234567890" in passed.detail
    assert passed.valid_until == TODAY + timedelta(days=1)
    flagged = check_criminal_record(provider, TODAY + timedelta(days=1))
    assert flagged.status == Status.EXPIRED and "renew" in flagged.detail


def test_vetting_references_need_two_each_confirmed_by_an_officer(db: None) -> None:
    provider = make_provider()
    assert check_references(provider, TODAY).status == Status.FAILED
    make_evidence(provider=provider, kind=Kind.REFERENCE, referee_name="A")
    assert check_references(provider, TODAY).status == Status.FAILED  # one of two
    pending = make_evidence(provider=provider, kind=Kind.REFERENCE, referee_name="B", review="pending")
    assert check_references(provider, TODAY).status == Status.NEEDS_REVIEW
    pending.review = VettingEvidence.Review.APPROVED
    pending.save()
    outcome = check_references(provider, TODAY)
    assert outcome.status == Status.PASSED and len(outcome.evidence) == 2


def test_vetting_identity_waits_for_an_officer_and_tells_a_rejection_reason(db: None) -> None:
    provider = make_provider()
    make_evidence(provider=provider, kind=Kind.IDENTITY, review="rejected", review_reason="The photo is unreadable")
    rejected = check_identity(provider, TODAY)
    assert rejected.status == Status.FAILED and "unreadable" in rejected.detail
    make_evidence(provider=provider, kind=Kind.IDENTITY, review="pending")
    assert check_identity(provider, TODAY).status == Status.NEEDS_REVIEW
    make_evidence(provider=provider, kind=Kind.IDENTITY)  # approved
    assert check_identity(provider, TODAY).status == Status.PASSED


def test_vetting_quality_mark_needs_the_officers_sign_off(db: None) -> None:
    provider = make_provider()
    make_evidence(provider=provider, kind=Kind.QUALITY_MARK, review="pending")
    assert check_quality_mark(provider, TODAY).status == Status.NEEDS_REVIEW
    VettingEvidence.objects.update(review=VettingEvidence.Review.APPROVED)
    assert check_quality_mark(provider, TODAY).status == Status.PASSED


def test_vetting_training_needs_all_five_courses_in_date(db: None, settings: Any) -> None:
    settings.VETTING_TRAINING_VALID_DAYS = 100
    provider = make_provider(kind=Provider.Kind.INDIVIDUAL)
    for topic in list(TrainingTopic)[:4]:
        make_evidence(provider=provider, kind=Kind.TRAINING, topic=topic, completed_on=TODAY - timedelta(days=10))
    missing = check_training(provider, TODAY)
    assert missing.status == Status.FAILED and "lone working" in missing.detail
    make_evidence(
        provider=provider, kind=Kind.TRAINING, topic=TrainingTopic.LONE_WORKING, completed_on=TODAY - timedelta(days=50)
    )
    passed = check_training(provider, TODAY)
    assert passed.status == Status.PASSED and passed.valid_until == TODAY + timedelta(days=50)
    expired = check_training(provider, TODAY + timedelta(days=50))
    assert expired.status == Status.EXPIRED and expired.detail == "Training to refresh: lone working."


# --- Recording results and the provider's status ---------------------------------------


def test_vetting_check_run_records_a_dated_result_and_only_dates_an_unchanged_one(db: None) -> None:
    provider = make_provider()
    make_insurance(provider, TODAY + timedelta(days=300))
    first = vetting_check_run(provider_id=provider.pk, kind=CheckKind.INSURANCE, today=TODAY)
    assert first.status == Status.PASSED and list(first.evidence.all()) == list(provider.vetting_evidence.all())

    again = vetting_check_run(provider_id=provider.pk, kind=CheckKind.INSURANCE, today=TODAY)
    assert again.pk == first.pk and again.checked_at >= first.checked_at

    VettingEvidence.objects.all().delete()
    failed = vetting_check_run(provider_id=provider.pk, kind=CheckKind.INSURANCE, today=TODAY)
    assert failed.pk != first.pk and failed.status == Status.FAILED
    assert list(VettingCheck.objects.filter(provider=provider).values_list("status", "is_current")) == [
        (Status.FAILED, True),
        (Status.PASSED, False),
    ]


@pytest.mark.parametrize("kind", [Provider.Kind.ORGANISATION, Provider.Kind.INDIVIDUAL])
def test_vetting_provider_is_vetted_only_when_every_applicable_check_passes(db: None, kind: str) -> None:
    provider = make_provider(kind=kind)
    make_all_evidence(provider, TODAY)
    applicable = vetting_checks_applicable(provider)
    for done, check_kind in enumerate(applicable, start=1):
        vetting_check_run(provider_id=provider.pk, kind=check_kind, today=TODAY)
        provider.vetting.refresh_from_db()
        assert (provider.vetting.vetted_at is not None) == (done == len(applicable))
    assert [c["kind"] for c in provider.vetting.checks] == list(applicable)
    assert provider.vetting.reason == ""


def test_vetting_expired_insurance_drops_the_status_on_the_expiry_date_and_tells_the_provider(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    provider = make_provider()
    owner = make_provider_member(provider=provider)
    make_vetted(provider, TODAY)
    insurance = VettingEvidence.objects.get(provider=provider, kind=Kind.INSURANCE)
    service = make_service(provider=provider)

    assert vetting_expire(today=insurance.expires_on - timedelta(days=1)) == 0
    provider.vetting.refresh_from_db()
    assert provider.vetting.vetted_at is not None

    assert vetting_expire(today=insurance.expires_on) == 1
    provider.vetting.refresh_from_db()
    assert provider.vetting.vetted_at is None
    assert "expired on" in provider.vetting.reason and "PL-12345" in provider.vetting.reason
    current = VettingCheck.objects.get(provider=provider, kind=CheckKind.INSURANCE, is_current=True)
    assert current.status == Status.EXPIRED
    note = Notification.objects.get(user=owner)
    assert "no longer shown as vetted" in note.subject and "PL-12345" in note.body
    assert OutboxMessage.objects.filter(user=owner).count() == 1
    assert AuditEvent.objects.filter(action="provider_vetting.drop", object_id=str(provider.pk)).exists()
    assert service not in service_search(vetted=True)


def test_vetting_search_stops_showing_vetted_on_the_expiry_date_even_before_the_nightly_task(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = make_provider()
    today = timezone.localdate()
    make_vetted(provider, today)
    service = make_service(provider=provider)
    assert list(service_search(vetted=True)) == [service]
    insurance = VettingEvidence.objects.get(provider=provider, kind=Kind.INSURANCE)
    later = timezone.now() + (insurance.expires_on - today)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert list(service_search(vetted=True)) == []


def test_vetting_remind_tells_the_provider_30_and_7_days_before_expiry_once_each(db: None) -> None:
    provider = make_provider()
    owner = make_provider_member(provider=provider)
    make_insurance(provider, TODAY + timedelta(days=40))
    vetting_check_run(provider_id=provider.pk, kind=CheckKind.INSURANCE, today=TODAY)

    assert vetting_remind(today=TODAY) == 0  # 40 days left
    assert vetting_remind(today=TODAY + timedelta(days=10)) == 1  # 30 days left
    assert vetting_remind(today=TODAY + timedelta(days=11)) == 0  # already told
    assert vetting_remind(today=TODAY + timedelta(days=33)) == 1  # 7 days left
    assert vetting_remind(today=TODAY + timedelta(days=34)) == 0
    subjects = list(Notification.objects.filter(user=owner).values_list("subject", flat=True))
    assert len(subjects) == 2 and all("runs out on 11 July 2026" in s for s in subjects)


# --- Done when: a provider gone from the newer register loses 'Vetted' ---------------------


def test_vetting_provider_absent_from_the_2026_register_loses_vetted_after_the_reimport(
    db: None, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    make_postcodes()
    make_categories("care-homes", "residential-care-homes", "dementia-care-homes", "help-at-home", "personal-care")
    make_client_groups("older-people", "dementia")
    kept = ci_row("CS2003000001")
    leaving = ci_row("CS2003000002", SP_number="SP2003000002", ServiceProvider="Hillhead Home Support")
    first = write_ci(tmp_path / "datastore_2025-05-31.csv", [kept, leaving])
    second = write_ci(tmp_path / "datastore_2026-05-31.csv", [kept])
    today = timezone.localdate()

    register_import_from_path(regulator=Regulator.CARE_INSPECTORATE, path=first)
    hillhead = Provider.objects.get(name="Hillhead Home Support")
    kelvin = Provider.objects.get(name="Kelvin Care Ltd")
    owner = make_provider_member(provider=hillhead)
    for provider in (hillhead, kelvin):
        make_insurance(provider, today + timedelta(days=365))
        make_vetted(provider, today)
    hillhead_service = Service.objects.get(registration__registration_number="CS2003000002")
    assert hillhead_service in service_search(vetted=True)

    with django_capture_on_commit_callbacks(execute=True):
        register_import_from_path(regulator=Regulator.CARE_INSPECTORATE, path=second)

    hillhead.vetting.refresh_from_db()
    kelvin.vetting.refresh_from_db()
    assert hillhead.vetting.vetted_at is None and kelvin.vetting.vetted_at is not None
    check = VettingCheck.objects.get(provider=hillhead, kind=CheckKind.REGISTRATION, is_current=True)
    assert check.status == Status.FAILED and "no longer registered" in check.detail
    assert check.register_import.file_name.endswith("datastore_2026-05-31.csv")
    assert "Registration with the regulator" in hillhead.vetting.reason
    assert Notification.objects.filter(user=owner, subject__contains="no longer shown as vetted").exists()
    vetted_names = {s.provider.name for s in service_search(vetted=True)}
    assert vetted_names == {"Kelvin Care Ltd"}
