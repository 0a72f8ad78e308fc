"""The Django side of the drills: set up each drill's world, enqueue work, and read back
what the database says. Run by drills/run.py with the private stack's environment:

    python drills/world.py seed '{"buyers": 10, ...}'     -> JSON of logins and codes
    python drills/world.py <query> [args]                 -> JSON

It builds people and budgets with the test builders (which go through the services, so
the ledger stays sound) and never touches anything but the stack's own database.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
django.setup()

from datetime import time  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.notifications.models import Notification, OutboxMessage  # noqa: E402
from accounts.notifications.services import notify, outbox_message_id  # noqa: E402
from accounts.tests import factories as af  # noqa: E402
from directory.models import (  # noqa: E402
    AvailabilityWindow,
    Council,
    ListingClaim,
    Nation,
    Provider,
    RegisterImport,
    Regulator,
    SearchLog,
    Service,
    VettingCheck,
    VettingEvidence,
)
from directory.tests import factories as df  # noqa: E402
from marketplace.ledger import ledger_verify  # noqa: E402
from marketplace.models import (  # noqa: E402
    Booking,
    BookingSlot,
    Budget,
    Commitment,
    LedgerTransaction,
    Message,
    MessageThread,
    Payout,
    RecurringPlan,
)
from marketplace.tests.factories import make_budget  # noqa: E402
from reviews.models import Review  # noqa: E402

VISIT_PENCE = 1_000
HOUR_PENCE = 2_000


def _person(email: str, password: str, budget_pence: int, council: Council) -> dict[str, str]:
    user = af.make_user(email=email, full_name=email.split("@")[0].replace("-", " ").title(), password=password)
    person = af.make_person(user=user)
    budget = make_budget(person=person, funder=council, allocated_pence=budget_pence)
    return {"email": email, "person": str(person.code), "budget": str(budget.code)}


def seed(cfg: dict[str, Any]) -> dict[str, Any]:
    password = cfg["password"]
    council = Council.objects.create(
        gss_code="S12990016", name="Drills Council", nation=Nation.SCOTLAND, slug="drills-council"
    )
    provider = df.make_provider(name="Drills Care")
    owner = af.make_provider_member(provider=provider, email="drills-owner@example.com", password=password)
    visits = df.make_service(
        provider=provider, name="Drills day centre", price_pence=VISIT_PENCE, price_unit=Service.PriceUnit.VISIT
    )
    hourly = df.make_service(
        provider=provider, name="Drills PA hours", price_pence=HOUR_PENCE, price_unit=Service.PriceUnit.HOUR
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(service=hourly, weekday=day, starts_at=time(0), ends_at=time(23, 59)) for day in range(7)
    )
    reviewed = df.make_service(provider=provider, name="Drills lunch club", price_pence=500)
    big = 10_000_000  # £100,000: budgets that never run out
    out: dict[str, Any] = {
        "password": password,
        "owner": owner.email,
        "visits": str(visits.code),
        "hourly": str(hourly.code),
        "reviewed": str(reviewed.code),
        "buyers": [
            _person(f"drills-buyer-{i}@example.com", password, cfg["per_budget"] * VISIT_PENCE, council)
            for i in range(cfg["buyers"])
        ],
        "one_key": _person("drills-one-key@example.com", password, big, council),
        "slots": [_person(f"drills-slot-{i}@example.com", password, big, council) for i in range(4)],
        "steady": [_person(f"drills-steady-{i}@example.com", password, big, council) for i in range(6)],
        "reviewers": [_person(f"drills-reviewer-{i}@example.com", password, 0, council) for i in range(20)],
        "target": _person("drills-target@example.com", password, 0, council),
    }
    return out


# --- drill 4: work for a worker to die in -----------------------------------------------------------


def enqueue_work(cfg: dict[str, Any]) -> dict[str, Any]:
    """One register import, then outbox e-mails and vetting checks, all queued on commit."""
    from directory.registers.services import register_import_start
    from directory.vetting.tasks import vetting_check_task

    tag = cfg["tag"]
    source = Path(cfg["register"])
    rows = cfg["register_rows"]
    media = Path(os.environ["MEDIA_ROOT"]) / "drills"
    media.mkdir(parents=True, exist_ok=True)
    subset = media / f"datastore-{tag}.csv"
    with source.open(newline="", encoding="utf-8-sig") as src, subset.open("w", newline="", encoding="utf-8") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst)
        for n, row in enumerate(reader):
            if n > rows:
                break
            writer.writerow(row)
    run = RegisterImport(regulator=Regulator.CARE_INSPECTORATE, file_name=subset.name)
    run.file.name = str(subset.relative_to(Path(os.environ["MEDIA_ROOT"])))
    run.save()
    with transaction.atomic():
        register_import_start(actor=None, register_import=run)
    owner = User.objects.get(email="drills-owner@example.com")
    with transaction.atomic():
        for i in range(cfg["emails"]):
            notify(
                users=[owner],
                kind=Notification.Kind.BOOKING,
                subject=f"Drill {tag} e-mail {i}",
                body=f"Drill {tag} e-mail {i}",
                url="/bookings/",
                key=f"drill:{tag}:{i}",
            )
    providers = [df.make_provider(name=f"Drills vetting {tag} {i}").pk for i in range(cfg["checks"])]
    for provider_id in providers:
        vetting_check_task.delay(provider_id, "insurance")
    return {"providers": providers, "import": run.pk, "rows": rows}


def work_state(cfg: dict[str, Any]) -> dict[str, Any]:
    tag = cfg["tag"]
    outbox = OutboxMessage.objects.filter(key__startswith=f"drill:{tag}:")
    checks = VettingCheck.objects.filter(provider_id__in=cfg["providers"], kind="insurance")
    run = RegisterImport.objects.get(pk=cfg["import"])
    per_provider = checks.values("provider_id").annotate(n=Count("pk"))
    return {
        "outbox_total": outbox.count(),
        "outbox_delivered": outbox.filter(delivered_at__isnull=False).count(),
        "outbox_attempts_over_1": outbox.filter(attempts__gt=1).count(),
        "checks_rows": checks.count(),
        "providers_checked": checks.values("provider_id").distinct().count(),
        "current_rows": checks.filter(is_current=True).count(),
        "providers_with_duplicate_rows": sum(1 for row in per_provider if row["n"] > 1),
        "import_status": run.status,
        "import_processed": run.processed_rows,
        "import_total": run.total_rows,
        "import_counts": run.counts,
        "registered_services": Service.objects.filter(registration__regulator=Regulator.CARE_INSPECTORATE).count(),
    }


# --- reading back ------------------------------------------------------------------------------------


def bookings(cfg: dict[str, Any]) -> dict[str, Any]:
    rows = Booking.objects.filter(service__code=cfg["service"])
    return {
        "by_status": dict(rows.values_list("status").annotate(n=Count("pk")).order_by()),
        "total": rows.count(),
        "active_slots": BookingSlot.objects.filter(service__code=cfg["service"], active=True).count(),
    }


def integrity(cfg: dict[str, Any]) -> dict[str, Any]:
    """Half-written money or bookings: what a crash in the middle of a request would leave."""
    all_bookings = Booking.objects.all()
    return {
        "ledger_problems": [str(p) for p in ledger_verify()][:10],
        "bookings": all_bookings.count(),
        "bookings_without_commitment": all_bookings.filter(commitment__isnull=True).count(),
        "bookings_amount_mismatch": sum(
            1
            for b in all_bookings.select_related("commitment")
            if b.commitment and b.commitment.amount_pence != b.amount_pence
        ),
        "hourly_without_slots": all_bookings.filter(kind=Booking.Kind.HOURLY, slots__isnull=True).count(),
        "commitments_without_booking": Commitment.objects.filter(reference__startswith="booking-")
        .exclude(pk__in=all_bookings.values("commitment_id"))
        .count(),
    }


def outbox(cfg: dict[str, Any]) -> dict[str, Any]:
    since = cfg["since"]  # written, or delivered, since then (demo e-mails may go out during a drill)
    rows = OutboxMessage.objects.select_related("user").filter(Q(created_at__gte=since) | Q(delivered_at__gte=since))
    return {
        "rows": [
            {
                "key": m.key,
                "to": m.user.email,
                "subject": m.subject,
                "message_id": outbox_message_id(m),
                "delivered": m.delivered_at is not None,
                "in_window": m.created_at.isoformat() >= since,
            }
            for m in rows
        ],
    }


def reviews(cfg: dict[str, Any]) -> dict[str, Any]:
    return {"reviews": Review.objects.filter(service__code=cfg["service"]).count()}


def users(cfg: dict[str, Any]) -> dict[str, Any]:
    return {"exists": {email: User.objects.filter(email=email).exists() for email in cfg["emails"]}}


def providers(cfg: dict[str, Any]) -> dict[str, Any]:
    return {"count": Provider.objects.count()}


def api_examples(cfg: dict[str, Any]) -> dict[str, Any]:
    """Drill 6: the demo's accounts, and codes that exist for each path parameter of /api/schema/.

    Schemathesis invents UUIDs, which all answer 404; these let it reach real objects too."""
    from accounts.demo import DEMO_PASSWORD, DEMO_USERS

    demo = {role: email for role, (email, *_) in DEMO_USERS.items()}
    person = User.objects.get(email=demo["person"])
    provider = Provider.objects.filter(memberships__user__email=demo["provider"]).first()

    def codes(queryset: Any, n: int = 3) -> list[str]:
        return [str(c) for c in queryset.values_list("code", flat=True)[:n]]

    services = Service.objects.filter(provider=provider)
    unclaimed = Service.objects.filter(
        provider__memberships__isnull=True, status=Service.Status.PUBLISHED, registration__isnull=False
    ).first()
    if unclaimed is None:  # the demo without the register has none: one listing from the register, unclaimed
        from directory.tests.register_fixtures import make_registration

        unclaimed = df.make_service(provider=df.make_provider(name="Drill 6 unclaimed"), name="Drill 6 care home")
        make_registration(unclaimed)
    return {
        "password": DEMO_PASSWORD,
        "accounts": demo,
        "data_upload_max": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "provider": str(provider.code),
        "unclaimed_service": str(unclaimed.code) if unclaimed else "",
        "paths": {
            "/api/v1/bookings/{code}/": codes(Booking.objects.order_by("pk")),
            "/api/v1/budgets/{code}/": codes(Budget.objects.filter(person__user=person)),
            "/api/v1/commitments/{code}/": codes(Commitment.objects.order_by("pk")),
            "/api/v1/payouts/{code}/": codes(Payout.objects.order_by("pk")),
            "/api/v1/portal/services/{code}/": codes(services),
            "/api/v1/ratings/providers/{code}/": [str(provider.code)],
            "/api/v1/ratings/services/{code}/": codes(services),
            "/api/v1/reviews/{code}/": codes(Review.objects.order_by("pk")),
            "/api/v1/services/{code}/": codes(services),
            "/api/v1/threads/{code}/": codes(MessageThread.objects.order_by("pk")),
            "/api/v1/commissioning/{council}/": list(
                Council.objects.filter(commissioners__user__email=demo["commissioner"]).values_list(
                    "gss_code", flat=True
                )[:2]
            ),
            "/api/v1/postcodes/{postcode}/": ["G12 8QQ", "G3 8", "M1 1AE"],
        },
    }


def written(cfg: dict[str, Any]) -> dict[str, Any]:
    """Drill 6: rows and files that refused input must not create (search logs: other than `searched`)."""
    media = Path(os.environ["MEDIA_ROOT"])
    return {
        "bookings": Booking.objects.count(),
        "budgets": Budget.objects.count(),
        "ledger_transactions": LedgerTransaction.objects.count(),
        "plans": RecurringPlan.objects.count(),
        "threads": MessageThread.objects.count(),
        "messages": Message.objects.count(),
        "reviews": Review.objects.count(),
        "vetting_evidence": VettingEvidence.objects.count(),
        "claims": ListingClaim.objects.count(),
        "search_logs": SearchLog.objects.exclude(district__in=cfg.get("searched", [])).count(),
        "media_files": sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0,
    }


def throttles_forget(cfg: dict[str, Any]) -> dict[str, Any]:
    """Forget the per-address review throttle's count for the drills' client address (127.0.0.1)."""
    from django.core.cache import cache

    key = "throttle_reviews_ip_127.0.0.1"
    return {"forgotten": bool(cache.delete(key))}


def now(cfg: dict[str, Any]) -> dict[str, Any]:
    from carehub import clock

    return {"now": clock.now().isoformat()}


COMMANDS = {
    "now": now,
    "seed": seed,
    "enqueue_work": enqueue_work,
    "work_state": work_state,
    "bookings": bookings,
    "integrity": integrity,
    "outbox": outbox,
    "reviews": reviews,
    "users": users,
    "providers": providers,
    "api_examples": api_examples,
    "written": written,
    "throttles_forget": throttles_forget,
}

if __name__ == "__main__":
    result = COMMANDS[sys.argv[1]](json.loads(sys.argv[2]) if len(sys.argv) > 2 else {})
    print(json.dumps(result, default=str))
