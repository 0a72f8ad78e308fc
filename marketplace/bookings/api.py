"""Bookings, messages and notifications API (issue 6). Amounts are integer pence.

Every request that moves money (requesting, and each transition) carries an
`Idempotency-Key` header: the same key again returns the first result.
Refusals come back through the shared handler: 400 bad input, 403 not
permitted, 404 not yours, 409 wrong state, slot taken or not enough in the budget.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import PersonProfile
from accounts.notifications import services as notifications
from carehub.api import IDEMPOTENCY_HEADER, Pagination, idempotency_key, validated
from carehub.errors import DomainError, NotFound
from directory.models import Service
from marketplace.bookings import plans as bookings_plans
from marketplace.bookings import selectors as bookings_selectors
from marketplace.bookings import services as bookings
from marketplace.bookings.availability import free_hours
from marketplace.budgets import selectors as budgets_selectors
from marketplace.messaging import services as messaging


def _published_service(code: Any) -> Service:
    service = Service.objects.select_related("provider").filter(code=code, status=Service.Status.PUBLISHED).first()
    if service is None:
        raise NotFound("Service not found.")
    return service


class BookingOutput(serializers.Serializer):
    code = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.CharField()
    service = serializers.UUIDField(source="service.code")
    service_name = serializers.CharField(source="service.name")
    provider = serializers.UUIDField(source="provider.code")
    provider_name = serializers.CharField(source="provider.name")
    person = serializers.UUIDField(source="person.code")
    quantity = serializers.IntegerField()
    unit_price_pence = serializers.IntegerField()
    amount_pence = serializers.IntegerField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    cancellation_rule = serializers.CharField()
    status_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class BookingListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BookingOutput(many=True), summary="Bookings you made, help with, or provide")
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        rows = bookings_selectors.booking_list_for_user(user=request.user).order_by("-created_at", "-pk")
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(BookingOutput(page, many=True).data)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "BookingRequestInput"

        service = serializers.UUIDField()
        person = serializers.SlugRelatedField(slug_field="code", queryset=PersonProfile.objects.all())
        starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
        hours = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="Hourly services")
        quantity = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="Other services")
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
        budget = serializers.UUIDField(
            required=False, allow_null=True, default=None, help_text="Which of the person's budgets pays (optional)"
        )

    @extend_schema(
        request=Input, responses={201: BookingOutput}, parameters=[IDEMPOTENCY_HEADER],
        summary="Request a booking: its cost is committed from the person's budget",
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        data = validated(self.Input, request.data)
        service = _published_service(data.pop("service"))
        budget_code = data.pop("budget")
        if budget_code is not None:
            try:
                data["budget"] = budgets_selectors.budget_get_for_person(person=data["person"], code=budget_code)
            except NotFound as exc:
                raise DomainError(exc.message, field="budget") from exc
        booking = bookings.booking_request(
            actor=request.user, service=service, idempotency_key=idempotency_key(request), **data
        )
        return Response(BookingOutput(booking).data, status=status.HTTP_201_CREATED)


class BookingDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=BookingOutput, summary="One booking")
    def get(self, request: Request, code: Any) -> Response:
        return Response(BookingOutput(bookings_selectors.booking_get_for_user(user=request.user, code=code)).data)


class BookingActionApi(APIView):
    """POST /bookings/<code>/<action>/ for each person's or provider's action of the state machine
    (transitions.USER_ACTIONS: accept, decline, schedule, deliver, confirm, dispute, cancel)."""

    permission_classes = [IsAuthenticated]
    action: str = ""

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "BookingActionInput"

        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)

    @extend_schema(request=Input, responses=BookingOutput, parameters=[IDEMPOTENCY_HEADER], summary="Move a booking on")
    def post(self, request: Request, code: Any) -> Response:
        booking = bookings_selectors.booking_get_for_user(user=request.user, code=code)
        data = validated(self.Input, request.data)
        booking = bookings.booking_act(
            actor=request.user,
            booking=booking,
            action=self.action,
            idempotency_key=idempotency_key(request),
            reason=data["reason"],
        )
        return Response(BookingOutput(booking).data)


class FreeHoursApi(APIView):
    permission_classes = [IsAuthenticated]

    class Query(serializers.Serializer):
        day = serializers.DateField()

    @extend_schema(parameters=[Query], responses=OpenApiTypes.OBJECT,
                   summary="Free hourly slots of a service on a day")  # fmt: skip
    def get(self, request: Request, code: Any) -> Response:
        day = validated(self.Query, request.query_params)["day"]
        return Response({"day": day, "free": free_hours(service=_published_service(code), day=day)})


class MessageOutput(serializers.Serializer):
    author = serializers.CharField(source="author.full_name")
    body = serializers.CharField(help_text="Plain text: escape it when showing it")
    created_at = serializers.DateTimeField()


class ThreadOutput(serializers.Serializer):
    code = serializers.UUIDField()
    subject = serializers.CharField()
    person = serializers.UUIDField(source="person.code")
    provider = serializers.UUIDField(source="provider.code")
    booking = serializers.UUIDField(source="booking.code", allow_null=True, default=None)
    unread = serializers.IntegerField(default=0, allow_null=True)
    last_message_at = serializers.DateTimeField()


class ThreadListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ThreadOutput(many=True), summary="Your conversations, with unread counts")
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(messaging.thread_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(ThreadOutput(page, many=True).data)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "EnquiryInput"

        service = serializers.UUIDField()
        person = serializers.SlugRelatedField(slug_field="code", queryset=PersonProfile.objects.all())
        body = serializers.CharField(max_length=5000)

    @extend_schema(request=Input, responses={201: ThreadOutput}, summary="Write to a provider about a service")
    def post(self, request: Request) -> Response:
        data = validated(self.Input, request.data)
        thread = messaging.thread_start_enquiry(
            actor=request.user, service=_published_service(data["service"]), person=data["person"], body=data["body"]
        )
        return Response(ThreadOutput(thread).data, status=status.HTTP_201_CREATED)


class ThreadDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        operation_id="v1_thread_retrieve",
        summary="A conversation's messages (marks it read)",
    )
    def get(self, request: Request, code: Any) -> Response:
        thread = messaging.thread_get_for_user(user=request.user, code=code)
        messaging.thread_mark_read(actor=request.user, thread=thread)
        body = dict(ThreadOutput(thread).data)
        body["messages"] = MessageOutput(thread.messages.select_related("author"), many=True).data
        return Response(body)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "MessageInput"

        body = serializers.CharField(max_length=5000)

    @extend_schema(
        request=Input,
        responses={201: MessageOutput},
        operation_id="v1_thread_message_create",
        summary="Write in a conversation",
    )
    def post(self, request: Request, code: Any) -> Response:
        thread = messaging.thread_get_for_user(user=request.user, code=code)
        message = messaging.message_send(
            actor=request.user, thread=thread, body=validated(self.Input, request.data)["body"]
        )
        return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)


class NotificationOutput(serializers.Serializer):
    kind = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=NotificationOutput(many=True), summary="Your notifications inbox")
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        rows = notifications.notification_list_for_user(user=request.user)
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(NotificationOutput(page, many=True).data)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT}, summary="Mark all as read")
    def post(self, request: Request) -> Response:
        return Response({"marked_read": notifications.notification_mark_all_read(actor=request.user)})


class PlanOutput(serializers.Serializer):
    code = serializers.UUIDField()
    status = serializers.CharField()
    service = serializers.UUIDField(source="service.code")
    person = serializers.UUIDField(source="person.code")
    weekdays = serializers.ListField(child=serializers.IntegerField(), source="weekday_numbers")
    time_of_day = serializers.TimeField()
    hours = serializers.IntegerField()
    starts_on = serializers.DateField()
    weeks = serializers.IntegerField()
    visit_price_pence = serializers.IntegerField()
    total_pence = serializers.IntegerField()
    uncommitted_pence = serializers.SerializerMethodField(help_text="Planned spend not yet committed")

    def get_uncommitted_pence(self, plan: Any) -> int:
        return bookings_plans.recurring_plan_uncommitted_pence(plan)


class PlanListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PlanOutput(many=True), summary="Regular visits you arranged, help with, or provide")
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            bookings_plans.recurring_plan_list_for_user(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(PlanOutput(page, many=True).data)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "RecurringPlanInput"

        service = serializers.UUIDField()
        person = serializers.SlugRelatedField(slug_field="code", queryset=PersonProfile.objects.all())
        weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), min_length=1)
        time_of_day = serializers.TimeField()
        hours = serializers.IntegerField(required=False, default=1)
        weeks = serializers.IntegerField()
        starts_on = serializers.DateField()

    @extend_schema(
        request=Input, responses={201: PlanOutput}, parameters=[IDEMPOTENCY_HEADER],
        summary="Set up regular visits: planned spend now, committed week by week",
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        data = validated(self.Input, request.data)
        plan = bookings_plans.recurring_plan_create(
            actor=request.user,
            service=_published_service(data.pop("service")),
            idempotency_key=idempotency_key(request),
            **data,
        )
        return Response(PlanOutput(plan).data, status=status.HTTP_201_CREATED)
