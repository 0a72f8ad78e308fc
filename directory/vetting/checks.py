"""Vetting checks: which apply to a provider, and each check as a pure function
from (provider, today) to an `Outcome` that directory.vetting.services records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

from carehub import clock
from directory.models import (
    Provider,
    RegisteredProvider,
    RegisterImport,
    Registration,
    Regulator,
    VettingCheck,
    VettingEvidence,
)
from directory.models.regulator import regulator_grade_words
from directory.models.vetting import CheckKind, CriminalRecordScheme, TrainingTopic

Status = VettingCheck.Status
Evidence = VettingEvidence.Kind
REFERENCES_NEEDED = 2


# --- Which checks apply ------------------------------------------------------------


class ProviderType:
    REGISTERED = "registered"  # on a regulator's register (care homes, agencies, childminders)
    MICRO = "micro"  # an unregistered small organisation or community group
    PERSONAL_ASSISTANT = "personal_assistant"  # an unregistered individual


APPLICABLE_CHECKS: dict[str, tuple[str, ...]] = {
    ProviderType.REGISTERED: (CheckKind.REGISTRATION, CheckKind.INSURANCE),
    ProviderType.MICRO: (CheckKind.INSURANCE, CheckKind.REFERENCES, CheckKind.IDENTITY, CheckKind.QUALITY_MARK),
    ProviderType.PERSONAL_ASSISTANT: (
        CheckKind.IDENTITY,
        CheckKind.CRIMINAL_RECORD,
        CheckKind.INSURANCE,
        CheckKind.TRAINING,
    ),
}


def vetting_provider_type(provider: Provider) -> str:
    """Registered (the regulator vets it; we check the register), micro-provider, or personal assistant."""
    registered = (
        Registration.objects.filter(service__provider=provider).exists()
        or RegisteredProvider.objects.filter(provider=provider).exists()
    )
    if registered:
        return ProviderType.REGISTERED
    return ProviderType.PERSONAL_ASSISTANT if provider.kind == Provider.Kind.INDIVIDUAL else ProviderType.MICRO


def vetting_checks_applicable(provider: Provider) -> tuple[str, ...]:
    """The checks a provider must pass to be shown as vetted."""
    return APPLICABLE_CHECKS[vetting_provider_type(provider)]


# --- The checks ----------------------------------------------------------------------


@dataclass
class Outcome:
    status: str
    detail: str
    evidence: list[VettingEvidence] = field(default_factory=list)
    valid_until: date | None = None
    register_import: RegisterImport | None = None


def day_text(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _latest(provider: Provider, kind: str) -> VettingEvidence | None:
    return (
        VettingEvidence.objects.filter(provider=provider, kind=kind)
        .exclude(review=VettingEvidence.Review.REJECTED)
        .order_by("-uploaded_at", "-pk")
        .first()
    )


def _grade_words(six_point: int) -> str:
    # lowest_grade is on the Care Inspectorate's six-point scale for both regulators.
    return regulator_grade_words(Regulator.CARE_INSPECTORATE, six_point)


def check_registration(provider: Provider, today: date) -> Outcome:
    """Present and active in the most recent imported register, no grade below VETTING_MIN_GRADE."""
    floor = settings.VETTING_MIN_GRADE
    registrations = list(Registration.objects.filter(service__provider=provider).order_by("registration_number"))
    if not registrations:
        return Outcome(Status.FAILED, "No registration with a regulator was found for this provider.")
    regulator = registrations[0].regulator
    latest = (
        RegisterImport.objects.filter(regulator=regulator, status=RegisterImport.Status.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )
    register = Regulator(regulator).label
    if latest is not None:
        register = f"the {register} register imported on {day_text(clock.local_date(latest.finished_at))}"
    active = [r for r in registrations if r.status == Registration.Status.ACTIVE]
    if not active:
        numbers = ", ".join(f"{r.registration_number} ({r.get_status_display().lower()})" for r in registrations)
        return Outcome(Status.FAILED, f"Not active in {register}: {numbers}.", register_import=latest)
    low = [r for r in active if r.lowest_grade is not None and r.lowest_grade < floor]
    if low:
        words = "; ".join(
            f"{r.registration_number} has a grade of {r.lowest_grade} ({_grade_words(r.lowest_grade)})" for r in low
        )
        return Outcome(Status.FAILED, f"{words}, below the lowest grade we accept ({floor}).", register_import=latest)
    numbers = ", ".join(r.registration_number for r in active)
    return Outcome(Status.PASSED, f"Active in {register}: {numbers}.", register_import=latest)


def check_insurance(provider: Provider, today: date) -> Outcome:
    evidence = _latest(provider, Evidence.INSURANCE)
    if evidence is None:
        return Outcome(Status.FAILED, "No public liability insurance certificate has been uploaded.")
    if not (evidence.insurer and evidence.policy_number and evidence.expires_on):
        return Outcome(Status.FAILED, "The insurance certificate needs the insurer, policy number and expiry date.")
    policy = f"Policy {evidence.policy_number} with {evidence.insurer}"
    if evidence.expires_on <= today:
        return Outcome(Status.EXPIRED, f"{policy} expired on {day_text(evidence.expires_on)}.", [evidence])
    return Outcome(
        Status.PASSED, f"{policy}, valid until {day_text(evidence.expires_on)}.", [evidence], evidence.expires_on
    )


def check_criminal_record(provider: Provider, today: date) -> Outcome:
    """PVG (Scotland) or DBS (England and Wales): flagged once older than VETTING_CRIMINAL_RECORD_RENEWAL_DAYS."""
    evidence = _latest(provider, Evidence.CRIMINAL_RECORD)
    if evidence is None:
        return Outcome(Status.FAILED, "No PVG or DBS certificate has been uploaded.")
    if not (evidence.scheme and evidence.certificate_number and evidence.issued_on):
        return Outcome(Status.FAILED, "The certificate needs its scheme, number and issue date.")
    scheme = "PVG scheme membership" if evidence.scheme == CriminalRecordScheme.PVG else "DBS certificate"
    what = f"{scheme} {evidence.certificate_number} issued on {day_text(evidence.issued_on)}"
    renew_on = evidence.issued_on + timedelta(days=settings.VETTING_CRIMINAL_RECORD_RENEWAL_DAYS)
    if renew_on <= today:
        return Outcome(Status.EXPIRED, f"{what} is older than our renewal period: renew it.", [evidence])
    return Outcome(Status.PASSED, f"{what}, to renew by {day_text(renew_on)}.", [evidence], renew_on)


def _officer_confirmed(provider: Provider, kind: str, label: str, needed: int = 1) -> Outcome:
    items = list(VettingEvidence.objects.filter(provider=provider, kind=kind).order_by("uploaded_at", "pk"))
    approved = [e for e in items if e.review == VettingEvidence.Review.APPROVED]
    pending = [e for e in items if e.review == VettingEvidence.Review.PENDING]
    if len(approved) >= needed:
        return Outcome(Status.PASSED, f"{label} confirmed by a vetting officer.", approved[-needed:])
    if len(approved) + len(pending) >= needed:
        return Outcome(Status.NEEDS_REVIEW, f"{label}: waiting for a vetting officer.", approved + pending)
    if needed > 1:
        waiting = f" ({len(pending)} waiting for a vetting officer)" if pending else ""
        detail = f"{len(approved)} of {needed} references confirmed{waiting}."
        return Outcome(Status.FAILED, detail, approved + pending)
    rejected = [e for e in items if e.review == VettingEvidence.Review.REJECTED]
    if rejected and rejected[-1].review_reason:
        return Outcome(Status.FAILED, f"{label} was not accepted: {rejected[-1].review_reason}", rejected[-1:])
    return Outcome(Status.FAILED, f"{label}: nothing has been uploaded yet.")


def check_references(provider: Provider, today: date) -> Outcome:
    return _officer_confirmed(provider, Evidence.REFERENCE, "Two references", needed=REFERENCES_NEEDED)


def check_identity(provider: Provider, today: date) -> Outcome:
    return _officer_confirmed(provider, Evidence.IDENTITY, "Identity")


def check_quality_mark(provider: Provider, today: date) -> Outcome:
    return _officer_confirmed(provider, Evidence.QUALITY_MARK, "Quality mark self-assessment")


def check_training(provider: Provider, today: date) -> Outcome:
    """Each topic needs a certificate no older than VETTING_TRAINING_VALID_DAYS."""
    valid_for = timedelta(days=settings.VETTING_TRAINING_VALID_DAYS)
    used, missing, expired, until = [], [], [], []
    for topic in TrainingTopic:
        evidence = (
            VettingEvidence.objects.filter(provider=provider, kind=Evidence.TRAINING, topic=topic)
            .exclude(review=VettingEvidence.Review.REJECTED)
            .exclude(completed_on__isnull=True)
            .order_by("-completed_on", "-pk")
            .first()
        )
        if evidence is None:
            missing.append(topic.label.lower())
            continue
        used.append(evidence)
        if evidence.completed_on + valid_for <= today:
            expired.append(topic.label.lower())
        until.append(evidence.completed_on + valid_for)
    if missing:
        return Outcome(Status.FAILED, f"Training still to show: {', '.join(missing)}.", used)
    if expired:
        return Outcome(Status.EXPIRED, f"Training to refresh: {', '.join(expired)}.", used)
    return Outcome(
        Status.PASSED, f"All five courses done, the first due again on {day_text(min(until))}.", used, min(until)
    )


CHECKS: dict[str, Callable[[Provider, date], Outcome]] = {
    CheckKind.REGISTRATION: check_registration,
    CheckKind.INSURANCE: check_insurance,
    CheckKind.CRIMINAL_RECORD: check_criminal_record,
    CheckKind.REFERENCES: check_references,
    CheckKind.IDENTITY: check_identity,
    CheckKind.TRAINING: check_training,
    CheckKind.QUALITY_MARK: check_quality_mark,
}
