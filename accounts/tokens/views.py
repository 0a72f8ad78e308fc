"""The account's API tokens page: make a token (shown once), revoke one after confirming."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.tokens import selectors, services
from accounts.tokens.forms import ApiTokenForm
from carehub.forms import form_status, posted


@never_cache
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        token, raw = services.api_token_create(actor=request.user, **form.cleaned_data)
        # Rendered, not redirected: the secret is never stored, so this answer is the only place it appears.
        context = {
            "token": token,
            "raw": raw,
            "api_url": request.build_absolute_uri(reverse("marketplace-api:booking-list")),
        }
        return render(request, "accounts/api_token_created.html", context)
    tokens = selectors.api_token_list_for_user(user=request.user)
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens}, status=form_status(form))


@login_required
def api_token_revoke(request: HttpRequest, code: str) -> HttpResponse:
    token = selectors.api_token_get_for_user(user=request.user, code=code)
    if request.method == "POST" and token.is_active:
        services.api_token_revoke(actor=request.user, code=code)
        messages.success(
            request, f"The token “{token.name}” has been revoked. Programs using it can no longer sign in."
        )
        return redirect("accounts:api-tokens")
    if not token.is_active:
        return redirect("accounts:api-tokens")
    return render(request, "accounts/api_token_revoke.html", {"token": token})
