"""The provider portal's API under /api/v1/portal/: a member's listings, drafts included.

Every lookup goes through the `*_for_member` selectors, so another provider's
listings are 404 (never 403: nothing says they exist).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from carehub.api import Pagination
from directory.models import Service
from directory.portal import selectors, services
from directory.registers.display import regulator_summary, service_registration


class _ServiceOutput(serializers.Serializer):
    id = serializers.UUIDField(source="code")
    name = serializers.CharField()
    status = serializers.CharField()
    provider = serializers.SerializerMethodField()
    description = serializers.CharField()
    price_pence = serializers.IntegerField(allow_null=True)
    price_unit = serializers.CharField()
    price_on_request = serializers.BooleanField()
    delivered_at_location = serializers.BooleanField()
    delivered_at_home = serializers.BooleanField()
    delivered_remotely = serializers.BooleanField()
    service_radius_miles = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    phone = serializers.CharField()
    email = serializers.CharField()
    website = serializers.CharField()
    regulator = serializers.SerializerMethodField()
    portal_url = serializers.SerializerMethodField()

    def get_provider(self, obj: Service) -> dict[str, str]:
        return {"id": str(obj.provider.code), "name": obj.provider.name}

    def get_regulator(self, obj: Service) -> dict[str, Any] | None:
        return regulator_summary(obj)

    def get_portal_url(self, obj: Service) -> str:
        return reverse("directory:portal-service", kwargs={"code": obj.code})


class PortalServiceListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Your listings",
        responses=_ServiceOutput(many=True),
        description="The listings of every provider you belong to.",
    )
    def get(self, request: Request) -> Response:
        listings = selectors.service_list_for_user(user=request.user)
        paginator = Pagination()
        page = paginator.paginate_queryset(listings, request, view=self)
        return paginator.get_paginated_response(_ServiceOutput(page, many=True).data)


class PortalServiceDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=255, required=False)
        description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
        price_pence = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
        price_unit = serializers.ChoiceField(choices=Service.PriceUnit.choices, required=False, allow_blank=True)
        price_on_request = serializers.BooleanField(required=False)
        delivered_at_location = serializers.BooleanField(required=False)
        delivered_at_home = serializers.BooleanField(required=False)
        delivered_remotely = serializers.BooleanField(required=False)
        service_radius_miles = serializers.DecimalField(
            max_digits=5, decimal_places=1, min_value=0, required=False, allow_null=True
        )
        phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
        email = serializers.EmailField(required=False, allow_blank=True)
        website = serializers.URLField(required=False, allow_blank=True)

    @extend_schema(summary="One of your listings", responses=_ServiceOutput)
    def get(self, request: Request, code: str) -> Response:
        service = selectors.service_get_for_member(user=request.user, code=code)
        return Response(_ServiceOutput(service).data)

    @extend_schema(summary="Change one of your listings", request=InputSerializer, responses=_ServiceOutput)
    def patch(self, request: Request, code: str) -> Response:
        service = selectors.service_get_for_member(user=request.user, code=code)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        registration = service_registration(service)
        if registration:
            locked = sorted(set(data.validated_data) & services.REGISTER_SERVICE_FIELDS)
            if locked:
                raise serializers.ValidationError(
                    {name: [f"This comes from the {registration.regulator_name} register."] for name in locked}
                )
        service = services.service_update(actor=request.user, service=service, data=data.validated_data)
        return Response(_ServiceOutput(selectors.service_get_for_member(user=request.user, code=service.code)).data)


class PortalServiceActionApi(APIView):
    permission_classes = [IsAuthenticated]
    action: str = ""

    @extend_schema(summary="Confirm, publish or unpublish one of your listings", request=None, responses=_ServiceOutput)
    def post(self, request: Request, code: str) -> Response:
        service = selectors.service_get_for_member(user=request.user, code=code)
        if self.action == "publish":
            services.service_publish(actor=request.user, service=service)
        elif self.action == "unpublish":
            services.service_unpublish(actor=request.user, service=service)
        else:
            services.service_confirm(actor=request.user, service=service)
        return Response(_ServiceOutput(selectors.service_get_for_member(user=request.user, code=code)).data)
