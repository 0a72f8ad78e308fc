"""Demo directory data for `manage.py seed_demo`: the real Care Inspectorate register (the copy in
directory/data), three invented providers' listings placed among the real services near G12 8QQ
(through the portal services), Kelvin Companions' vetting and an anonymous search log.
Idempotent: each part is skipped once done.

The invented providers carry every invented thing (bookings, reviews, messages, vetting): none is
ever attached to a real registered service, whose page must show only what the register and
real people said about it. Their listings say that they are invented."""

from __future__ import annotations

import time as time_module
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.demo import demo_user
from accounts.models import User
from carehub import clock
from carehub.demo import replay_clock
from carehub.errors import DomainError
from carehub.postcodes import postcode_district
from directory.events import services as event_services
from directory.models import (
    AvailabilityWindow,
    Category,
    CommunityGroup,
    Council,
    Event,
    Nation,
    Provider,
    ProviderVetting,
    RegisterImport,
    Registration,
    Regulator,
    SearchLog,
    Service,
    VettingEvidence,
)
from directory.portal import services as portal_services
from directory.registers.importers.care_inspectorate import EMBEDDED_PATH
from directory.registers.importers.files import RegisterFileInvalid, register_file_sha256
from directory.registers.services import register_import_from_path
from directory.search.log import search_log_flush, search_log_record
from directory.search.selectors import search_origin, service_search
from directory.vetting import services as vetting

# Said on every invented provider and listing, which sit among real registered services.
# (Their 0141 496 numbers are in Ofcom's range kept for drama: they reach no one.)
INVENTED = "This provider is invented for CareHub's demo; it is not a real service."


@transaction.atomic
def seed() -> tuple[Provider, Council]:
    # The postcode data (Code-Point Open 2014) names Glasgow City by its 2014 GSS code;
    # reuse whatever the postcode loader created so demo and geography agree.
    council = Council.objects.filter(name="Glasgow City").first() or Council.objects.create(
        gss_code="S12000046", name="Glasgow City", nation=Nation.SCOTLAND, slug="glasgow-city"
    )
    provider, _ = Provider.objects.get_or_create(
        name="Kelvin Companions",
        defaults={"kind": Provider.Kind.ORGANISATION, "phone": "0141 496 0000", "description": INVENTED},
    )
    Service.objects.get_or_create(
        provider=provider,
        name="Kelvin Companions – help at home",
        defaults={
            "description": "Friendly help at home: personal care, meals, shopping and company. " + INVENTED,
            "delivered_at_location": False,
            "delivered_at_home": True,
            "service_radius_miles": 5,
            "postcode": "G12 8QQ",
            "latitude": 55.8733,
            "longitude": -4.2923,
            "location_precision": "unit",
            "council": council,
            "price_pence": 2450,
            "price_unit": Service.PriceUnit.HOUR,
            "status": Service.Status.PUBLISHED,
        },
    )
    return provider, council


# --- More listings, vetting and the search log (after the demo accounts exist) ---------------------------

# Invented people and providers: no name is a provider or service on the register
# (carehub/tests/test_seed_demo.py checks the shipped copy).
PA_OWNER = ("ailsa.brodie@example.com", "Ailsa Brodie")
DAY_CENTRE_OWNER = ("fiona.mackay@example.com", "Fiona Mackay")
KELVIN_SERVICE = "Kelvin Companions – help at home"
PA_PROVIDER, DAY_CENTRE_PROVIDER = "Ailsa Brodie", "Partick Day Centre"
REGISTER_FILE = EMBEDDED_PATH


def _categories(*slugs: str) -> list[Category]:
    return list(Category.objects.filter(slug__in=slugs))


def _listing(*, owner: User, provider: Provider, data: dict[str, Any], windows: list[tuple[int, int, int]]) -> Service:
    """A published listing with weekly availability, created through the portal services once."""
    service = Service.objects.filter(provider=provider, name=data["name"]).first()
    if service is None:
        service = portal_services.service_create(actor=owner, provider=provider, data=data)
    if not AvailabilityWindow.objects.filter(service=service).exists():
        for weekday, start, end in windows:
            portal_services.availability_window_add(
                actor=owner, service=service, weekday=weekday, starts_at=time(start), ends_at=time(end)
            )
    return portal_services.service_publish(actor=owner, service=service)


def _own_provider(*, owner: User, name: str, kind: str, **profile: str) -> Provider:
    # Found by its owner, not its name: a provider renamed in the portal is not created again.
    provider = Provider.objects.filter(kind=kind, memberships__user=owner).first()
    return provider or portal_services.provider_create(actor=owner, name=name, kind=kind, **profile)


@transaction.atomic
def seed_listings(*, provider: Provider, owner: User) -> dict[str, Service]:
    """Kelvin Companions' categories and opening hours, a personal assistant and a day centre near G12 8QQ."""
    kelvin = Service.objects.get(provider=provider, name=KELVIN_SERVICE)
    if not kelvin.categories.exists():
        portal_services.service_update(
            actor=owner,
            service=kelvin,
            data={"categories": _categories("personal-care", "meals-and-shopping", "domestic-help")},
        )
    kelvin = _listing(
        owner=owner,
        provider=provider,
        data={"name": KELVIN_SERVICE},
        windows=[(day, 8, 20) for day in range(6)],  # Monday to Saturday, 08:00–20:00
    )

    pa_user = demo_user(email=PA_OWNER[0], full_name=PA_OWNER[1])
    pa = _own_provider(
        owner=pa_user,
        name=PA_PROVIDER,
        kind=Provider.Kind.INDIVIDUAL,
        description="Self-employed personal assistant in the West End of Glasgow for twelve years. " + INVENTED,
        phone="0141 496 0123",
    )
    personal_assistant = _listing(
        owner=pa_user,
        provider=pa,
        data={
            "name": f"{PA_PROVIDER} – personal assistant",
            "description": "Personal care, getting out and about, appointments and shopping. "
            "PVG member; happy to be employed through a direct payment. " + INVENTED,
            "delivered_at_location": False,
            "delivered_at_home": True,
            "service_radius_miles": Decimal("3"),
            "postcode": "G12 9LH",
            "town": "Glasgow",
            "price_pence": 1_850,
            "price_unit": Service.PriceUnit.HOUR,
            "categories": _categories("self-employed-personal-assistants", "personal-care"),
        },
        # Mornings on Monday, Wednesday and Friday; afternoons on Tuesday and Thursday.
        windows=[(0, 9, 13), (1, 14, 18), (2, 9, 13), (3, 14, 18), (4, 9, 13)],
    )

    centre_user = demo_user(email=DAY_CENTRE_OWNER[0], full_name=DAY_CENTRE_OWNER[1])
    centre = _own_provider(
        owner=centre_user,
        name=DAY_CENTRE_PROVIDER,
        kind=Provider.Kind.ORGANISATION,
        description="A community day centre run by local volunteers and staff since 1998. " + INVENTED,
        phone="0141 496 0456",
    )
    day_centre = _listing(
        owner=centre_user,
        provider=centre,
        data={
            "name": f"{DAY_CENTRE_PROVIDER} – day care and lunch club",
            "description": "Activities, outings, a hot two-course lunch and company, with transport "
            "for people who need it. Dementia-friendly. " + INVENTED,
            "delivered_at_location": True,
            "address_line_1": "12 Dumbarton Road",
            "town": "Glasgow",
            "postcode": "G11 6PA",
            "price_pence": 4_500,
            "price_unit": Service.PriceUnit.DAY,
            "categories": _categories("day-centres", "lunch-clubs", "befriending"),
        },
        windows=[(day, 9, 16) for day in range(5)],
    )
    return {"kelvin": kelvin, "personal_assistant": personal_assistant, "day_centre": day_centre}


def _pdf(title: str) -> SimpleUploadedFile:
    """A tiny, valid one-page PDF standing in for a scanned certificate."""
    body = f"BT /F1 18 Tf 72 720 Td ({title} - CareHub demo) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return SimpleUploadedFile(f"{title.lower().replace(' ', '-')}.pdf", bytes(out), content_type="application/pdf")


@transaction.atomic
def seed_vetting(*, provider: Provider, owner: User, officer: User) -> ProviderVetting | None:
    """Kelvin Companions uploads its evidence, the vetting officer confirms it, the checks pass:
    the listing shows "Vetted on <date>". Skipped once the provider has any evidence."""
    if VettingEvidence.objects.filter(provider=provider).exists():
        return None
    today = clock.today()
    upload = vetting.vetting_evidence_upload
    Kind = VettingEvidence.Kind
    upload(
        actor=owner, provider=provider, kind=Kind.INSURANCE, file=_pdf("Insurance certificate"),
        insurer="Clyde Mutual Insurance", policy_number="PL-2026-044817", expires_on=today + timedelta(days=290),
    )  # fmt: skip
    to_confirm = [
        upload(
            actor=owner,
            provider=provider,
            kind=Kind.REFERENCE,
            file=_pdf(f"Reference {n}"),
            referee_name=name,
            referee_contact=contact,
        )  # fmt: skip
        for n, (name, contact) in enumerate(
            [("Dr Ruth Gallagher, Hillhead GP practice", "0141 496 0789"), ("Rev. Iain Munro", "0141 496 0321")], 1
        )
    ]
    to_confirm.append(upload(actor=owner, provider=provider, kind=Kind.IDENTITY, file=_pdf("Director passport")))
    to_confirm.append(
        upload(actor=owner, provider=provider, kind=Kind.QUALITY_MARK, file=_pdf("Quality mark self-assessment"))
    )
    for evidence in to_confirm:
        vetting.vetting_evidence_decide(actor=officer, evidence=evidence, approve=True, reason="")
    # Run the checks now, so the outcome does not wait for a Celery worker when REDIS_URL is set
    # (the queued checks find the same results and only move `checked_at` on).
    for kind in vetting.vetting_checks_applicable(provider):
        vetting.vetting_check_run(provider_id=provider.pk, kind=kind, today=today)
    return ProviderVetting.objects.get(provider=provider)


# Anonymous searches in the last two months: (days ago, postcode searched, categories, radius).
# Each is run against the directory as it stands, so the counts logged (and the commissioner's
# unmet demand) agree with what a search finds today.
DEMO_SEARCHES: list[tuple[int, str, list[str], int]] = [
    (58, "G12 8QQ", ["personal-care"], 5),
    (51, "G11 6PA", ["day-centres"], 2),
    (47, "G13 1AA", ["self-employed-personal-assistants"], 3),
    (44, "G12 9LH", ["respite-in-a-care-home"], 5),
    (39, "G20 6AA", ["day-centres"], 2),
    (33, "G12 8QQ", ["sitting-services"], 3),
    (30, "G3 7AA", ["personal-care", "meals-and-shopping"], 5),
    (26, "G13 1AA", ["self-employed-personal-assistants"], 5),
    (21, "G11 6PA", ["lunch-clubs"], 1),
    (17, "G20 6AA", ["day-centres"], 3),
    (12, "G12 8QQ", [], 5),
    (9, "G13 1AA", ["sitting-services"], 5),
    (6, "G12 9LH", ["self-employed-personal-assistants"], 2),
    (3, "G20 6AA", ["day-centres"], 5),
    (1, "G11 6PA", ["respite-in-a-care-home"], 3),
]


def seed_search_log() -> int:
    """A few anonymous searches around the West End for the commissioner's unmet-demand table.

    Recorded through search_log_record, dated on the day they are replayed; skipped once
    those districts have any search. A postcode the directory cannot place is not logged
    (the search page would have refused it). Not atomic on purpose: the log is written on commit."""
    districts = {postcode_district(postcode) for _, postcode, *_ in DEMO_SEARCHES}
    if SearchLog.objects.filter(district__in=districts).exists():
        return 0
    logged = 0
    for days, postcode, categories, radius in DEMO_SEARCHES:
        try:
            origin = search_origin(postcode=postcode)
        except DomainError:
            continue
        results = service_search(origin=origin, radius_miles=radius, categories=categories or None).count()
        with replay_clock(clock.now() - timedelta(days=days)):
            search_log_record(postcode=postcode, radius_miles=radius, result_count=results, categories=categories)
        logged += 1
    search_log_flush()
    return logged


def register_import(*, path: Path | None = None) -> str:
    """Import the Care Inspectorate register once; return the line to print.

    With no path, the copy the project ships, and only while no Care Inspectorate register
    has been imported: a newer month imported since must not be synced back to the older
    copy (that would close the services registered in between). A file given by path is
    imported unless that very register is already in (its checksum, however it is packed):
    the importer would change nothing, but would record another import."""
    if path is None:
        done = RegisterImport.objects.filter(
            regulator=Regulator.CARE_INSPECTORATE, status=RegisterImport.Status.DONE
        ).first()
        if done is not None:
            return _already_in(done)
        path = REGISTER_FILE
    if not path.is_file():
        return (
            f"No register file at {path}: the demo has only the sample listings. To load every registered "
            "care service in Scotland: manage.py import_care_inspectorate <datastore CSV>."
        )
    try:
        sha256 = register_file_sha256(path)
    except RegisterFileInvalid as exc:
        return f"{exc.message} The demo has only the sample listings."
    done = RegisterImport.objects.filter(
        regulator=Regulator.CARE_INSPECTORATE, file_sha256=sha256, status=RegisterImport.Status.DONE
    ).first()
    if done is not None:
        return _already_in(done)
    started = time_module.monotonic()
    try:
        run = register_import_from_path(regulator=Regulator.CARE_INSPECTORATE, path=path)
    except RegisterFileInvalid as exc:
        return f"{exc.message} The demo has only the sample listings."
    seconds = time_module.monotonic() - started
    counts = run.counts
    active = Registration.objects.filter(
        regulator=Regulator.CARE_INSPECTORATE, status=Registration.Status.ACTIVE
    ).count()
    return (
        f"Imported the Care Inspectorate register {Path(run.file_name).name} in {seconds:.1f} s: "
        f"{counts.get('created', 0) + counts.get('updated', 0) + counts.get('unchanged', 0):,} services, "
        f"{active:,} of them active ({counts.get('errors', 0):,} rows with errors, "
        f"{counts.get('warnings', 0):,} with warnings; see import #{run.pk} in the admin)."
    )


def _already_in(done: RegisterImport) -> str:
    services = Registration.objects.filter(regulator=Regulator.CARE_INSPECTORATE).count()
    return (
        f"The Care Inspectorate register {Path(done.file_name).name} is already in "
        f"(import #{done.pk}: {services:,} services)."
    )


def seed_events(*, provider: Provider, owner: User) -> int:
    """A few invented events near G12 8QQ in the coming weeks: two by Kelvin Companions (through the
    portal's services, as its staff would) and one by an invented community group (as staff would in
    the admin). Skipped while Kelvin Companions has an event still to come; returns how many were made."""
    if Event.objects.filter(provider=provider, ends_at__gt=clock.now()).exists():
        return 0
    if search_origin_or_none("G11 5LW") is None or search_origin_or_none("G3 6BY") is None:
        return 0  # no postcode table loaded (`make run` loads it first): events could not be placed
    today = clock.today()
    made = []
    for days, title, start, end, cost, description in [
        (3, "Seated exercise (demo)", time(10), time(11), 300, "Gentle exercise in chairs, for any ability."),
        (10, "Day trip to Largs (demo)", time(9, 30), time(17), 1500, "A coach trip to the seaside, lunch included."),
    ]:
        day = today + timedelta(days=days)
        made.append(
            event_services.event_create(
                actor=owner,
                provider=provider,
                data={
                    "title": title,
                    "description": description,
                    "venue": "Partick Burgh Hall, 9 Burgh Hall Street, Glasgow",
                    "postcode": "G11 5LW",
                    "starts_at": clock.at_local_or_after(day, start),
                    "ends_at": clock.at_local_or_after(day, end),
                    "cost_pence": cost,
                    "how_to_book": "Phone Kelvin Companions on 0141 496 0100 (an invented number)",
                    "published": True,
                },
            )
        )
    group, _ = CommunityGroup.objects.get_or_create(
        name="West End Walking Friends (demo)",
        defaults={"description": "An invented community group for the demo.", "phone": "0141 496 0199"},
    )
    walk = Event(
        community_group=group,
        title="Kelvingrove Park walk (demo)",
        description="A slow walk of about a mile, with a stop for tea.",
        venue="Kelvingrove Park, the bandstand",
        postcode="G3 6BY",
        starts_at=clock.at_local_or_after(today + timedelta(days=5), time(14)),
        ends_at=clock.at_local_or_after(today + timedelta(days=5), time(15, 30)),
        how_to_book="Just turn up",
    )
    event_services.event_locate(event=walk)
    walk.save()
    return len(made) + 1


def search_origin_or_none(postcode: str) -> Any:
    try:
        return search_origin(postcode=postcode)
    except DomainError:
        return None
