"""Form helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from carehub.errors import DomainError
from carehub.postcodes import InvalidPostcode, normalise_optional_postcode

T = TypeVar("T")


def add_domain_error(form: forms.Form, error: DomainError, *, default_field: str | None = None) -> None:
    """Show a service's DomainError on the form, against its field when it names one."""
    field = error.field if error.field in form.fields else default_field
    form.add_error(field, error.message)


def posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to, or None on GET. An empty POST still binds, so it
    gets the error summary rather than a blank form."""
    return request.POST if request.method == "POST" else None


def form_status(form: object) -> int:
    """400 for a page showing a form with errors (so tests and tools see a refusal), else 200."""
    return 400 if getattr(form, "errors", None) else 200


def form_submit(
    request: HttpRequest,
    form: forms.Form,
    run: Callable[[dict[str, Any]], T],
    *,
    success_message: str | Callable[[T], str] | None,
    redirect_to: str | Callable[[T], str],
    default_field: str | None = None,
) -> HttpResponse | None:
    """The POST half of a form page: when the form is posted and valid, call the service
    (`run(form.cleaned_data)`), show the success message and redirect (302, so a reload
    does not post again).

    Returns None when the page should be shown instead: a GET, an invalid form, or a
    DomainError from the service, which goes on the form against its field (or
    `default_field`). The view then renders with `status=form_status(form)`.

    `success_message` and `redirect_to` are either fixed, or functions of what the service
    returned (`lambda thread: reverse(..., kwargs={"code": thread.code})`). `redirect_to`
    is a URL or a URL name without arguments, as for django.shortcuts.redirect.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = run(form.cleaned_data)
    except DomainError as error:
        add_domain_error(form, error, default_field=default_field)
        return None
    message = success_message(result) if callable(success_message) else success_message
    if message:
        messages.success(request, message)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def clean_postcode_value(value: str) -> str:
    """A postcode field's value in the normal form (G12 8QQ), "" when left blank, or the form
    error that says what is wrong with it: every form's clean_postcode calls this."""
    try:
        return normalise_optional_postcode(value)
    except InvalidPostcode as exc:
        raise forms.ValidationError(exc.message) from exc
