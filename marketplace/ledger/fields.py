from __future__ import annotations

from typing import Any

from rest_framework import serializers

from marketplace.ledger.posting import MAX_AMOUNT_PENCE

PENCE_HELP = "Amount in whole pence (integer): 1250 means £12.50. Decimals and pounds are refused."


class PenceField(serializers.IntegerField):
    """Whole pence only: refuses 12.5, "12.50", 12.0 and true, which plain IntegerField would coerce."""

    default_error_messages = {
        **serializers.IntegerField.default_error_messages,
        "pence": "Enter the amount in whole pence, for example 1250 for £12.50.",
        "min_value": "The amount must be more than 0 pence.",
        "max_value": "That amount is too large. Amounts are in pence: £12.50 is 1250.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_AMOUNT_PENCE)
        kwargs.setdefault("help_text", PENCE_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("pence")
        if isinstance(data, str) and not data.strip().lstrip("-").isdigit():
            self.fail("pence")
        return super().to_internal_value(data)
