"""Vetting pages (issue 8): evidence uploads by provider members, permission-checked downloads,
the officers' queue with audited decisions, and 'Vetted on <date>' on service, results and API."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.notifications.models import Notification
from accounts.tests.factories import make_provider_member
from directory.models import Provider, VettingCheck, VettingEvidence
from directory.models.vetting import CheckKind
from directory.tests.factories import make_postcode, make_service
from directory.tests.vetting_factories import JPEG, PDF, PNG, make_evidence, make_vetted, pdf

Kind = VettingEvidence.Kind


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def _add_url(provider: Provider, kind: str) -> str:
    return reverse("directory:vetting-evidence-add", kwargs={"code": provider.code, "kind": kind})


def _insurance_post(file: SimpleUploadedFile | str, **overrides: str) -> dict[str, Any]:
    expires = (timezone.localdate() + timedelta(days=300)).isoformat()
    return {"insurer": "Caledonian Mutual", "policy_number": "PL-1", "expires_on": expires, "file": file, **overrides}


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Uploads --------------------------------------------------------------------------


def test_vetting_upload_stores_the_file_outside_the_web_root_and_runs_the_checks(
    client: Client, cast: Any, _media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.provider_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_add_url(cast.provider, Kind.INSURANCE), _insurance_post(pdf("../../etc/x.pdf")))
    assert response.status_code == 302
    evidence = VettingEvidence.objects.get(provider=cast.provider)
    path = Path(evidence.file.path)
    assert path.is_relative_to(_media) and path.read_bytes() == PDF and path.name == f"{evidence.code}.pdf"
    assert not path.is_relative_to(Path(django_settings.STATIC_ROOT))
    assert evidence.content_type == "application/pdf" and evidence.uploaded_by == cast.provider_staff
    assert AuditEvent.objects.filter(action="vetting_evidence.upload", actor=cast.provider_staff).exists()
    # Its checks ran: an unregistered organisation is a micro-provider.
    current = dict(VettingCheck.objects.filter(provider=cast.provider).values_list("kind", "status"))
    assert current[CheckKind.INSURANCE] == VettingCheck.Status.PASSED
    assert current[CheckKind.IDENTITY] == VettingCheck.Status.FAILED


def test_vetting_upload_takes_the_type_from_the_content_not_the_name(client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)
    upload = SimpleUploadedFile("photo.pdf", PNG, content_type="application/pdf")
    assert client.post(_add_url(cast.provider, Kind.IDENTITY), {"file": upload}).status_code == 302
    evidence = VettingEvidence.objects.get()
    assert evidence.content_type == "image/png" and evidence.extension == ".png"
    assert evidence.review == VettingEvidence.Review.PENDING  # an officer confirms identity
    upload = SimpleUploadedFile("id.jpeg", JPEG, content_type="image/jpeg")
    assert client.post(_add_url(cast.provider, Kind.IDENTITY), {"file": upload}).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"file": SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 not a pdf")}, "PDF, JPG or PNG"),
        ({"file": SimpleUploadedFile("policy.png", b"<svg onload=alert(1)>")}, "PDF, JPG or PNG"),
        ({"file": ""}, "Choose a file to upload"),
        ({"insurer": ""}, "Enter the insurer"),
        ({"expires_on": "31/02/2026"}, "Enter a real date"),
    ],
)
def test_vetting_upload_refuses_bad_input_and_writes_nothing(
    client: Client, cast: Any, _media: Path, data: dict[str, Any], message: str
) -> None:
    client.force_login(cast.provider_owner)
    response = client.post(_add_url(cast.provider, Kind.INSURANCE), {**_insurance_post(pdf()), **data})
    assert response.status_code == 400 and message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not VettingEvidence.objects.exists() and _stored_files(_media) == []


def test_vetting_upload_lists_every_missing_fact_at_once(client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)
    body = client.post(_add_url(cast.provider, Kind.REFERENCE), {}).content.decode()
    for message in ("Enter the referee&#x27;s name", "Enter how to contact the referee", "Choose a file to upload"):
        assert message in body


def test_vetting_upload_refuses_a_file_over_the_size_limit(
    client: Client, cast: Any, _media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("directory.uploads.EVIDENCE_MAX_BYTES", 10)
    client.force_login(cast.provider_owner)
    response = client.post(_add_url(cast.provider, Kind.INSURANCE), _insurance_post(pdf()))
    assert response.status_code == 400 and "smaller than 10 MB" in response.content.decode()
    assert not VettingEvidence.objects.exists() and _stored_files(_media) == []


def test_vetting_upload_refuses_a_criminal_record_issued_in_the_future(client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    data = {"scheme": "pvg", "certificate_number": "1", "issued_on": future, "file": pdf()}
    response = client.post(_add_url(cast.provider, Kind.CRIMINAL_RECORD), data)
    assert response.status_code == 400 and "today or in the past" in response.content.decode()


@pytest.mark.parametrize(
    ("scheme", "number", "stored"),
    [("pvg", "1234 5678 9012 3456", "1234567890123456"), ("dbs", "0012-3456-7890", "001234567890")],
)
def test_vetting_upload_keeps_a_well_formed_pvg_or_dbs_number(
    client: Client, cast: Any, scheme: str, number: str, stored: str
) -> None:
    client.force_login(cast.provider_owner)
    issued = (timezone.localdate() - timedelta(days=3)).isoformat()
    data = {"scheme": scheme, "certificate_number": number, "issued_on": issued, "file": pdf()}
    assert client.post(_add_url(cast.provider, Kind.CRIMINAL_RECORD), data).status_code == 302
    assert VettingEvidence.objects.get().certificate_number == stored


@pytest.mark.parametrize(("scheme", "number"), [("pvg", "123456789012"), ("dbs", "1234567890123456"), ("dbs", "X")])
def test_vetting_upload_refuses_a_malformed_pvg_or_dbs_number(
    client: Client, cast: Any, scheme: str, number: str
) -> None:
    client.force_login(cast.provider_owner)
    issued = (timezone.localdate() - timedelta(days=3)).isoformat()
    data = {"scheme": scheme, "certificate_number": number, "issued_on": issued, "file": pdf()}
    response = client.post(_add_url(cast.provider, Kind.CRIMINAL_RECORD), data)
    assert response.status_code == 400 and "digits" in response.content.decode()
    assert not VettingEvidence.objects.exists()


def test_vetting_upload_refuses_a_policy_that_has_already_ended(client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)
    data = _insurance_post(pdf(), expires_on=timezone.localdate().isoformat())
    response = client.post(_add_url(cast.provider, Kind.INSURANCE), data)
    assert response.status_code == 400 and "already ended" in response.content.decode()
    assert not VettingEvidence.objects.exists()


def test_vetting_run_the_checks_again_for_members_and_officers_only(
    client: Client, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("directory:vetting-provider-check", kwargs={"code": cast.provider.code})
    other_member = make_provider_member(provider=cast.other_provider)
    for user in (cast.outsider, other_member):
        client.force_login(user)
        assert client.post(url).status_code == 404
    assert not VettingCheck.objects.exists() and not AuditEvent.objects.exists()
    client.force_login(cast.provider_owner)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert VettingCheck.objects.filter(provider=cast.provider).count() == 4  # a micro-provider's four checks
    assert AuditEvent.objects.get(action="provider_vetting.request").actor == cast.provider_owner
    client.force_login(cast.vetting_officer)
    assert client.post(url).status_code == 302


def test_vetting_upload_pages_are_for_the_providers_members_only(client: Client, cast: Any) -> None:
    other_member = make_provider_member(provider=cast.other_provider)
    url = _add_url(cast.provider, Kind.INSURANCE)
    assert client.get(url).status_code == 302  # sign in first
    for user in (cast.outsider, other_member, cast.vetting_officer):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, _insurance_post(pdf())).status_code == 404
    assert not VettingEvidence.objects.exists()
    client.force_login(cast.provider_owner)
    assert client.get(_add_url(cast.provider, "not-a-kind")).status_code == 404
    assert client.get(url).status_code == 200


# --- Downloads ----------------------------------------------------------------------------


def test_vetting_evidence_download_only_for_the_providers_members_and_vetting_officers(
    client: Client, cast: Any
) -> None:
    evidence = make_evidence(provider=cast.provider, kind=Kind.INSURANCE)
    url = reverse("directory:vetting-evidence-file", kwargs={"code": evidence.code})
    other_member = make_provider_member(provider=cast.other_provider)
    assert client.get(url).status_code == 302
    for user in (cast.outsider, other_member, cast.person.user, cast.commissioner):
        client.force_login(user)
        assert client.get(url).status_code == 404
    for user in (cast.provider_owner, cast.provider_staff, cast.vetting_officer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert (
            response["Content-Disposition"].startswith("attachment") and response["Content-Type"] == "application/pdf"
        )


def test_vetting_provider_page_for_members_and_officers_only(client: Client, cast: Any) -> None:
    url = reverse("directory:vetting-provider", kwargs={"code": cast.provider.code})
    other_member = make_provider_member(provider=cast.other_provider)
    for user in (cast.outsider, other_member):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(cast.provider_owner)
    body = client.get(url).content.decode()
    assert "Not vetted yet" in body and "Two references" in body and _add_url(cast.provider, Kind.REFERENCE) in body
    client.force_login(cast.vetting_officer)
    body = client.get(url).content.decode()
    assert "Two references" in body and "Upload evidence" not in body


# --- The officers' queue -------------------------------------------------------------------


def test_vetting_queue_and_review_are_for_vetting_officers_only(client: Client, cast: Any) -> None:
    evidence = make_evidence(provider=cast.provider, kind=Kind.REFERENCE, referee_name="Ann", review="pending")
    review = reverse("directory:vetting-evidence-review", kwargs={"code": evidence.code})
    for user in (cast.outsider, cast.provider_owner, cast.commissioner):
        client.force_login(user)
        assert client.get(reverse("directory:vetting-queue")).status_code == 404
        assert client.get(review).status_code == 404
        assert client.post(review, {"decision": "approve"}).status_code == 404
    evidence.refresh_from_db()
    assert evidence.review == VettingEvidence.Review.PENDING and not AuditEvent.objects.exists()
    client.force_login(cast.vetting_officer)
    body = client.get(reverse("directory:vetting-queue")).content.decode()
    assert cast.provider.name in body and "Ann" in body and review in body


def test_vetting_queue_is_linked_from_the_portal_for_officers_only(client: Client, cast: Any) -> None:
    queue = reverse("directory:vetting-queue")
    client.force_login(cast.provider_owner)
    assert queue not in client.get(reverse("directory:portal-home")).content.decode()
    client.force_login(cast.vetting_officer)
    assert queue in client.get(reverse("directory:portal-home")).content.decode()


def test_vetting_officer_approves_evidence_with_an_audit_record_and_the_checks_rerun(
    client: Client, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_evidence(provider=cast.provider, kind=Kind.REFERENCE, referee_name="Ann")
    evidence = make_evidence(provider=cast.provider, kind=Kind.REFERENCE, referee_name="Bob", review="pending")
    client.force_login(cast.vetting_officer)
    url = reverse("directory:vetting-evidence-review", kwargs={"code": evidence.code})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve", "reason": "Phoned Bob"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"Approved: Reference of {cast.provider.name}."]
    evidence.refresh_from_db()
    assert evidence.review == VettingEvidence.Review.APPROVED and evidence.reviewed_by == cast.vetting_officer
    event = AuditEvent.objects.get(action="vetting_evidence.approve")
    assert event.actor == cast.vetting_officer and event.object_id == str(evidence.pk)
    assert event.detail["reason"] == "Phoned Bob"
    check = VettingCheck.objects.get(provider=cast.provider, kind=CheckKind.REFERENCES, is_current=True)
    assert check.status == VettingCheck.Status.PASSED
    assert "Nothing is waiting" in client.get(reverse("directory:vetting-queue")).content.decode()


def test_vetting_officer_rejection_needs_a_reason_and_tells_the_provider(client: Client, cast: Any) -> None:
    evidence = make_evidence(provider=cast.provider, kind=Kind.IDENTITY, review="pending")
    client.force_login(cast.vetting_officer)
    url = reverse("directory:vetting-evidence-review", kwargs={"code": evidence.code})
    response = client.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 400 and "Give the reason" in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.review == VettingEvidence.Review.PENDING and not AuditEvent.objects.exists()

    rejected = client.post(url, {"decision": "reject", "reason": "The photo is blurred"})
    assert rejected.status_code == 302 and rejected["Location"] == reverse("directory:vetting-queue")
    assert [str(m) for m in get_messages(rejected.wsgi_request)] == [
        f"Rejected: Proof of identity of {cast.provider.name}."
    ]
    evidence.refresh_from_db()
    assert evidence.review == VettingEvidence.Review.REJECTED and evidence.review_reason == "The photo is blurred"
    assert AuditEvent.objects.get(action="vetting_evidence.reject").actor == cast.vetting_officer
    for member in (cast.provider_owner, cast.provider_staff):
        assert "The photo is blurred" in Notification.objects.get(user=member).body
    # Decided evidence cannot be decided again.
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 409 and "Record the decision" not in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.review == VettingEvidence.Review.REJECTED


# --- What people see -------------------------------------------------------------------


def test_vetting_status_on_service_and_results_pages_and_in_the_api(client: Client, db: None) -> None:
    make_postcode("G12 8QQ", 55.871751, -4.28836)
    today = timezone.localdate()
    vetted = make_service(name="Vetted help", latitude=55.871751, longitude=-4.28836)
    make_vetted(vetted.provider, today)
    plain = make_service(name="Plain help", latitude=55.871751, longitude=-4.28836)
    stamp = f"Vetted on {today:%-d %B %Y}"

    body = client.get(reverse("directory:service-detail", kwargs={"code": vetted.code})).content.decode()
    assert stamp in body and "Public liability insurance" in body and "Quality mark" in body
    body = client.get(reverse("directory:service-detail", kwargs={"code": plain.code})).content.decode()
    assert "Vetted on" not in body and "We have not vetted this provider yet" in body

    body = client.get(reverse("directory:search"), {"postcode": "G12 8QQ"}).content.decode()
    assert body.count("Vetted on") == 1 and stamp in body and "two references" in body

    body = client.get(reverse("directory:search"), {"postcode": "G12 8QQ", "vetted": "on"}).content.decode()
    assert "Vetted help" in body and "Plain help" not in body
    assert 'name="vetted" type="checkbox" value="on" checked' in body

    results = client.get("/api/v1/services/", {"postcode": "G12 8QQ"}).json()["results"]
    by_name = {r["name"]: r["vetting"] for r in results}
    assert by_name["Plain help"] is None
    assert by_name["Vetted help"]["vetted"] is True and by_name["Vetted help"]["vetted_on"] == today.isoformat()
    kinds = [c["kind"] for c in by_name["Vetted help"]["checks"]]
    assert kinds == ["insurance", "references", "identity", "quality_mark"]
    assert all(c["checked_on"] == today.isoformat() for c in by_name["Vetted help"]["checks"])

    only = client.get("/api/v1/services/", {"postcode": "G12 8QQ", "vetted": "true"}).json()
    assert [r["name"] for r in only["results"]] == ["Vetted help"]
    assert client.get("/api/v1/services/", {"postcode": "G12 8QQ", "vetted": "maybe"}).status_code == 400


def test_vetting_upload_is_kept_when_the_broker_is_down(
    client: Client, cast: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr("directory.vetting.tasks.vetting_check_task.delay", broker_down)
    client.force_login(cast.provider_owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_add_url(cast.provider, Kind.INSURANCE), _insurance_post(pdf()))
    assert response.status_code == 302 and VettingEvidence.objects.filter(provider=cast.provider).exists()
    assert not VettingCheck.objects.exists()
