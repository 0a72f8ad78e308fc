"""Writes for claims of imported listings. Every decision is audited (accounts.AuditEvent)."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import ProviderMembership, User
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


def _tell_claimant(claim: ListingClaim) -> None:
    """E-mail the claimant the decision once it is committed (plain values, not instances, cross the commit)."""
    email, provider_name, approved, reason = (
        claim.claimant.email,
        claim.provider.name,
        claim.status == ListingClaim.Status.APPROVED,
        claim.reason,
    )
    if approved:
        subject = f"You now manage {provider_name} on CareHub"
        portal = reverse("directory:portal-home")
        body = f"Your claim was approved. Sign in to manage its listings and invite colleagues: {portal}\n"
    else:
        subject = f"Your claim of {provider_name} on CareHub"
        body = f"Your claim was not approved. The vetting officer's reason: {reason}\n"
    transaction.on_commit(lambda: send_mail(subject=subject, message=body, from_email=None, recipient_list=[email]))


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
    _tell_claimant(claim)
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
    _tell_claimant(claim)
    return claim
