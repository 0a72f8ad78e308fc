"""The key questions each regulator grades, in the order it publishes them."""

from __future__ import annotations

from directory.models import Regulator

CI_KEY_QUESTIONS: dict[str, str] = {
    "support_wellbeing": "How well do we support people's wellbeing?",
    "care_and_support_planning": "How good is our care and support planning?",
    "setting": "How good is our setting?",
    "staff_team": "How good is our staff team?",
    "leadership": "How good is our leadership?",
    "care_play_and_learning": "How good is our care, play and learning?",
}

CQC_KEY_QUESTIONS: dict[str, str] = {
    "overall": "Overall",
    "safe": "Safe",
    "effective": "Effective",
    "caring": "Caring",
    "responsive": "Responsive",
    "well_led": "Well-led",
}


def _questions(regulator: str) -> dict[str, str]:
    return CI_KEY_QUESTIONS if regulator == Regulator.CARE_INSPECTORATE else CQC_KEY_QUESTIONS


def grade_order(regulator: str) -> list[str]:
    return list(_questions(regulator))


def grade_label(regulator: str, key: str) -> str:
    return _questions(regulator).get(key, key)
