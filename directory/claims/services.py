"""Writes for claims of imported listings. Every decision is audited (accounts.AuditEvent),
and the claimant is told through accounts.notifications (inbox + outbox e-mail, in the
decision's transaction)."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import ProviderMembership, User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, require
from accounts.services import audit_record, provider_membership_add
from carehub import clock
from carehub.errors import Conflict, DomainError
from directory.models import ListingClaim, Provider, Service
from directory.registers.display import service_registration
from directory.uploads import evidence_file_type


def provider_is_claimed(provider: Provider) -> bool:
    return ProviderMembership.objects.filter(provider=provider).exists()


@transaction.atomic
def listing_claim_create(
    *, actor: User, service: Service, job_title: str, message: str, evidence: UploadedFile
) -> ListingClaim:
    """Ask to become the owner of an imported, unclaimed provider, with evidence.

    Raises Conflict when the provider already has members or the actor already
    has a claim waiting; DomainError for evidence of the wrong type or size."""
    provider = service.provider
    if service_registration(service) is None:
        raise Conflict("Only listings imported from a regulator's register can be claimed.")
    if provider_is_claimed(provider):
        raise Conflict(f"{provider.name} is already managed on CareHub. Ask its owner to invite you.")
    evidence_file_type(evidence)  # type from the content, size limit (directory.uploads)
    try:
        with transaction.atomic():
            claim = ListingClaim.objects.create(
                provider=provider,
                service=service,
                claimant=actor,
                job_title=job_title,
                message=message,
                evidence=evidence,
            )
    except IntegrityError as exc:
        raise Conflict("You have already asked to claim this listing. A vetting officer will reply.") from exc
    audit_record(actor=actor, action="listing_claim.create", obj=claim, provider=provider.pk)
    return claim


def _pending_claim(claim: ListingClaim) -> ListingClaim:
    locked = ListingClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.status != ListingClaim.Status.PENDING:
        raise Conflict("This claim has already been decided.")
    return locked


@transaction.atomic
def listing_claim_approve(*, actor: User, claim: ListingClaim) -> ListingClaim:
    """Approve a claim: the claimant becomes the provider's owner; other waiting claims are rejected."""
    require(actor, Action.VETTING_REVIEW)
    claim = _pending_claim(claim)
    if provider_is_claimed(claim.provider):
        raise Conflict(f"{claim.provider.name} already has an owner: reject this claim instead.")
    now = clock.now()
    claim.status, claim.decided_by, claim.decided_at = ListingClaim.Status.APPROVED, actor, now
    claim.save(update_fields=["status", "decided_by", "decided_at"])
    provider_membership_add(user=claim.claimant, provider=claim.provider, role=ProviderMembership.Role.OWNER)
    others = ListingClaim.objects.filter(provider=claim.provider, status=ListingClaim.Status.PENDING)
    for other in others:
        audit_record(actor=actor, action="listing_claim.reject", obj=other, reason="another claim was approved")
    others.update(
        status=ListingClaim.Status.REJECTED, decided_by=actor, decided_at=now, reason="Another claim was approved."
    )
    audit_record(actor=actor, action="listing_claim.approve", obj=claim, claimant=claim.claimant_id)
    # An account notice: always e-mailed, since the claimant is waiting for this answer.
    notify(
        users=[claim.claimant],
        kind=Notification.Kind.ACCOUNT,
        subject=f"You now manage {claim.provider.name} on CareHub",
        body="Your claim was approved. Sign in to manage its listings and invite colleagues.",
        url=reverse("directory:portal-home"),
        key=f"listing-claim:{claim.code}:approved",
    )
    return claim


@transaction.atomic
def listing_claim_reject(*, actor: User, claim: ListingClaim, reason: str) -> ListingClaim:
    """Reject a claim, with the reason the claimant will see."""
    require(actor, Action.VETTING_REVIEW)
    if not reason.strip():
        raise DomainError("Give the reason for rejecting the claim.", field="reason")
    claim = _pending_claim(claim)
    claim.status, claim.decided_by, claim.decided_at = ListingClaim.Status.REJECTED, actor, clock.now()
    claim.reason = reason.strip()
    claim.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit_record(actor=actor, action="listing_claim.reject", obj=claim, reason=claim.reason)
    notify(
        users=[claim.claimant],
        kind=Notification.Kind.ACCOUNT,
        subject=f"Your claim of {claim.provider.name} on CareHub",
        body=f"Your claim was not approved. The vetting officer's reason: {claim.reason}",
        url=reverse("directory:service-detail", kwargs={"code": claim.service.code}) if claim.service else "",
        key=f"listing-claim:{claim.code}:rejected",
    )
    return claim
