"""Automatic checks on a review's words: anything they find holds the review for a moderator.

Plain regular expressions, deliberately cautious: a held review costs a moderator a minute,
a published phone number costs a person their privacy.
"""

from __future__ import annotations

import re

MIN_TEXT_LENGTH = 20

# A short, deliberately conservative list; a moderator sees everything it catches.
ABUSIVE_WORDS = frozenset(
    {"idiot", "idiots", "moron", "morons", "scum", "bastard", "bastards", "bitch", "fuck", "fucking", "shit", "cunt"}
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_LINK = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(com|co\.uk|org|org\.uk|net|uk|io|info|scot)\b", re.I)
# UK phone numbers: 07xxx xxxxxx, 0141 xxx xxxx, +44 ..., with spaces, dots or dashes.
_PHONE = re.compile(r"(\+44\s?|\b0)(\d[\s.-]?){9,10}\b")
# Other personal details: full UK postcodes, NHS (England) and CHI (Scotland) numbers (10 digits).
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)
_TEN_DIGITS = re.compile(r"\b\d(?:[\s-]?\d){9}\b")

REASON_LABELS = {
    "too_short": "The review text is very short",
    "abusive": "It may contain abusive words",
    "phone": "It may contain a phone number",
    "email": "It may contain an e-mail address",
    "personal": "It may contain other personal details (a postcode or an NHS or CHI number)",
    "link": "It contains a link",
}


def review_check(*, title: str, text: str) -> list[str]:
    """The reasons to hold a review (codes from REASON_LABELS); empty when it may be published."""
    words = f"{title}\n{text}"
    reasons = []
    if text.strip() and len(text.strip()) < MIN_TEXT_LENGTH:
        reasons.append("too_short")
    if set(re.findall(r"[a-z]+", words.lower())) & ABUSIVE_WORDS:
        reasons.append("abusive")
    if _PHONE.search(words):
        reasons.append("phone")
    if _EMAIL.search(words):
        reasons.append("email")
    if _POSTCODE.search(words) or _TEN_DIGITS.search(words):
        reasons.append("personal")
    if _LINK.search(_EMAIL.sub(" ", words)):
        reasons.append("link")
    return reasons
