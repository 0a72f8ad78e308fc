"""What the guided questions lead to: the search filters and a few sentences of information.

Pure functions of the answers kept in the session, so the pages and tests agree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

NOT_SURE = "not-sure"

# Budget answer -> highest price in pounds for the search (None: no limit).
BUDGET_MAX_POUNDS = {"up-to-15": 15, "up-to-25": 25, "up-to-40": 40, "council": None, NOT_SURE: None}


@dataclass(frozen=True)
class Tip:
    """A sentence or two of information, with a page to read more."""

    text: str
    link_text: str = ""
    url: str = ""


def guide_search_params(answers: dict[str, Any]) -> dict[str, Any]:
    """The /search/ filters that match the answers."""
    params: dict[str, Any] = {"postcode": answers.get("postcode", "")}
    categories = [slug for slug in answers.get("needs", []) if slug != NOT_SURE]
    if categories:
        params["category"] = categories
    group = answers.get("group")
    if group and group != NOT_SURE:
        params["client_group"] = group
    max_pounds = BUDGET_MAX_POUNDS.get(answers.get("budget", ""))
    if max_pounds is not None:
        params["max_price"] = max_pounds
    return params


def guide_search_url(answers: dict[str, Any]) -> str:
    return f"{reverse('directory:search')}?{urlencode(guide_search_params(answers), doseq=True)}"


def guide_tips(answers: dict[str, Any]) -> list[Tip]:
    """A few sentences chosen by the answers: who pays, carers' rights, how often, what to check."""

    def advice(slug: str) -> str:
        return reverse("directory:advice-detail", kwargs={"slug": slug})

    tips = []
    if answers.get("budget") == "council":
        tips.append(
            Tip(
                "The council can pay for some or all of your care after a free needs assessment. "
                "You can then choose how much control you take over the money.",
                "Read about personal budgets",
                advice("personal-budgets"),
            )
        )
    else:
        tips.append(
            Tip(
                "Anyone can ask the council for a free needs assessment, even if you plan to pay for care yourself.",
                "Read about paying for care",
                advice("paying-for-care"),
            )
        )
    if answers.get("who") == "someone-i-care-for":
        tips.append(
            Tip(
                "As a carer you have a right to support of your own, such as a break from caring.",
                "Read about carers' rights",
                advice("carers-rights"),
            )
        )
    how_often = answers.get("how_often")
    if how_often == "day-and-night":
        tips.append(Tip("For help day and night, look at care homes, live-in care and housing with support."))
    elif how_often == "now-and-then":
        tips.append(
            Tip(
                "For something now and then, short breaks, day services, groups and events may suit.",
                "Find events and activities near you",
                f"{reverse('directory:event-search')}?{urlencode({'postcode': answers.get('postcode', '')})}",
            )
        )
    tips.append(
        Tip(
            "Before you choose, compare inspection grades and what other people say, and visit if you can.",
            "Read what regulator grades mean",
            advice("regulator-grades"),
        )
    )
    return tips
