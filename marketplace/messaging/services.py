"""Message threads between a person's side and a provider's members.

Who may read and write a thread: the person, carers linked with consent and
the 'view' scope, and the provider's members. Everyone else gets a 404 (the
selectors scope in SQL). Bodies are stored as typed and escaped when shown.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from accounts.models import PersonProfile, User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, can
from accounts.selectors import person_side_users, provider_member_users
from carehub import clock
from carehub.errors import DomainError, NotFound, NotPermitted
from directory.models import Service
from marketplace.messaging.selectors import thread_visible_q as _visible_q
from marketplace.models import Booking, Message, MessageThread, ThreadReadState
from marketplace.models.messaging import MAX_MESSAGE_LENGTH


def thread_may_use(user: User, thread: MessageThread) -> bool:
    return can(user, Action.PERSON_VIEW, thread) or can(user, Action.PROVIDER_MANAGE, thread)


def thread_list_for_user(*, user: User) -> QuerySet[MessageThread]:
    """The user's threads with `unread` = messages by others since they last read it."""
    if not user.is_authenticated:
        return MessageThread.objects.none()
    last_read = ThreadReadState.objects.filter(thread=OuterRef("thread"), user=user).values("last_read_at")[:1]
    unread = (
        Message.objects.filter(thread=OuterRef("pk"))
        .exclude(author=user)
        .filter(
            Q(~Exists(ThreadReadState.objects.filter(thread=OuterRef("thread"), user=user)))
            | Q(created_at__gt=Subquery(last_read))
        )
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        MessageThread.objects.filter(_visible_q(user))
        .select_related("person__user", "provider", "service", "booking")
        .annotate(unread=Subquery(unread))
        .distinct()
    )


def thread_unread_total(*, user: User) -> int:
    return sum(t.unread or 0 for t in thread_list_for_user(user=user))


def thread_get_for_user(*, user: User, code: object) -> MessageThread:
    thread = thread_list_for_user(user=user).filter(code=code).first()
    if thread is None:
        raise NotFound("Conversation not found.")
    return thread


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError("Write a message.", field="body")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise DomainError(f"Keep the message to {MAX_MESSAGE_LENGTH} characters or fewer.", field="body")
    return body


@transaction.atomic
def thread_start_enquiry(*, actor: User, service: Service, person: PersonProfile, body: str) -> MessageThread:
    """A person (or a carer allowed to book) writes to a provider about a service, before any booking.
    One enquiry thread per person and service: writing again continues it."""
    if not can(actor, Action.PERSON_BOOK, person):
        raise NotPermitted("You do not have permission to write on this person's behalf.")
    if service.status != Service.Status.PUBLISHED:
        raise DomainError("This service is not taking messages.")
    body = _check_body(body)
    thread, _ = MessageThread.objects.get_or_create(
        person=person,
        service=service,
        booking=None,
        defaults={"provider_id": service.provider_id, "subject": f"Enquiry about {service.name}"[:200]},
    )
    message_send(actor=actor, thread=thread, body=body)
    return thread


def thread_for_booking(*, booking: Booking) -> MessageThread:
    thread, _ = MessageThread.objects.get_or_create(
        booking=booking,
        defaults={
            "person_id": booking.person_id,
            "provider_id": booking.provider_id,
            "service_id": booking.service_id,
            "subject": f"Booking: {booking.service.name}"[:200],
        },
    )
    return thread


@transaction.atomic
def message_send(*, actor: User, thread: MessageThread, body: str) -> Message:
    if not thread_may_use(actor, thread):
        raise NotPermitted("You cannot write in this conversation.")
    body = _check_body(body)
    now = clock.now()
    message = Message.objects.create(thread=thread, author=actor, body=body, created_at=now)
    MessageThread.objects.filter(pk=thread.pk).update(last_message_at=now)
    ThreadReadState.objects.update_or_create(thread=thread, user=actor, defaults={"last_read_at": now})
    sides = [*person_side_users(person=thread.person), *provider_member_users(provider_id=thread.provider_id)]
    others = [u for u in sides if u != actor]
    notify(
        users=others,
        kind=Notification.Kind.MESSAGE,
        subject=f"New message: {thread.subject}",
        body=f"{actor.full_name} wrote:\n\n{body[:500]}",
        url=reverse("marketplace:thread-detail", args=[thread.code]),
        key=f"message:{message.pk}",
    )
    return message


def thread_mark_read(*, actor: User, thread: MessageThread) -> None:
    if not thread_may_use(actor, thread):
        raise NotPermitted("You cannot read this conversation.")
    ThreadReadState.objects.update_or_create(thread=thread, user=actor, defaults={"last_read_at": clock.now()})
