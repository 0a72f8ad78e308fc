"""Directory admin. The registers' admin lives in admin_regulator (issue 4), vetting's in vetting_admin (issue 8)."""

from directory import admin_regulator, vetting_admin  # noqa: F401
