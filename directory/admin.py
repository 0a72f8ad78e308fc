"""Directory admin. The registers' admin lives in admin_regulator (issue 4)."""

from directory import admin_regulator  # noqa: F401
