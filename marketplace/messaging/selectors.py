"""Reads for message threads that the pages and the API show."""

from __future__ import annotations

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from accounts.models import CarerLink, User
from accounts.selectors import provider_ids_for_member
from marketplace.models import Message, MessageThread, ThreadReadState


def thread_visible_q(user: User) -> Q:
    """Threads the user may read: their own, those of people who let them see their affairs, their providers'."""
    people = CarerLink.objects.filter(carer=user, status=CarerLink.Status.ACTIVE, can_view=True).values("person_id")
    providers = provider_ids_for_member(user=user)
    return Q(person__user=user) | Q(person_id__in=people) | Q(provider_id__in=providers)


def message_list(*, thread: MessageThread) -> QuerySet[Message]:
    """A thread's messages with their authors, in the thread's order. The caller has already
    looked the thread up for the user (`thread_get_for_user`)."""
    return thread.messages.select_related("author")


def message_unread_count(*, user: User) -> int:
    """Messages by others in the user's threads since the user last read each thread: one query,
    however many threads (the navigation bar shows it on every page)."""
    if not user.is_authenticated:
        return 0
    last_read = ThreadReadState.objects.filter(thread=OuterRef("thread"), user=user).values("last_read_at")[:1]
    return (
        Message.objects.filter(thread__in=MessageThread.objects.filter(thread_visible_q(user)).values("pk"))
        .exclude(author=user)
        .annotate(last_read=Subquery(last_read))
        .filter(Q(last_read__isnull=True) | Q(created_at__gt=F("last_read")))
        .count()
    )
