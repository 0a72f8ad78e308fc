"""Vetting services: running the checks (directory.vetting.checks), the provider's
cached outcome, evidence uploads and officers' decisions, and the nightly expiry
and reminders.

Every check is one function from (provider, today) to an `Outcome`;
`vetting_check_run` records it as a dated `VettingCheck` and, in the same
transaction, rewrites the provider's `ProviderVetting` row that search filters
on. When that rewrite takes 'Vetted' away, the provider's members are told why
(accounts.notifications: inbox + e-mail outbox, written in the same
transaction). Celery tasks (directory.vetting.tasks) load by id and call these.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, can, require
from accounts.selectors import provider_member_users
from accounts.services import audit_record
from carehub import clock
from carehub.errors import Conflict, DomainError
from directory.models import (
    Provider,
    ProviderVetting,
    Registration,
    VettingCheck,
    VettingEvidence,
)
from directory.models.vetting import CheckKind, CriminalRecordScheme
from directory.uploads import evidence_file_type
from directory.vetting.checks import CHECKS, day_text, vetting_checks_applicable

Status = VettingCheck.Status
Evidence = VettingEvidence.Kind
REMINDER_DAYS = (30, 7)


# --- Running a check and the provider's outcome ---------------------------------------


def _lock_vetting(provider: Provider) -> ProviderVetting:
    ProviderVetting.objects.get_or_create(provider=provider)
    # One check at a time per provider: two checks finishing together must not both
    # compute the outcome from a state that misses the other's result.
    return ProviderVetting.objects.select_for_update().get(provider=provider)


@transaction.atomic
def vetting_check_run(*, provider_id: int, kind: str, today: date | None = None) -> VettingCheck:
    """Run one check, record its dated result, and refresh the provider's vetting status.

    A result equal to the current one (same status, detail and validity) only
    moves its `checked_at` on, so nightly re-runs do not pile up identical rows."""
    today = today or clock.today()
    provider = Provider.objects.get(pk=provider_id)
    vetting = _lock_vetting(provider)
    outcome = CHECKS[kind](provider, today)
    now = clock.now()
    current = VettingCheck.objects.filter(provider=provider, kind=kind, is_current=True).first()
    same = current is not None and (current.status, current.detail, current.valid_until) == (
        outcome.status,
        outcome.detail,
        outcome.valid_until,
    )
    if same:
        current.checked_at = now
        current.register_import = outcome.register_import or current.register_import
        current.save(update_fields=["checked_at", "register_import"])
        check = current
    else:
        if current is not None:
            VettingCheck.objects.filter(pk=current.pk).update(is_current=False)
        check = VettingCheck.objects.create(
            provider=provider,
            kind=kind,
            status=outcome.status,
            detail=outcome.detail,
            valid_until=outcome.valid_until,
            register_import=outcome.register_import,
            created_at=now,
            checked_at=now,
        )
        check.evidence.set(outcome.evidence)
    provider_vetting_refresh(provider=provider, vetting=vetting, today=today)
    return check


def provider_vetting_refresh(*, provider: Provider, vetting: ProviderVetting, today: date) -> ProviderVetting:
    """Recompute the cached outcome from the current checks; tell the provider if 'Vetted' was taken away.

    Call inside the transaction that changed a check, with the locked row."""
    kinds = vetting_checks_applicable(provider)
    current = {c.kind: c for c in VettingCheck.objects.filter(provider=provider, is_current=True, kind__in=kinds)}
    problems = []
    for kind in kinds:
        check = current.get(kind)
        label = CheckKind(kind).label
        if check is None:
            problems.append(f"{label}: not checked yet.")
        elif check.status != Status.PASSED:
            problems.append(f"{label}: {check.detail}")
        elif check.valid_until is not None and check.valid_until <= today:
            problems.append(f"{label}: expired on {day_text(check.valid_until)}.")
    was_vetted = vetting.vetted_at is not None
    before = (vetting.vetted_at, vetting.valid_until, vetting.checks, vetting.reason)
    vetting.checks = [
        {
            "kind": kind,
            "label": CheckKind(kind).label,
            "status": current[kind].status,
            "checked_on": clock.local_date(current[kind].checked_at).isoformat(),
        }
        for kind in kinds
        if kind in current
    ]
    if problems:
        vetting.vetted_at, vetting.valid_until = None, None
        vetting.reason = "\n".join(problems)
    else:
        vetting.vetted_at = vetting.vetted_at or clock.now()
        dates = [c.valid_until for c in current.values() if c.valid_until is not None]
        vetting.valid_until = min(dates) if dates else None
        vetting.reason = ""
    if (vetting.vetted_at, vetting.valid_until, vetting.checks, vetting.reason) == before:
        return vetting  # unchanged: no write, so the search cache (bumped on save) stays warm
    vetting.updated_at = clock.now()
    vetting.save()
    if was_vetted and problems:
        audit_record(actor=None, action="provider_vetting.drop", obj=provider, reason=vetting.reason)
        notify(
            users=provider_member_users(provider_id=provider.pk),
            kind=Notification.Kind.VETTING,
            subject=f"{provider.name} is no longer shown as vetted on CareHub",
            body="We took away the 'Vetted' mark because:\n"
            + vetting.reason
            + "\n\nUpload new evidence to restore it.",
            url=_vetting_url(provider),
            key=f"vetting:{provider.pk}:drop:{vetting.updated_at.isoformat()}",
        )
    return vetting


def _vetting_url(provider: Provider) -> str:
    return reverse("directory:vetting-provider", kwargs={"code": provider.code})


def vetting_checks_enqueue(*, provider_ids: list[int], kinds: list[str] | None = None) -> None:
    """Queue checks after this transaction commits: the given kinds, or each provider's applicable ones."""
    from directory.vetting.tasks import vetting_check_task

    def send() -> None:
        for provider in Provider.objects.filter(pk__in=provider_ids):
            for kind in kinds or vetting_checks_applicable(provider):
                vetting_check_task.delay(provider.pk, kind)

    # robust: a broker outage must not turn a committed upload or decision into an error page;
    # the provider (or an officer) can run the checks again, and the nightly tasks re-check.
    transaction.on_commit(send, robust=True)


def vetting_registration_checks_enqueue(*, regulator: str | None = None) -> int:
    """Registration checks for every provider in vetting that has a registration (after an import; nightly)."""
    registrations = Registration.objects.all()
    if regulator:
        registrations = registrations.filter(regulator=regulator)
    ids = list(
        ProviderVetting.objects.filter(provider__services__in=registrations.values("service_id"))
        .values_list("provider_id", flat=True)
        .distinct()
    )
    if ids:
        vetting_checks_enqueue(provider_ids=ids, kinds=[CheckKind.REGISTRATION])
    return len(ids)


# --- Evidence --------------------------------------------------------------------------

OFFICER_CONFIRMS = {Evidence.REFERENCE, Evidence.IDENTITY, Evidence.QUALITY_MARK}
REQUIRED_FACTS: dict[str, tuple[tuple[str, str], ...]] = {
    Evidence.INSURANCE: (
        ("insurer", "Enter the insurer"),
        ("policy_number", "Enter the policy number"),
        ("expires_on", "Enter the date the policy ends"),
    ),
    Evidence.CRIMINAL_RECORD: (
        ("scheme", "Choose PVG or DBS"),
        ("certificate_number", "Enter the certificate or membership number"),
        ("issued_on", "Enter the date it was issued"),
    ),
    Evidence.TRAINING: (("topic", "Choose the course"), ("completed_on", "Enter the date you completed it")),
    Evidence.REFERENCE: (
        ("referee_name", "Enter the referee's name"),
        ("referee_contact", "Enter how to contact the referee"),
    ),
}
FACT_FIELDS = (
    "insurer",
    "policy_number",
    "expires_on",
    "scheme",
    "certificate_number",
    "issued_on",
    "topic",
    "completed_on",
    "referee_name",
    "referee_contact",
    "note",
)


CERTIFICATE_DIGITS = {CriminalRecordScheme.PVG: 16, CriminalRecordScheme.DBS: 12}


def _certificate_number(scheme: str, number: str) -> str:
    """A PVG scheme membership number has 16 digits, a DBS certificate number 12 (spaces allowed)."""
    if scheme not in CERTIFICATE_DIGITS:
        raise DomainError("Choose PVG or DBS", field="scheme")
    digits = number.replace(" ", "").replace("-", "")
    if not digits.isdigit() or len(digits) != CERTIFICATE_DIGITS[scheme]:
        label = CriminalRecordScheme(scheme).label.split(" (")[0]
        raise DomainError(
            f"A {label} number has {CERTIFICATE_DIGITS[scheme]} digits, like the one on the certificate.",
            field="certificate_number",
        )
    return digits


@transaction.atomic
def vetting_evidence_upload(
    *, actor: User, provider: Provider, kind: str, file: UploadedFile, today: date | None = None, **facts: Any
) -> VettingEvidence:
    """A provider member uploads evidence; its checks run after commit.

    Raises NotPermitted for anyone but the provider's members, DomainError for a
    file of the wrong type or size or missing facts (nothing is stored then)."""
    require(actor, Action.PROVIDER_MANAGE, provider)
    today = today or clock.today()
    if kind not in Evidence.values:
        raise DomainError("Choose what the evidence is.", field="kind")
    for name, message in REQUIRED_FACTS.get(kind, ()):
        if not facts.get(name):
            raise DomainError(message, field=name)
    for name in ("issued_on", "completed_on"):
        if facts.get(name) and facts[name] > today:
            raise DomainError("The date must be today or in the past.", field=name)
    if kind == Evidence.INSURANCE and facts["expires_on"] <= today:
        raise DomainError("This policy has already ended: upload your current certificate.", field="expires_on")
    if kind == Evidence.CRIMINAL_RECORD:
        facts["certificate_number"] = _certificate_number(facts["scheme"], facts["certificate_number"])
    content_type, extension = evidence_file_type(file, field="file")
    values = {
        name: facts.get(name) or ("" if name not in ("expires_on", "issued_on", "completed_on") else None)
        for name in FACT_FIELDS
    }
    evidence = VettingEvidence(
        provider=provider,
        kind=kind,
        original_name=(file.name or "")[:255],
        content_type=content_type,
        extension=extension,
        uploaded_by=actor,
        review=VettingEvidence.Review.PENDING if kind in OFFICER_CONFIRMS else VettingEvidence.Review.NOT_NEEDED,
        **values,
    )
    evidence.file.save(f"upload{extension}", file, save=False)
    evidence.save()
    ProviderVetting.objects.get_or_create(provider=provider)
    audit_record(actor=actor, action="vetting_evidence.upload", obj=evidence, provider=provider.pk, kind=kind)
    vetting_checks_enqueue(provider_ids=[provider.pk])
    return evidence


@transaction.atomic
def vetting_evidence_decide(*, actor: User, evidence: VettingEvidence, approve: bool, reason: str) -> VettingEvidence:
    """A vetting officer confirms or rejects evidence (a reference, identity, a quality mark...).

    A rejection needs a reason, which the provider is told. Audited; the checks re-run after commit."""
    require(actor, Action.VETTING_REVIEW)
    reason = reason.strip()
    if not approve and not reason:
        raise DomainError("Give the reason for rejecting the evidence.", field="reason")
    locked = VettingEvidence.objects.select_for_update().get(pk=evidence.pk)
    if locked.review != VettingEvidence.Review.PENDING:
        raise Conflict("This evidence has already been decided.")
    locked.review = VettingEvidence.Review.APPROVED if approve else VettingEvidence.Review.REJECTED
    locked.reviewed_by, locked.reviewed_at, locked.review_reason = actor, clock.now(), reason
    locked.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_reason"])
    audit_record(
        actor=actor,
        action="vetting_evidence.approve" if approve else "vetting_evidence.reject",
        obj=locked,
        provider=locked.provider_id,
        reason=reason,
    )
    if not approve:
        notify(
            users=provider_member_users(provider_id=locked.provider_id),
            kind=Notification.Kind.VETTING,
            subject=f"Your {locked.get_kind_display().lower()} was not accepted",
            body=f"A vetting officer did not accept it. Their reason: {reason}",
            url=_vetting_url(locked.provider),
            key=f"vetting:evidence:{locked.code}:rejected",
        )
    vetting_checks_enqueue(provider_ids=[locked.provider_id])
    return locked


@transaction.atomic
def vetting_checks_request(*, actor: User, provider: Provider) -> None:
    """Run every check that applies now (a provider member or a vetting officer asks); audited."""
    if not can(actor, Action.VETTING_REVIEW):
        require(actor, Action.PROVIDER_MANAGE, provider)
    ProviderVetting.objects.get_or_create(provider=provider)
    audit_record(actor=actor, action="provider_vetting.request", obj=provider)
    vetting_checks_enqueue(provider_ids=[provider.pk])


# --- Nightly: expiry and reminders -------------------------------------------------------


def vetting_expire(*, today: date | None = None) -> int:
    """Re-run every passed check whose evidence has run out: it becomes 'expired' and the status drops."""
    today = today or clock.today()
    due = list(
        VettingCheck.objects.filter(is_current=True, status=Status.PASSED, valid_until__lte=today).values_list(
            "provider_id", "kind"
        )
    )
    for provider_id, kind in due:
        vetting_check_run(provider_id=provider_id, kind=kind, today=today)
    return len(due)


def vetting_remind(*, today: date | None = None) -> int:
    """Tell providers 30 and 7 days before a passed check's evidence runs out; each reminder once."""
    today = today or clock.today()
    sent = 0
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    due = VettingCheck.objects.filter(
        is_current=True, status=Status.PASSED, valid_until__gt=today, valid_until__lte=horizon
    ).select_related("provider")
    for check in due:
        days_left = (check.valid_until - today).days
        threshold = min(d for d in REMINDER_DAYS if days_left <= d)
        with transaction.atomic():
            # The claim: only one run moves reminded_days down to this threshold.
            claimed = (
                VettingCheck.objects.filter(pk=check.pk)
                .filter(Q(reminded_days__isnull=True) | Q(reminded_days__gt=threshold))
                .update(reminded_days=threshold)
            )
            if not claimed:
                continue
            runs_out = day_text(check.valid_until)
            notify(
                users=provider_member_users(provider_id=check.provider_id),
                kind=Notification.Kind.VETTING,
                subject=f"{check.get_kind_display()} runs out on {runs_out}",
                body=f"{check.detail}\nUpload new evidence before {runs_out} to stay vetted on CareHub.",
                url=_vetting_url(check.provider),
                key=f"vetting:remind:{check.pk}:{threshold}",
            )
        sent += 1
    return sent
