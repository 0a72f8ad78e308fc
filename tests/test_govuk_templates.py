"""GOV.UK form markup that assistive technology relies on, checked on real pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.services import provider_invitation_create

pytestmark = pytest.mark.django_db


def sign_up(client, **overrides: str):
    data = {
        "full_name": "Morag Brown",
        "email": "morag@example.org",
        "uses_care": "yes",
        "postcode": "",
        "password1": "kelvingrove-tearoom-42",
        "password2": "kelvingrove-tearoom-42",
    }
    data.update(overrides)
    return client.post(reverse("accounts:sign-up"), data)


def test_field_with_several_errors_has_one_error_message_element(client) -> None:
    response = sign_up(client, password1="12345", password2="12345")
    body = response.content.decode()
    assert response.status_code == 400
    # Two validators fail (too short, entirely numeric): both messages, one element,
    # so the id that aria-describedby points at is unique.
    assert body.count('id="id_password1-error"') == 1
    message = re.search(r'<p id="id_password1-error" class="govuk-error-message">(.*?)</p>', body, re.S).group(1)
    assert "too short" in message
    assert "entirely numeric" in message
    assert re.search(r'id="id_password1"[^>]*aria-describedby="id_password1-hint id_password1-error"', body)


def test_error_summary_links_each_error_to_its_field(client) -> None:
    body = sign_up(client, password2="something-else-entirely", uses_care="").content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', body, re.S).group(0)
    assert 'href="#id_password2"' in summary
    # A radio group's error links to its first radio, the element that can take focus.
    assert 'href="#id_uses_care_0"' in summary
    assert 'id="id_uses_care_0"' in body


def test_start_page_marks_its_navigation_link_as_current(client) -> None:
    body = client.get(reverse("home")).content.decode()
    assert re.search(r'<a class="govuk-service-navigation__link" href="/" aria-current="page">Find care</a>', body)
    body = client.get(reverse("accounts:sign-in")).content.decode()
    assert 'aria-current="page"' not in body


def test_page_title_says_error_when_a_page_shows_an_error_message_without_a_form(client, cast) -> None:
    # Screen reader users hear the title first: it must say the page has a problem.
    _, link = provider_invitation_create(
        actor=cast.provider_owner, provider=cast.provider, email="new@example.com", role="staff"
    )
    client.force_login(cast.outsider)
    body = client.post(urlsplit(link).path).content.decode()
    assert "This invitation was sent to new@example.com" in body
    assert re.search(r"<title>Error: Join Kelvin Companions", body)
