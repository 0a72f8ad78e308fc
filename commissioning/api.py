"""Commissioner dashboard API: the dashboard's aggregates as JSON, for the council's
commissioners only (anyone else: 404, so no council's figures leak). Amounts are
integer pence. Query parameters: period (a financial year like 2026-27), category
(a category slug), and for gaps, miles (1 to 50)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commissioning.filters import Filters, council_for_commissioner, filters_parse
from commissioning.gaps import holders_without_service, unmet_demand
from commissioning.spend import (
    budget_utilisation,
    spend_by_category,
    spend_by_kind,
    spend_by_month,
    spend_by_provider,
    spend_quality,
)

FILTERS = [
    OpenApiParameter("period", str, description="Financial year, e.g. 2026-27 (default: this one)"),
    OpenApiParameter("category", str, description="A category slug: only that type of care"),
    OpenApiParameter("miles", float, description="Gaps only: distance in miles (1 to 50, default 10)"),
]


@extend_schema_serializer(component_name="CommissioningFilters")
class _Filters(serializers.Serializer):
    council = serializers.CharField(source="council.slug")
    council_gss_code = serializers.CharField(source="council.gss_code")
    period = serializers.CharField(source="period.label")
    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.end")
    category = serializers.CharField(source="category.slug", allow_null=True, default=None)


class _Spend(serializers.Serializer):
    spent_pence = serializers.IntegerField(help_text="Settled, less refunds (integer pence)")
    committed_pence = serializers.IntegerField(help_text="Held for planned care (integer pence)")


class CommissioningApi(APIView):
    permission_classes = [IsAuthenticated]

    def figures(self, filters: Filters, miles: float) -> Any:  # pragma: no cover - each view overrides
        raise NotImplementedError

    def get(self, request: Request, council: str) -> Response:
        found = council_for_commissioner(user=request.user, ref=council)  # NotFound → 404
        filters, miles = filters_parse(council=found, query=request.query_params)  # DomainError → 400
        return Response({"filters": _Filters(filters).data, "results": self.figures(filters, miles)})


def _envelope(name: str, results: serializers.BaseSerializer) -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), {"filters": _Filters(), "results": results})


class CommissioningSummaryApi(CommissioningApi):
    """Budget holders, utilisation, forecast and the share of spend with Good-or-better providers."""

    @extend_schema_serializer(component_name="CommissioningSummaryFigures")
    class OutputSerializer(serializers.Serializer):
        budgets = serializers.IntegerField()
        holders = serializers.IntegerField()
        allocated_pence = serializers.IntegerField()
        available_pence = serializers.IntegerField()
        committed_pence = serializers.IntegerField()
        spent_pence = serializers.IntegerField()
        spent_in_period_pence = serializers.IntegerField()
        utilisation = serializers.FloatField(allow_null=True)
        forecast_spend_pence = serializers.IntegerField()
        forecast_variance_pence = serializers.IntegerField(help_text="Allocated less forecast spend: < 0 overspend")
        good_pence = serializers.IntegerField()
        good_share = serializers.FloatField(allow_null=True)
        vetted_pence = serializers.IntegerField()
        vetted_share = serializers.FloatField(allow_null=True)
        good_and_vetted_pence = serializers.IntegerField()
        good_and_vetted_share = serializers.FloatField(allow_null=True)

    @extend_schema(parameters=FILTERS, responses=_envelope("CommissioningSummary", OutputSerializer()))
    def get(self, request: Request, council: str) -> Response:
        return super().get(request, council)

    def figures(self, filters: Filters, miles: float) -> Any:
        u = budget_utilisation(filters)
        q = spend_quality(filters)
        return self.OutputSerializer({**u.__dict__, "utilisation": u.utilisation, **q}).data


class CommissioningSpendByMonthApi(CommissioningApi):
    @extend_schema_serializer(component_name="CommissioningMonthSpend")
    class OutputSerializer(_Spend):
        month = serializers.DateField()

    @extend_schema(
        summary="Spend by month",
        parameters=FILTERS,
        responses=_envelope("CommissioningSpendByMonth", OutputSerializer(many=True)),
    )
    def get(self, request: Request, council: str) -> Response:
        return super().get(request, council)

    def figures(self, filters: Filters, miles: float) -> Any:
        return self.OutputSerializer(spend_by_month(filters), many=True).data


class CommissioningSpendByCategoryApi(CommissioningApi):
    @extend_schema_serializer(component_name="CommissioningCategorySpend")
    class OutputSerializer(_Spend):
        category = serializers.CharField(source="name")

    @extend_schema(
        summary="Spend by type of care",
        parameters=FILTERS,
        responses=_envelope("CommissioningSpendByCategory", OutputSerializer(many=True)),
    )
    def get(self, request: Request, council: str) -> Response:
        return super().get(request, council)

    def figures(self, filters: Filters, miles: float) -> Any:
        return self.OutputSerializer(spend_by_category(filters), many=True).data


class CommissioningSpendByProviderApi(CommissioningApi):
    @extend_schema_serializer(component_name="CommissioningProviderSpend")
    class OutputSerializer(_Spend):
        provider = serializers.CharField(source="name")

    @extend_schema(
        summary="Spend by provider",
        parameters=FILTERS,
        responses=_envelope("CommissioningSpendByProvider", OutputSerializer(many=True)),
    )
    def get(self, request: Request, council: str) -> Response:
        return super().get(request, council)

    def figures(self, filters: Filters, miles: float) -> Any:
        return self.OutputSerializer(spend_by_provider(filters), many=True).data


class CommissioningSpendByKindApi(CommissioningApi):
    @extend_schema_serializer(component_name="CommissioningKindSpend")
    class OutputSerializer(_Spend):
        kind = serializers.CharField()
        name = serializers.CharField()

    @extend_schema(
        summary="Spend by kind of budget",
        parameters=FILTERS,
        responses=_envelope("CommissioningSpendByKind", OutputSerializer(many=True)),
    )
    def get(self, request: Request, council: str) -> Response:
        return super().get(request, council)

    def figures(self, filters: Filters, miles: float) -> Any:
        return self.OutputSerializer(spend_by_kind(filters), many=True).data


class CommissioningUnmetDemandApi(CommissioningApi):
    """Searches in the period that found 2 or fewer services, by postcode district and type of care."""

    @extend_schema_serializer(component_name="CommissioningUnmetDemandRow")
    class OutputSerializer(serializers.Serializer):
        district = serializers.CharField()
        category = serializers.CharField()
        searches = serializers.IntegerField()
        found_nothing = serializers.IntegerField(source="none")
        found_few = serializers.IntegerField(source="few")
        services = serializers.IntegerField()
        spent_pence = serializers.IntegerField()

    @extend_schema(parameters=FILTERS, responses=_envelope("CommissioningUnmetDemand", OutputSerializer(many=True)))
    def get(self, request: Request, council: str) -> Response:
        return super().get(request, council)

    def figures(self, filters: Filters, miles: float) -> Any:
        return self.OutputSerializer(unmet_demand(filters), many=True).data


class CommissioningGapsApi(CommissioningApi):
    """How many budget holders have no service of each type of care within `miles` (counts, never names)."""

    @extend_schema_serializer(component_name="CommissioningGapsFigures")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="CommissioningGapRow")
        class Row(serializers.Serializer):
            category = serializers.CharField(source="category.slug")
            name = serializers.CharField()
            holders = serializers.IntegerField()

        miles = serializers.FloatField()
        located = serializers.IntegerField()
        unlocated = serializers.IntegerField()
        rows = Row(many=True)

    @extend_schema(parameters=FILTERS, responses=_envelope("CommissioningGaps", OutputSerializer()))
    def get(self, request: Request, council: str) -> Response:
        return super().get(request, council)

    def figures(self, filters: Filters, miles: float) -> Any:
        return self.OutputSerializer(holders_without_service(filters, miles=miles)).data
