"""Reads for the information and advice pages: published pages only, and a simple text search."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from directory.models import AdvicePage


def advice_page_list() -> QuerySet[AdvicePage]:
    return AdvicePage.objects.filter(published=True).order_by("title")


def advice_page_get(*, slug: str) -> AdvicePage:
    """A published page; a draft is a 404 like a missing one."""
    return get_object_or_404(advice_page_list(), slug=slug)


def advice_page_search(*, q: str) -> QuerySet[AdvicePage]:
    """Published pages with every word of `q` in the title, summary or body (case-insensitive).
    Titles that match come first."""
    qs = advice_page_list()
    words = q.split()[:10]
    for word in words:
        qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word))
    if words:
        in_title = Q()
        for word in words:
            in_title |= Q(title__icontains=word)
        qs = qs.alias(title_hit=in_title).order_by("-title_hit", "title")
    return qs


@dataclass(frozen=True)
class Block:
    """A paragraph (`items` empty) or a bulleted list (`text` empty) of a page's body."""

    text: str = ""
    items: tuple[str, ...] = ()


def advice_body_blocks(body: str) -> list[Block]:
    """Split plain text into paragraphs and lists: a blank line ends a block, and a block whose
    lines all start with '- ' is a list. The template escapes every piece, so no HTML gets through."""
    blocks = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append(Block(items=tuple(line[2:].strip() for line in lines)))
        else:
            text_lines = [line for line in lines if not line.startswith("- ")]
            items = tuple(line[2:].strip() for line in lines if line.startswith("- "))
            blocks.append(Block(text=" ".join(text_lines)))
            if items:
                blocks.append(Block(items=items))
    return blocks
