"""Money at the edge: every conversion between pounds (what people read and type)
and integer pence (what everything else holds) is here."""

from __future__ import annotations

from decimal import Decimal


def format_pence(pence: int | None) -> str:
    """``123450`` → ``£1,234.50``; negative amounts get a leading minus (``-£5.00``).
    None (no price) → an empty string."""
    if pence is None:
        return ""
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise TypeError(f"format_pence expects integer pence, not {type(pence).__name__}")
    sign = "-" if pence < 0 else ""
    pounds, rem = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rem:02d}"


def pounds(pence: int) -> str:
    """``123450`` → ``1234.50`` (no £ sign, no thousands separator: for CSV files)."""
    sign = "-" if pence < 0 else ""
    whole, rem = divmod(abs(pence), 100)
    return f"{sign}{whole}.{rem:02d}"


def pounds_to_pence(amount: Decimal) -> int:
    """``Decimal("12.50")`` → ``1250``. The form field has already limited it to 2 decimal places."""
    return int(amount * 100)
