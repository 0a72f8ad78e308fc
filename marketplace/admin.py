"""Marketplace admin: Django imports this module, which brings in each room's admin."""

from marketplace.bookings import admin as bookings_admin  # noqa: F401
from marketplace.budgets import admin as budgets_admin  # noqa: F401
