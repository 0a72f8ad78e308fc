"""Writes for claiming listings and the provider portal.

Every change checks permission first, runs in a transaction and leaves a
record: claims are audited (accounts.AuditEvent), and every changed field of a
provider profile or listing is kept as a `ServiceEdit` (who, when, old → new).
Register-sourced fields of a registered service (name, address, location,
grades) are never changed here: the register import owns them.
"""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse

from accounts.models import AuditEvent, ProviderMembership, User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, require
from accounts.selectors import provider_member_users
from accounts.services import audit_record, provider_membership_add
from carehub import clock
from carehub.errors import Conflict, DomainError, NotFound
from carehub.postcodes import InvalidPostcode, normalise_optional_postcode
from directory.geo.selectors import postcode_lookup
from directory.models import (
    AvailabilityException,
    AvailabilityWindow,
    Provider,
    Registration,
    Service,
    ServiceConfirmation,
    ServiceEdit,
    Weekday,
)
from directory.models.listings import MAX_FREE_CANCELLATION_HOURS
from directory.registers.display import service_registration

PROVIDER_FIELDS = ["name", "kind", "description", "phone", "email", "website"]
SERVICE_FIELDS = [
    "name",
    "description",
    "delivered_at_location",
    "delivered_at_home",
    "delivered_remotely",
    "service_radius_miles",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
    "website",
    "price_pence",
    "price_unit",
    "price_on_request",
]
# Fields the regulator's register owns for a registered service.
REGISTER_SERVICE_FIELDS = {"name", "address_line_1", "address_line_2", "town", "postcode"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _record_edits(
    *, actor: User, provider: Provider, service: Service | None, changes: dict[str, tuple[Any, Any]]
) -> None:
    now = clock.now()
    ServiceEdit.objects.bulk_create(
        ServiceEdit(
            provider=provider,
            service=service,
            actor=actor,
            field=name,
            old_value=_text(old),
            new_value=_text(new),
            created_at=now,
        )
        for name, (old, new) in changes.items()
    )


# --- Claims ------------------------------------------------------------------------


# --- Providers ----------------------------------------------------------------------


@transaction.atomic
def provider_create(*, actor: User, name: str, kind: str, description: str = "", **contact: str) -> Provider:
    """A provider no regulator registers (a personal assistant, a community group): the actor becomes its owner."""
    if not actor.is_authenticated:
        raise DomainError("Sign in to add a provider.")
    provider = Provider.objects.create(name=name, kind=kind, description=description, **contact)
    provider_membership_add(user=actor, provider=provider, role=ProviderMembership.Role.OWNER)
    audit_record(actor=actor, action="provider.create", obj=provider)
    return provider


@transaction.atomic
def provider_update(*, actor: User, provider: Provider, data: dict[str, Any]) -> Provider:
    """Change a provider's profile; a registered provider's name stays the register's."""
    require(actor, Action.PROVIDER_MANAGE, provider)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    registered = hasattr(provider, "registered_as")
    changes = {}
    for name in PROVIDER_FIELDS:
        if name not in data or (name == "name" and registered):
            continue
        if getattr(provider, name) != data[name]:
            changes[name] = (getattr(provider, name), data[name])
            setattr(provider, name, data[name])
    if changes:
        provider.save()
        _record_edits(actor=actor, provider=provider, service=None, changes=changes)
    return provider


# --- Services -----------------------------------------------------------------------


def _apply_service_data(service: Service, data: dict[str, Any], *, registered: bool) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for name in SERVICE_FIELDS:
        if name not in data or (registered and name in REGISTER_SERVICE_FIELDS):
            continue
        old, new = getattr(service, name), data[name]
        if name == "postcode":
            # Stored in one form (G12 8QQ, or "" for none) whoever calls: the page's form has
            # checked it already; anything else gets InvalidPostcode on the postcode field.
            new = normalise_optional_postcode(new)
        if old != new:
            changes[name] = (old, new)
            setattr(service, name, new)
    if "postcode" in changes:
        _geocode(service)
    if service.price_on_request:
        service.price_pence = None
    return changes


def _geocode(service: Service) -> None:
    """Place a provider-entered postcode on the map (unit → sector → district)."""
    try:
        row = postcode_lookup(postcode=service.postcode) if service.postcode else None
    except InvalidPostcode as exc:
        raise DomainError(exc.message, field="postcode") from exc
    if row is None:
        service.latitude = service.longitude = None
        service.location_precision = ""
    else:
        service.latitude, service.longitude, service.location_precision = row.latitude, row.longitude, row.precision
        service.council_id = row.council_id


def _set_many(service: Service, data: dict[str, Any], changes: dict[str, tuple[Any, Any]]) -> None:
    for name in ("categories", "client_groups"):
        if name not in data:
            continue
        old = sorted(getattr(service, name).values_list("slug", flat=True))
        new = sorted(obj.slug for obj in data[name])
        if old != new:
            getattr(service, name).set(data[name])
            changes[name] = (", ".join(old), ", ".join(new))


@transaction.atomic
def service_create(*, actor: User, provider: Provider, data: dict[str, Any]) -> Service:
    """Add a listing as a draft; the provider publishes it when ready."""
    require(actor, Action.PROVIDER_MANAGE, provider)
    service = Service(provider=provider, status=Service.Status.DRAFT)
    changes = _apply_service_data(service, data, registered=False)
    service.save()
    _set_many(service, data, changes)
    _record_edits(actor=actor, provider=provider, service=service, changes={"created": ("", service.name)})
    ServiceConfirmation.objects.create(service=service, confirmed_by=actor)
    return service


@transaction.atomic
def service_update(*, actor: User, service: Service, data: dict[str, Any]) -> Service:
    """Change a listing; register-sourced fields of a registered service are left alone."""
    require(actor, Action.PROVIDER_MANAGE, service)
    service = Service.objects.select_for_update().get(pk=service.pk)
    changes = _apply_service_data(service, data, registered=service_registration(service) is not None)
    service.save()
    _set_many(service, data, changes)
    if changes:
        _record_edits(actor=actor, provider=service.provider, service=service, changes=changes)
    return service


def _set_status(*, actor: User, service: Service, status: str) -> Service:
    require(actor, Action.PROVIDER_MANAGE, service)
    service = Service.objects.select_for_update().get(pk=service.pk)
    if service.status == status:
        return service
    if service.status not in (Service.Status.DRAFT, Service.Status.PUBLISHED):
        raise Conflict(f"This listing is {service.get_status_display().lower()}: it cannot be changed here.")
    registration = service_registration(service)
    if status == Service.Status.PUBLISHED and registration and registration.status != Registration.Status.ACTIVE:
        raise Conflict(f"The {registration.regulator_name} does not list this service as active.")
    old = service.status
    service.status = status
    service.save(update_fields=["status", "updated_at"])
    _record_edits(actor=actor, provider=service.provider, service=service, changes={"status": (old, status)})
    return service


@transaction.atomic
def service_publish(*, actor: User, service: Service) -> Service:
    return _set_status(actor=actor, service=service, status=Service.Status.PUBLISHED)


@transaction.atomic
def service_unpublish(*, actor: User, service: Service) -> Service:
    return _set_status(actor=actor, service=service, status=Service.Status.DRAFT)


@transaction.atomic
def service_cancellation_rule_set(
    *, actor: User, service: Service, free_cancellation_hours: int, late_cancellation_percent: int
) -> Service:
    """The provider's cancellation rule for a listing: free until `free_cancellation_hours` before
    the care starts, then `late_cancellation_percent` of the price. It applies to bookings made
    from now on: each booking keeps the rule it was made under (marketplace copies it)."""
    require(actor, Action.PROVIDER_MANAGE, service)
    for value, field in (
        (free_cancellation_hours, "free_cancellation_hours"),
        (late_cancellation_percent, "late_cancellation_percent"),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise DomainError("Enter a whole number.", field=field)
    if not 0 <= free_cancellation_hours <= MAX_FREE_CANCELLATION_HOURS:
        raise DomainError(
            f"Enter a notice period from 0 to {MAX_FREE_CANCELLATION_HOURS} hours (one week).",
            field="free_cancellation_hours",
        )
    if not 0 <= late_cancellation_percent <= 100:
        raise DomainError("Enter a charge from 0 to 100 percent of the price.", field="late_cancellation_percent")
    service = Service.objects.select_for_update().get(pk=service.pk)
    changes = {
        name: (getattr(service, name), new)
        for name, new in (
            ("free_cancellation_hours", free_cancellation_hours),
            ("late_cancellation_percent", late_cancellation_percent),
        )
        if getattr(service, name) != new
    }
    if changes:
        for name, (_, new) in changes.items():
            setattr(service, name, new)
        service.save(update_fields=[*changes, "updated_at"])
        _record_edits(actor=actor, provider=service.provider, service=service, changes=changes)
        audit_record(
            actor=actor,
            action="service.cancellation_rule",
            obj=service,
            **{name: {"before": old, "after": new} for name, (old, new) in changes.items()},
        )
    return service


@transaction.atomic
def service_confirm(*, actor: User, service: Service) -> ServiceConfirmation:
    """The provider says the listing's details are still right."""
    require(actor, Action.PROVIDER_MANAGE, service)
    return ServiceConfirmation.objects.create(service=service, confirmed_by=actor)


# --- Freshness ----------------------------------------------------------------------

REMIND_AGAIN_AFTER = timedelta(days=30)


def listing_freshness_remind(*, now: datetime | None = None) -> int:
    """Remind the members of each provider with published listings nobody confirmed for 6 months.

    Listings stay visible (they are flagged on their pages); a provider is reminded
    at most once every 30 days, recorded as an audit event. Returns the number of
    providers reminded."""
    from directory.portal.selectors import CONFIRM_EVERY

    now = now or clock.now()
    cutoff = now - CONFIRM_EVERY
    stale = (
        Service.objects.filter(status=Service.Status.PUBLISHED, provider__memberships__isnull=False)
        .annotate(last_confirmed_at=Max("confirmations__confirmed_at"))
        .filter(Q(last_confirmed_at__lt=cutoff) | Q(last_confirmed_at__isnull=True, created_at__lt=cutoff))
        .values_list("provider_id", "name")
        .distinct()
    )
    by_provider: dict[int, list[str]] = {}
    for provider_id, name in stale:
        by_provider.setdefault(provider_id, []).append(name)
    recently = set(
        AuditEvent.objects.filter(
            action="provider.freshness_reminder",
            object_type=Provider._meta.label,
            object_id__in=[str(pk) for pk in by_provider],
            created_at__gte=now - REMIND_AGAIN_AFTER,
        ).values_list("object_id", flat=True)
    )
    reminded = 0
    for provider in Provider.objects.filter(pk__in=by_provider).order_by("pk"):
        if str(provider.pk) in recently:
            continue
        names = sorted(by_provider[provider.pk])
        with transaction.atomic():
            # The audit event and the reminder commit together: a reminder is sent if and only if it is recorded.
            event = audit_record(actor=None, action="provider.freshness_reminder", obj=provider, services=names)
            notify(
                users=provider_member_users(provider_id=provider.pk),
                kind=Notification.Kind.LISTING,
                subject=f"Please confirm your CareHub listings for {provider.name}",
                body=(
                    "People rely on CareHub listings being up to date. Nobody at "
                    f"{provider.name} has confirmed these listings for 6 months:\n\n"
                    + "\n".join(f"- {name}" for name in names)
                    + "\n\nSign in and choose 'Confirm these details are up to date'."
                ),
                url=reverse("directory:portal-provider", kwargs={"code": provider.code}),
                key=f"listing-freshness:{provider.pk}:{event.pk}",
            )
        reminded += 1
    return reminded


# --- Weekly availability and exceptions -------------------------------------------


def _window_text(weekday: int, starts_at: time, ends_at: time) -> str:
    return f"{Weekday(weekday).label} {starts_at:%H:%M}–{ends_at:%H:%M}"


@transaction.atomic
def availability_window_add(
    *, actor: User, service: Service, weekday: int, starts_at: time, ends_at: time
) -> AvailabilityWindow:
    """Add a weekly window; refuses one that ends before it starts or overlaps another that day."""
    require(actor, Action.PROVIDER_MANAGE, service)
    if ends_at <= starts_at:
        raise DomainError("The end time must be after the start time.", field="ends_at")
    overlapping = AvailabilityWindow.objects.filter(
        service=service, weekday=weekday, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).first()
    if overlapping:
        raise DomainError(f"That overlaps {overlapping}.", field="starts_at")
    window = AvailabilityWindow.objects.create(service=service, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
    _record_edits(
        actor=actor,
        provider=service.provider,
        service=service,
        changes={"availability": ("", _window_text(weekday, starts_at, ends_at))},
    )
    return window


@transaction.atomic
def availability_window_remove(*, actor: User, service: Service, window_id: int) -> None:
    require(actor, Action.PROVIDER_MANAGE, service)
    window = AvailabilityWindow.objects.filter(service=service, pk=window_id).first()
    if window is None:
        raise NotFound("That time is not in this listing's availability.")
    window.delete()
    _record_edits(actor=actor, provider=service.provider, service=service, changes={"availability": (str(window), "")})


@transaction.atomic
def availability_exception_add(
    *,
    actor: User,
    service: Service,
    date: date_type,
    is_closed: bool,
    starts_at: time | None = None,
    ends_at: time | None = None,
    note: str = "",
) -> AvailabilityException:
    """A date when the weekly availability does not apply (closed, or open at other times)."""
    require(actor, Action.PROVIDER_MANAGE, service)
    if date < clock.today():
        raise DomainError("The date must be today or in the future.", field="date")
    if is_closed:
        starts_at = ends_at = None
    elif starts_at is None or ends_at is None or ends_at <= starts_at:
        raise DomainError("Give the times it is open that day, ending after they start.", field="starts_at")
    if AvailabilityException.objects.filter(service=service, date=date).exists():
        raise Conflict("There is already a change for that date: remove it first.", field="date")
    exception = AvailabilityException.objects.create(
        service=service, date=date, is_closed=is_closed, starts_at=starts_at, ends_at=ends_at, note=note
    )
    _record_edits(
        actor=actor,
        provider=service.provider,
        service=service,
        changes={"availability exception": ("", str(exception))},
    )
    return exception


@transaction.atomic
def availability_exception_remove(*, actor: User, service: Service, exception_id: int) -> None:
    require(actor, Action.PROVIDER_MANAGE, service)
    exception = AvailabilityException.objects.filter(service=service, pk=exception_id).first()
    if exception is None:
        raise NotFound("That date is not in this listing's availability.")
    exception.delete()
    _record_edits(
        actor=actor,
        provider=service.provider,
        service=service,
        changes={"availability exception": (str(exception), "")},
    )
