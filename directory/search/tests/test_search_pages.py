import re

import pytest
from django.core.paginator import Page
from django.db import connection
from django.forms import BoundField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from geopy.distance import great_circle

from accounts.tests.factories import make_provider_member
from directory.models import Service
from directory.search.forms import ServiceSearchForm
from directory.search.page_rows import ResultRow
from directory.search.tests.garbage import request_garbage
from directory.tests.factories import category, client_group, make_postcode, make_service

SEARCH = "/search/"
G12_8QQ = (55.871751, -4.28836)


@pytest.fixture
def glasgow(db):
    make_postcode("G12 8QQ", *G12_8QQ)
    make_postcode("G12 8", 55.875097, -4.287462)


def near(miles, bearing=0):
    p = great_circle(miles=miles).destination(G12_8QQ, bearing)
    return {"latitude": p.latitude, "longitude": p.longitude}


def test_search_page_url_is_namespaced():
    assert reverse("directory:search") == SEARCH


def test_home_page_postcode_form_goes_to_the_search_page(client, db):
    assert f'action="{SEARCH}"' in client.get("/").content.decode()


def test_search_page_without_a_query_shows_the_form(client, db):
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert 'name="postcode"' in response.content.decode()
    assert "There is a problem" not in response.content.decode()


def test_search_page_lists_results_with_distance_categories_and_price(client, glasgow):
    make_service(name="Kelvin help", categories=[category("personal-care")], price_pence=123450, **near(2))
    make_service(name="Far away", **near(20))
    response = client.get(SEARCH, {"postcode": "g128qq"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Care and support near G12 8QQ" in body
    assert "Kelvin help" in body and "Far away" not in body
    assert "2.0 miles (3.2 km)" in body
    assert "Personal care" in body
    assert "£1,234.50 per hour" in body
    assert "1 result within 5 miles of G12 8QQ" in body


def test_search_page_filters_work_as_a_plain_get_form(client, glasgow):
    make_service(name="Older people's club", client_groups=[client_group("older-people")], **near(1))
    make_service(name="Youth club", client_groups=[client_group("children-and-young-people")], **near(1))
    body = client.get(SEARCH, {"postcode": "G12 8QQ", "client_group": "older-people"}).content.decode()
    assert "Older people&#39;s club" in body and "Youth club" not in body
    body = client.get(SEARCH, {"postcode": "G12 8QQ", "radius_miles": "25", "q": "youth"}).content.decode()
    assert "Youth club" in body and "Older people&#39;s club" not in body


def test_search_page_empty_state_offers_a_wider_radius(client, glasgow):
    make_service(name="Eight miles", **near(8))
    body = client.get(SEARCH, {"postcode": "G12 8QQ"}).content.decode()
    assert "Nothing within 5 miles of G12 8QQ" in body
    assert "search within 10 miles?" in body
    assert "radius_miles=10" in body
    wider = client.get(SEARCH, {"postcode": "G12 8QQ", "radius_miles": "10"}).content.decode()
    assert "Eight miles" in wider


def test_search_page_says_when_distances_are_from_the_sector(client, glasgow):
    make_service(name="Close", **near(1))
    body = client.get(SEARCH, {"postcode": "G12 8ZZ"}).content.decode()
    assert "We do not have the exact position of G12 8ZZ" in body
    assert "Close" in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"postcode": "G12 8QC"}, "Enter a real postcode, like G12 8QQ"),
        ({"postcode": "not a postcode"}, "A postcode is at most 7 letters and numbers"),
        ({"postcode": ""}, "Enter a postcode, like G12 8QQ"),
        ({"postcode": "AB10 1AA"}, "We could not find AB10 1AA"),
        ({"postcode": "G12 8QQ", "radius_miles": "7"}, "Choose a distance from the list"),
        ({"postcode": "G12 8QQ", "max_price": "lots"}, "Enter a price in pounds"),
    ],
)
def test_search_page_bad_input_gets_the_error_summary_and_400(client, glasgow, params, message):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "There is a problem" in body
    assert message in body
    assert "<title>Error:" in body


def test_search_page_paginates(client, glasgow):
    for i in range(23):
        make_service(name=f"Service {i:02d}", **near(1))
    first = client.get(SEARCH, {"postcode": "G12 8QQ", "ordering": "name"}).content.decode()
    assert "Service 19" in first and "Service 20" not in first
    assert "page=2" in first
    second = client.get(SEARCH, {"postcode": "G12 8QQ", "ordering": "name", "page": "2"}).content.decode()
    assert "Service 20" in second and "Service 19" not in second


# --- The service page ---------------------------------------------------------------------


def detail_url(service, **query):
    url = reverse("directory:service-detail", kwargs={"code": service.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_service_page_shows_the_listing_and_placeholders(client, glasgow):
    service = make_service(
        name="Kelvin help",
        description="Help with meals.",
        client_groups=[client_group("older-people")],
        price_pence=2450,
        address_line_1="1 University Avenue",
        town="Glasgow",
        phone="0141 496 0000",
        **near(3),
    )
    body = client.get(detail_url(service)).content.decode()
    for text in ("Kelvin help", "Help with meals.", "Older people", "£24.50 per hour", "1 University Avenue"):
        assert text in body
    for section in ('id="grades"', 'id="vetting"', 'id="reviews"', "No reviews yet."):
        assert section in body
    assert 'id="distance"' not in body


def test_service_page_shows_the_distance_from_the_searched_postcode(client, glasgow):
    service = make_service(name="Three miles", **near(3))
    body = client.get(detail_url(service, postcode="G12+8QQ")).content.decode()
    assert "3.0 miles (4.8 km) from G12 8QQ" in body
    # A bad ?postcode= just leaves the distance out.
    response = client.get(detail_url(service, postcode="nonsense"))
    assert response.status_code == 200
    assert 'id="distance"' not in response.content.decode()


def test_service_page_uses_the_code_not_the_integer_id(client, glasgow):
    service = make_service()
    assert client.get(f"/services/{service.pk}/").status_code == 404


@pytest.mark.parametrize(
    "status", [Service.Status.DRAFT, Service.Status.SUSPENDED, Service.Status.NO_LONGER_REGISTERED]
)
def test_service_page_hides_unpublished_listings_from_the_public_and_outsiders(client, cast, status):
    service = make_service(provider=cast.provider, status=status)
    assert client.get(detail_url(service)).status_code == 404
    for user in (cast.outsider, cast.person.user, cast.carer, cast.commissioner):
        client.force_login(user)
        assert client.get(detail_url(service)).status_code == 404


def test_service_page_hides_a_draft_from_another_providers_members(client, cast):
    service = make_service(provider=cast.provider, status=Service.Status.DRAFT)
    client.force_login(make_provider_member(provider=cast.other_provider))
    assert client.get(detail_url(service)).status_code == 404


def test_service_page_shows_a_draft_to_its_own_providers_members(client, cast):
    service = make_service(provider=cast.provider, status=Service.Status.DRAFT, name="Not yet live")
    for user in (cast.provider_owner, cast.provider_staff):
        client.force_login(user)
        response = client.get(detail_url(service))
        assert response.status_code == 200
        assert "This listing is draft" in response.content.decode()


def test_service_page_published_listing_is_public(client, cast):
    service = make_service(provider=cast.provider)
    assert client.get(detail_url(service)).status_code == 200


def test_search_page_query_count_does_not_grow_with_results(client, glasgow):
    def queries_for_page():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(SEARCH, {"postcode": "G12 8QQ"}).status_code == 200
        return len(ctx.captured_queries)

    personal_care = category("personal-care")
    for i in range(2):
        make_service(name=f"First {i}", categories=[personal_care], **near(1))
    few = queries_for_page()
    for i in range(18):
        make_service(name=f"More {i}", categories=[personal_care], **near(1))
    assert queries_for_page() == few


def test_search_page_distance_list_shows_the_radius_used_when_none_was_chosen(client, db):
    from directory.models import Postcode

    Postcode.objects.create(postcode="G12 8QQ", latitude=55.8733, longitude=-4.2923, precision="unit")
    body = client.get("/search/", {"postcode": "G12 8QQ"}).content.decode()
    assert '<option value="5" selected>' in body
    assert '<option value="1" selected>' not in body


def test_search_page_links_the_first_last_and_nearby_pages_with_gaps(client, glasgow):
    for i in range(20 * 9):
        make_service(name=f"Service {i:03d}", **near(1))
    html = client.get(SEARCH, {"postcode": "G12 8QQ", "ordering": "name", "page": "5"}).content.decode()
    pages = [n for n in range(1, 10) if f'aria-label="Page {n}"' in html]
    assert pages == [1, 4, 5, 6, 9]
    assert html.count("govuk-pagination__item--ellipses") == 2
    assert 'aria-label="Page 5" aria-current="page"' in html


@pytest.mark.parametrize("page", ["²", "-1", "x", "0", "99"])
def test_search_page_odd_page_numbers_show_a_page_not_an_error(client, glasgow, page):
    for i in range(3):
        make_service(name=f"Service {i}", **near(1))
    response = client.get(SEARCH, {"postcode": "G12 8QQ", "page": page})
    assert response.status_code == 200
    assert "Service 0" in response.content.decode()


def test_search_page_shows_a_renamed_category_on_the_next_search(client, db):
    # The form's choices are kept between searches; renaming a type of care must still show at once.
    assert ">Care homes</label>" in client.get(SEARCH).content.decode()
    care_homes = category("care-homes")
    care_homes.name = "Residential homes"
    care_homes.save()
    body = client.get(SEARCH).content.decode()
    assert ">Residential homes</label>" in body and ">Care homes</label>" not in body


def test_search_page_shows_a_renamed_client_group_on_the_next_search(client, db):
    group = client_group("older-people")
    assert f'<option value="older-people">{group.name}</option>' in client.get(SEARCH).content.decode()
    group.name = "People over 65"
    group.save()
    assert '<option value="older-people">People over 65</option>' in client.get(SEARCH).content.decode()


def test_search_form_choices_are_read_once_until_something_changes(client, db, django_assert_num_queries):
    from directory.search.forms import search_form_choices

    first = search_form_choices()
    with django_assert_num_queries(0):
        assert search_form_choices() == first
    category("care-homes").save()
    with django_assert_num_queries(2):
        assert search_form_choices() == first


def test_search_page_distances_read_as_floatformat_would_write_them():
    import random

    from django.template.defaultfilters import floatformat

    from directory.search.display import one_decimal

    rng = random.Random(13)
    values = [0.0, -0.0, 0.05, 0.15, 0.25, 0.35, 1.45, 2.675, 1e-7, 5e-7, 1e-6, 49.95, 80.46719999, 1e15, 3e16]
    values += [rng.uniform(0, 81) for _ in range(2000)] + [round(rng.uniform(0, 81), 2) for _ in range(2000)]
    assert [one_decimal(v) for v in values] == [floatformat(v, 1) for v in values]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"postcode": "G12 8QQ"},
        {"postcode": "G12 8QQ", "radius_miles": 25, "category": ["care-homes", "transport"], "ordering": "rating"},
        {"postcode": "G12 8QQ", "delivery": "at_home", "max_price": "30", "vetted": "on", "q": "<b>help</b>"},
        {"postcode": "G12 8QQ", "client_group": "older-people", "page": 2},
        {"postcode": "G12 8QQ", "max_price": "lots"},  # an error in a filter: never from the cache
        {"postcode": "not a postcode", "radius_miles": 3},
    ],
)
def test_search_page_filters_from_the_cache_are_the_filters_rendered_afresh(client, glasgow, settings, query):
    category("care-homes"), category("transport"), client_group("older-people")
    for i in range(3):
        make_service(name=f"Service {i}", latitude=55.8718, longitude=-4.2884)

    def page() -> str:  # each page masks its CSRF token afresh: compare the rest
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get(SEARCH, query).content.decode())

    settings.SEARCH_CACHE_SECONDS = 0
    fresh = page()
    settings.SEARCH_CACHE_SECONDS = 60
    assert page() == fresh  # stored
    assert page() == fresh  # read back
    if query.get("max_price") == "lots":
        assert "govuk-error-message" in fresh


def test_search_page_filters_follow_a_renamed_type_of_care_at_once(client, glasgow):
    care_homes = category("care-homes")
    query = {"postcode": "G12 8QQ", "category": "care-homes"}
    assert ">Care homes</label>" in client.get(SEARCH, query).content.decode()
    care_homes.name = "Residential homes"
    care_homes.save()
    body = client.get(SEARCH, query).content.decode()
    assert ">Residential homes</label>" in body and ">Care homes</label>" not in body


@pytest.mark.parametrize(
    "change",
    [
        {"radius_miles": 25},
        {"q": "nursing"},
        {"category": "transport"},
        {"client_group": "older-people"},
        {"delivery": "remotely"},
        {"max_price": "12.50"},
        {"vetted": "on"},
        {"ordering": "name"},
    ],
)
def test_search_page_filters_are_cached_apart_for_each_filter(client, glasgow, settings, change):
    category("care-homes"), category("transport"), client_group("older-people")
    base = {"postcode": "G12 8QQ", "radius_miles": 5}
    changed = base | change

    def filters(query: dict) -> str:
        body = client.get(SEARCH, query).content.decode()
        return body[body.index('class="app-search-filters"') : body.index("</form>")]

    settings.SEARCH_CACHE_SECONDS = 0
    fresh = filters(changed)
    settings.SEARCH_CACHE_SECONDS = 60
    filters(base)  # cached first
    assert filters(changed) == fresh != filters(base)


def test_search_page_shows_the_last_page_for_an_enormous_page_number(client, glasgow):
    make_service(name="Only one", latitude=55.8718, longitude=-4.2884)
    response = client.get(SEARCH, {"postcode": "G12 8QQ", "page": "22062506532701554606080"})
    assert response.status_code == 200
    assert "Only one" in response.content.decode()


def test_a_results_page_leaves_what_it_showed_to_be_freed_not_in_reference_cycles(glasgow):
    """carehub.rendering.render_and_release: the page's rows, its paginator's page and its form are
    freed by reference counting once the page is written, not left for the cyclic collector."""
    for i in range(3):
        make_service(name=f"Near {i}", **near(0.1 * (i + 1)))
    status, body, garbage = request_garbage(SEARCH, {"postcode": "G12 8QQ"})
    assert status.startswith("200") and "Near 2" in body.decode()
    assert not [o for o in garbage if isinstance(o, (ResultRow, Page, ServiceSearchForm, BoundField))]
