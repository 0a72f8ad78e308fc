"""Review pages: write, report, vote, reply, the provider's preview list and the moderation queue."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import Action, can
from carehub.errors import DomainError, NotFound
from carehub.forms import form_status, form_submit
from directory.search.selectors import service_get_for_user
from reviews import selectors, services
from reviews.forms import ModerationForm, ProviderFlagForm, ReplyForm, ReportForm, ReviewForm
from reviews.models import ProviderReply, Review

FORM_WINDOW_SECONDS = 3600


def _ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _ip_over_limit(ip: str) -> bool:
    """The form's simple flood guard: submissions per IP address in the last hour (cache counter)."""
    return cache.get(f"reviews:form-ip:{ip}", 0) >= settings.REVIEWS_FORM_MAX_PER_IP_HOUR


def _ip_count(ip: str) -> None:
    key = f"reviews:form-ip:{ip}"
    if not cache.add(key, 1, FORM_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, FORM_WINDOW_SECONDS)


def _review_or_404(request: HttpRequest, code: uuid.UUID) -> Review | None:
    try:
        return selectors.review_get_for_user(user=request.user, code=code)
    except NotFound:
        return None


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


def _service_url(review: Review) -> str:
    return reverse("directory:service-detail", kwargs={"code": review.service.code}) + "#reviews"


@login_required
def review_write(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    service = service_get_for_user(user=request.user, code=code)
    people = list(selectors.people_user_can_review_for(user=request.user))
    if not people:
        return render(request, "reviews/cannot_review.html", {"service": service}, status=403)
    form = ReviewForm(request.POST or None, people=people, user=request.user)

    def submit(data: dict[str, Any]) -> Review:
        if _ip_over_limit(_ip(request)):
            raise DomainError("Too many reviews have been sent from your connection. Please try again later.")
        review = services.review_submit(
            actor=request.user,
            service=service,
            person=form.chosen_person(),
            overall=data["overall"],
            relationship=data["relationship"],
            experience_month=data["experience_month"],
            title=data["title"],
            text=data["text"],
            aspects=form.aspects(),
            ip=_ip(request),
        )
        _ip_count(_ip(request))  # only reviews that were accepted count towards the limit
        return review

    # No message: the review's own page says when it will be published.
    if response := form_submit(
        request,
        form,
        submit,
        success_message=None,
        redirect_to=lambda review: reverse("reviews:review-detail", kwargs={"code": review.code}),
    ):
        return response
    return render(request, "reviews/review_form.html", {"form": form, "service": service}, status=form_status(form))


def review_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    review = _review_or_404(request, code)
    if review is None:
        return _not_found(request)
    return render(request, "reviews/review_detail.html", {"review": review, "service": review.service})


@login_required
@require_POST
def review_helpful(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    review = _review_or_404(request, code)
    if review is None:
        return _not_found(request)
    try:
        counted = services.review_vote_helpful(actor=request.user, review=review)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        text = "Thank you for your feedback." if counted else "You have already voted on this review."
        messages.success(request, text)
    return redirect(_service_url(review))


@login_required
def review_report(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    review = _review_or_404(request, code)
    if review is None or review.status != Review.Status.PUBLISHED:
        return _not_found(request)
    form = ReportForm(request.POST or None)
    if response := form_submit(
        request,
        form,
        lambda data: services.review_report(actor=request.user, review=review, **data),
        success_message="Thank you. A moderator will look at this review.",
        redirect_to=_service_url(review),
    ):
        return response
    return render(request, "reviews/report_form.html", {"form": form, "review": review}, status=form_status(form))


@login_required
def review_reply(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    review = _review_or_404(request, code)
    if review is None or not can(request.user, Action.PROVIDER_MANAGE, review):
        return _not_found(request)
    reply = selectors.reply_for_review(review=review)
    initial = {"text": reply.text, "tag": reply.tag} if reply else None
    form = ReplyForm(request.POST or None, initial=initial)

    def publish(data: dict[str, Any]) -> ProviderReply:
        if reply is None:
            return services.reply_create(actor=request.user, review=review, **data)
        return services.reply_update(actor=request.user, reply=reply, **data)

    if response := form_submit(
        request,
        form,
        publish,
        success_message="Your reply has been published.",
        redirect_to=_service_url(review),
    ):
        return response
    context = {"form": form, "review": review, "reply": reply}
    return render(request, "reviews/reply_form.html", context, status=form_status(form))


@login_required
@require_POST
def review_withdraw(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    review = _review_or_404(request, code)
    if review is None:
        return _not_found(request)
    try:
        services.review_withdraw(actor=request.user, review=review)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your review has been withdrawn.")
    return redirect(_service_url(review))


@login_required
def provider_reviews(request: HttpRequest) -> HttpResponse:
    reviews = selectors.review_list_for_provider_member(user=request.user)
    return render(request, "reviews/provider_list.html", {"reviews": reviews})


@login_required
def provider_flag(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    review = _review_or_404(request, code)
    if review is None or not can(request.user, Action.PROVIDER_MANAGE, review):
        return _not_found(request)
    form = ProviderFlagForm(request.POST or None)
    if response := form_submit(
        request,
        form,
        lambda data: services.review_flag_by_provider(actor=request.user, review=review, reason=data["reason"]),
        success_message="A moderator will check the review before it is published.",
        redirect_to="reviews:provider-list",
    ):
        return response
    return render(request, "reviews/flag_form.html", {"form": form, "review": review}, status=form_status(form))


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.MODERATE):
        return _not_found(request)
    return render(request, "reviews/moderation_queue.html", {"reviews": selectors.moderation_queue(user=request.user)})


@login_required
def moderation_decide(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    if not can(request.user, Action.MODERATE):
        return _not_found(request)
    review = _review_or_404(request, code)
    if review is None:
        return _not_found(request)
    form = ModerationForm(request.POST or None, review=review)
    if response := form_submit(
        request,
        form,
        lambda data: services.review_moderate(actor=request.user, review=review, **data),
        success_message="Decision recorded. The reviewer has been told.",
        redirect_to="reviews:moderation-queue",
    ):
        return response
    context = {
        "form": form,
        "review": review,
        "reports": selectors.report_list_open(review=review),
        "decisions": selectors.moderation_decision_list(review=review),
    }
    return render(request, "reviews/moderation_decide.html", context, status=form_status(form))
