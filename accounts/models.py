"""People and their roles.

Roles are relations, not flags: a person who uses care has a PersonProfile; a
carer has CarerLinks (granted by the person's consent); provider staff have
ProviderMemberships; commissioners have CommissionerMemberships. Vetting
officers are staff users in the "Vetting officers" group.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

VETTING_OFFICERS_GROUP = "Vetting officers"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A CareHub account. The e-mail address is the login."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_unique_ci")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class PersonProfile(models.Model):
    """A person who uses care and support."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="person_profile")
    preferred_name = models.CharField(max_length=150, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    communication_needs = models.TextField(
        blank=True, help_text="For example: large print, British Sign Language, phone calls only in the morning"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.user.full_name


class CarerLink(models.Model):
    """A carer acting for a person. Grants nothing until the person consents;
    the person can revoke it at any time."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for consent"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    carer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="carer_links")
    person = models.ForeignKey(PersonProfile, on_delete=models.CASCADE, related_name="carer_links")
    relationship = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    can_view = models.BooleanField(default=False)
    can_book = models.BooleanField(default=False)
    can_manage_budget = models.BooleanField(default=False)
    requested_at = models.DateTimeField(default=timezone.now)
    consented_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["carer", "person"],
                condition=Q(status__in=["requested", "active"]),
                name="accounts_carerlink_one_open_link",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(consented_at__isnull=False),
                name="accounts_carerlink_active_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carer} for {self.person}"

    @property
    def scopes(self) -> list[str]:
        return [
            label
            for label, granted in (
                ("view", self.can_view),
                ("book", self.can_book),
                ("manage budget", self.can_manage_budget),
            )
            if granted
        ]


class ProviderMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        STAFF = "staff", "Staff"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="provider_memberships")
    provider = models.ForeignKey("directory.Provider", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "provider"], name="accounts_providermembership_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.provider}"


class ProviderInvitation(models.Model):
    """An invitation by e-mail link to join a provider. Only a hash of the
    token is stored, so a database leak does not leak working links."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey("directory.Provider", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=ProviderMembership.Role.choices, default=ProviderMembership.Role.STAFF
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.provider}"


class CommissionerMembership(models.Model):
    class Role(models.TextChoices):
        VIEWER = "viewer", "Viewer"
        MANAGER = "manager", "Manager"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="commissioner_memberships")
    council = models.ForeignKey("directory.Council", on_delete=models.CASCADE, related_name="commissioners")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "council"], name="accounts_commissionermembership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.council}"


class AuditEvent(models.Model):
    """Who did what to which object, and when. Written by services."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="accounts_audit_object")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


# --- Notifications: inbox, preferences and the e-mail outbox (issue 6) -------------

# --- Personal access tokens for the API (issue 18): accounts/tokens/ -----------------
# Imported here so Django registers the model with this app.
from accounts.tokens.models import ApiToken  # noqa: E402, F401
