from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import CarerConsentForm, CarerLinkRequestForm, ProfileForm, SignInForm, SignUpForm
from accounts.models import CarerLink, User
from carehub.errors import DomainError
from carehub.forms import form_status, form_submit, posted


def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(posted(request))

    def sign_up_and_in(data: dict[str, Any]) -> User:
        user = services.user_sign_up(
            email=data["email"],
            full_name=data["full_name"],
            password=data["password1"],
            uses_care=data["uses_care"],
            postcode=data["postcode"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return user

    if response := form_submit(
        request,
        form,
        sign_up_and_in,
        success_message="Your account has been created.",
        redirect_to="accounts:profile",
    ):
        return response
    return render(request, "accounts/sign_up.html", {"form": form}, status=form_status(form))


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # A safe ?next= wins (LoginView checks it); otherwise each role lands on its own work.
        return resolve_url(selectors.landing_url_name(user=self.request.user))


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    person = selectors.person_for_user(user=request.user)
    initial = {
        "full_name": request.user.full_name,
        "uses_care": person is not None,
        "preferred_name": person.preferred_name if person else "",
        "postcode": person.postcode if person else "",
        "communication_needs": person.communication_needs if person else "",
    }
    form = ProfileForm(posted(request), initial=initial)
    if response := form_submit(
        request,
        form,
        lambda data: services.person_profile_update(actor=request.user, **data),
        success_message="Your details have been saved.",
        redirect_to="accounts:profile",
    ):
        return response
    # Unlike the other form pages this one answers 200 when the form has errors (kept as it was).
    return render(request, "accounts/profile.html", {"form": form, "person": person})


@login_required
def carers(request: HttpRequest) -> HttpResponse:
    """The person's page: who may act for them, and requests waiting for consent."""
    person = selectors.person_for_user(user=request.user)
    links = selectors.carer_links_for_person(user=request.user) if person else []
    return render(
        request, "accounts/carers.html", {"person": person, "links": links, "consent_form": CarerConsentForm()}
    )


@login_required
def carer_consent(request: HttpRequest, code: str) -> HttpResponse:
    link = selectors.carer_link_get_for_person(user=request.user, code=code)
    initial = {"scopes": [field for field, _ in CarerConsentForm.SCOPES if getattr(link, field)]}
    form = CarerConsentForm(posted(request), initial=initial)

    def consent(data: dict[str, Any]) -> CarerLink:
        scopes = set(data["scopes"])
        return services.carer_link_consent(
            actor=request.user,
            link_code=code,
            can_view="can_view" in scopes,
            can_book="can_book" in scopes,
            can_manage_budget="can_manage_budget" in scopes,
        )

    if response := form_submit(
        request,
        form,
        consent,
        success_message=f"{link.carer.full_name} can now act for you as you chose.",
        redirect_to="accounts:carers",
        default_field="scopes",
    ):
        return response
    return render(request, "accounts/carer_consent.html", {"form": form, "link": link}, status=form_status(form))


@login_required
@require_POST
def carer_end(request: HttpRequest, code: str) -> HttpResponse:
    link = selectors.carer_link_get_for_person(user=request.user, code=code)
    try:
        services.carer_link_end(actor=request.user, link_code=code)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{link.carer.full_name} can no longer act for you.")
    return redirect("accounts:carers")


@login_required
def supporting(request: HttpRequest) -> HttpResponse:
    """The carer's page: people they support and requests they have sent."""
    form = CarerLinkRequestForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: services.carer_link_request(carer=request.user, **data),
        success_message="Your request has been sent. You can act for them once they agree.",
        redirect_to="accounts:supporting",
        default_field="person_email",
    ):
        return response
    links = selectors.carer_links_for_carer(user=request.user)
    return render(request, "accounts/supporting.html", {"form": form, "links": links}, status=form_status(form))


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.provider_invitation_get(token=token)
    except DomainError as error:
        return render(request, "accounts/invitation_invalid.html", {"message": error.message}, status=error.status_code)
    if not request.user.is_authenticated:
        return render(request, "accounts/invitation_sign_in.html", {"invitation": invitation})
    error_message = None
    if request.method == "POST":
        try:
            membership = services.provider_invitation_accept(actor=request.user, token=token)
        except DomainError as error:
            error_message = error.message
        else:
            messages.success(request, f"You are now a member of {membership.provider.name}.")
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "error_message": error_message},
        status=400 if error_message else 200,
    )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        # Links in e-mails point at SITE_URL, not at whatever Host header the request carried.
        return {"site_url": settings.SITE_URL.rstrip("/")}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)
