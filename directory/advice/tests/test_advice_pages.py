"""Information and advice pages: the seeded starter pages, search, drafts and safe rendering."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directory.advice.selectors import Block, advice_body_blocks, advice_page_search
from directory.models import AdvicePage
from directory.tests.factories import make_advice_page, make_service

pytestmark = pytest.mark.django_db

STARTER_SLUGS = {"paying-for-care", "personal-budgets", "carers-rights", "regulator-grades", "how-to-complain"}


def test_advice_pages_the_five_starter_pages_are_seeded_and_published() -> None:
    assert set(AdvicePage.objects.filter(published=True).values_list("slug", flat=True)) >= STARTER_SLUGS


def test_advice_list_shows_published_pages_only(client) -> None:
    make_advice_page(title="Draft about hoists", published=False)
    response = client.get(reverse("directory:advice-list"))
    assert response.status_code == 200
    assert "Personal budgets" in response.content.decode()
    assert "Draft about hoists" not in response.content.decode()


def test_advice_detail_of_a_draft_is_404(client) -> None:
    draft = make_advice_page(published=False)
    assert client.get(reverse("directory:advice-detail", kwargs={"slug": draft.slug})).status_code == 404


def test_advice_detail_escapes_html_typed_in_the_admin(client) -> None:
    page = make_advice_page(body="<script>alert(1)</script>\n\n- <b>one</b>\n- two")
    html = client.get(reverse("directory:advice-detail", kwargs={"slug": page.slug})).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<li>&lt;b&gt;one&lt;/b&gt;</li>" in html


def test_advice_body_blocks_split_paragraphs_and_lists() -> None:
    body = "Intro line one\nline two.\n\n- a\n- b\n\nA list follows:\n- c"
    assert advice_body_blocks(body) == [
        Block(text="Intro line one line two."),
        Block(items=("a", "b")),
        Block(text="A list follows:"),
        Block(items=("c",)),
    ]


def test_advice_search_matches_every_word_across_title_summary_and_body(client) -> None:
    make_advice_page(title="Hoists", summary="Lifting equipment", body="Ask an occupational therapist.")
    assert [p.title for p in advice_page_search(q="lifting therapist")] == ["Hoists"]
    assert list(advice_page_search(q="lifting budget")) == []
    response = client.get(reverse("directory:advice-list"), {"q": "direct payment"})
    assert "Personal budgets" in response.content.decode()
    assert "1 page found" in response.content.decode()


def test_advice_search_puts_title_matches_first() -> None:
    make_advice_page(title="Zebra crossings", body="nothing")
    make_advice_page(title="Aardvarks", body="about zebra")
    assert [p.title for p in advice_page_search(q="zebra")] == ["Zebra crossings", "Aardvarks"]


def test_advice_search_with_no_match_shows_the_empty_state(client) -> None:
    response = client.get(reverse("directory:advice-list"), {"q": "xylophone"})
    assert response.status_code == 200
    assert 'id="no-results"' in response.content.decode()


def test_advice_pages_are_linked_from_search_results_and_service_pages(client) -> None:
    service = make_service()
    html = client.get(reverse("directory:service-detail", kwargs={"code": service.code})).content.decode()
    assert reverse("directory:advice-detail", kwargs={"slug": "how-to-complain"}) in html
    html = client.get(reverse("directory:search")).content.decode()
    assert reverse("directory:advice-list") in html
