"""Place N synthetic published services at random real unit postcodes.

Run with the benchmark's environment (DATABASE_URL or SQLITE_PATH):
    python bench/seed_services.py 100000
Replaces the services of the synthetic "Bench provider N" providers only.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from directory.models import Category, Postcode, Provider, Service  # noqa: E402

BATCH = 5000


def main(count: int, seed: int = 20261124) -> None:
    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        bench_providers = Provider.objects.filter(name__startswith="Bench provider ")
        Service.categories.through.objects.filter(service__provider__in=bench_providers).delete()
        Service.objects.filter(provider__in=bench_providers).delete()
        bench_providers.delete()
        providers = Provider.objects.bulk_create(
            [Provider(name=f"Bench provider {i}") for i in range(max(1, count // 20))]
        )
        points = list(
            Postcode.objects.filter(precision=Postcode.Precision.UNIT)
            .order_by("?")
            .values_list("postcode", "latitude", "longitude", "council_id")[:count]
        )
        if not points:
            raise SystemExit("No unit postcodes loaded: run `manage.py import_postcodes` first.")
        categories = list(Category.objects.values_list("pk", flat=True))
        through = Service.categories.through
        units = [u for u, _ in Service.PriceUnit.choices]
        for start in range(0, count, BATCH):
            batch = []
            for i in range(start, min(count, start + BATCH)):
                postcode, lat, lng, council_id = points[i % len(points)]
                at_home = rng.random() < 0.4
                batch.append(
                    Service(
                        provider=providers[i % len(providers)],
                        name=f"Bench service {i}",
                        description="Synthetic service for benchmarks.",
                        postcode=postcode,
                        latitude=lat,
                        longitude=lng,
                        location_precision="unit",
                        council_id=council_id,
                        delivered_at_home=at_home,
                        delivered_at_location=not at_home,
                        service_radius_miles=rng.choice([3, 5, 10, 15]) if at_home else None,
                        price_pence=rng.randrange(900, 4000, 50),
                        price_unit=rng.choice(units),
                        status=Service.Status.PUBLISHED,
                    )
                )
            created = Service.objects.bulk_create(batch)
            if categories:
                through.objects.bulk_create(
                    [through(service_id=s.pk, category_id=rng.choice(categories)) for s in created]
                )
    print(f"seeded {count} services in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main(int(sys.argv[1]))
