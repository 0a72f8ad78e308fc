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
from django.views.decorators.http import require_POST

from accounts.permissions import Action, can
from accounts.services import provider_invitation_create
from carehub.errors import DomainError
from carehub.forms import add_domain_error, form_status, posted
from directory.claims import selectors as claim_selectors
from directory.models import Provider
from directory.portal import selectors, services
from directory.portal.forms import (
    AvailabilityExceptionForm,
    AvailabilityWindowForm,
    InviteForm,
    ProviderForm,
    ServiceForm,
)
from directory.registers.display import service_registration

# --- The provider portal ------------------------------------------------------------


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    providers = selectors.provider_list_for_member(user=request.user)
    context = {
        "providers": providers,
        "claims": claim_selectors.claim_list_for_claimant(user=request.user),
        "claims_waiting": claim_selectors.claim_list_for_officer(user=request.user).count()
        if can(request.user, Action.VETTING_REVIEW)
        else None,
    }
    return render(request, "directory/portal/home.html", context)


@login_required
def portal_provider_create(request: HttpRequest) -> HttpResponse:
    form = ProviderForm(posted(request), initial={"kind": Provider.Kind.INDIVIDUAL})
    if request.method == "POST" and form.is_valid():
        provider = services.provider_create(actor=request.user, **form.cleaned_data)
        messages.success(request, f"{provider.name} is on CareHub. Now add what you offer.")
        return redirect("directory:portal-provider", code=provider.code)
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
    if request.method == "POST" and form.is_valid():
        services.provider_update(actor=request.user, provider=provider, data=form.cleaned_data)
        messages.success(request, "The provider's details have been saved.")
        return redirect("directory:portal-provider", code=provider.code)
    context = {"form": form, "provider": provider, "registered_as": registered_as}
    return render(request, "directory/portal/provider_edit.html", context, status=form_status(form))


@login_required
def portal_provider_invite(request: HttpRequest, code: UUID) -> HttpResponse:
    """Owners invite colleagues (the invitation e-mail and its acceptance live in accounts)."""
    provider = selectors.provider_get_for_member(user=request.user, code=code)
    if not can(request.user, Action.PROVIDER_MANAGE_MEMBERS, provider):
        raise PermissionDenied("Only the provider's owners can invite people.")
    form = InviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            provider_invitation_create(actor=request.user, provider=provider, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error, default_field="email")
        else:
            messages.success(request, f"We have sent an invitation to {form.cleaned_data['email']}.")
            return redirect("directory:portal-provider", code=provider.code)
    context = {"form": form, "provider": provider}
    return render(request, "directory/portal/invite.html", context, status=form_status(form))


@login_required
def portal_service_create(request: HttpRequest, code: UUID) -> HttpResponse:
    provider = selectors.provider_get_for_member(user=request.user, code=code)
    form = ServiceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(actor=request.user, provider=provider, data=form.service_data())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{service.name} is saved as a draft. Publish it when it is ready.")
            return redirect("directory:portal-service", code=service.code)
    context = {"form": form, "provider": provider, "service": None}
    return render(request, "directory/portal/service_form.html", context, status=form_status(form))


@login_required
def portal_service(request: HttpRequest, code: UUID) -> HttpResponse:
    service = selectors.service_get_for_member(user=request.user, code=code)
    registration = service_registration(service)
    form = ServiceForm(posted(request), initial=ServiceForm.initial_for(service), registered=registration is not None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(actor=request.user, service=service, data=form.service_data())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your changes have been saved.")
            return redirect("directory:portal-service", code=service.code)
    context = {
        "form": form,
        "provider": service.provider,
        "service": service,
        "registration": registration,
        "last_confirmed": selectors.service_last_confirmed(service=service),
    }
    return render(request, "directory/portal/service_form.html", context, status=form_status(form))


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
def portal_service_history(request: HttpRequest, code: UUID) -> HttpResponse:
    service = selectors.service_get_for_member(user=request.user, code=code)
    history = selectors.service_edit_history(service=service)
    return render(request, "directory/portal/history.html", {"service": service, "history": history})


@login_required
def portal_service_availability(request: HttpRequest, code: UUID) -> HttpResponse:
    """Weekly availability and dated exceptions; one page, each form posts an `action`."""
    service = selectors.service_get_for_member(user=request.user, code=code)
    action = request.POST.get("action") if request.method == "POST" else None
    window_form = AvailabilityWindowForm(posted(request) if action == "add-window" else None, prefix="window")
    exception_form = AvailabilityExceptionForm(
        posted(request) if action == "add-exception" else None, prefix="exception"
    )
    form = window_form if action == "add-window" else exception_form
    try:
        if action == "add-window" and window_form.is_valid():
            services.availability_window_add(actor=request.user, service=service, **window_form.cleaned_data)
        elif action == "add-exception" and exception_form.is_valid():
            services.availability_exception_add(actor=request.user, service=service, **exception_form.cleaned_data)
        elif action == "remove-window":
            services.availability_window_remove(
                actor=request.user, service=service, window_id=_int(request.POST.get("id"))
            )
        elif action == "remove-exception":
            services.availability_exception_remove(
                actor=request.user, service=service, exception_id=_int(request.POST.get("id"))
            )
        elif action is not None and not form.errors:
            raise DomainError("Choose what to change.")
    except DomainError as error:
        if action in ("add-window", "add-exception"):
            add_domain_error(form, error)
        else:
            messages.error(request, error.message)
            return redirect("directory:portal-service-availability", code=service.code)
    else:
        if action is not None and not form.errors:
            messages.success(request, "The availability has been saved.")
            return redirect("directory:portal-service-availability", code=service.code)
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


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
