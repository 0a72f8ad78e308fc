"""The commissioner's whole page: spend (commissioning.spend) and unmet demand and gaps
(commissioning.gaps) in one read transaction and a fixed number of queries.

Apart from spend.py because it needs both, and gaps.py already reads spend.py (the
spend next to unmet demand); two shared scans are made once and handed to the parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from commissioning.filters import Filters
from commissioning.gaps import holders_without_service, unmet_demand
from commissioning.spend import (
    TOP_PROVIDERS,
    Utilisation,
    budget_utilisation,
    roomy_sorts,
    spend_by_category,
    spend_by_district_category,
    spend_by_kind,
    spend_by_month,
    spend_by_provider,
    spend_overview,
    spend_quality,
)

PARTS = ("utilisation", "by_month", "by_category", "by_kind", "top_providers", "quality", "unmet", "gaps")


@dataclass
class Dashboard:
    filters: Filters
    utilisation: Utilisation | None = None
    by_month: list[dict[str, Any]] = field(default_factory=list)
    by_category: list[dict[str, Any]] = field(default_factory=list)
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    top_providers: list[dict[str, Any]] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)
    unmet: list[dict[str, Any]] = field(default_factory=list)
    gaps: dict[str, Any] = field(default_factory=dict)

    @property
    def spent_pence(self) -> int:
        return sum(row["spent_pence"] for row in self.by_kind)

    @property
    def committed_pence(self) -> int:
        return sum(row["committed_pence"] for row in self.by_kind)


def dashboard(
    f: Filters, *, today: date | None = None, miles: float | None = None, parts: tuple[str, ...] = PARTS
) -> Dashboard:
    """Everything the commissioner's page shows (or only `parts` of it), in a fixed number of queries."""
    with transaction.atomic():
        roomy_sorts()
        overview = spend_overview(f) if {"utilisation", "by_month", "by_kind", "quality"} & set(parts) else None
        grouped = spend_by_district_category(f) if {"by_category", "unmet"} & set(parts) else None
        build = {
            "utilisation": lambda: budget_utilisation(f, today=today, overview=overview),
            "by_month": lambda: spend_by_month(f, overview=overview),
            "by_category": lambda: spend_by_category(f, grouped=grouped),
            "by_kind": lambda: spend_by_kind(f, overview=overview),
            "top_providers": lambda: spend_by_provider(f, limit=TOP_PROVIDERS),
            "quality": lambda: spend_quality(f, overview=overview),
            "unmet": lambda: unmet_demand(f, grouped=grouped),
            "gaps": lambda: holders_without_service(f, miles=miles),
        }
        return Dashboard(filters=f, **{part: build[part]() for part in parts})
