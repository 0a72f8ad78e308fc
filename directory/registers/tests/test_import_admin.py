"""Register imports started from the Django admin run as a Celery task with visible progress."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from directory.models import RegisterImport, Regulator, Service
from directory.registers.services import register_import_process
from directory.tests.register_fixtures import ci_row, make_postcodes, write_ci

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(tmp_path: Path, rows: list[dict[str, str]]) -> SimpleUploadedFile:
    path = write_ci(tmp_path / "datastore.csv", rows)
    return SimpleUploadedFile("datastore.csv", path.read_bytes(), content_type="text/csv")


def test_import_admin_upload_runs_the_import_task(
    admin_client: Client, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    make_postcodes()
    upload = _upload(tmp_path, [ci_row("CS2003000001"), ci_row("bad")])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:directory_registerimport_add"), {"regulator": Regulator.CARE_INSPECTORATE, "file": upload}
        )

    assert response.status_code == 302
    run = RegisterImport.objects.get()
    assert run.status == RegisterImport.Status.DONE and run.progress_percent == 100
    assert run.counts["created"] == 1 and run.counts["errors"] == 1
    assert Service.objects.filter(registration__registration_number="CS2003000001").exists()
    page = admin_client.get(reverse("admin:directory_registerimport_change", args=[run.pk])).content.decode()
    assert "row 3 bad: CSNumber &#x27;bad&#x27; is not a Care Inspectorate number" in page
    listing = admin_client.get(reverse("admin:directory_registerimport_changelist")).content.decode()
    assert "100%" in listing


def test_import_admin_bad_file_fails_with_the_reason(
    admin_client: Client, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile("notes.csv", b"just,some\ncolumns,here\n", content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:directory_registerimport_add"), {"regulator": Regulator.CARE_INSPECTORATE, "file": upload}
        )

    run = RegisterImport.objects.get()
    assert run.status == RegisterImport.Status.FAILED
    assert "missing column(s) CSNumber" in run.message
    assert not Service.objects.exists()


def test_import_admin_progress_shows_rows_done_while_running(admin_client: Client) -> None:
    run = RegisterImport.objects.create(
        regulator=Regulator.CARE_INSPECTORATE,
        file_name="datastore.csv",
        status=RegisterImport.Status.RUNNING,
        total_rows=10_566,
        processed_rows=5_000,
        stage="Writing changes",
    )

    listing = admin_client.get(reverse("admin:directory_registerimport_changelist")).content.decode()

    assert run.progress_percent == 47
    assert "47% (5,000 of 10,566 rows) Writing changes" in listing


def test_import_admin_redelivered_task_does_not_import_twice(tmp_path: Path) -> None:
    run = RegisterImport.objects.create(regulator=Regulator.CARE_INSPECTORATE, status=RegisterImport.Status.DONE)

    assert register_import_process(register_import_id=run.pk).status == RegisterImport.Status.DONE
    assert not Service.objects.exists()


def test_import_admin_is_refused_to_non_staff(client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)

    response = client.get(reverse("admin:directory_registerimport_changelist"))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_import_admin_upload_reads_a_gzipped_register_and_shows_its_warnings(
    admin_client: Client, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    make_postcodes()
    path = write_ci(tmp_path / "datastore.csv", [ci_row("CS2003000001", DateReg="NA")])
    upload = SimpleUploadedFile("datastore.csv.gz", gzip.compress(path.read_bytes()), content_type="application/gzip")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:directory_registerimport_add"), {"regulator": Regulator.CARE_INSPECTORATE, "file": upload}
        )

    run = RegisterImport.objects.get()
    assert run.status == RegisterImport.Status.DONE and run.counts["created"] == 1 and run.counts["warnings"] == 1
    page = admin_client.get(reverse("admin:directory_registerimport_change", args=[run.pk])).content.decode()
    assert "Warning: DateReg is &#x27;NA&#x27;: read as no date: row 2" in page


def test_import_admin_zip_without_a_csv_fails_with_the_reason(
    admin_client: Client, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datastore.xls", b"\xd0\xcf\x11\xe0")
    upload = SimpleUploadedFile("datastore.zip", buffer.getvalue(), content_type="application/zip")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:directory_registerimport_add"), {"regulator": Regulator.CARE_INSPECTORATE, "file": upload}
        )

    run = RegisterImport.objects.get()
    assert run.status == RegisterImport.Status.FAILED
    assert run.message == "datastore.zip holds no CSV file (it holds datastore.xls)."
    assert not Service.objects.exists()
