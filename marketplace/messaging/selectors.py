"""Reads for message threads that the pages and the API show."""

from __future__ import annotations

from django.db.models import QuerySet

from marketplace.models import Message, MessageThread


def message_list(*, thread: MessageThread) -> QuerySet[Message]:
    """A thread's messages with their authors, in the thread's order. The caller has already
    looked the thread up for the user (`thread_get_for_user`)."""
    return thread.messages.select_related("author")
