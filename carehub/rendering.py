"""Rendering a page so that what it showed is freed as soon as the page is written."""

from __future__ import annotations

from typing import Any

from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.template.backends.django import Template as DjangoTemplate
from django.template.context import make_context


def render_and_release(
    request: HttpRequest, template_name: str, context: dict[str, Any], *, status: int | None = None
) -> HttpResponse:
    """django.shortcuts.render, with the reference cycles the render leaves behind broken afterwards.

    Django's template context ties itself into a cycle: each dict pushed onto it holds the context.
    A form's cache of bound fields does the same, because each bound field holds the form. So
    everything the page was given (a page of results, the form, the paginator) waited for the
    cyclic garbage collector. On the results page that was about 270 objects a page, and about
    110 µs of collection (issue 13). Once the page is written, this empties the context's stack and
    the forms' caches, and reference counting frees the rest."""
    template = loader.get_template(template_name)
    if not isinstance(template, DjangoTemplate):  # another engine's: no such context to empty
        return HttpResponse(template.render(context, request), status=status)
    rendered = make_context(context, request, autoescape=template.backend.engine.autoescape)
    try:
        content = template.template.render(rendered)
    finally:
        rendered.dicts.clear()
        for value in context.values():
            if isinstance(value, BaseForm):
                value._bound_fields_cache.clear()
    return HttpResponse(content, status=status)
