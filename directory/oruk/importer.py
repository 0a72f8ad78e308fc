"""Another directory's Open Referral UK feed → unclaimed CareHub listings.

Two steps, so that bad input writes nothing:

1. `oruk_feed_read` turns JSON documents (a service, a page of services or
   service_at_locations, taxonomy terms, or a list of those) into checked
   `ServiceRecord`s and `OrganizationRecord`s. A problem that makes a record unusable
   (no id, no name, an unknown status, an unrecognised object) is collected; if there is
   any, `OrukFeedInvalid` lists them and nothing is written. A field CareHub cannot take
   (an impossible position, a malformed postcode, e-mail or URL, a term CareHub does not
   have) is left out with a warning, so one odd field does not block a whole directory.
2. `oruk_import` writes them in one transaction. Each record is remembered as an
   `OrukRecord` (source, kind, id in the source, a digest of what CareHub took from it),
   so a second run of the same feed changes nothing; a changed record updates its
   listing; a listing whose provider has been claimed belongs to its members and is
   skipped; a record whose id is already a CareHub listing (CareHub's own feed, or the
   same feed under another source name) is skipped. Listings missing from a feed are left
   as they are: a file or a page may be partial. The service's status follows the source
   only when the source's status changes, as with the regulators' registers.

`oruk_documents_from_url` crawls a feed from its API root (every page of /services, each
service fully nested from /services/{id}, and /taxonomy_terms) through a fetch function:
the adapter in directory/oruk/fetch.py, or a fake in tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import time
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef

from carehub import clock
from directory.geo.selectors import postcode_lookup
from directory.models import AvailabilityWindow, Category, ClientGroup, Provider, Service
from directory.models.oruk import OrukRecord
from directory.oruk.feed import (
    SERVICE_STATUS,
    Counts,
    Feed,
    ImportResult,
    OrganizationRecord,
    OrukFeedInvalid,
    ServiceRecord,
)
from directory.oruk.taxonomy import NAMESPACE
from directory.search.cache import search_cache_bump

# --- writing ---------------------------------------------------------------------------------


def _code_for(external_id: str, *, source: str, kind: str, taken: Callable[[uuid.UUID], bool]) -> uuid.UUID:
    """The source's own UUID when it is one and free (ids then survive a round trip), else one
    derived from the source and id, so a re-import after a deletion gets the same code back."""
    try:
        code = uuid.UUID(external_id)
    except ValueError:
        code = None
    if code is None or taken(code):
        code = uuid.uuid5(NAMESPACE, f"oruk:{source}:{kind}:{external_id}")
    return code


@transaction.atomic
def oruk_import(*, feed: Feed, source: str) -> ImportResult:
    """Write a checked feed as unclaimed listings (see the module docstring for the rules)."""
    if not source or len(source) > 500:
        raise OrukFeedInvalid("Give the source a name of at most 500 characters")
    now = clock.now()
    result = ImportResult(
        source=source,
        services=Counts(),
        organizations=Counts(),
        terms_matched=len(feed.terms_matched),
        terms_unmatched=len(feed.terms_unmatched),
        warnings=list(feed.warnings),
        skipped_reasons=[],
    )
    records = {
        (r.kind, r.external_id): r
        for r in OrukRecord.objects.filter(source=source).select_related("service", "provider")
    }
    claimed_ids = set(
        Provider.objects.filter(oruk_record__source=source)
        .filter(Exists(Provider.memberships.rel.related_model.objects.filter(provider=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    categories = {c.slug: c for c in Category.objects.all()}
    groups = {g.slug: g for g in ClientGroup.objects.all()}
    providers: dict[str, Provider] = {}

    def provider_for(org: OrganizationRecord) -> Provider:
        if org.external_id in providers:
            return providers[org.external_id]
        record = records.get((OrukRecord.Kind.ORGANIZATION, org.external_id))
        digest = org.digest()
        counts = result.organizations
        if record is None:
            code = _code_for(
                org.external_id,
                source=source,
                kind="organization",
                taken=lambda c: Provider.objects.filter(code=c).exists(),
            )
            provider = Provider.objects.create(
                code=code, name=org.name, description=org.description, email=org.email, website=org.website
            )
            OrukRecord.objects.create(
                source=source,
                kind=OrukRecord.Kind.ORGANIZATION,
                external_id=org.external_id,
                provider=provider,
                digest=digest,
                created_at=now,
                updated_at=now,
            )
            counts.inserted += 1
        else:
            provider = record.provider
            if record.digest == digest:
                counts.unchanged += 1
            elif provider.pk in claimed_ids:
                counts.skipped += 1
            else:
                for name in ("name", "description", "email", "website"):
                    setattr(provider, name, getattr(org, name))
                provider.save()
                record.digest, record.updated_at = digest, now
                record.save(update_fields=["digest", "updated_at"])
                counts.updated += 1
        providers[org.external_id] = provider
        return provider

    for service_record in feed.services.values():
        record = records.get((OrukRecord.Kind.SERVICE, service_record.external_id))
        digest = service_record.digest()
        counts = result.services
        if record is None:
            try:
                existing = Service.objects.filter(code=uuid.UUID(service_record.external_id)).exists()
            except ValueError:
                existing = False
            if existing:
                counts.skipped += 1
                result.skipped_reasons.append(
                    f"service {service_record.external_id}: already a CareHub listing (CareHub's own feed, "
                    f"or this feed imported under another source name)"
                )
                continue
            if SERVICE_STATUS[service_record.source_status] != Service.Status.PUBLISHED:
                counts.skipped += 1
                result.skipped_reasons.append(
                    f"service {service_record.external_id}: {service_record.source_status}, so not added"
                )
                continue
            provider = provider_for(feed.organizations[service_record.organization_id])
            service = Service(
                code=_code_for(
                    service_record.external_id,
                    source=source,
                    kind="service",
                    taken=lambda c: Service.objects.filter(code=c).exists(),
                ),
                provider=provider,
                status=Service.Status.PUBLISHED,
            )
            _apply(service, service_record, categories=categories, groups=groups, new=True)
            OrukRecord.objects.create(
                source=source,
                kind=OrukRecord.Kind.SERVICE,
                external_id=service_record.external_id,
                service=service,
                digest=digest,
                source_status=service_record.source_status,
                created_at=now,
                updated_at=now,
            )
            counts.inserted += 1
            continue
        service = record.service
        provider = provider_for(feed.organizations[service_record.organization_id])
        if record.digest == digest:
            counts.unchanged += 1
            continue
        if service.provider_id in claimed_ids:
            counts.skipped += 1
            result.skipped_reasons.append(
                f"service {service_record.external_id}: claimed by its provider, whose members now keep it"
            )
            continue
        if record.source_status != service_record.source_status:
            service.status = SERVICE_STATUS[service_record.source_status]
        service.provider = provider
        _apply(service, service_record, categories=categories, groups=groups, new=False)
        record.digest, record.updated_at, record.source_status = digest, now, service_record.source_status
        record.save(update_fields=["digest", "updated_at", "source_status"])
        counts.updated += 1
    search_cache_bump()
    return result


def _apply(
    service: Service,
    r: ServiceRecord,
    *,
    categories: dict[str, Category],
    groups: dict[str, ClientGroup],
    new: bool,
) -> None:
    for name in (
        "name",
        "description",
        "website",
        "email",
        "phone",
        "price_pence",
        "price_unit",
        "price_on_request",
        "delivered_at_location",
        "delivered_at_home",
        "delivered_remotely",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
    ):
        setattr(service, name, getattr(r, name))
    service.service_radius_miles = Decimal(r.service_radius_miles) if r.service_radius_miles else None
    # Position: the feed's own when it gives one, else the postcode's (unit, sector or district).
    row = postcode_lookup(postcode=r.postcode) if r.postcode else None
    service.council = row.council if row else None
    if r.latitude is not None:
        service.latitude, service.longitude, service.location_precision = r.latitude, r.longitude, "unit"
    elif row is not None:
        service.latitude, service.longitude, service.location_precision = row.latitude, row.longitude, row.precision
    else:
        service.latitude = service.longitude = None
        service.location_precision = ""
    service.save()
    service.categories.set([categories[slug] for slug in r.category_slugs if slug in categories])
    service.client_groups.set([groups[slug] for slug in r.client_group_slugs if slug in groups])
    if not new:
        AvailabilityWindow.objects.filter(service=service).delete()
    AvailabilityWindow.objects.bulk_create(
        [
            AvailabilityWindow(
                service=service, weekday=day, starts_at=time.fromisoformat(opens), ends_at=time.fromisoformat(closes)
            )
            for day, opens, closes in r.windows
        ]
    )
