"""The register sync engine, shared by every regulator's importer.

A regulator module turns its file into `RegisterRecord`s (one per good row) and
`RowError`s (row number, reason); `register_sync` then applies the sync rules:

- a registration number not seen before creates a provider (by the register's
  provider number) if needed, a `Service` and its `Registration`;
- a known number whose register columns changed (`RegisterRecord.digest`)
  updates the register-sourced fields and records each changed grade as a
  `GradeChange` naming the import; an unchanged row is not written at all,
  so re-importing the same file changes nothing;
- a number the file no longer has is marked `no_longer_registered` (service and
  registration), never deleted: it may have bookings and reviews; a number whose
  row has an error is still in the file, so it is left as it was;
- the service's own status follows the register's only when the register's
  status changes, so a provider's unpublished draft or an officer's suspension
  is not undone by a routine re-import.

Register-sourced fields (name, address, location, council, grades) are the
register's; contact details, categories and client groups are filled in when a
service is first created and belong to the provider's portal afterwards.

Writes are bulk operations in batches, each batch in its own transaction, with
progress saved on the `RegisterImport` between batches so the admin can show it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction

from carehub import clock
from carehub.postcodes import InvalidPostcode, normalise_postcode, postcode_district, postcode_sector
from directory.models import (
    Category,
    ClientGroup,
    Council,
    GradeChange,
    Postcode,
    Provider,
    RegisteredProvider,
    RegisterImport,
    RegisterImportError,
    Registration,
    Service,
)
from directory.models.regulator import lowest_grade_six_point
from directory.registers.importers.bulk import BATCH_SIZE, IN_CHUNK, bulk_insert, bulk_update, chunks, link_pairs
from directory.registers.importers.records import RegisterRecord, RowError, SyncCounts
from directory.search.cache import search_cache_bump


@dataclass
class _Location:
    latitude: float
    longitude: float
    precision: str
    council_id: int | None


ProgressCallback = Callable[[int, int], None]


def _locate(postcodes: set[str]) -> dict[str, _Location]:
    """Geocode many postcodes in a few queries, with the same unit → sector → district
    order as `selectors.postcode_lookup` (which does one postcode per call)."""
    wanted: dict[str, list[str]] = {}
    for pc in postcodes:
        try:
            wanted[pc] = [normalise_postcode(pc), postcode_sector(pc), postcode_district(pc)]
        except InvalidPostcode:
            continue
    keys = sorted({key for candidates in wanted.values() for key in candidates})
    known: dict[str, _Location] = {}
    for chunk in chunks(keys, IN_CHUNK):
        for row in Postcode.objects.filter(postcode__in=chunk).values(
            "postcode", "latitude", "longitude", "precision", "council_id"
        ):
            known[row["postcode"]] = _Location(row["latitude"], row["longitude"], row["precision"], row["council_id"])
    found: dict[str, _Location] = {}
    for pc, candidates in wanted.items():
        for key in candidates:
            if key in known:
                found[pc] = known[key]
                break
    return found


def _council_key(record: RegisterRecord) -> str:
    return record.council_gss or f"name:{record.council_name.lower()}"


def _councils(records: Sequence[RegisterRecord]) -> dict[str, int]:
    """Council key (GSS code, or name for registers without codes) → council id.

    A council the register names by GSS code is created if not loaded yet; a
    council known only by name (CQC's Local Authority) must already exist."""
    names = {r.council_gss: (r.council_name, r.nation) for r in records if r.council_gss}
    existing = dict(Council.objects.filter(gss_code__in=names).values_list("gss_code", "id"))
    for gss, (name, nation) in names.items():
        if gss not in existing:
            council, _ = Council.objects.get_or_create(
                gss_code=gss, defaults={"name": name, "nation": nation, "slug": f"{_slug(name)}-{gss.lower()}"}
            )
            existing[gss] = council.id
    by_name = {r.council_name.lower() for r in records if not r.council_gss and r.council_name}
    if by_name:
        for council_id, name in Council.objects.values_list("id", "name"):
            if name.lower() in by_name:
                existing[f"name:{name.lower()}"] = council_id
    return existing


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)[:180]


def _providers(
    *, regulator: str, records: Sequence[RegisterRecord], register_import: RegisterImport, counts: SyncCounts
) -> dict[str, int]:
    """Register provider number → registered-provider id; creates and renames providers in bulk."""
    latest: dict[str, RegisterRecord] = {}
    for record in records:
        latest[record.provider_number] = record
    known = {rp.provider_number: rp for rp in RegisteredProvider.objects.filter(regulator=regulator)}

    new_numbers = [n for n in latest if n not in known]
    providers = [
        Provider(
            code=uuid.uuid4(),
            name=latest[n].provider_name,
            kind=Provider.Kind.INDIVIDUAL if latest[n].provider_is_individual else Provider.Kind.ORGANISATION,
        )
        for n in new_numbers
    ]
    bulk_insert(Provider, providers)
    if providers and providers[0].pk is None:  # a backend (or bulk_insert) that does not return ids
        ids = dict(Provider.objects.filter(code__in=[p.code for p in providers]).values_list("code", "id"))
        for p in providers:
            p.pk = ids[p.code]
    created = [
        RegisteredProvider(
            regulator=regulator,
            provider_number=n,
            registered_name=latest[n].provider_name,
            provider_type=latest[n].provider_type,
            provider_id=p.pk,
            source_import=register_import,
        )
        for n, p in zip(new_numbers, providers, strict=True)
    ]
    bulk_insert(RegisteredProvider, created)
    if created and created[0].pk is None:
        ids = dict(RegisteredProvider.objects.filter(regulator=regulator).values_list("provider_number", "id"))
        for rp in created:
            rp.pk = ids[rp.provider_number]
    counts.providers_created = len(created)

    renamed: list[RegisteredProvider] = []
    old_names: dict[int, str] = {}
    for number, rp in known.items():
        record = latest.get(number)
        if record and (rp.registered_name, rp.provider_type) != (record.provider_name, record.provider_type):
            old_names[rp.provider_id] = rp.registered_name
            rp.registered_name, rp.provider_type = record.provider_name, record.provider_type
            rp.source_import = register_import
            renamed.append(rp)
    # The provider's display name follows the register unless the provider changed it.
    new_names = {rp.provider_id: rp.registered_name for rp in renamed}
    now = clock.now()
    to_rename = []
    for chunk in chunks(list(old_names), IN_CHUNK):
        for provider in Provider.objects.filter(pk__in=chunk).only("pk", "name", "updated_at"):
            if provider.name == old_names[provider.pk] and provider.name != new_names[provider.pk]:
                provider.name, provider.updated_at = new_names[provider.pk], now
                to_rename.append(provider)
    bulk_update(Provider, to_rename, ["name", "updated_at"])
    bulk_update(RegisteredProvider, renamed, ["registered_name", "provider_type", "source_import"])
    counts.providers_updated = len(renamed)

    ids = {rp.provider_number: rp.pk for rp in known.values()}
    ids.update({rp.provider_number: rp.pk for rp in created})
    return ids


def _service_status(current: str, old_register: str | None, new_register: str) -> str:
    """The service's status after the register's status moved from old to new."""
    if old_register == new_register:
        return current
    if new_register == Registration.Status.ACTIVE:
        # Back on (or newly on) the register: publish, unless the provider keeps it as a draft.
        return Service.Status.DRAFT if current == Service.Status.DRAFT else Service.Status.PUBLISHED
    if current == Service.Status.DRAFT:
        return current
    return Service.Status.SUSPENDED


_REGISTER_SERVICE_FIELDS = [
    "name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "latitude",
    "longitude",
    "location_precision",
    "council",
    "status",
    "updated_at",
]
_REGISTRATION_FIELDS = [
    "registered_provider",
    "status",
    "registered_name",
    "registered_address",
    "service_type",
    "subtype",
    "registered_since",
    "grades",
    "lowest_grade",
    "graded_on",
    "last_inspected_on",
    "beds",
    "registered_places",
    "complaints_upheld",
    "register_url",
    "row_hash",
    "source_import",
    "updated_at",
]


def _apply_register_fields(
    service: Service,
    registration: Registration,
    record: RegisterRecord,
    *,
    provider_rp_id: int,
    location: _Location | None,
    council_id: int | None,
    register_import: RegisterImport,
) -> None:
    service.name = record.name
    service.address_line_1 = record.address_line_1[:255]
    service.address_line_2 = record.address_line_2[:255]
    service.town = record.town[:120]
    service.postcode = record.postcode
    if location is None:
        # No published or known postcode: listed for its council only, never in radius results.
        service.latitude = service.longitude = None
        service.location_precision = ""
    else:
        service.latitude, service.longitude = location.latitude, location.longitude
        service.location_precision = location.precision
    service.council_id = council_id or (location.council_id if location else None)
    service.updated_at = clock.now()

    registration.registered_provider_id = provider_rp_id
    registration.status = record.status
    registration.registered_name = record.name
    registration.registered_address = record.registered_address[:500]
    registration.service_type = record.service_type
    registration.subtype = record.subtype[:255]
    registration.registered_since = record.registered_since
    registration.grades = record.grades
    registration.lowest_grade = lowest_grade_six_point(registration.regulator, record.grades)
    registration.graded_on = record.graded_on
    registration.last_inspected_on = record.last_inspected_on
    registration.beds = record.beds
    registration.registered_places = record.registered_places
    registration.complaints_upheld = record.complaints_upheld
    registration.register_url = record.register_url
    registration.row_hash = record.digest()
    registration.source_import = register_import
    registration.updated_at = clock.now()


def register_sync(
    *,
    regulator: str,
    records: Sequence[RegisterRecord],
    errors: Sequence[RowError],
    register_import: RegisterImport,
    total_rows: int,
    progress: ProgressCallback | None = None,
) -> SyncCounts:
    """Apply one register file to the directory (see the module docstring for the rules)."""
    counts = SyncCounts(rows=total_rows, errors=len(errors))
    RegisterImportError.objects.bulk_create(
        [
            RegisterImportError(
                register_import=register_import, row_number=e.row_number, reference=e.reference[:40], reason=e.reason
            )
            for e in errors
        ],
        batch_size=BATCH_SIZE,
    )
    with transaction.atomic():
        council_ids = _councils(records)
        provider_ids = _providers(regulator=regulator, records=records, register_import=register_import, counts=counts)
    category_ids = dict(Category.objects.values_list("slug", "id"))
    group_ids = dict(ClientGroup.objects.values_list("slug", "id"))
    locations = _locate({r.postcode for r in records if r.postcode})
    existing = {
        reg.registration_number: reg
        for reg in Registration.objects.filter(regulator=regulator).select_related("service")
    }

    done = 0
    for batch in chunks(records, BATCH_SIZE):
        with transaction.atomic():
            _sync_batch(
                regulator=regulator,
                batch=batch,
                existing=existing,
                locations=locations,
                council_ids=council_ids,
                group_ids=group_ids,
                category_ids=category_ids,
                provider_ids=provider_ids,
                register_import=register_import,
                counts=counts,
            )
        done += len(batch)
        if progress:
            progress(done + len(errors), total_rows)

    # A row with an error still shows its service is on the register: leave it as it was
    # rather than close it over a typo (the error report names the row).
    seen = {r.registration_number for r in records} | {e.reference for e in errors}
    gone = [
        reg
        for number, reg in existing.items()
        if number not in seen and reg.status != Registration.Status.NO_LONGER_REGISTERED
    ]
    with transaction.atomic():
        for chunk in chunks(gone, IN_CHUNK):
            Registration.objects.filter(pk__in=[reg.pk for reg in chunk]).update(
                status=Registration.Status.NO_LONGER_REGISTERED,
                source_import=register_import,
                updated_at=clock.now(),
            )
            Service.objects.filter(pk__in=[reg.service_id for reg in chunk]).update(
                status=Service.Status.NO_LONGER_REGISTERED, updated_at=clock.now()
            )
    counts.closed = len(gone)
    search_cache_bump()  # the bulk writes above bypass the model signals
    return counts


def _sync_batch(
    *,
    regulator: str,
    batch: Sequence[RegisterRecord],
    existing: dict[str, Registration],
    locations: dict[str, _Location],
    council_ids: dict[str, int],
    group_ids: dict[str, int],
    category_ids: dict[str, int],
    provider_ids: dict[str, int],
    register_import: RegisterImport,
    counts: SyncCounts,
) -> None:
    new_services: list[Service] = []
    new_registrations: list[Registration] = []
    new_records: list[RegisterRecord] = []
    changed_services: list[Service] = []
    changed_registrations: list[Registration] = []
    grade_changes: list[GradeChange] = []
    rp_provider = dict(
        RegisteredProvider.objects.filter(pk__in={provider_ids[r.provider_number] for r in batch}).values_list(
            "pk", "provider_id"
        )
    )

    for record in batch:
        location = locations.get(record.postcode) if record.postcode else None
        if location is None:
            counts.not_located += 1
        else:
            setattr(counts, f"located_{location.precision}", getattr(counts, f"located_{location.precision}") + 1)
        rp_id = provider_ids[record.provider_number]
        council_id = council_ids.get(_council_key(record))
        registration = existing.get(record.registration_number)

        if registration is None:
            service = Service(
                code=uuid.uuid4(),
                provider_id=rp_provider[rp_id],
                status=Service.Status.PUBLISHED
                if record.status == Registration.Status.ACTIVE
                else Service.Status.SUSPENDED,
                phone=record.phone[:40],
                website=record.website[:200],
                delivered_at_home=record.delivered_at_home,
                delivered_at_location=not record.delivered_at_home,
            )
            registration = Registration(regulator=regulator, registration_number=record.registration_number)
            _apply_register_fields(
                service,
                registration,
                record,
                provider_rp_id=rp_id,
                location=location,
                council_id=council_id,
                register_import=register_import,
            )
            new_services.append(service)
            new_registrations.append(registration)
            new_records.append(record)
            existing[record.registration_number] = registration
            counts.created += 1
            continue

        old_status = registration.status
        if registration.row_hash == record.digest() and old_status != Registration.Status.NO_LONGER_REGISTERED:
            counts.unchanged += 1
            continue

        service = registration.service
        old_grades = dict(registration.grades or {})
        _apply_register_fields(
            service,
            registration,
            record,
            provider_rp_id=rp_id,
            location=location,
            council_id=council_id,
            register_import=register_import,
        )
        service.status = _service_status(service.status, old_status, record.status)
        for key in sorted(set(old_grades) | set(record.grades)):
            if old_grades.get(key) != record.grades.get(key):
                grade_changes.append(
                    GradeChange(
                        registration=registration,
                        register_import=register_import,
                        key=key,
                        old_grade=old_grades.get(key),
                        new_grade=record.grades.get(key),
                        graded_on=record.graded_on,
                    )
                )
        changed_services.append(service)
        changed_registrations.append(registration)
        if old_status == Registration.Status.NO_LONGER_REGISTERED:
            counts.reopened += 1
        else:
            counts.updated += 1

    bulk_insert(Service, new_services)
    if new_services and new_services[0].pk is None:
        ids = dict(Service.objects.filter(code__in=[s.code for s in new_services]).values_list("code", "id"))
        for s in new_services:
            s.pk = ids[s.code]
    for service, registration in zip(new_services, new_registrations, strict=True):
        registration.service = service
    bulk_insert(Registration, new_registrations)

    category_links = [
        (service.pk, category_ids[slug])
        for service, record in zip(new_services, new_records, strict=True)
        for slug in dict.fromkeys(record.category_slugs)
        if slug in category_ids
    ]
    link_pairs(Service.categories.through, category_links, ("service", "category"))
    group_links = [
        (service.pk, group_ids[slug])
        for service, record in zip(new_services, new_records, strict=True)
        for slug in dict.fromkeys(record.client_group_slugs)
        if slug in group_ids
    ]
    link_pairs(Service.client_groups.through, group_links, ("service", "clientgroup"))

    bulk_update(Service, changed_services, _REGISTER_SERVICE_FIELDS)
    bulk_update(Registration, changed_registrations, _REGISTRATION_FIELDS)
    GradeChange.objects.bulk_create(grade_changes, batch_size=BATCH_SIZE)
    counts.grade_changes += len(grade_changes)
