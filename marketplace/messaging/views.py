"""Message pages and the notifications inbox. Plain forms, no JavaScript."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import PersonProfile
from accounts.notifications import services as notifications
from accounts.selectors import people_user_may_act_for
from carehub.errors import NotFound
from carehub.forms import form_status, form_submit, posted
from directory.search.selectors import service_get_for_user
from marketplace.messaging import selectors as messaging_selectors
from marketplace.messaging import services as messaging
from marketplace.models import MessageThread
from marketplace.models.messaging import MAX_MESSAGE_LENGTH


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write a message"},
    )


class EnquiryForm(MessageForm):
    person = forms.ModelChoiceField(
        queryset=PersonProfile.objects.none(),
        label="Who is it about?",
        empty_label=None,
        error_messages={"invalid_choice": "Choose someone you may write for"},
    )

    def __init__(self, *args: object, people: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: p.display_name
        self.order_fields(["person", "body"])


@login_required
def thread_list(request: HttpRequest) -> HttpResponse:
    threads = messaging.thread_list_for_user(user=request.user)
    return render(request, "marketplace/thread_list.html", {"threads": threads})


@login_required
def thread_start(request: HttpRequest, service_code: uuid.UUID) -> HttpResponse:
    service = service_get_for_user(user=request.user, code=service_code)
    people = people_user_may_act_for(user=request.user, scope_field="can_book")
    form = EnquiryForm(posted(request), people=people)
    if response := form_submit(
        request,
        form,
        lambda data: messaging.thread_start_enquiry(
            actor=request.user, service=service, person=data["person"], body=data["body"]
        ),
        success_message="Your message has been sent.",
        redirect_to=_thread_url,
        default_field="body",
    ):
        return response
    context = {"service": service, "form": form, "has_people": people.exists()}
    return render(request, "marketplace/thread_start.html", context, status=form_status(form))


@login_required
def thread_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    try:
        thread = messaging.thread_get_for_user(user=request.user, code=code)
    except NotFound:
        return render(request, "404.html", status=404)
    form = MessageForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: messaging.message_send(actor=request.user, thread=thread, body=data["body"]),
        success_message="Your message has been sent.",
        redirect_to=_thread_url(thread),
        default_field="body",
    ):
        return response
    messaging.thread_mark_read(actor=request.user, thread=thread)
    context = {"thread": thread, "thread_messages": messaging_selectors.message_list(thread=thread), "form": form}
    return render(request, "marketplace/thread_detail.html", context, status=form_status(form))


def _thread_url(thread: MessageThread) -> str:
    return reverse("marketplace:thread-detail", kwargs={"code": thread.code})


class PreferencesForm(forms.Form):
    email_bookings = forms.BooleanField(label="E-mail me about bookings", required=False)
    email_messages = forms.BooleanField(label="E-mail me about new messages", required=False)
    email_reviews = forms.BooleanField(label="E-mail me about reviews and replies", required=False)
    email_budget_alerts = forms.BooleanField(label="E-mail me budget alerts", required=False)
    email_listings = forms.BooleanField(label="E-mail me about my provider's listings and vetting", required=False)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The in-app inbox, and which notifications also come by e-mail."""
    pref = notifications.notification_preferences(request.user)
    form = PreferencesForm(initial={name: getattr(pref, name) for name in PreferencesForm.base_fields})
    if request.method == "POST" and "save_preferences" in request.POST:
        form = PreferencesForm(request.POST)
        if form.is_valid():
            notifications.notification_preferences_set(actor=request.user, **form.cleaned_data)
            messages.success(request, "Your e-mail choices have been saved.")
            return redirect("marketplace:notification-list")
    elif request.method == "POST":
        notifications.notification_mark_all_read(actor=request.user)
        messages.success(request, "All notifications are marked as read.")
        return redirect("marketplace:notification-list")
    items = notifications.notification_list_for_user(user=request.user)[:100]
    return render(request, "marketplace/notification_list.html", {"items": items, "form": form})


@login_required
def booking_thread(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The booking's conversation, started on first use."""
    from marketplace.bookings.selectors import booking_get_for_user

    try:
        booking = booking_get_for_user(user=request.user, code=code)
    except NotFound:
        return render(request, "404.html", status=404)
    thread = messaging.thread_for_booking(booking=booking)
    return redirect("marketplace:thread-detail", code=thread.code)
