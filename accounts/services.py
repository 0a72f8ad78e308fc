"""Writes for accounts: sign-up, carer consent, provider invitations, audit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AuditEvent, CarerLink, PersonProfile, ProviderInvitation, ProviderMembership, User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, require
from carehub import clock
from carehub.errors import Conflict, DomainError, NotFound
from carehub.postcodes import normalise_optional_postcode

INVITATION_LIFETIME = timedelta(days=7)
SYSTEM_EMAIL = "system@carehub.invalid"


def audit_record(*, actor: User | None, action: str, obj: Any, **detail: Any) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        detail=detail,
    )


@transaction.atomic
def user_sign_up(*, email: str, full_name: str, password: str, uses_care: bool, postcode: str = "") -> User:
    """Create an account; a person who uses care also gets a PersonProfile.

    The postcode is stored in its normal form (G12 8QQ), or "" when none is given:
    the person is then placed nowhere (search asks for a postcode each time, and
    commissioning counts them as a budget holder with no known district).

    Raises Conflict when the e-mail address is already registered (the form
    checks first; the unique constraint settles races), InvalidPostcode when
    the postcode is not a real one.
    """
    email = email.strip().lower()
    postcode = normalise_optional_postcode(postcode)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            "An account with this email address already exists. Sign in or reset your password.", field="email"
        )
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, full_name=full_name.strip())
    except IntegrityError as exc:
        raise Conflict("An account with this email address already exists.", field="email") from exc
    if uses_care:
        PersonProfile.objects.create(user=user, postcode=postcode)
    audit_record(actor=user, action="user.sign_up", obj=user)
    return user


@transaction.atomic
def person_profile_update(
    *, actor: User, full_name: str, preferred_name: str, postcode: str, communication_needs: str, uses_care: bool
) -> User:
    """Change the actor's own details. The postcode as in user_sign_up: normal form or ""
    (raises InvalidPostcode, a DomainError on the "postcode" field)."""
    postcode = normalise_optional_postcode(postcode)
    actor.full_name = full_name.strip()
    actor.save(update_fields=["full_name"])
    profile = PersonProfile.objects.filter(user=actor).first()
    if uses_care or profile is not None:
        profile = profile or PersonProfile(user=actor)
        profile.preferred_name = preferred_name.strip()
        profile.postcode = postcode
        profile.communication_needs = communication_needs.strip()
        profile.save()
    audit_record(actor=actor, action="user.profile_update", obj=actor)
    return actor


@transaction.atomic
def carer_link_request(*, carer: User, person_email: str, relationship: str) -> CarerLink:
    """A carer asks to act for a person. It grants nothing until the person consents."""
    person = PersonProfile.objects.select_related("user").filter(user__email__iexact=person_email.strip()).first()
    if person is None:
        raise NotFound(
            "We could not find a person using care with that email address. Ask them to create an account first.",
            field="person_email",
        )
    if person.user_id == carer.pk:
        raise DomainError("You cannot be your own carer.", field="person_email")
    if CarerLink.objects.filter(
        carer=carer, person=person, status__in=[CarerLink.Status.REQUESTED, CarerLink.Status.ACTIVE]
    ).exists():
        raise Conflict("You have already asked to support this person.", field="person_email")
    link = CarerLink.objects.create(carer=carer, person=person, relationship=relationship.strip())
    audit_record(actor=carer, action="carer_link.request", obj=link)
    return link


def _link_for_person(*, actor: User, link_code: str) -> CarerLink:
    link = CarerLink.objects.select_related("person").filter(code=link_code).first()
    if link is None:
        raise NotFound("That carer link does not exist.")
    require(actor, Action.PERSON_MANAGE_CARERS, link.person)
    return link


@transaction.atomic
def carer_link_consent(
    *, actor: User, link_code: str, can_view: bool, can_book: bool, can_manage_budget: bool
) -> CarerLink:
    """The person consents and chooses what the carer may do (also used to change scopes)."""
    link = _link_for_person(actor=actor, link_code=link_code)
    if link.status not in (CarerLink.Status.REQUESTED, CarerLink.Status.ACTIVE):
        raise Conflict("This request has ended. Ask your carer to send a new one.")
    if not (can_view or can_book or can_manage_budget):
        raise DomainError("Choose at least one thing this carer may do, or decline the request.", field="scopes")
    before = {"status": link.status, "scopes": link.scopes}
    link.can_view = can_view or can_book or can_manage_budget  # acting for someone implies seeing it
    link.can_book = can_book
    link.can_manage_budget = can_manage_budget
    if link.status == CarerLink.Status.REQUESTED:
        link.status = CarerLink.Status.ACTIVE
        link.consented_at = clock.now()
    link.save()
    audit_record(actor=actor, action="carer_link.consent", obj=link, before=before, scopes=link.scopes)
    return link


@transaction.atomic
def carer_link_end(*, actor: User, link_code: str) -> CarerLink:
    """The person declines a request or revokes an active link."""
    link = _link_for_person(actor=actor, link_code=link_code)
    if link.status == CarerLink.Status.REQUESTED:
        link.status = CarerLink.Status.DECLINED
    elif link.status == CarerLink.Status.ACTIVE:
        link.status = CarerLink.Status.REVOKED
    else:
        raise Conflict("This carer link has already ended.")
    link.can_view = link.can_book = link.can_manage_budget = False
    link.ended_at = clock.now()
    link.save()
    audit_record(actor=actor, action=f"carer_link.{link.status}", obj=link)
    return link


def provider_membership_add(*, user: User, provider: Any, role: str) -> ProviderMembership:
    """Make `user` a member of `provider` (or return the membership they have).
    Callers check permission and audit the action that grants it (a claim, an invitation)."""
    membership, _ = ProviderMembership.objects.get_or_create(user=user, provider=provider, defaults={"role": role})
    return membership


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def provider_invitation_create(*, actor: User, provider: Any, email: str, role: str) -> tuple[ProviderInvitation, str]:
    """An owner invites someone by e-mail. Returns the invitation and the link sent."""
    require(actor, Action.PROVIDER_MANAGE_MEMBERS, provider)
    if ProviderMembership.objects.filter(provider=provider, user__email__iexact=email).exists():
        raise Conflict("That person is already a member of this provider.", field="email")
    token = secrets.token_urlsafe(32)
    invitation = ProviderInvitation.objects.create(
        provider=provider,
        email=email.strip().lower(),
        role=role,
        token_hash=_hash_token(token),
        invited_by=actor,
        expires_at=clock.now() + INVITATION_LIFETIME,
    )
    path = reverse("accounts:invitation-accept", args=[token])
    audit_record(actor=actor, action="provider_invitation.create", obj=invitation, email=invitation.email, role=role)
    # To the address, not to an account: the invitee may have none yet, and only whoever reads
    # that mailbox gets the link (accepting needs an account with the same address).
    notify(
        addresses=[invitation.email],
        kind=Notification.Kind.ACCOUNT,
        subject=f"You have been invited to join {provider.name} on CareHub",
        body=f"{actor.full_name} has invited you to help manage {provider.name} on CareHub.\n\n"
        "Accept the invitation within 7 days:",
        url=path,
        key=f"provider-invitation:{invitation.code}",
    )
    link = settings.SITE_URL.rstrip("/") + path
    return invitation, link


def provider_invitation_get(*, token: str) -> ProviderInvitation:
    invitation = ProviderInvitation.objects.select_related("provider").filter(token_hash=_hash_token(token)).first()
    if invitation is None:
        raise NotFound("This invitation link is not valid. Ask for a new one.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used.")
    if invitation.expires_at <= clock.now():
        raise Conflict("This invitation has expired. Ask the provider to send a new one.")
    return invitation


@transaction.atomic
def provider_invitation_accept(*, actor: User, token: str) -> ProviderMembership:
    invitation = provider_invitation_get(token=token)
    if invitation.email.lower() != actor.email.lower():
        raise DomainError(f"This invitation was sent to {invitation.email}. Sign in with that address to accept it.")
    # Mark the invitation used with a conditional update so two clicks cannot both win.
    updated = ProviderInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=clock.now(), accepted_by=actor
    )
    if updated != 1:
        raise Conflict("This invitation has already been used.")
    membership = provider_membership_add(user=actor, provider=invitation.provider, role=invitation.role)
    audit_record(actor=actor, action="provider_invitation.accept", obj=invitation)
    return membership


def system_actor() -> User:
    """The actor recorded for tasks and commands (an account nobody can sign in to)."""
    user = User.objects.filter(email=SYSTEM_EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=SYSTEM_EMAIL, password=None, full_name="CareHub system")
        User.objects.filter(pk=user.pk).update(is_superuser=True)
        user.refresh_from_db()
    return user
