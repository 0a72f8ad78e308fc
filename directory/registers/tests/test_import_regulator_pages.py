"""Register details in the search API (`regulator`) and on the service page, apart from people's ratings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from directory.models import Registration, Regulator, Service
from directory.models.regulator import lowest_grade_six_point
from directory.registers.importers.care_inspectorate import GRADE_COLUMNS
from directory.registers.services import register_import_from_path
from directory.tests.factories import make_service
from directory.tests.register_fixtures import ci_row, cqc_row, make_postcodes, write_ci, write_cqc

pytestmark = pytest.mark.django_db

CQC_WORDS = ["Outstanding", "Good", "Requires improvement", "Inadequate"]


@pytest.fixture
def imported(db: None, tmp_path: Path) -> None:
    make_postcodes()
    register_import_from_path(
        regulator=Regulator.CARE_INSPECTORATE,
        path=write_ci(
            tmp_path / "ci.csv",
            [
                ci_row("CS2003000150", ServiceName="Kelvin House"),
                ci_row(
                    "CS2003000151",
                    CareService="Child Minding",
                    Subtype="",
                    ServiceName="Smith, Jo",
                    ServiceProvider="",
                    SP_number="SP2003000003",
                    Service_Postcode="",
                    CareHome_Main_Area_of_Care="",
                ),
            ],
        ),
    )


def _service(number: str) -> Service:
    return Service.objects.get(registration__registration_number=number)


def test_import_regulator_api_result_carries_the_regulator_object(imported: None, client: Client) -> None:
    make_service(name="Unregistered PA", postcode="G12 8QQ")

    response = client.get("/api/v1/services/", {"postcode": "G12 8QQ", "ordering": "name"})

    assert response.status_code == 200
    results = {r["name"]: r for r in response.json()["results"]}
    assert results["Unregistered PA"]["regulator"] is None
    assert results["Kelvin House"]["regulator"] == {
        "name": "Care Inspectorate",
        "registration_number": "CS2003000150",
        "status": "active",
        "grades": [
            {"key": key, "label": label, "grade": grade, "words": words}
            for key, label, grade, words in [
                ("support_wellbeing", "How well do we support people's wellbeing?", 5, "Very Good"),
                ("care_and_support_planning", "How good is our care and support planning?", 4, "Good"),
                ("setting", "How good is our setting?", 4, "Good"),
                ("staff_team", "How good is our staff team?", 5, "Very Good"),
                ("leadership", "How good is our leadership?", 5, "Very Good"),
            ]
        ],
        "graded_on": "2024-12-08",
        "url": "https://www.careinspectorate.com/index.php/care-services?detail=CS2003000150",
    }
    # A childminder without a published postcode is never in radius results.
    assert "Smith, Jo" not in results


def test_import_regulator_api_cqc_rating_uses_cqcs_words(db: None, tmp_path: Path, client: Client) -> None:
    make_postcodes()
    register_import_from_path(regulator=Regulator.CQC, path=write_cqc(tmp_path / "cqc.csv", [cqc_row("1-466088203")]))

    result = client.get("/api/v1/services/", {"postcode": "WC2N 5DU"}).json()["results"][0]

    assert result["regulator"]["name"] == "Care Quality Commission"
    assert result["regulator"]["registration_number"] == "1-466088203"
    assert result["regulator"]["grades"] == [{"key": "overall", "label": "Overall", "grade": 3, "words": "Good"}]
    assert result["regulator"]["url"] == "https://www.cqc.org.uk/location/1-466088203"


def test_import_regulator_api_adds_no_query_per_result(
    imported: None, client: Client, django_assert_max_num_queries: Any, tmp_path: Path, settings: Any
) -> None:
    settings.SEARCH_CACHE_SECONDS = 0  # count the search's own queries, not a cache hit
    client.get("/api/v1/services/", {"postcode": "G12 8QQ"})  # warm up
    with django_assert_max_num_queries(10) as one:
        client.get("/api/v1/services/", {"postcode": "G12 8QQ"})
    rows = [ci_row(f"CS20030002{n:02d}") for n in range(10)]
    register_import_from_path(regulator=Regulator.CARE_INSPECTORATE, path=write_ci(tmp_path / "more.csv", rows))

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/api/v1/services/", {"postcode": "G12 8QQ"})

    assert response.json()["count"] == 10


def test_import_regulator_page_shows_grades_in_the_regulators_words(imported: None, client: Client) -> None:
    service = _service("CS2003000150")

    page = client.get(reverse("directory:service-detail", kwargs={"code": service.code})).content.decode()

    assert "Inspection grades from the regulator" in page
    assert "They are not ratings from people who used it." in page
    assert "How well do we support people&#x27;s wellbeing?" in page and "5 – Very Good" in page
    assert "Graded on 8 December 2024" in page
    assert 'id="registered-since">1 April 2002' in page
    assert "https://www.careinspectorate.com/index.php/care-services?detail=CS2003000150" in page
    assert page.index('id="grades"') < page.index('id="reviews"')  # two separate sections


def test_import_regulator_page_warns_when_grades_are_over_two_years_old(imported: None, client: Client) -> None:
    service = _service("CS2003000150")
    url = reverse("directory:service-detail", kwargs={"code": service.code})
    today = timezone.localdate()

    Registration.objects.filter(service=service).update(graded_on=today - timedelta(days=2 * 365 + 1))
    assert "more than 2 years old" in client.get(url).content.decode()

    Registration.objects.filter(service=service).update(graded_on=today - timedelta(days=2 * 365 - 1))
    assert "more than 2 years old" not in client.get(url).content.decode()


def test_import_regulator_page_says_why_a_childminder_has_no_location(imported: None, client: Client) -> None:
    service = _service("CS2003000151")

    page = client.get(reverse("directory:service-detail", kwargs={"code": service.code})).content.decode()

    assert "does not publish a childminder&#x27;s address" in page
    assert "does not appear in searches by distance" in page


def test_import_regulator_page_of_an_unregistered_provider(db: None, client: Client) -> None:
    service = make_service(name="Jo the PA")

    page = client.get(reverse("directory:service-detail", kwargs={"code": service.code})).content.decode()

    assert "Not registered with a regulator" in page and "see what CareHub checked" in page


def test_import_regulator_page_of_a_service_no_longer_registered_is_hidden_from_the_public(
    imported: None, client: Client
) -> None:
    service = _service("CS2003000150")
    Service.objects.filter(pk=service.pk).update(status=Service.Status.NO_LONGER_REGISTERED)

    response = client.get(reverse("directory:service-detail", kwargs={"code": service.code}))

    assert response.status_code == 404


def test_import_regulator_api_min_grade_filters_on_the_lowest_grade(db: None, tmp_path: Path, client: Client) -> None:
    make_postcodes()
    rows = [
        ci_row("CS2003000001", ServiceName="All fives", KQ_Care_and_Support_Planning="5.0", KQ_Setting="5.0"),
        ci_row("CS2003000002", ServiceName="Mostly fives, one four"),
        ci_row("CS2003000003", ServiceName="Not graded yet", **dict.fromkeys(GRADE_COLUMNS.values(), "")),
    ]
    register_import_from_path(regulator=Regulator.CARE_INSPECTORATE, path=write_ci(tmp_path / "ci.csv", rows))
    register_import_from_path(
        regulator=Regulator.CQC,
        path=write_cqc(
            tmp_path / "cqc.csv",
            [
                cqc_row(
                    "1-100000001", Name="Outstanding home", Postcode="G12 8QQ", **{"Overall rating": "Outstanding"}
                ),
                cqc_row(
                    "1-100000002",
                    Name="Requires improvement home",
                    Postcode="G12 8QQ",
                    **{"Overall rating": "Requires improvement"},
                ),
            ],
        ),
    )

    def names(min_grade: int) -> list[str]:
        response = client.get("/api/v1/services/", {"postcode": "G12 8QQ", "min_grade": min_grade, "ordering": "name"})
        return [r["name"] for r in response.json()["results"]]

    assert names(5) == ["All fives", "Outstanding home"]
    assert names(4) == ["All fives", "Mostly fives, one four", "Outstanding home"]
    assert names(3) == ["All fives", "Mostly fives, one four", "Outstanding home", "Requires improvement home"]
    assert client.get("/api/v1/services/", {"postcode": "G12 8QQ", "min_grade": 7}).status_code == 400


def test_import_regulator_lowest_grade_on_the_six_point_scale(db: None, tmp_path: Path) -> None:
    make_postcodes()
    register_import_from_path(
        regulator=Regulator.CQC,
        path=write_cqc(
            tmp_path / "cqc.csv",
            [cqc_row(f"1-10000000{n}", **{"Overall rating": rating}) for n, rating in enumerate(CQC_WORDS)],
        ),
    )

    lowest = dict(Registration.objects.values_list("grades__overall", "lowest_grade"))

    assert lowest == {4: 6, 3: 4, 2: 3, 1: 1}
    assert lowest_grade_six_point(Regulator.CARE_INSPECTORATE, {"setting": 5, "leadership": 2}) == 2
    assert lowest_grade_six_point(Regulator.CARE_INSPECTORATE, {}) is None


def test_import_regulator_results_page_shows_grade_range_without_extra_queries(
    imported: None, client: Client, django_assert_max_num_queries: Any, tmp_path: Path
) -> None:
    make_service(name="Unregistered PA", postcode="G12 8QQ")
    url = reverse("directory:search")

    page = client.get(url, {"postcode": "G12 8QQ"}).content.decode()
    with django_assert_max_num_queries(20) as few:
        client.get(url, {"postcode": "G12 8QQ"})
    expected = len(few.captured_queries)  # now: the import below rolls the connection's query log on
    rows = [ci_row(f"CS20030002{n:02d}") for n in range(8)]
    register_import_from_path(regulator=Regulator.CARE_INSPECTORATE, path=write_ci(tmp_path / "more.csv", rows))
    client.get(url, {"postcode": "G12 8QQ"})  # the import made the search form read its choices again

    with django_assert_max_num_queries(expected):
        client.get(url, {"postcode": "G12 8QQ"})
    assert "Care Inspectorate: 4 Good to 5 Very Good (2024)" in page
    assert "Not registered with a regulator" in page
