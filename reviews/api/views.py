"""Reviews API: published reviews and ratings are public; writing needs an account.

Posting reviews and reports is throttled per account (scope ``reviews``) and per IP address
across accounts (scope ``reviews_ip``), on top of the per-account daily limit in the service.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from accounts.permissions import Action, can
from carehub.api import Pagination, validated
from carehub.errors import NotFound
from reviews import selectors, services
from reviews.models import ASPECTS, ModerationDecision, ProviderReply, Report, Review


class ReviewsIpThrottle(SimpleRateThrottle):
    """Per IP address, whoever is signed in: many accounts from one place count together."""

    scope = "reviews_ip"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class WriteThrottled:
    """Throttle writes only; reading reviews is never limited beyond the site-wide rates."""

    throttle_scope = "reviews"

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):  # type: ignore[attr-defined]
            return []
        return [ScopedRateThrottle(), ReviewsIpThrottle()]


class ReplyOutput(serializers.Serializer):
    text = serializers.CharField()
    tag = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    editable = serializers.SerializerMethodField()

    def get_editable(self, obj: ProviderReply) -> bool:
        return obj.editable_at()


class ReviewOutput(serializers.Serializer):
    code = serializers.UUIDField()
    service = serializers.UUIDField(source="service.code")
    service_name = serializers.CharField(source="service.name")
    status = serializers.CharField()
    verified = serializers.BooleanField(help_text="Follows a completed CareHub booking")
    overall = serializers.IntegerField()
    aspects = serializers.SerializerMethodField()
    title = serializers.CharField()
    text = serializers.CharField()
    relationship = serializers.CharField()
    experience_month = serializers.DateField()
    published_at = serializers.DateTimeField(allow_null=True)
    helpful_count = serializers.IntegerField()
    reply = serializers.SerializerMethodField()

    def get_aspects(self, obj: Review) -> dict[str, int | None]:
        return {a: getattr(obj, a) for a in ASPECTS}

    @extend_schema(responses=ReplyOutput(allow_null=True))
    def get_reply(self, obj: Review) -> dict[str, Any] | None:
        reply = getattr(obj, "reply", None)
        return None if reply is None else ReplyOutput(reply).data


class RatingOutput(serializers.Serializer):
    average = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()
    distribution = serializers.DictField(child=serializers.IntegerField(), help_text="Stars ('1'..'5') to count")
    aspects = serializers.DictField(child=serializers.FloatField(allow_null=True))
    score = serializers.FloatField(allow_null=True, help_text="Ranking score (last 24 months); null without reviews")
    recent_count = serializers.IntegerField()


def _review(request: Request, code: Any) -> Review:
    return selectors.review_get_for_user(user=request.user, code=code)


class ReviewListApi(WriteThrottled, APIView):
    pagination_class = Pagination  # the view pages with it; the schema shows the page envelope

    def get_permissions(self) -> list[Any]:
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    class Filter(serializers.Serializer):
        service = serializers.UUIDField(required=False)
        provider = serializers.UUIDField(required=False)
        sort = serializers.ChoiceField(choices=list(selectors.SORTS), default="newest")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("service" in attrs) == ("provider" in attrs):
                raise serializers.ValidationError({"service": "Give either service or provider."})
            return attrs

    @extend_schema(
        parameters=[Filter], responses=ReviewOutput(many=True), summary="Published reviews of a service or provider"
    )
    def get(self, request: Request) -> Response:
        p = validated(self.Filter, request.query_params)
        if "service" in p:
            service = selectors.service_get_published(code=p["service"])
            reviews = selectors.review_list_published(service=service, sort=p["sort"])
        else:
            provider = selectors.provider_get(code=p["provider"])
            reviews = selectors.review_list_published(provider=provider, sort=p["sort"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(reviews, request, view=self)
        return paginator.get_paginated_response(ReviewOutput(page, many=True).data)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ReviewCreateInput"

        service = serializers.UUIDField()
        person = serializers.UUIDField(required=False, help_text="The person reviewed for; default: yourself")
        overall = serializers.IntegerField(min_value=1, max_value=5)
        quality_of_care = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
        staff = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
        communication = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
        reliability = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
        value_for_money = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
        title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
        text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
        relationship = serializers.ChoiceField(choices=Review.Relationship.choices)
        experience_month = serializers.DateField(help_text="Any day of the month of the experience")

    @extend_schema(request=Input, responses={201: ReviewOutput}, summary="Write a review (held or queued for 72 h)")
    def post(self, request: Request) -> Response:
        data = validated(self.Input, request.data)
        service = selectors.service_get_to_review(code=data["service"])
        person = selectors.person_get_for_reviewer(user=request.user, code=data.get("person"))
        review = services.review_submit(
            actor=request.user,
            service=service,
            person=person,
            overall=data["overall"],
            relationship=data["relationship"],
            experience_month=data["experience_month"],
            title=data["title"],
            text=data["text"],
            aspects={a: data.get(a) for a in ASPECTS},
            ip=request.META.get("REMOTE_ADDR"),
        )
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


class ReviewDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ReviewOutput, summary="One review (published, or yours, or your provider's)")
    def get(self, request: Request, code: Any) -> Response:
        return Response(ReviewOutput(_review(request, code)).data)


class ReviewWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ReviewOutput, summary="Withdraw your review")
    def post(self, request: Request, code: Any) -> Response:
        review = services.review_withdraw(actor=request.user, review=_review(request, code))
        return Response(ReviewOutput(review).data)


class ReviewHelpfulApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ReviewHelpfulResult")
    class Output(serializers.Serializer):
        counted = serializers.BooleanField(help_text="False if you had already voted")
        helpful_count = serializers.IntegerField()

    @extend_schema(request=None, responses=Output, summary="Say a review was helpful (once per user)")
    def post(self, request: Request, code: Any) -> Response:
        review = _review(request, code)
        counted = services.review_vote_helpful(actor=request.user, review=review)
        review.refresh_from_db(fields=["helpful_count"])
        return Response({"counted": counted, "helpful_count": review.helpful_count})


class ReviewReportApi(WriteThrottled, APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ReviewReportInput"

        reason = serializers.ChoiceField(choices=Report.Reason.choices)
        detail = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema_serializer(component_name="ReviewReport")
    class Output(serializers.Serializer):
        reason = serializers.CharField()
        status = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(request=Input, responses={201: Output}, summary="Report a published review")
    def post(self, request: Request, code: Any) -> Response:
        data = validated(self.Input, request.data)
        report = services.review_report(actor=request.user, review=_review(request, code), **data)
        return Response(self.Output(report).data, status=status.HTTP_201_CREATED)


class ReviewProviderFlagApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ReviewProviderFlagInput"

        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=Input, responses=ReviewOutput, summary="Provider: ask for a check before publication")
    def post(self, request: Request, code: Any) -> Response:
        data = validated(self.Input, request.data)
        review = services.review_flag_by_provider(actor=request.user, review=_review(request, code), **data)
        return Response(ReviewOutput(review).data)


class ReviewReplyApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ReviewReplyInput"

        text = serializers.CharField(max_length=3000)
        tag = serializers.ChoiceField(choices=ProviderReply.Tag.choices, required=False, default="")

    @extend_schema(request=Input, responses={201: ReplyOutput}, summary="Provider: reply to a published review")
    def post(self, request: Request, code: Any) -> Response:
        data = validated(self.Input, request.data)
        reply = services.reply_create(actor=request.user, review=_review(request, code), **data)
        return Response(ReplyOutput(reply).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=Input, responses=ReplyOutput, summary="Provider: change a reply (within 24 hours)")
    def patch(self, request: Request, code: Any) -> Response:
        data = validated(self.Input, request.data)
        review = _review(request, code)
        reply = selectors.reply_for_review(review=review)
        if reply is None:
            raise NotFound("This review has no reply yet.")
        reply = services.reply_update(actor=request.user, reply=reply, **data)
        return Response(ReplyOutput(reply).data)


class ModerationQueueApi(APIView):
    pagination_class = Pagination  # the view pages with it; the schema shows the page envelope
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ReviewForModeration")
    class Output(ReviewOutput):
        hold_reasons = serializers.ListField(child=serializers.CharField())
        provider_flag_reason = serializers.CharField()
        open_report_count = serializers.IntegerField()

    @extend_schema(responses=Output(many=True), summary="Moderators: held and reported reviews")
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.moderation_queue(user=request.user), request, view=self)
        return paginator.get_paginated_response(self.Output(page, many=True).data)


class ModerationDecisionApi(APIView):
    permission_classes = [IsAuthenticated]

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ModerationDecisionInput"

        decision = serializers.ChoiceField(choices=ModerationDecision.Decision.choices)
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=Input, responses={201: ReviewOutput}, summary="Moderators: record a decision")
    def post(self, request: Request, code: Any) -> Response:
        data = validated(self.Input, request.data)
        if not can(request.user, Action.MODERATE):
            raise NotFound("No such review.")
        review = services.review_moderate(actor=request.user, review=_review(request, code), **data)
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


class ServiceRatingApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=RatingOutput, summary="People's rating of a service (not regulator)")
    def get(self, request: Request, code: Any) -> Response:
        service = selectors.service_get_published(code=code)
        return Response(selectors.rating_summary(selectors.service_rating(service=service)))


class ProviderRatingApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=RatingOutput, summary="People's rating of all a provider's services")
    def get(self, request: Request, code: Any) -> Response:
        provider = selectors.provider_get(code=code)
        return Response(selectors.rating_summary(selectors.provider_rating(provider=provider)))
