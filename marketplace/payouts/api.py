"""The payouts API: platform finance staff run a batch and record each payout's result."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from carehub.api import IDEMPOTENCY_HEADER, idempotency_key, validated
from marketplace.models import PayoutBatch
from marketplace.payouts import selectors
from marketplace.payouts import services as payouts


class PayoutOutput(serializers.Serializer):
    code = serializers.UUIDField()
    provider = serializers.UUIDField(source="provider.code")
    provider_name = serializers.CharField(source="provider.name")
    amount_pence = serializers.IntegerField()
    status = serializers.CharField()


class PayoutBatchCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "PayoutBatchCreateOutput"

        code = serializers.UUIDField()
        created_at = serializers.DateTimeField()
        payouts = PayoutOutput(many=True)
        remittance_csv = serializers.CharField()

    @extend_schema(request=None, responses={201: Output}, parameters=[IDEMPOTENCY_HEADER], summary="Run a payout batch")
    def post(self, request: Request) -> Response:
        batch: PayoutBatch = payouts.payout_batch_create(actor=request.user, idempotency_key=idempotency_key(request))
        batch = selectors.payout_batch_reload(batch=batch)
        return Response(self.Output(batch).data, status=status.HTTP_201_CREATED)


class PayoutResultApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "PayoutResultInput"

        paid = serializers.BooleanField()
        failure_reason = serializers.CharField(max_length=200, required=False, default="")

    @extend_schema(
        request=Input, responses=PayoutOutput, parameters=[IDEMPOTENCY_HEADER], summary="Record a payout result"
    )
    def post(self, request: Request, code: Any) -> Response:
        payout = selectors.payout_get_for_user(user=request.user, code=code)
        data = validated(self.Input, request.data)
        key = idempotency_key(request)
        if data["paid"]:
            payout = payouts.payout_mark_paid(actor=request.user, payout=payout, idempotency_key=key)
        else:
            payout = payouts.payout_mark_failed(
                actor=request.user, payout=payout, reason=data["failure_reason"] or "Not given", idempotency_key=key
            )
        return Response(PayoutOutput(payout).data)
