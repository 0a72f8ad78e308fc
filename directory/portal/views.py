"""Pages for claiming a listing, the vetting officers' claims queue and the provider portal.

Thin: parse the form, call one selector or service, render. Objects are looked
up through the `*_for_member` / `*_for_officer` selectors, which 404 for anything
that is not the user's.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import Action, can
from accounts.services import provider_invitation_create
from carehub.errors import DomainError
from carehub.forms import form_status, form_submit, posted
from directory.models import Provider, Service
from directory.portal import selectors, services
from directory.portal.forms import (
    AvailabilityExceptionForm,
    AvailabilityWindowForm,
    CancellationRuleForm,
    InviteForm,
    ProviderForm,
    ServiceForm,
)
from directory.registers.display import service_registration

# --- The provider portal ------------------------------------------------------------


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/portal/home.html", selectors.portal_home_for_user(user=request.user))


@login_required
def portal_provider_create(request: HttpRequest) -> HttpResponse:
    form = ProviderForm(posted(request), initial={"kind": Provider.Kind.INDIVIDUAL})
    if response := form_submit(
        request,
        form,
        lambda data: services.provider_create(actor=request.user, **data),
        success_message=lambda provider: f"{provider.name} is on CareHub. Now add what you offer.",
        redirect_to=_provider_url,
    ):
        return response
    return render(request, "directory/portal/provider_form.html", {"form": form}, status=form_status(form))


@login_required
def portal_provider(request: HttpRequest, code: UUID) -> HttpResponse:
    provider = selectors.provider_get_for_member(user=request.user, code=code)
    listings = list(selectors.service_list_for_member(user=request.user, provider=provider))
    for service in listings:
        service.needs_confirming = selectors.service_needs_confirming(service.last_confirmed_at, service.created_at)
    context = {
        "provider": provider,
        "services": listings,
        "registered_as": getattr(provider, "registered_as", None),
        "can_manage_members": can(request.user, Action.PROVIDER_MANAGE_MEMBERS, provider),
        "history": selectors.provider_edit_history(provider=provider)[:20],
    }
    return render(request, "directory/portal/provider.html", context)


@login_required
def portal_provider_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    provider = selectors.provider_get_for_member(user=request.user, code=code)
    registered_as = getattr(provider, "registered_as", None)
    initial = {name: getattr(provider, name) for name in services.PROVIDER_FIELDS}
    form = ProviderForm(posted(request), initial=initial, registered=registered_as is not None)
    if response := form_submit(
        request,
        form,
        lambda data: services.provider_update(actor=request.user, provider=provider, data=data),
        success_message="The provider's details have been saved.",
        redirect_to=_provider_url(provider),
    ):
        return response
    context = {"form": form, "provider": provider, "registered_as": registered_as}
    return render(request, "directory/portal/provider_edit.html", context, status=form_status(form))


@login_required
def portal_provider_invite(request: HttpRequest, code: UUID) -> HttpResponse:
    """Owners invite colleagues (the invitation e-mail and its acceptance live in accounts)."""
    provider = selectors.provider_get_for_member(user=request.user, code=code)
    if not can(request.user, Action.PROVIDER_MANAGE_MEMBERS, provider):
        raise PermissionDenied("Only the provider's owners can invite people.")
    form = InviteForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: provider_invitation_create(actor=request.user, provider=provider, **data),
        success_message=lambda _: f"We have sent an invitation to {form.cleaned_data['email']}.",
        redirect_to=_provider_url(provider),
        default_field="email",
    ):
        return response
    context = {"form": form, "provider": provider}
    return render(request, "directory/portal/invite.html", context, status=form_status(form))


@login_required
def portal_service_create(request: HttpRequest, code: UUID) -> HttpResponse:
    provider = selectors.provider_get_for_member(user=request.user, code=code)
    form = ServiceForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda _: services.service_create(actor=request.user, provider=provider, data=form.service_data()),
        success_message=lambda service: f"{service.name} is saved as a draft. Publish it when it is ready.",
        redirect_to=_service_url,
    ):
        return response
    context = {"form": form, "provider": provider, "service": None}
    return render(request, "directory/portal/service_form.html", context, status=form_status(form))


@login_required
def portal_service(request: HttpRequest, code: UUID) -> HttpResponse:
    service = selectors.service_get_for_member(user=request.user, code=code)
    registration = service_registration(service)
    form = ServiceForm(posted(request), initial=ServiceForm.initial_for(service), registered=registration is not None)
    if response := form_submit(
        request,
        form,
        lambda _: services.service_update(actor=request.user, service=service, data=form.service_data()),
        success_message="Your changes have been saved.",
        redirect_to=_service_url(service),
    ):
        return response
    context = {
        "form": form,
        "provider": service.provider,
        "service": service,
        "registration": registration,
        "last_confirmed": selectors.service_last_confirmed(service=service),
    }
    return render(request, "directory/portal/service_form.html", context, status=form_status(form))


def _provider_url(provider: Provider) -> str:
    return reverse("directory:portal-provider", kwargs={"code": provider.code})


def _service_url(service: Service) -> str:
    return reverse("directory:portal-service", kwargs={"code": service.code})


def _status_change(request: HttpRequest, code: UUID, change: str) -> HttpResponse:
    service = selectors.service_get_for_member(user=request.user, code=code)
    try:
        if change == "publish":
            services.service_publish(actor=request.user, service=service)
            messages.success(request, f"{service.name} is published: people can find it.")
        elif change == "unpublish":
            services.service_unpublish(actor=request.user, service=service)
            messages.success(request, f"{service.name} is unpublished: only your team can see it.")
        else:
            services.service_confirm(actor=request.user, service=service)
            messages.success(request, "Thank you for confirming the details are up to date.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("directory:portal-service", code=service.code)


@login_required
@require_POST
def portal_service_publish(request: HttpRequest, code: UUID) -> HttpResponse:
    return _status_change(request, code, "publish")


@login_required
@require_POST
def portal_service_unpublish(request: HttpRequest, code: UUID) -> HttpResponse:
    return _status_change(request, code, "unpublish")


@login_required
@require_POST
def portal_service_confirm(request: HttpRequest, code: UUID) -> HttpResponse:
    return _status_change(request, code, "confirm")


@login_required
def portal_service_cancellation(request: HttpRequest, code: UUID) -> HttpResponse:
    """The listing's cancellation rule: notice for free cancellation, and the late charge."""
    service = selectors.service_get_for_member(user=request.user, code=code)
    initial = {
        "free_cancellation_hours": service.free_cancellation_hours,
        "late_cancellation_percent": service.late_cancellation_percent,
    }
    form = CancellationRuleForm(posted(request), initial=initial)
    if response := form_submit(
        request,
        form,
        lambda data: services.service_cancellation_rule_set(actor=request.user, service=service, **data),
        success_message="The cancellation rule is saved. It applies to bookings made from now on.",
        redirect_to=_service_url(service),
        default_field="free_cancellation_hours",
    ):
        return response
    context = {"form": form, "service": service, "provider": service.provider}
    return render(request, "directory/portal/cancellation.html", context, status=form_status(form))


@login_required
def portal_service_history(request: HttpRequest, code: UUID) -> HttpResponse:
    service = selectors.service_get_for_member(user=request.user, code=code)
    history = selectors.service_edit_history(service=service)
    return render(request, "directory/portal/history.html", {"service": service, "history": history})


@login_required
def portal_service_availability(request: HttpRequest, code: UUID) -> HttpResponse:
    """Weekly availability and dated exceptions; one page, each form posts an `action`."""
    service = selectors.service_get_for_member(user=request.user, code=code)
    here = reverse("directory:portal-service-availability", kwargs={"code": service.code})
    saved = "The availability has been saved."
    action = request.POST.get("action") if request.method == "POST" else None
    window_form = AvailabilityWindowForm(posted(request) if action == "add-window" else None, prefix="window")
    exception_form = AvailabilityExceptionForm(
        posted(request) if action == "add-exception" else None, prefix="exception"
    )
    form = window_form if action == "add-window" else exception_form
    if action == "add-window":
        response = form_submit(
            request,
            window_form,
            lambda data: services.availability_window_add(actor=request.user, service=service, **data),
            success_message=saved,
            redirect_to=here,
        )
    elif action == "add-exception":
        response = form_submit(
            request,
            exception_form,
            lambda data: services.availability_exception_add(actor=request.user, service=service, **data),
            success_message=saved,
            redirect_to=here,
        )
    elif action is not None:
        # Removing has no form to show an error on: it says so above the page instead.
        try:
            _availability_remove(request, service, action)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, saved)
        response = redirect(here)
    else:
        response = None
    if response:
        return response
    context = {
        "service": service,
        "provider": service.provider,
        "windows": selectors.availability_windows(service=service),
        "exceptions": selectors.availability_exceptions(service=service),
        "window_form": window_form,
        "exception_form": exception_form,
        "form": form if form.errors else None,
    }
    status = 400 if window_form.errors or exception_form.errors else 200
    return render(request, "directory/portal/availability.html", context, status=status)


def _availability_remove(request: HttpRequest, service: Service, action: str) -> None:
    item_id = _int(request.POST.get("id"))
    if action == "remove-window":
        services.availability_window_remove(actor=request.user, service=service, window_id=item_id)
    elif action == "remove-exception":
        services.availability_exception_remove(actor=request.user, service=service, exception_id=item_id)
    else:
        raise DomainError("Choose what to change.")


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
