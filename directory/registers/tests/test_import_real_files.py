"""The two real Care Inspectorate snapshots, 2025 then 2026: the sync reconciles with the newer file.

Needs PostgreSQL (a minute on SQLite is too slow for the suite) and ../shared/data.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings

from directory.models import GradeChange, Registration, Regulator, Service
from directory.registers.services import register_import_from_path

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "care-inspectorate"
OLDER, NEWER = DATA / "datastore_2025-05-31.csv", DATA / "datastore_2026-05-31.csv"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(not NEWER.exists(), reason="needs ../shared/data/care-inspectorate"),
]


def test_import_real_files_reconcile_with_the_newer_file() -> None:
    CI = Regulator.CARE_INSPECTORATE
    first = register_import_from_path(regulator=CI, path=OLDER)
    second = register_import_from_path(regulator=CI, path=NEWER)
    again = register_import_from_path(regulator=CI, path=NEWER)

    with NEWER.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    active = {r["CSNumber"] for r in rows if r["ServiceStatus"] == "Active"}
    published = set(
        Service.objects.filter(status=Service.Status.PUBLISHED, registration__regulator=CI).values_list(
            "registration__registration_number", flat=True
        )
    )
    assert published == active and len(active) == 10_436
    assert first.counts["created"] == 10_780 and first.counts["errors"] == 0
    assert (second.counts["created"], second.counts["closed"]) == (541, 755)
    assert again.counts["unchanged"] == 10_566 and again.counts["updated"] == again.counts["created"] == 0
    assert Service.objects.count() == 10_780 + 541  # nothing deleted
    assert Registration.objects.filter(status=Registration.Status.NO_LONGER_REGISTERED).count() == 755
    assert GradeChange.objects.filter(register_import=second).count() == second.counts["grade_changes"] > 0
