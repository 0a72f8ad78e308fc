"""Personal access tokens: the account page, bearer authentication, scopes, last use, audit."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from accounts.tests import factories as af
from accounts.tokens.models import ApiToken
from accounts.tokens.services import api_token_revoke

pytestmark = pytest.mark.django_db

BOOKINGS = "marketplace-api:booking-list"
NOTIFICATIONS = "marketplace-api:notification-list"
CHALLENGE = 'Bearer realm="api"'


def bearer(raw: str) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


# --- the account page ---------------------------------------------------------------


def test_api_tokens_page_makes_a_token_shown_once_and_stores_only_its_hash(client: Client, cast: Any) -> None:
    user = cast.person.user
    client.force_login(user)
    response = client.post(reverse("accounts:api-tokens"), {"name": "My spreadsheet", "scope": "read"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=user)
    raw = response.context["raw"]
    assert raw in response.content.decode()
    assert raw.startswith(token.prefix + "_") and token.prefix.startswith("chp_")
    assert len(raw) > 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {getattr(token, f.attname) for f in ApiToken._meta.fields}
    assert (token.name, token.scope, token.last_used_at) == ("My spreadsheet", "read", None)
    # Afterwards the list shows its prefix, never the secret.
    listing = client.get(reverse("accounts:api-tokens")).content.decode()
    assert token.prefix in listing and raw not in listing and "My spreadsheet" in listing
    event = AuditEvent.objects.get(action="api_token.create")
    assert (event.actor, event.object_id) == (user, str(token.pk))
    assert event.detail == {"name": "My spreadsheet", "scope": "read"}


def test_api_tokens_page_shows_an_error_summary_for_bad_input(client: Client, cast: Any) -> None:
    client.force_login(cast.person.user)
    response = client.post(reverse("accounts:api-tokens"), {"name": "", "scope": "admin"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter a name for the token" in body and "Select a valid choice" in body
    assert not ApiToken.objects.exists()


def test_api_tokens_page_needs_sign_in(client: Client) -> None:
    response = client.get(reverse("accounts:api-tokens"))
    assert response.status_code == 302 and "/accounts/sign-in/" in response.url


def test_api_token_revoke_asks_first_then_revokes_and_audits(client: Client, cast: Any) -> None:
    user = cast.person.user
    token, raw = af.make_api_token(user=user, name="Old laptop")
    client.force_login(user)
    url = reverse("accounts:api-token-revoke", args=[token.code])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Are you sure you want to revoke the token “Old laptop”?" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking changes nothing
    assert bearer(raw).get(reverse(BOOKINGS)).status_code == 200
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("accounts:api-tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=user, object_id=str(token.pk)).count() == 1
    assert bearer(raw).get(reverse(BOOKINGS)).status_code == 401
    client.post(url)  # twice: nothing more happens
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_api_token_revoke_of_someone_elses_token_is_not_found(client: Client, cast: Any) -> None:
    token, raw = af.make_api_token(user=cast.person.user)
    client.force_login(cast.outsider)
    url = reverse("accounts:api-token-revoke", args=[token.code])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Test script" not in client.get(reverse("accounts:api-tokens")).content.decode()


# --- bearer authentication ----------------------------------------------------------


def test_bearer_token_authenticates_as_its_user_and_records_last_use(cast: Any, time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 10, 14, 11, 0, tzinfo=UTC), tick=False)
    token, raw = af.make_api_token(user=cast.person.user)
    response = bearer(raw).get(reverse(BOOKINGS))
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == datetime(2026, 10, 14, 11, 0, tzinfo=UTC)
    time_machine.move_to(datetime(2026, 10, 14, 11, 0, 30, tzinfo=UTC), tick=False)
    bearer(raw).get(reverse(BOOKINGS))
    token.refresh_from_db()
    assert token.last_used_at == datetime(2026, 10, 14, 11, 0, tzinfo=UTC)  # to the minute
    time_machine.move_to(datetime(2026, 10, 14, 12, 0, tzinfo=UTC), tick=False)
    bearer(raw).get(reverse(BOOKINGS))
    token.refresh_from_db()
    assert token.last_used_at == datetime(2026, 10, 14, 12, 0, tzinfo=UTC)


def test_read_token_is_refused_on_unsafe_methods(cast: Any) -> None:
    _token, raw = af.make_api_token(user=cast.person.user, scope="read")
    response = bearer(raw).post(reverse(NOTIFICATIONS), {}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert bearer(raw).get(reverse(NOTIFICATIONS)).status_code == 200


def test_write_token_may_change_data_without_a_csrf_token(cast: Any) -> None:
    _token, raw = af.make_api_token(user=cast.person.user, scope="write")
    assert bearer(raw).post(reverse(NOTIFICATIONS), {}, format="json").status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer chp_0000_not-a-token", "Bearer", "Bearer two parts", "bearer chp_0000_wrong"],
)
def test_bad_bearer_token_is_401_with_a_challenge(cast: Any, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(reverse(BOOKINGS))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_token_of_a_deactivated_user_is_refused(cast: Any) -> None:
    user = cast.person.user
    _token, raw = af.make_api_token(user=user)
    user.is_active = False
    user.save()
    assert bearer(raw).get(reverse(BOOKINGS)).status_code == 401


def test_anonymous_api_request_is_401_with_a_challenge(db: Any) -> None:
    response = APIClient().get(reverse(BOOKINGS))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_session_still_works_for_the_browser(client: Client, cast: Any) -> None:
    client.force_login(cast.person.user)
    assert client.get(reverse(BOOKINGS)).status_code == 200


def test_token_sees_only_its_users_data(cast: Any) -> None:
    _token, raw = af.make_api_token(user=cast.outsider)
    budget_list = bearer(raw).get(reverse("marketplace-api:budget-list"))
    assert budget_list.status_code == 200 and budget_list.json()["results"] == []


def test_revoking_one_token_leaves_the_others_working(cast: Any) -> None:
    first, first_raw = af.make_api_token(user=cast.person.user, name="one")
    _second, second_raw = af.make_api_token(user=cast.person.user, name="two")
    api_token_revoke(actor=cast.person.user, code=str(first.code))
    assert bearer(first_raw).get(reverse(BOOKINGS)).status_code == 401
    assert bearer(second_raw).get(reverse(BOOKINGS)).status_code == 200
