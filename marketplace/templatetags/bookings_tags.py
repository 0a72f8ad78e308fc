"""{% recurring_plans budget %}: a budget's regular visits as planned spend (used on the budget page)."""

from __future__ import annotations

from typing import Any

from django import template

from marketplace.bookings.plans import recurring_plan_uncommitted_pence, recurring_plans_for_budget

register = template.Library()


@register.inclusion_tag("marketplace/_recurring_plans.html")
def recurring_plans(budget: Any) -> dict[str, Any]:
    plans = list(recurring_plans_for_budget(budget=budget))
    rows = [{"plan": plan, "uncommitted_pence": recurring_plan_uncommitted_pence(plan)} for plan in plans]
    return {"rows": rows, "total_uncommitted_pence": sum(row["uncommitted_pence"] for row in rows)}
