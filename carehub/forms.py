from __future__ import annotations

from django import forms

from carehub.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError, *, default_field: str | None = None) -> None:
    """Show a service's DomainError on the form, against its field when it names one."""
    field = error.field if error.field in form.fields else default_field
    form.add_error(field, error.message)
