"""Money at the edge: amounts are integer pence everywhere else."""

from __future__ import annotations


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
