"""``{% load money %}`` then ``{{ service.price_pence|pence }}`` → ``£24.50``."""

from __future__ import annotations

from django import template

from carehub.money import format_pence

register = template.Library()


@register.filter(name="pence")
def pence(value: int | None) -> str:
    return format_pence(value)
