"""The choosing pages through the client: no JavaScript needed, error summaries, confirmations, 404 for others."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.template import RequestContext, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import make_user
from directory.tests import factories as df
from marketplace.choosing import selectors
from marketplace.choosing import services as choosing
from marketplace.models import SavedSearch, ShortlistItem

SEARCH = "/search/?postcode=G12+8QQ&radius_miles=5"


def add_from_results(client: Client, service: Any) -> Any:
    return client.post(
        reverse("marketplace:shortlist-add"),
        {"service": str(service.code), "postcode": "G12 8QQ", "next": SEARCH},
    )


def test_signed_out_shortlist_from_results_to_compare_and_kept_at_sign_in(choosing_world: Any) -> None:
    w = choosing_world
    client = Client()
    results = client.get(SEARCH)
    assert results.content.count(b"Add to shortlist") == 3
    assert add_from_results(client, w.near)["Location"] == SEARCH
    assert add_from_results(client, w.far).status_code == 302
    results = client.get(SEARCH)
    assert results.content.count(b"On your shortlist") == 1
    page = client.get(reverse("marketplace:shortlist"))
    assert b"Kelvin home help" in page.content and b"kept on this device only" in page.content
    assert b'value="G12 8QQ"' in page.content  # the searched postcode, ready to measure from
    # One service chosen: the error summary, on the shortlist page itself.
    one = client.get(reverse("marketplace:shortlist"), {"compare": "1", "service": [str(w.near.code)]})
    assert one.status_code == 400 and b"govuk-error-summary" in one.content and b"Choose 2 to 4" in one.content
    two = client.get(
        reverse("marketplace:shortlist"),
        {"compare": "1", "service": [str(w.near.code), str(w.far.code)], "postcode": "g12 8qq"},
    )
    compare = client.get(two["Location"])
    assert compare.status_code == 200
    assert b"Aberdeen day centre" in compare.content and b"Distances are from G12 8QQ" in compare.content
    user = make_user(full_name="Morag Brown", email="morag@example.org", password="kelvingrove-tearoom-42")
    signed_in = client.post(
        reverse("accounts:sign-in"), {"username": "morag@example.org", "password": "kelvingrove-tearoom-42"}
    )
    assert signed_in.status_code == 302
    assert ShortlistItem.objects.filter(shortlist__owner=user).count() == 2


def test_compare_refuses_too_few_or_too_many(choosing_world: Any) -> None:
    w = choosing_world
    url = reverse("marketplace:shortlist-compare")
    assert Client().get(url, {"service": [str(w.near.code)]}).status_code == 400
    five = [str(s.code) for s in (w.near, w.also_near, w.third, w.far, w.near)]
    assert Client().get(url, {"service": [*five[:4], "x"]}).status_code == 400
    assert Client().get(url, {"service": five[:4]}).status_code == 200
    assert Client().get(url, {"service": ["not-a-code", str(w.near.code)]}).status_code == 400


def test_remove_asks_first(choosing_world: Any) -> None:
    w = choosing_world
    client = Client()
    client.force_login(w.cast.person.user)
    add_from_results(client, w.near)
    url = reverse("marketplace:shortlist-remove", kwargs={"service_code": w.near.code})
    assert b"Yes, remove it" in client.get(url).content
    assert ShortlistItem.objects.count() == 1
    assert client.post(url).status_code == 302
    assert ShortlistItem.objects.count() == 0
    assert client.get(url).status_code == 404


def test_carer_sees_the_shortlist_others_get_404_and_the_share_link_can_be_turned_off(choosing_world: Any) -> None:
    w = choosing_world
    person = w.cast.person.user
    shortlist = choosing.shortlist_add(actor=person, service=w.near).shortlist
    url = reverse("marketplace:shortlist-detail", kwargs={"code": shortlist.code})
    carer = Client()
    carer.force_login(w.cast.carer)
    assert b"Kelvin home help" in carer.get(url).content
    assert b"Shortlist of" in carer.get(reverse("marketplace:shortlist")).content
    for outsider in (w.cast.outsider, w.cast.other_person.user, w.cast.provider_owner):
        other = Client()
        other.force_login(outsider)
        assert other.get(url).status_code == 404
    owner = Client()
    owner.force_login(person)
    assert owner.post(reverse("marketplace:shortlist-share")).status_code == 302
    share_page = owner.get(reverse("marketplace:shortlist-share"))
    assert b"Sam Carer" in share_page.content
    token = selectors.shortlist_of(user=person).share_token
    link = reverse("marketplace:shortlist-shared", kwargs={"token": token})
    assert b"Kelvin home help" in Client().get(link).content
    assert b"Yes, turn it off" in owner.get(reverse("marketplace:shortlist-share-revoke")).content
    assert owner.post(reverse("marketplace:shortlist-share-revoke")).status_code == 302
    assert Client().get(link).status_code == 404


def test_save_search_from_results_page(choosing_world: Any) -> None:
    w = choosing_world
    client = Client()
    client.force_login(w.cast.person.user)
    results = client.get(SEARCH + "&vetted=on")
    assert b"Save this search" in results.content
    new_url = reverse("marketplace:saved-search-new") + "?postcode=G12+8QQ&radius_miles=5&vetted=on"
    page = client.get(new_url)
    assert page.status_code == 200 and b"Only providers vetted by CareHub" in page.content
    too_long = client.post(new_url, {"name": "x" * 101, "query": "postcode=G12+8QQ&radius_miles=5&vetted=on"})
    assert too_long.status_code == 400 and b"govuk-error-summary" in too_long.content
    saved = client.post(new_url, {"name": "Vetted near home", "query": "postcode=G12+8QQ&radius_miles=5&vetted=on"})
    search = SavedSearch.objects.get()
    assert saved["Location"] == reverse("marketplace:saved-search-detail", kwargs={"code": search.code})
    assert search.name == "Vetted near home" and "vetted=on" in search.query_string and not search.alerts
    assert b"Vetted near home" in client.get(reverse("marketplace:saved-search-list")).content
    detail = reverse("marketplace:saved-search-detail", kwargs={"code": search.code})
    client.post(detail, {"alerts": "on"})
    search.refresh_from_db()
    assert search.alerts
    delete = reverse("marketplace:saved-search-delete", kwargs={"code": search.code})
    assert b"Yes, delete it" in client.get(delete).content
    assert client.post(delete).status_code == 302
    assert not SavedSearch.objects.exists()
    assert Client().get(new_url).status_code == 302  # signed out: sent to sign in


def test_service_page_has_the_add_to_shortlist_button(choosing_world: Any) -> None:
    w = choosing_world
    client = Client()
    url = reverse("directory:service-detail", kwargs={"code": w.near.code}) + "?postcode=G12+8QQ"
    assert b"Add to shortlist" in client.get(url).content
    form = {"service": str(w.near.code), "postcode": "nonsense", "next": url}
    client.post(reverse("marketplace:shortlist-add"), form)
    assert b"On your shortlist" in client.get(url).content
    assert selectors.session_entries(client.session)[0].postcode == ""  # a bad postcode is dropped


def test_results_page_buttons_cost_one_query_however_many_results(choosing_world: Any) -> None:
    user = choosing_world.cast.person.user
    choosing.shortlist_add(actor=user, service=choosing_world.near)
    for n in range(5):
        df.make_service(name=f"More help {n}")
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(SEARCH)
    assert page.content.count(b"Add to shortlist") == 7 and page.content.count(b"app-shortlisted") == 1
    assert len([q for q in queries.captured_queries if "marketplace_shortlistitem" in q["sql"]]) == 1


def test_results_page_buttons_are_the_service_page_button(choosing_world: Any) -> None:
    # The results page writes its buttons out itself: the markup must stay the tag's.
    user = choosing_world.cast.person.user
    choosing.shortlist_add(actor=user, service=choosing_world.near)
    client = Client()
    client.force_login(user)
    response = client.get(SEARCH)
    token = re.compile(r'csrfmiddlewaretoken" value="[^"]+"')
    page = token.sub("TOKEN", response.content.decode())
    tag = Template("{% load choosing %}{% shortlist_button service postcode %}")
    for service in (choosing_world.near, choosing_world.also_near):  # on the shortlist, and not
        context = RequestContext(response.wsgi_request, {"service": service, "postcode": "G12 8QQ"})
        button = token.sub("TOKEN", tag.render(context))
        assert button.startswith(("<form", "<p")) and button in page
