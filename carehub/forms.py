"""Form helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from carehub.errors import DomainError


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
