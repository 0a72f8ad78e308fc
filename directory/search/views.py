"""Directory pages: search results and a service's page."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import postcode_for_search
from carehub.errors import DomainError
from carehub.forms import add_domain_error
from carehub.rendering import render_and_release
from directory.search.display import service_price_text
from directory.search.forms import ServiceSearchForm, wider_radius
from directory.search.log import search_log_record
from directory.search.page_rows import search_page_rows
from directory.search.selectors import (
    KM_PER_MILE,
    Origin,
    great_circle_km,
    search_origin,
    service_get_for_user,
    service_search_results,
)

PAGE_SIZE = 20


def search(request: HttpRequest) -> HttpResponse:
    if not request.GET:
        form = ServiceSearchForm(initial={"postcode": postcode_for_search(user=request.user)})
        return render_and_release(request, "directory/search.html", {"form": form})
    form = ServiceSearchForm(request.GET)
    origin: Origin | None = None
    if form.is_valid():
        try:
            origin = search_origin(postcode=form.cleaned_data["postcode"])
        except DomainError as exc:
            add_domain_error(form, exc, default_field="postcode")
    if origin is None:
        return render_and_release(request, "directory/search.html", {"form": form}, status=400)
    data = form.cleaned_data
    services = service_search_results(
        origin=origin,
        radius_miles=data["radius_miles"],
        categories=data["category"],
        client_groups=[data["client_group"]] if data["client_group"] else None,
        delivery=data["delivery"] or None,
        max_price_pence=int(data["max_price"] * 100) if data["max_price"] is not None else None,
        q=data["q"] or None,
        vetted=data["vetted"] or None,
        ordering=data["ordering"] or "distance",
        load=search_page_rows,  # the page's rows and their texts, straight from SQL
    )
    services.expect((_page_number(request.GET.get("page")) - 1) * PAGE_SIZE, PAGE_SIZE)
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.number == 1:  # paging through results is not another search
        search_log_record(
            postcode=origin.postcode,
            radius_miles=data["radius_miles"],
            result_count=page.paginator.count,
            categories=data["category"],
        )
    context = {
        "form": form,
        "origin": origin,
        "radius": data["radius_miles"],
        "wider_radius": wider_radius(data["radius_miles"]),
        "page": page,
        # GOV.UK pagination: the first and last pages and those beside this one, gaps as "⋯". A
        # link to every page cost a 25-mile city search a thousand links and most of its time.
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
    }
    return render_and_release(request, "directory/search.html", context)  # its rows freed once written


def _page_number(value: str | None) -> int:
    """The page asked for, as the paginator will read it; 1 when it is not a positive integer."""
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def service_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    service = service_get_for_user(user=request.user, code=code)
    distance_miles = origin = None
    if request.GET.get("postcode") and service.latitude is not None:
        try:
            origin = search_origin(postcode=request.GET["postcode"])
        except DomainError:
            origin = None  # a stale or mistyped ?postcode= just hides the distance
        if origin is not None:
            km = great_circle_km(origin.latitude, origin.longitude, service.latitude, service.longitude)
            distance_miles = km / KM_PER_MILE
    context = {
        "service": service,
        "price_text": service_price_text(service),
        "origin": origin,
        "distance_miles": distance_miles,
        "distance_km": None if distance_miles is None else distance_miles * KM_PER_MILE,
        "is_public": service.status == service.Status.PUBLISHED,
    }
    return render(request, "directory/service_detail.html", context)
