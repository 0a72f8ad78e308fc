"""Directory admin: Django imports this module, which brings in each room's admin."""

from directory.advice import admin as advice_admin  # noqa: F401
from directory.events import admin as events_admin  # noqa: F401
from directory.registers import admin as registers_admin  # noqa: F401
from directory.vetting import admin as vetting_admin  # noqa: F401
