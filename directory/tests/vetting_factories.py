"""Builders for vetting tests: evidence rows with a real stored file, and fully vetted providers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from directory.models import Provider, VettingEvidence
from directory.models.vetting import CriminalRecordScheme, TrainingTopic
from directory.vetting.checks import vetting_checks_applicable
from directory.vetting.services import vetting_check_run

PDF = b"%PDF-1.4 certificate"
PNG = b"\x89PNG\r\n\x1a\n fake image"
JPEG = b"\xff\xd8\xff\xe0 fake photo"


def pdf(name: str = "certificate.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_evidence(*, provider: Provider, kind: str, **overrides: Any) -> VettingEvidence:
    review = (
        VettingEvidence.Review.APPROVED
        if kind in (VettingEvidence.Kind.REFERENCE, VettingEvidence.Kind.IDENTITY, VettingEvidence.Kind.QUALITY_MARK)
        else VettingEvidence.Review.NOT_NEEDED
    )
    evidence = VettingEvidence(
        provider=provider, kind=kind, content_type="application/pdf", extension=".pdf", review=review
    )
    for name, value in overrides.items():
        setattr(evidence, name, value)
    evidence.file.save("x.pdf", ContentFile(PDF), save=False)
    evidence.save()
    return evidence


def make_insurance(provider: Provider, expires_on: date, **overrides: Any) -> VettingEvidence:
    facts = {"insurer": "Caledonian Mutual", "policy_number": "PL-12345", "expires_on": expires_on, **overrides}
    return make_evidence(provider=provider, kind=VettingEvidence.Kind.INSURANCE, **facts)


def make_all_evidence(provider: Provider, today: date) -> None:
    """Everything any kind of provider needs, in date, approved where an officer must confirm."""
    make_insurance(provider, today + timedelta(days=200))
    make_evidence(
        provider=provider,
        kind=VettingEvidence.Kind.CRIMINAL_RECORD,
        scheme=CriminalRecordScheme.PVG,
        certificate_number="1234567890123456",
        issued_on=today - timedelta(days=100),
    )
    for topic in TrainingTopic:
        make_evidence(
            provider=provider, kind=VettingEvidence.Kind.TRAINING, topic=topic, completed_on=today - timedelta(days=50)
        )
    for n in (1, 2):
        make_evidence(
            provider=provider, kind=VettingEvidence.Kind.REFERENCE, referee_name=f"Referee {n}", referee_contact="x"
        )
    make_evidence(provider=provider, kind=VettingEvidence.Kind.IDENTITY)
    make_evidence(provider=provider, kind=VettingEvidence.Kind.QUALITY_MARK)


def run_all_checks(provider: Provider, today: date) -> None:
    for kind in vetting_checks_applicable(provider):
        vetting_check_run(provider_id=provider.pk, kind=kind, today=today)


def make_vetted(provider: Provider, today: date) -> Provider:
    make_all_evidence(provider, today)
    run_all_checks(provider, today)
    provider.refresh_from_db()
    assert provider.vetting.vetted_at is not None, provider.vetting.reason
    return provider
