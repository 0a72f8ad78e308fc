"""'What support might suit me': one question a page, answers in the session, ending in a search."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from directory.guide.selectors import guide_search_params
from directory.tests.factories import make_postcode

pytestmark = pytest.mark.django_db

ANSWERS = [
    ("who", {"answer": "someone-i-care-for"}),
    ("about-them", {"answer": "dementia"}),
    ("help-with", {"answer": ["help-at-home", "day-services"]}),
    ("postcode", {"answer": "g128qq"}),
    ("how-often", {"answer": "now-and-then"}),
    ("budget", {"answer": "up-to-25"}),
]


@pytest.fixture
def g12(db: None) -> None:
    make_postcode("G12 8QQ", 55.8733, -4.2923)


def _url(step: str) -> str:
    return reverse("directory:guide-question", kwargs={"step": step})


def _answer_all(client: Any) -> Any:
    response = None
    for step, data in ANSWERS:
        response = client.post(_url(step), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    return response


def test_guide_questions_lead_one_by_one_to_check_your_answers(client: Any, g12: None) -> None:
    assert client.get(reverse("directory:guide-start")).status_code == 200
    nexts = [client.post(_url(step), data)["Location"] for step, data in ANSWERS]
    assert nexts == [_url("about-them"), _url("help-with"), _url("postcode"), _url("how-often"), _url("budget"),
                     reverse("directory:guide-answers")]  # fmt: skip
    html = client.get(reverse("directory:guide-answers")).content.decode()
    assert "Check your answers" in html
    assert "Someone I look after or care for" in html and "People living with dementia" in html
    assert "G12 8QQ" in html and "Up to £25 an hour" in html
    assert reverse("directory:advice-detail", kwargs={"slug": "carers-rights"}) in html


def test_guide_answers_link_to_a_search_with_the_matching_filters(client: Any, g12: None) -> None:
    _answer_all(client)
    response = client.get(reverse("directory:guide-answers"))
    search_url = response.context["search_url"]
    parts = urlsplit(search_url)
    assert parts.path == reverse("directory:search")
    assert parse_qs(parts.query) == {
        "postcode": ["G12 8QQ"],
        "category": ["help-at-home", "day-services"],
        "client_group": ["dementia"],
        "max_price": ["25"],
    }
    assert client.get(search_url).status_code == 200


def test_guide_search_params_leave_out_not_sure_answers() -> None:
    answers = {"who": "me", "group": "not-sure", "needs": ["not-sure"], "postcode": "G12 8QQ", "how_often": "not-sure",
               "budget": "council"}  # fmt: skip
    assert guide_search_params(answers) == {"postcode": "G12 8QQ"}


def test_guide_question_without_an_answer_shows_the_error_summary(client: Any, g12: None) -> None:
    response = client.post(_url("who"), {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and "Select who needs support" in html
    assert 'href="#id_answer_0"' in html


def test_guide_postcode_question_refuses_bad_and_unknown_postcodes(client: Any, g12: None) -> None:
    for step, data in ANSWERS[:3]:
        client.post(_url(step), data)
    response = client.post(_url("postcode"), {"answer": "banana"})
    assert response.status_code == 400 and "govuk-error-summary" in response.content.decode()
    response = client.post(_url("postcode"), {"answer": "ZE9 9ZZ"})
    assert response.status_code == 400 and "We could not find" in response.content.decode()


def test_guide_skipping_ahead_goes_back_to_the_first_unanswered_question(client: Any, g12: None) -> None:
    client.post(_url("who"), {"answer": "me"})
    assert client.get(_url("budget"))["Location"] == _url("about-them")
    assert client.get(reverse("directory:guide-answers"))["Location"] == _url("about-them")


def test_guide_answers_without_any_answer_go_to_the_start(client: Any) -> None:
    assert client.get(reverse("directory:guide-answers"))["Location"] == reverse("directory:guide-start")


def test_guide_change_link_returns_to_check_your_answers(client: Any, g12: None) -> None:
    _answer_all(client)
    page = client.get(_url("budget") + "?change=1")
    assert 'value="up-to-25" checked' in page.content.decode()
    assert page.context["back_url"] == reverse("directory:guide-answers")
    response = client.post(_url("budget") + "?change=1", {"answer": "council"})
    assert response["Location"] == reverse("directory:guide-answers")
    assert "max_price" not in client.get(reverse("directory:guide-answers")).context["search_url"]


def test_guide_unknown_question_is_404(client: Any) -> None:
    assert client.get(_url("favourite-colour")).status_code == 404


def test_guide_back_links_go_to_the_previous_question(client: Any, g12: None) -> None:
    assert client.get(_url("who")).context["back_url"] == reverse("directory:guide-start")
    client.post(_url("who"), {"answer": "me"})
    assert client.get(_url("about-them")).context["back_url"] == _url("who")


def test_guide_questions_say_you_to_someone_answering_for_themselves(client: Any, g12: None) -> None:
    client.post(_url("who"), {"answer": "me"})
    assert "Which of these best describes you?" in client.get(_url("about-them")).content.decode()
    response = client.post(_url("about-them"), {})
    assert "Which of these best describes you?" in response.content.decode()
