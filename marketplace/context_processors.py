"""Unread counts for the navigation bar (issue 15): two COUNT queries, made only when the
navigation asks for them, and at most once a request."""

from __future__ import annotations

from functools import cached_property

from django.http import HttpRequest

from accounts.notifications.services import notification_unread_count
from marketplace.messaging.selectors import message_unread_count


class UnreadCounts:
    def __init__(self, request: HttpRequest) -> None:
        self.user = request.user

    @cached_property
    def messages(self) -> int:
        return message_unread_count(user=self.user) if self.user.is_authenticated else 0

    @cached_property
    def notifications(self) -> int:
        return notification_unread_count(user=self.user) if self.user.is_authenticated else 0


def unread(request: HttpRequest) -> dict[str, UnreadCounts]:
    return {"unread": UnreadCounts(request)}
