"""Commissioner dashboard pages (one council, its commissioners only), their CSV
downloads and print view, and the public transparency page per council."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carehub.errors import DomainError, NotFound
from carehub.money import format_pence
from commissioning.dashboard import Dashboard, dashboard
from commissioning.filters import (
    Filters,
    council_for_commissioner,
    council_public,
    councils_for_commissioner,
    councils_public,
    filters_parse,
    period_choices,
    period_parse,
)
from commissioning.gaps import FEW_RESULTS
from commissioning.spend import TOP_PROVIDERS, spend_by_provider
from commissioning.transparency import SUPPRESS_BELOW, transparency
from directory.models import Category

VIEWS = ("summary", "by-month", "by-category", "by-provider", "by-kind", "unmet-demand", "gaps")


@dataclass
class Table:
    """One chart and the table beside it (and its CSV): columns are (key, heading, kind)."""

    slug: str
    title: str
    columns: list[tuple[str, str, str]]  # kind: "text", "money", "count", "share"
    rows: list[dict[str, Any]]
    bars: list[str] = field(default_factory=list)  # keys drawn as bars
    note: str = ""

    @staticmethod
    def cell(value: Any, kind: str) -> str:
        if value is None:
            return "Not shown" if kind != "share" else "Not available"
        if kind == "money":
            return format_pence(value)
        if kind == "share":
            return f"{value * 100:.1f}%"
        if kind == "count":
            return f"{value:,}"
        return str(value)

    @property
    def display_rows(self) -> list[dict[str, Any]]:
        """Rows with formatted cells and bar widths (% of the largest value in the chart)."""
        peak = max([row[key] or 0 for row in self.rows for key in self.bars] or [0])
        names = {key: heading for key, heading, _ in self.columns}
        kinds = {key: kind for key, _, kind in self.columns}
        out = []
        for row in self.rows:
            bars = [
                {
                    "name": names[key],
                    "key": key,
                    "width": round(100 * (row[key] or 0) / peak, 1) if peak else 0,
                    "text": self.cell(row[key], kinds[key]),
                }
                for key in self.bars
            ]
            cells = [self.cell(row[key], kind) for key, _, kind in self.columns]
            out.append({"label": cells[0], "cells": cells, "bars": bars})
        return out

    @property
    def wide(self) -> bool:
        """More columns than fit beside a chart: the table goes below it, full width."""
        return len(self.columns) > 3

    @property
    def headings(self) -> list[dict[str, Any]]:
        return [{"text": heading, "numeric": kind != "text"} for _, heading, kind in self.columns]

    def csv_values(self, row: dict[str, Any]) -> list[Any]:
        # Money in CSV as pounds with two decimals: a spreadsheet reads it as a number.
        values = []
        for key, _, kind in self.columns:
            value = row[key]
            if kind == "money" and value is not None:
                value = f"{value / 100:.2f}"
            values.append("" if value is None else value)
        return values


MONEY = [("spent_pence", "Spent", "money"), ("committed_pence", "Committed", "money")]
NO_GOOD_GRADES = "no provider paid in this period has a grade of Good or better"


# Which parts of the dashboard each view (and its CSV) needs.
VIEW_PARTS = {
    "summary": ("utilisation", "quality"),
    "by-month": ("by_month",),
    "by-category": ("by_category",),
    "by-provider": ("top_providers",),
    "by-kind": ("by_kind",),
    "unmet-demand": ("unmet",),
    "gaps": ("gaps",),
}


def _summary_table(board: Dashboard) -> Table:
    u, q = board.utilisation, board.quality
    assert u is not None
    summary_rows = [
        ("Budget holders", u.holders, "count"),
        ("Budgets", u.budgets, "count"),
        ("Allocated", u.allocated_pence, "money"),
        ("Spent (all time, these budgets)", u.spent_pence, "money"),
        ("Spent in the period", u.spent_in_period_pence, "money"),
        ("Committed (planned, not yet delivered)", u.committed_pence, "money"),
        ("Available", u.available_pence, "money"),
        ("Utilisation (spent and committed, of allocated)", u.utilisation, "share"),
        ("Forecast spend to the end of the period", u.forecast_spend_pence, "money"),
        ("Forecast underspend (negative: overspend)", u.forecast_variance_pence, "money"),
        ("Share of the period's spend with providers graded Good or better", q["good_share"], "share"),
        ("Share of the period's spend with vetted providers", q["vetted_share"], "share"),
        ("Share with providers both vetted and graded Good or better", q["good_and_vetted_share"], "share"),
    ]
    rows = [{"name": name, "value": Table.cell(value, kind)} for name, value, kind in summary_rows]
    if q["spent_pence"] and not q["good_pence"]:
        # "0.0%" alone reads as a verdict on the providers; say why it is nought (issue 18).
        for row in rows:
            if "Good or better" in row["name"] and row["value"] == Table.cell(0, "share"):
                row["value"] += f" ({NO_GOOD_GRADES})"
    return Table(
        "summary",
        "Budgets and forecast",
        [("name", "Figure", "text"), ("value", "Value", "text")],
        rows,
        note=(
            "Good or better: every active regulator grade at least 4 (Good). Only services registered "
            "with the Care Inspectorate or CQC have grades, so personal assistants, community groups "
            "and services not yet inspected never count as Good or better. "
            "Vetted: every vetting check that applies passed and in date."
        ),
    )


def _gaps_table(board: Dashboard) -> Table:
    gaps = board.gaps
    return Table(
        "gaps",
        f"Budget holders with no service within {gaps['miles']:g} miles",
        [("name", "Type of care", "text"), ("holders", "Budget holders", "count")],
        [{"name": row["name"], "holders": row["holders"]} for row in gaps["rows"]],
        bars=["holders"],
        note=(
            f"Counted from each holder's postcode district; {gaps['located']:,} holders placed, "
            f"{gaps['unlocated']:,} with no known postcode district. People are counted, never listed."
        ),
    )


def _tables(board: Dashboard, only: str | None = None) -> dict[str, Table]:
    """The tables of the views in `only` (one slug) or all of them."""
    builders: dict[str, Callable[[], Table]] = {
        "summary": lambda: _summary_table(board),
        "by-month": lambda: Table(
            "by-month",
            "Spend by month",
            [("month", "Month", "text"), *MONEY],
            [{**row, "month": f"{row['month']:%B %Y}"} for row in board.by_month],
            bars=["spent_pence", "committed_pence"],
            note="Spent by the month it was paid; committed by the month the care is planned.",
        ),
        "by-category": lambda: Table(
            "by-category",
            "Spend by type of care",
            [("name", "Type of care", "text"), *MONEY],
            board.by_category,
            bars=["spent_pence", "committed_pence"],
        ),
        "by-provider": lambda: Table(
            "by-provider",
            f"Top {TOP_PROVIDERS} providers",
            [("name", "Provider", "text"), *MONEY],
            board.top_providers,
            bars=["spent_pence", "committed_pence"],
            note="The CSV lists every provider.",
        ),
        "by-kind": lambda: Table(
            "by-kind",
            "Spend by kind of budget",
            [("name", "Kind of budget", "text"), *MONEY],
            board.by_kind,
            bars=["spent_pence", "committed_pence"],
        ),
        "unmet-demand": lambda: Table(
            "unmet-demand",
            "Searches that found little",
            [
                ("district", "Postcode district", "text"),
                ("category", "Type of care", "text"),
                ("searches", "Searches", "count"),
                ("none", "Found nothing", "count"),
                ("few", f"Found {FEW_RESULTS} or fewer", "count"),
                ("services", "Services there", "count"),
                ("spent_pence", "Spent there", "money"),
            ],
            [{**row, "district": f"{row['district']} · {row['category']}"} for row in board.unmet],
            bars=["few"],
            note="Searches are recorded anonymously: postcode district, type of care, distance and number of results.",
        ),
        "gaps": lambda: _gaps_table(board),
    }
    return {slug: build() for slug, build in builders.items() if only is None or slug == only}


def _filters_or_error(request: HttpRequest, council: Any) -> tuple[Filters | None, float, list[dict[str, str]]]:
    try:
        filters, miles = filters_parse(council=council, query=request.GET)
    except DomainError as exc:
        return None, 0.0, [{"text": exc.message, "href": f"#{exc.field or 'period'}"}]
    return filters, miles, []


def _council_or_none(request: HttpRequest, council: str) -> Any:
    try:
        return council_for_commissioner(user=request.user, ref=council)
    except NotFound:
        return None


def _filter_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "periods": period_choices(),
        "categories": Category.objects.filter(parent=None).order_by("position", "name"),
        "selected": {key: request.GET.get(key, "") for key in ("period", "category", "miles")},
        "query": request.GET.urlencode(),
    }


@login_required
def commissioning_home(request: HttpRequest) -> HttpResponse:
    """The councils the user commissions for: straight to the dashboard when there is one."""
    councils = list(councils_for_commissioner(user=request.user))
    if len(councils) == 1:
        return redirect("commissioning:dashboard", council=councils[0].slug)
    return render(request, "marketplace/commissioning/home.html", {"councils": councils})


@login_required
def commissioning_dashboard(request: HttpRequest, council: str, print_view: bool = False) -> HttpResponse:
    found = _council_or_none(request, council)
    if found is None:
        return render(request, "404.html", status=404)
    filters, miles, errors = _filters_or_error(request, found)
    context = {"council": found, "errors": errors, "print_view": print_view, **_filter_context(request)}
    if filters is None:
        return render(request, "marketplace/commissioning/dashboard.html", context, status=400)
    board = dashboard(filters, miles=miles)
    context.update(board=board, filters=filters, tables=list(_tables(board).values()))
    return render(request, "marketplace/commissioning/dashboard.html", context)


@login_required
def commissioning_csv(request: HttpRequest, council: str, view: str) -> HttpResponse:
    found = _council_or_none(request, council)
    if found is None or view not in VIEWS:
        return render(request, "404.html", status=404)
    filters, miles, errors = _filters_or_error(request, found)
    if filters is None:
        return HttpResponse(errors[0]["text"], status=400, content_type="text/plain; charset=utf-8")
    board = dashboard(filters, miles=miles, parts=VIEW_PARTS[view])
    table = _tables(board, only=view)[view]
    if view == "by-provider":
        table.rows = spend_by_provider(filters)  # every provider, not only the top ones
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{found.slug}-{view}-{filters.period.label}'
        f'{"-" + filters.category.slug if filters.category else ""}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([heading for _, heading, _ in table.columns])
    for row in table.rows:
        writer.writerow(table.csv_values(row))
    return response


def council_list(request: HttpRequest) -> HttpResponse:
    """Public: every council, each linked to its spending page (linked from every page's footer)."""
    return render(request, "marketplace/commissioning/council_list.html", {"councils": councils_public()})


def council_spending(request: HttpRequest, council: str) -> HttpResponse:
    """Public: a council's spend through CareHub by type of care and month, and its active services."""
    try:
        found = council_public(ref=council)
        period = period_parse(request.GET.get("period"))
    except NotFound:
        return render(request, "404.html", status=404)
    except DomainError as exc:
        context = {
            "council": found,
            "errors": [{"text": exc.message, "href": "#period"}],
            "periods": period_choices(),
        }
        return render(request, "marketplace/commissioning/transparency.html", context, status=400)
    report = transparency(council=found, period=period)
    context = {
        "council": found,
        "report": report,
        "periods": period_choices(),
        "selected_period": request.GET.get("period", ""),
        "suppress_below": SUPPRESS_BELOW,
    }
    return render(request, "marketplace/commissioning/transparency.html", context)
