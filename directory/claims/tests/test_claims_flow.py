"""Claiming an imported listing: evidence, the vetting officers' queue, approve/reject, ownership."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, ProviderMembership
from accounts.permissions import Action, can
from accounts.tests.factories import make_user
from directory.models import ListingClaim, Service
from directory.tests.factories import make_provider, make_service
from directory.tests.register_fixtures import make_registration

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 letter on headed paper"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def listing(db: None) -> Service:
    """An imported listing whose provider nobody manages yet."""
    service = make_service(name="Kelvin House", provider=make_provider(name="Kelvin Care Ltd"))
    make_registration(service, registration_number="CS2003000150")
    return service


def _evidence(name: str = "letter.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _claim(client: Client, service: Service, **overrides: Any) -> Any:
    data = {"job_title": "Registered manager", "message": "I run the home.", "evidence": _evidence(), **overrides}
    return client.post(reverse("directory:claim-create", kwargs={"code": service.code}), data)


def test_claims_unclaimed_listing_asks_is_this_your_service(listing: Service, client: Client) -> None:
    page = client.get(reverse("directory:service-detail", kwargs={"code": listing.code})).content.decode()

    assert "This listing comes from the Care Inspectorate register. Is this your service?" in page
    assert reverse("directory:claim-create", kwargs={"code": listing.code}) in page


def test_claims_claimed_listing_does_not_ask(listing: Service, client: Client, cast: Any) -> None:
    ProviderMembership.objects.create(user=cast.outsider, provider=listing.provider, role="owner")

    page = client.get(reverse("directory:service-detail", kwargs={"code": listing.code})).content.decode()

    assert "Is this your service?" not in page


def test_claims_create_stores_evidence_outside_the_web_root(
    listing: Service, client: Client, cast: Any, settings: Any
) -> None:
    client.force_login(cast.outsider)

    response = _claim(client, listing)

    assert response.status_code == 302
    claim = ListingClaim.objects.get()
    assert (claim.provider, claim.claimant, claim.status) == (listing.provider, cast.outsider, "pending")
    assert Path(claim.evidence.path).is_relative_to(settings.MEDIA_ROOT)
    assert Path(claim.evidence.path).read_bytes() == PDF
    # Uploads are never served as files: nothing answers under MEDIA_URL.
    assert client.get(f"{settings.MEDIA_URL}{claim.evidence.name}").status_code == 404
    assert AuditEvent.objects.filter(action="listing_claim.create", actor=cast.outsider).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"evidence": ""}, "Upload your evidence"),
        (
            {"evidence": SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")},
            "PDF, JPG or PNG",
        ),
        ({"job_title": ""}, "Enter your job title"),
    ],
)
def test_claims_create_refuses_bad_input(
    listing: Service, client: Client, cast: Any, overrides: dict[str, Any], message: str
) -> None:
    client.force_login(cast.outsider)

    response = _claim(client, listing, **overrides)

    assert response.status_code == 400
    assert message in response.content.decode() and "There is a problem" in response.content.decode()
    assert not ListingClaim.objects.exists()


def test_claims_create_refuses_a_second_pending_claim(listing: Service, client: Client, cast: Any) -> None:
    client.force_login(cast.outsider)
    _claim(client, listing)

    response = _claim(client, listing)

    assert response.status_code == 400 and "already asked to claim" in response.content.decode()
    assert ListingClaim.objects.count() == 1


def test_claims_create_refuses_a_provider_that_already_has_an_owner(
    listing: Service, client: Client, cast: Any
) -> None:
    ProviderMembership.objects.create(user=make_user(), provider=listing.provider, role="owner")
    client.force_login(cast.outsider)

    response = _claim(client, listing)

    assert response.status_code == 409 and "already managed on CareHub" in response.content.decode()
    assert not ListingClaim.objects.exists()


def test_claims_create_is_not_offered_for_unregistered_or_hidden_listings(client: Client, cast: Any) -> None:
    client.force_login(cast.outsider)
    unregistered = make_service()
    draft = make_service(status=Service.Status.DRAFT)
    make_registration(draft)

    assert _claim(client, unregistered).status_code == 404
    assert _claim(client, draft).status_code == 404


def test_claims_create_needs_sign_in(listing: Service, client: Client) -> None:
    response = _claim(client, listing)

    assert response.status_code == 302 and "sign-in" in response["Location"]


@pytest.fixture
def pending(listing: Service, cast: Any, client: Client) -> ListingClaim:
    client.force_login(cast.outsider)
    _claim(client, listing)
    client.logout()
    return ListingClaim.objects.get()


@pytest.mark.parametrize("who", ["outsider", "provider_owner", "provider_staff", "carer", "commissioner"])
def test_claims_queue_review_and_evidence_are_for_vetting_officers_only(
    pending: ListingClaim, client: Client, cast: Any, who: str
) -> None:
    client.force_login(getattr(cast, who))

    assert client.get(reverse("directory:claim-queue")).status_code == 404
    assert client.get(reverse("directory:claim-review", kwargs={"code": pending.code})).status_code == 404
    assert client.get(reverse("directory:claim-evidence", kwargs={"code": pending.code})).status_code == 404
    response = client.post(reverse("directory:claim-review", kwargs={"code": pending.code}), {"decision": "approve"})
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == ListingClaim.Status.PENDING


def test_claims_queue_lists_pending_claims_for_an_officer(pending: ListingClaim, client: Client, cast: Any) -> None:
    client.force_login(cast.vetting_officer)

    page = client.get(reverse("directory:claim-queue")).content.decode()
    evidence = client.get(reverse("directory:claim-evidence", kwargs={"code": pending.code}))

    assert "Kelvin Care Ltd" in page and cast.outsider.full_name in page
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content) == PDF
    assert "attachment" in evidence["Content-Disposition"]


def test_claims_approve_makes_the_claimant_owner(
    pending: ListingClaim, listing: Service, client: Client, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    other = ListingClaim.objects.create(
        provider=listing.provider, claimant=make_user(), job_title="Cook", evidence=_evidence()
    )
    client.force_login(cast.vetting_officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:claim-review", kwargs={"code": pending.code}), {"decision": "approve"}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("directory:claim-queue")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{cast.outsider.full_name} is now the owner of Kelvin Care Ltd."
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([cast.outsider.email], "You now manage Kelvin Care Ltd on CareHub")
    ]
    pending.refresh_from_db()
    other.refresh_from_db()
    assert (pending.status, pending.decided_by) == (ListingClaim.Status.APPROVED, cast.vetting_officer)
    assert (other.status, other.reason) == (ListingClaim.Status.REJECTED, "Another claim was approved.")
    membership = ProviderMembership.objects.get(provider=listing.provider)
    assert (membership.user, membership.role) == (cast.outsider, ProviderMembership.Role.OWNER)
    assert can(cast.outsider, Action.PROVIDER_MANAGE_MEMBERS, listing.provider)  # may now invite staff
    assert AuditEvent.objects.filter(action="listing_claim.approve", actor=cast.vetting_officer).exists()
    client.force_login(cast.outsider)
    page = client.get(reverse("directory:portal-home")).content.decode()
    assert "Kelvin Care Ltd" in page


def test_claims_reject_needs_a_reason_and_records_it(
    pending: ListingClaim, client: Client, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.vetting_officer)
    url = reverse("directory:claim-review", kwargs={"code": pending.code})

    without = client.post(url, {"decision": "reject", "reason": ""})
    pending.refresh_from_db()
    assert without.status_code == 400 and "Give the reason" in without.content.decode()
    assert pending.status == ListingClaim.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        rejected = client.post(url, {"decision": "reject", "reason": "The letter is not from the provider."})
    assert [str(m) for m in get_messages(rejected.wsgi_request)] == [
        f"The claim by {pending.claimant.full_name} was rejected."
    ]
    pending.refresh_from_db()
    assert "The letter is not from the provider." in mail.outbox[0].body
    assert (pending.status, pending.reason) == (ListingClaim.Status.REJECTED, "The letter is not from the provider.")
    assert not ProviderMembership.objects.filter(provider=pending.provider).exists()
    event = AuditEvent.objects.get(action="listing_claim.reject")
    assert event.detail == {"reason": "The letter is not from the provider."}


def test_claims_cannot_be_decided_twice(pending: ListingClaim, client: Client, cast: Any) -> None:
    client.force_login(cast.vetting_officer)
    url = reverse("directory:claim-review", kwargs={"code": pending.code})
    client.post(url, {"decision": "reject", "reason": "No."})

    response = client.post(url, {"decision": "approve"})

    assert response.status_code == 400 and "already been decided" in response.content.decode()
    assert not ProviderMembership.objects.filter(provider=pending.provider).exists()


def test_claims_decision_form_refuses_a_missing_decision(pending: ListingClaim, client: Client, cast: Any) -> None:
    client.force_login(cast.vetting_officer)

    response = client.post(reverse("directory:claim-review", kwargs={"code": pending.code}), {})

    assert response.status_code == 400 and "Choose approve or reject" in response.content.decode()


def test_claims_approved_owner_invites_staff(
    pending: ListingClaim, client: Client, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(cast.vetting_officer)
    client.post(reverse("directory:claim-review", kwargs={"code": pending.code}), {"decision": "approve"})
    client.force_login(cast.outsider)
    url = reverse("directory:portal-provider-invite", kwargs={"code": pending.provider.code})

    page = client.get(reverse("directory:portal-provider", kwargs={"code": pending.provider.code})).content.decode()
    bad = client.post(url, {"email": "not-an-email", "role": "staff"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "colleague@example.com", "role": "staff"})

    assert url in page
    assert bad.status_code == 400 and "Enter a real email address" in bad.content.decode()
    assert response.status_code == 302
    assert pending.provider.invitations.get().email == "colleague@example.com"
    assert [m.to for m in mail.outbox] == [["colleague@example.com"]]


def test_claims_staff_and_other_providers_cannot_invite(cast: Any, client: Client) -> None:
    url = reverse("directory:portal-provider-invite", kwargs={"code": cast.provider.code})

    client.force_login(cast.provider_staff)
    assert client.post(url, {"email": "x@example.com", "role": "owner"}).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(url, {"email": "x@example.com", "role": "owner"}).status_code == 404
    assert not cast.provider.invitations.exists()


def test_claims_form_of_a_claimed_provider_says_ask_the_owner(listing: Service, client: Client, cast: Any) -> None:
    ProviderMembership.objects.create(user=make_user(), provider=listing.provider, role="owner")
    client.force_login(cast.outsider)

    response = client.get(reverse("directory:claim-create", kwargs={"code": listing.code}))

    assert response.status_code == 409
    assert (
        "already managed on CareHub" in response.content.decode() and 'name="evidence"' not in response.content.decode()
    )


def test_claims_officers_see_how_many_claims_wait(pending: ListingClaim, client: Client, cast: Any) -> None:
    client.force_login(cast.vetting_officer)
    assert "Claims waiting for a decision: 1" in client.get(reverse("directory:portal-home")).content.decode()
    client.force_login(cast.provider_owner)
    assert "Claims waiting" not in client.get(reverse("directory:portal-home")).content.decode()


# --- Telling the claimant: through the notifications outbox ----------------------------------


def _decide(cast: Any, claim: ListingClaim, decision: str) -> Any:
    from directory.claims.services import listing_claim_approve, listing_claim_reject

    if decision == "approve":
        return lambda: listing_claim_approve(actor=cast.vetting_officer, claim=claim)
    return lambda: listing_claim_reject(actor=cast.vetting_officer, claim=claim, reason="Not on headed paper.")


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_claims_decision_is_emailed_once_through_the_outbox_whatever_the_claimants_choices(
    pending: ListingClaim, cast: Any, outbox_contract: Any, decision: str
) -> None:
    from accounts.notifications.models import Notification
    from accounts.notifications.services import PREFERENCE_FIELDS, notification_preferences_set

    notification_preferences_set(actor=cast.outsider, **dict.fromkeys(PREFERENCE_FIELDS, False))
    outbox_contract.rolled_back(_decide(cast, pending, decision))
    (sent,) = outbox_contract.delivered_once(_decide(cast, pending, decision))
    assert sent.to == [cast.outsider.email]
    assert ("You now manage" if decision == "approve" else "Not on headed paper.") in f"{sent.subject} {sent.body}"
    assert Notification.objects.get(user=cast.outsider).kind == Notification.Kind.ACCOUNT


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_claims_decision_reaches_the_claimant_when_the_broker_lost_it(
    pending: ListingClaim, cast: Any, outbox_contract: Any, decision: str
) -> None:
    (sent,) = outbox_contract.resent_after_broker_lost(_decide(cast, pending, decision))
    assert sent.to == [cast.outsider.email]
    pending.refresh_from_db()
    assert pending.status != ListingClaim.Status.PENDING  # the decision stood while the broker was down
