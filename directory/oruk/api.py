"""The Open Referral UK 3.0 read endpoints (docs/extras/openapi30.json of the UK profile).

Open to everyone without keys (no authentication is even looked at), throttled per IP
address, every response with ``Access-Control-Allow-Origin: *`` as the profile's
compliance rules require, and cached like the search API: answers are stored under the
directory-wide version that any listing change bumps (directory/search_cache.py).
Query parameters are validated on a cache miss only, so invalid input is never cached.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from carehub.renderers import JSONRenderer
from directory.models import Service
from directory.oruk import mapping
from directory.oruk import selectors as oruk
from directory.oruk.serializers import PageQuerySerializer, ServiceQuerySerializer
from directory.oruk.taxonomy import TAXONOMIES, TAXONOMY_BY_ID, taxonomy_object, taxonomy_terms_all
from directory.search.cache import search_cache_get_or_compute
from directory.search.selectors import search_origin

PROFILE_URL = "https://github.com/openreferral/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"


class OrukThrottle(AnonRateThrottle):
    """Per IP address, the rate in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES["oruk"]."""

    scope = "oruk"


class OrukApi(APIView):
    permission_classes = [AllowAny]
    # Public and identical for everyone: nobody is identified, so nothing can leak.
    authentication_classes: list = []
    throttle_classes = [OrukThrottle]
    renderer_classes = [JSONRenderer]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def cached(self, request: Request, compute: Callable[[], Any]) -> Any:
        return search_cache_get_or_compute(
            scope=f"oruk:{request.get_host()}{request.path}",
            params=[(key, value) for key, values in request.query_params.lists() for value in values],
            compute=compute,
        )

    def cached_count(self, request: Request, qs: QuerySet[Service]) -> int:
        """The number of matches, cached apart from the page: a harvester paging through
        every page counts once, not once per page."""
        paging = {"page", "per_page"}
        return search_cache_get_or_compute(
            scope=f"oruk-count:{request.path}",
            params=[(k, v) for k, values in request.query_params.lists() for v in values if k not in paging],
            compute=qs.count,
        )

    def base_url(self, request: Request) -> str:
        return request.build_absolute_uri("/").rstrip("/")


def _filters(params: dict[str, Any], *, with_location: bool) -> oruk.ServiceFilters:
    origin = search_origin(postcode=params["postcode"]) if params.get("postcode") else None
    return oruk.ServiceFilters(
        search=params["search"].strip(),
        taxonomy_term_id=params["taxonomy_term_id"].strip().lower(),
        taxonomy_id=params["taxonomy_id"].strip().lower(),
        organization_id=params.get("organization_id"),
        modified_after=params.get("modified_after"),
        weekday=params.get("day"),
        start_time=params.get("start_time"),
        end_time=params.get("end_time"),
        origin=origin,
        proximity_metres=params.get("proximity"),
        with_location=with_location,
    )


def _page_body(page: oruk.Page, contents: list[dict[str, Any]]) -> dict[str, Any]:
    return {**page.header(), "contents": contents}


class OrukRootApi(OrukApi):
    """What this API is: the HSDS version and profile it follows."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        return Response({"version": "3.0", "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


class OrukServiceListApi(OrukApi):
    """Published services, one-to-one fields and their organization."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        def compute() -> dict[str, Any]:
            params = ServiceQuerySerializer(data=request.query_params)
            params.is_valid(raise_exception=True)
            p = params.validated_data
            services = oruk.oruk_service_list(filters=_filters(p, with_location=False))
            total = self.cached_count(request, services)
            page = oruk.paginate(services, page=p["page"], per_page=p["per_page"], total=total)
            base = self.base_url(request)
            return _page_body(page, [mapping.service_basic(s, base_url=base) for s in page.items])

        return Response(self.cached(request, compute))


def _uuid_or_404(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"No {what} has the id {value[:100]}.") from None


class OrukServiceDetailApi(OrukApi):
    """A published service, fully nested."""

    @extend_schema(exclude=True)
    def get(self, request: Request, id: str) -> Response:
        code = _uuid_or_404(id, "service")

        def compute() -> dict[str, Any] | None:
            service = oruk.oruk_service_get(code=code)
            if service is None:
                return None
            confirmed_at = oruk.oruk_confirmed_at(service=service)
            return mapping.service_full(service, base_url=self.base_url(request), confirmed_at=confirmed_at)

        data = self.cached(request, compute)
        if data is None:
            raise NotFound(f"No published service has the id {code}.")
        return Response(data)


class OrukServiceAtLocationListApi(OrukApi):
    """Where each published service is given: one service_at_location per service with an address."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        def compute() -> dict[str, Any]:
            params = ServiceQuerySerializer(data=request.query_params)
            params.is_valid(raise_exception=True)
            p = params.validated_data
            services = oruk.oruk_service_list(filters=_filters(p, with_location=True))
            total = self.cached_count(request, services)
            page = oruk.paginate(services, page=p["page"], per_page=p["per_page"], total=total)
            base = self.base_url(request)
            contents = [mapping.service_at_location_object(s, base_url=base, full=False) for s in page.items]
            return _page_body(page, contents)

        return Response(self.cached(request, compute))


class OrukServiceAtLocationDetailApi(OrukApi):
    """A service_at_location, fully nested.

    The standard's OpenAPI types this answer with the *service* schema, so the service's
    name and status are repeated at the top: the answer satisfies both schemas."""

    @extend_schema(exclude=True)
    def get(self, request: Request, id: str) -> Response:
        sal_id = _uuid_or_404(id, "service_at_location")
        code = mapping.service_code_from_service_at_location_id(sal_id)

        def compute() -> dict[str, Any] | None:
            service = oruk.oruk_service_get(code=code)
            if service is None or not mapping.has_location(service):
                return None
            base = self.base_url(request)
            confirmed_at = oruk.oruk_confirmed_at(service=service)
            data = mapping.service_at_location_object(service, base_url=base, full=True, nested_service=False)
            data["service"] = mapping.service_full(service, base_url=base, confirmed_at=confirmed_at)
            return {"name": service.name, "status": data["service"]["status"], **data}

        data = self.cached(request, compute)
        if data is None:
            raise NotFound(f"No service_at_location has the id {sal_id}.")
        return Response(data)


class OrukTaxonomyListApi(OrukApi):
    """CareHub's two taxonomies: service categories and client groups."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        params = PageQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        page = oruk.paginate([taxonomy_object(t) for t in TAXONOMIES.values()], page=p["page"], per_page=p["per_page"])
        return Response(_page_body(page, page.items))


class OrukTaxonomyDetailApi(OrukApi):
    @extend_schema(exclude=True)
    def get(self, request: Request, id: str) -> Response:
        taxonomy = TAXONOMY_BY_ID.get(id.lower())
        if taxonomy is None:
            raise NotFound(f"No taxonomy has the id {id[:100]}.")
        terms = self.cached(request, taxonomy_terms_all)
        return Response(taxonomy_object(taxonomy, [t for t in terms if t["taxonomy_id"] == taxonomy.id]))


class OrukTaxonomyTermListApi(OrukApi):
    """Every term of both taxonomies (top-level categories, subcategories, client groups)."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        params = PageQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        terms = self.cached(request, taxonomy_terms_all)
        page = oruk.paginate(terms, page=p["page"], per_page=p["per_page"])
        return Response(_page_body(page, page.items))


class OrukTaxonomyTermDetailApi(OrukApi):
    @extend_schema(exclude=True)
    def get(self, request: Request, id: str) -> Response:
        terms = self.cached(request, taxonomy_terms_all)
        term = next((t for t in terms if t["id"] == id.lower()), None)
        if term is None:
            raise NotFound(f"No taxonomy term has the id {id[:100]}.")
        return Response(term)


class OrukNotFoundApi(OrukApi):
    """Any other path under the stub: a JSON 404 that still carries the CORS header."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        raise NotFound("This Open Referral UK API has no such endpoint.")
