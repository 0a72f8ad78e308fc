"""Thin API views: validate input, call one selector, serialise."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from carehub.api import FreedWhenRendered, Pagination
from carehub.postcodes import InvalidPostcode, normalise_postcode
from directory.geo.selectors import postcode_lookup
from directory.models import Postcode, Service
from directory.registers.display import regulator_summary
from directory.search.api_rows import search_api_rows
from directory.search.cache import search_cache_get_or_compute
from directory.search.display import service_price_text
from directory.search.log import search_log_record
from directory.search.selectors import (
    DEFAULT_RADIUS_MILES,
    MAX_RADIUS_MILES,
    Delivery,
    Ordering,
    search_origin,
    service_search_results,
)
from directory.vetting.selectors import vetting_public


class PostcodeDetailApi(FreedWhenRendered, APIView):
    """Geocode a postcode: the unit if known, else its sector or district centroid."""

    permission_classes = [AllowAny]
    # Public, identical for everyone and cached: no need to look up who is asking.
    authentication_classes: list = []

    @extend_schema_serializer(component_name="PostcodeDetail")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="PostcodeCouncil")
        class CouncilSerializer(serializers.Serializer):
            gss_code = serializers.CharField()
            name = serializers.CharField()

        postcode = serializers.CharField(help_text="the postcode asked for, normalised")
        matched = serializers.CharField(help_text="the unit, sector or district whose position is given")
        latitude = serializers.FloatField()
        longitude = serializers.FloatField()
        precision = serializers.ChoiceField(choices=Postcode.Precision.choices)
        council = CouncilSerializer(allow_null=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, postcode: str) -> Response:
        normalised = normalise_postcode(postcode)  # InvalidPostcode → 400 through the handler
        # Postcode positions change only with an import, which bumps the cache version.
        data = search_cache_get_or_compute(
            scope="postcode", params=[("postcode", normalised)], compute=lambda: self._lookup(normalised)
        )
        if data is None:
            raise NotFound(f"We do not know {normalised}, nor its sector or district.")
        return Response(data)

    def _lookup(self, normalised: str) -> dict[str, Any] | None:
        row = postcode_lookup(postcode=normalised)
        if row is None:
            return None
        data = {
            "postcode": normalised,
            "matched": row.postcode,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "precision": row.precision,
            "council": row.council and {"gss_code": row.council.gss_code, "name": row.council.name},
        }
        return dict(self.OutputSerializer(data).data)


class SearchPagination(Pagination):
    # Page size is validated (1 to 100, else 400) by the input serializer before this runs.
    max_page_size = 100


class ServiceSearchApi(FreedWhenRendered, APIView):
    """Search published services near a postcode (or lat/lng), nearest first."""

    pagination_class = SearchPagination  # the view pages with it; the schema shows the page envelope

    permission_classes = [AllowAny]
    # Public, identical for everyone and cached: no need to look up who is asking.
    authentication_classes: list = []

    @extend_schema_serializer(component_name="ServiceSearchQuery")
    class InputSerializer(serializers.Serializer):
        postcode = serializers.CharField(required=False, max_length=16)
        lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
        lng = serializers.FloatField(required=False, min_value=-180, max_value=180)
        radius_miles = serializers.FloatField(
            required=False, default=DEFAULT_RADIUS_MILES, min_value=0.1, max_value=MAX_RADIUS_MILES
        )
        category = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
        client_group = serializers.ListField(child=serializers.SlugField(), required=False, default=list)
        delivery = serializers.ChoiceField(choices=Delivery.choices, required=False)
        council = serializers.CharField(required=False, max_length=200)
        min_grade = serializers.IntegerField(required=False, min_value=1, max_value=6)
        vetted = serializers.BooleanField(required=False, allow_null=True, default=None)
        max_price = serializers.DecimalField(
            required=False, max_digits=9, decimal_places=2, min_value=Decimal(0), help_text="pounds"
        )
        q = serializers.CharField(required=False, max_length=200, allow_blank=True)
        ordering = serializers.ChoiceField(choices=Ordering.choices, required=False, default=Ordering.DISTANCE)
        page = serializers.IntegerField(required=False, min_value=1)
        page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

        def validate_postcode(self, value: str) -> str:
            try:
                return normalise_postcode(value)
            except InvalidPostcode as exc:
                raise serializers.ValidationError(exc.message) from exc

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("lat" in attrs) != ("lng" in attrs):
                raise serializers.ValidationError({"lng" if "lat" in attrs else "lat": "Give both lat and lng."})
            if "postcode" in attrs and "lat" in attrs:
                raise serializers.ValidationError({"postcode": "Give a postcode or lat and lng, not both."})
            return attrs

        def to_internal_value(self, data: Any) -> dict[str, Any]:
            # Repeatable parameters (?category=a&category=b) arrive as a QueryDict.
            if hasattr(data, "getlist"):
                data = {k: data.getlist(k) if k in ("category", "client_group") else data.get(k) for k in data}
            return super().to_internal_value(data)

    @extend_schema_serializer(component_name="ServiceSearchResult")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="code")
        name = serializers.CharField()
        url = serializers.SerializerMethodField()
        provider = serializers.SerializerMethodField()
        categories = serializers.SerializerMethodField()
        postcode = serializers.CharField()
        latitude = serializers.FloatField(allow_null=True)
        longitude = serializers.FloatField(allow_null=True)
        distance_miles = serializers.SerializerMethodField()
        distance_km = serializers.SerializerMethodField()
        delivery = serializers.SerializerMethodField()
        price = serializers.SerializerMethodField()
        rating = serializers.SerializerMethodField()
        regulator = serializers.SerializerMethodField()
        vetting = serializers.SerializerMethodField()

        def get_url(self, obj: Service) -> str:
            return reverse("directory:service-detail", kwargs={"code": obj.code})

        def get_provider(self, obj: Service) -> dict[str, Any]:
            return {"id": str(obj.provider.code), "name": obj.provider.name}

        def get_categories(self, obj: Service) -> list[dict[str, str]]:
            return [{"slug": c.slug, "name": c.name} for c in obj.categories.all()]

        def get_distance_miles(self, obj: Service) -> float | None:
            value = getattr(obj, "distance_miles", None)
            return None if value is None else round(value, 2)

        def get_distance_km(self, obj: Service) -> float | None:
            value = getattr(obj, "distance_km", None)
            return None if value is None else round(value, 2)

        def get_delivery(self, obj: Service) -> dict[str, Any]:
            return {
                "at_location": obj.delivered_at_location,
                "at_home": obj.delivered_at_home,
                "remotely": obj.delivered_remotely,
                "service_radius_miles": None if obj.service_radius_miles is None else float(obj.service_radius_miles),
            }

        def get_price(self, obj: Service) -> dict[str, Any]:
            return {
                "pence": obj.price_pence,
                "unit": obj.price_unit or None,
                "on_request": obj.price_on_request,
                "display": "Price on request" if obj.price_on_request else service_price_text(obj),
            }

        @extend_schema_field(
            {
                "type": "object",
                "nullable": True,
                "description": "People's reviews (not the regulator's grades); score ranks ordering=rating.",
                "properties": {
                    "average": {"type": "number"},
                    "count": {"type": "integer"},
                    "score": {"type": "number", "nullable": True},
                },
            }
        )
        def get_rating(self, obj: Service) -> dict[str, Any] | None:
            # The reviews app's ServiceRating row, joined by service_search (reverse name, no import).
            rating = getattr(obj, "rating_summary", None)
            if rating is None or not rating.review_count:
                return None
            score = None if rating.score is None else round(rating.score, 3)
            return {"average": round(rating.average, 2), "count": rating.review_count, "score": score}

        def get_regulator(self, obj: Service) -> dict[str, Any] | None:
            return regulator_summary(obj)

        @extend_schema_field(
            {
                "type": "object",
                "nullable": True,
                "description": "Null unless the provider passes every vetting check that applies to it today.",
                "properties": {
                    "vetted": {"type": "boolean"},
                    "vetted_on": {"type": "string", "format": "date"},
                    "checks": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "kind": {"type": "string"},
                                "label": {"type": "string"},
                                "checked_on": {"type": "string", "format": "date"},
                            },
                        },
                    },
                },
            }
        )
        def get_vetting(self, obj: Service) -> dict[str, Any] | None:
            return vetting_public(obj.provider)

    @extend_schema(
        summary="Search for care services near a postcode",
        parameters=[InputSerializer],
        responses=OutputSerializer(many=True),
        description="Repeat category or client_group for several. max_price is in pounds.",
    )
    def get(self, request: Request) -> Response:
        def compute() -> dict[str, Any]:
            # Validation happens on a cache miss only: bad input raises here and is never
            # cached, so a cached answer's query string was valid when it was stored.
            validated = common_search_query(request.query_params)
            if validated is None:
                params = self.InputSerializer(data=request.query_params)
                params.is_valid(raise_exception=True)
                validated = params.validated_data
            return self._search(request, validated)

        answer = search_cache_get_or_compute(
            scope=f"{request.get_host()}{request.path}",
            params=[(key, value) for key, values in request.query_params.lists() for value in values],
            compute=compute,
            as_json=True,
        )
        if answer["log"]:  # counted for every search, cached or not
            search_log_record(**answer["log"])
        return Response(answer["body"])

    def _search(self, request: Request, p: dict[str, Any]) -> dict[str, Any]:
        origin = None
        if p.get("postcode") or "lat" in p:
            origin = search_origin(postcode=p.get("postcode"), lat=p.get("lat"), lng=p.get("lng"))
        services = service_search_results(
            origin=origin,
            radius_miles=p["radius_miles"],
            categories=p["category"],
            client_groups=p["client_group"],
            delivery=p.get("delivery"),
            council=p.get("council"),
            max_price_pence=int(p["max_price"] * 100) if p.get("max_price") is not None else None,
            q=p.get("q") or None,
            min_grade=p.get("min_grade"),
            vetted=p.get("vetted"),
            ordering=p["ordering"],
            load=search_api_rows,  # the page's JSON rows, straight from SQL
        )
        paginator = self.pagination_class()
        page_size = paginator.get_page_size(request)
        services.expect(((p.get("page") or 1) - 1) * page_size, page_size)  # one statement: page and count
        page = paginator.paginate_queryset(services, request, view=self)
        log = None
        if origin is not None and origin.postcode and paginator.page.number == 1:
            log = {
                "postcode": origin.postcode,
                "radius_miles": p["radius_miles"],
                "result_count": paginator.page.paginator.count,
                "categories": p["category"],
            }
        body = paginator.get_paginated_response(page).data
        return {"body": body, "log": log}


# The query nearly every search sends: a postcode, perhaps a radius, an ordering and a page.
_COMMON_KEYS = frozenset({"postcode", "radius_miles", "ordering", "page", "page_size"})
_PLAIN_NUMBER = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3})?")
_PLAIN_INTEGER = re.compile(r"[1-9][0-9]{0,5}")


def common_search_query(query: Any) -> dict[str, Any] | None:
    """ServiceSearchApi.InputSerializer's validated data for the common query, read without building
    the serializer (its sixteen fields, deep-copied per request, cost a cache-miss search a tenth of
    its time); None for anything else, valid or not, which the serializer then validates and words
    the errors of. A test compares both on many queries."""
    values = dict(query.lists())
    if not values.keys() <= _COMMON_KEYS or "postcode" not in values or any(len(v) != 1 for v in values.values()):
        return None
    postcode, radius = values["postcode"][0], values.get("radius_miles", [None])[0]
    ordering = values.get("ordering", [Ordering.DISTANCE])[0]
    if len(postcode) > 16 or ordering not in Ordering.values:
        return None
    try:
        data: dict[str, Any] = {"postcode": normalise_postcode(postcode)}
    except InvalidPostcode:
        return None
    if radius is None:
        data["radius_miles"] = DEFAULT_RADIUS_MILES
    elif _PLAIN_NUMBER.fullmatch(radius) and 0.1 <= float(radius) <= MAX_RADIUS_MILES:
        data["radius_miles"] = float(radius)
    else:
        return None
    for key in ("page", "page_size"):
        if key in values:
            if not _PLAIN_INTEGER.fullmatch(values[key][0]) or (key == "page_size" and int(values[key][0]) > 100):
                return None
            data[key] = int(values[key][0])
    return data | {"category": [], "client_group": [], "vetted": None, "ordering": ordering}
