"""Budget and money API. Amounts are integer pence. Every request that moves
money must carry an `Idempotency-Key` header: the same key again returns the
first result and moves no money; the same key with other parameters is 422."""

from __future__ import annotations

import csv
from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import PersonProfile
from carehub import clock
from carehub.api import IDEMPOTENCY_HEADER, Pagination, idempotency_key, validated
from carehub.errors import DomainError
from directory.models import Category, Council, Provider
from marketplace.budgets import alerts, selectors, services, topups
from marketplace.ledger.fields import PenceField
from marketplace.models import Budget, LedgerTransaction, TopUp


class BudgetOutput(serializers.Serializer):
    code = serializers.UUIDField()
    name = serializers.CharField(source="display_name")
    kind = serializers.CharField()
    holder = serializers.CharField(source="person.display_name")
    funder = serializers.CharField(source="funder.name", allow_null=True, default=None)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    available_pence = serializers.IntegerField(help_text="Integer pence")
    committed_pence = serializers.IntegerField(help_text="Integer pence: planned spend not yet delivered")
    alert_threshold_pence = serializers.IntegerField(allow_null=True)


class CommitmentOutput(serializers.Serializer):
    code = serializers.UUIDField()
    budget = serializers.UUIDField(source="budget.code")
    reference = serializers.CharField()
    status = serializers.CharField()
    provider = serializers.UUIDField(source="provider.code")
    provider_name = serializers.CharField(source="provider.name")
    description = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    amount_pence = serializers.IntegerField()
    settled_pence = serializers.IntegerField()
    fee_pence = serializers.IntegerField()
    refunded_pence = serializers.IntegerField()


class TransactionOutput(serializers.Serializer):
    code = serializers.UUIDField()
    reason = serializers.CharField()
    reference = serializers.CharField()
    memo = serializers.CharField()
    created_at = serializers.DateTimeField()


class BudgetListApi(APIView):
    pagination_class = Pagination  # the view pages with it; the schema shows the page envelope
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BudgetOutput(many=True), summary="Budgets you hold or help manage")
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.budget_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(BudgetOutput(page, many=True).data)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "BudgetCreateInput"

        person = serializers.SlugRelatedField(
            slug_field="code", queryset=PersonProfile.objects.all(), help_text="The holder's person code"
        )
        kind = serializers.ChoiceField(choices=Budget.Kind.choices)
        funder = serializers.SlugRelatedField(
            slug_field="slug", queryset=Council.objects.all(), required=False, allow_null=True, default=None
        )
        period_start = serializers.DateField()
        period_end = serializers.DateField()
        name = serializers.CharField(max_length=120, required=False, default="")

    @extend_schema(
        request=Input, responses={201: BudgetOutput},
        summary="Open a budget (the funding council's managers; a person or managing carer for self-funded)",
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        data = validated(self.Input, request.data)
        budget = services.budget_create(actor=request.user, **data)
        budget = selectors.budget_reload(budget=budget)
        budget.available_pence = budget.committed_pence = 0
        return Response(BudgetOutput(budget).data, status=status.HTTP_201_CREATED)


class BudgetDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    class Output(BudgetOutput):
        class Meta:
            ref_name = "BudgetDetailOutput"

        allocated_pence = serializers.IntegerField()
        spent_pence = serializers.IntegerField()
        forecast = serializers.DictField()
        by_category = serializers.ListField(child=serializers.DictField())
        by_month = serializers.ListField(child=serializers.DictField())
        upcoming = CommitmentOutput(many=True)

    @extend_schema(responses=Output, summary="A budget: available, committed (planned), spent, by category and month")
    def get(self, request: Request, code: Any) -> Response:
        budget = selectors.budget_get_for_user(user=request.user, code=code)
        summary = selectors.budget_summary(budget=budget)
        body = dict(BudgetOutput(budget).data)
        body.update(
            allocated_pence=summary.allocated_pence,
            spent_pence=summary.spent_pence,
            forecast={
                "daily_rate_pence": summary.forecast.daily_rate_pence,
                "runs_out_on": summary.forecast.runs_out_on,
                "left_at_end_pence": summary.forecast.left_at_end_pence,
            },
            by_category=summary.by_category,
            by_month=summary.by_month,
            upcoming=CommitmentOutput(summary.upcoming, many=True).data,
        )
        return Response(body)


class StatementQuery(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    # Not `format`: DRF reserves that query parameter for content negotiation.
    output = serializers.ChoiceField(choices=["json", "csv"], required=False, default="json")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = clock.today()
        attrs.setdefault("end", today)
        attrs.setdefault("start", attrs["end"] - timedelta(days=90))
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": "The end date must be on or after the start date."})
        if (attrs["end"] - attrs["start"]).days > 3660:
            raise serializers.ValidationError({"start": "Choose a date range of at most 10 years."})
        return attrs


def statement_csv(statement: selectors.Statement) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="budget-statement-{statement.start:%Y-%m-%d}-to-{statement.end:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(["date", "description", "type", "reference", "available_change_pence", "committed_change_pence",
                     "available_after_pence"])  # fmt: skip
    writer.writerow([statement.start.isoformat(), "Opening balance", "", "", "", "", statement.opening_available_pence])
    for line in statement.lines:
        writer.writerow([
            clock.local_time(line.when).isoformat(timespec="seconds"), line.description, line.reason, line.reference,
            line.available_change_pence, line.committed_change_pence, line.available_after_pence,
        ])  # fmt: skip
    return response


class BudgetStatementApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[StatementQuery],
        responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR},
        summary="Statement of a budget for a date range (JSON or CSV)",
    )
    def get(self, request: Request, code: Any) -> Response | HttpResponse:
        budget = selectors.budget_get_for_user(user=request.user, code=code)
        query = validated(StatementQuery, request.query_params)
        statement = selectors.budget_statement(budget=budget, start=query["start"], end=query["end"])
        if query["output"] == "csv":
            return statement_csv(statement)
        return Response(
            {
                "start": statement.start,
                "end": statement.end,
                "opening_available_pence": statement.opening_available_pence,
                "closing_available_pence": statement.closing_available_pence,
                "lines": [line.__dict__ for line in statement.lines],
            }
        )


class BudgetCommitApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "BudgetCommitInput"

        amount_pence = PenceField()
        reference = serializers.CharField(max_length=100, help_text="Your booking reference")
        provider = serializers.SlugRelatedField(slug_field="code", queryset=Provider.objects.all())
        description = serializers.CharField(max_length=255, required=False, default="")
        due_on = serializers.DateField(required=False, allow_null=True, default=None)
        category = serializers.SlugRelatedField(
            slug_field="slug", queryset=Category.objects.all(), required=False, allow_null=True, default=None
        )

    @extend_schema(
        request=Input, responses={201: CommitmentOutput}, parameters=[IDEMPOTENCY_HEADER],
        summary="Set money aside from a budget for a booking",
    )  # fmt: skip
    def post(self, request: Request, code: Any) -> Response:
        budget = selectors.budget_get_for_user(user=request.user, code=code)
        data = validated(self.Input, request.data)
        commitment = services.budget_commit(
            actor=request.user, budget=budget, idempotency_key=idempotency_key(request), **data
        )
        return Response(CommitmentOutput(commitment).data, status=status.HTTP_201_CREATED)


class CommitmentActionApi(APIView):
    """Release, settle or refund the money held for a booking."""

    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "CommitmentActionInput"

        amount_pence = PenceField(
            required=False,
            help_text="Integer pence. Settle: less than the amount held pays only that; refund: required.",
        )

    operation: str = ""  # "release", "settle" or "refund", set in urls.py

    @extend_schema(request=Input, responses={200: CommitmentOutput}, parameters=[IDEMPOTENCY_HEADER])
    def post(self, request: Request, code: Any) -> Response:
        commitment = selectors.commitment_get_for_user(user=request.user, code=code)
        data = validated(self.Input, request.data)
        key = idempotency_key(request)
        if self.operation == "release":
            commitment = services.budget_release(actor=request.user, commitment=commitment, idempotency_key=key)
        elif self.operation == "settle":
            commitment = services.budget_settle(
                actor=request.user, commitment=commitment, idempotency_key=key, amount_pence=data.get("amount_pence")
            )
        else:
            if "amount_pence" not in data:
                raise DomainError("Enter the amount to refund, in pence.", field="amount_pence")
            services.budget_refund(
                actor=request.user, commitment=commitment, amount_pence=data["amount_pence"], idempotency_key=key
            )
            commitment = selectors.commitment_reload(commitment=commitment)
        return Response(CommitmentOutput(commitment).data)


class BudgetTopUpApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "BudgetTopUpInput"

        amount_pence = PenceField()

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "BudgetTopUpOutput"

        code = serializers.UUIDField()
        status = serializers.CharField()
        amount_pence = serializers.IntegerField()
        gateway = serializers.CharField()

    @extend_schema(
        request=Input, responses={201: Output}, parameters=[IDEMPOTENCY_HEADER], summary="Self-funder top-up"
    )
    def post(self, request: Request, code: Any) -> Response:
        budget = selectors.budget_get_for_user(user=request.user, code=code)
        data = validated(self.Input, request.data)
        topup: TopUp = topups.budget_topup(
            actor=request.user,
            budget=budget,
            amount_pence=data["amount_pence"],
            idempotency_key=idempotency_key(request),
        )
        return Response(self.Output(topup).data, status=status.HTTP_201_CREATED)


class BudgetAllocateApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "BudgetAllocateInput"

        amount_pence = PenceField()
        effective_on = serializers.DateField(required=False, allow_null=True, default=None)
        memo = serializers.CharField(max_length=200, required=False, default="")

    @extend_schema(
        request=Input, responses={201: TransactionOutput}, parameters=[IDEMPOTENCY_HEADER],
        summary="Allocate council money to a budget (council managers)",
    )  # fmt: skip
    def post(self, request: Request, code: Any) -> Response:
        budget = selectors.budget_get_for_funder(user=request.user, code=code)
        data = validated(self.Input, request.data)
        txn: LedgerTransaction = services.budget_allocate(
            actor=request.user, budget=budget, idempotency_key=idempotency_key(request), **data
        )
        return Response(TransactionOutput(txn).data, status=status.HTTP_201_CREATED)


class BudgetAlertApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "BudgetAlertInput"

        threshold_pence = PenceField(
            min_value=0, allow_null=True, help_text="Integer pence; null switches the alert off"
        )

    @extend_schema(request=Input, responses=BudgetOutput, summary="Set the low-balance alert level")
    def put(self, request: Request, code: Any) -> Response:
        budget = selectors.budget_get_for_user(user=request.user, code=code)
        data = validated(self.Input, request.data)
        alerts.budget_alert_set(actor=request.user, budget=budget, threshold_pence=data["threshold_pence"])
        return Response(BudgetOutput(selectors.budget_get_for_user(user=request.user, code=code)).data)
