"""Provider invitations reach an address with no account yet, through the notifications outbox."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.models import ProviderMembership, User
from accounts.notifications.models import Notification, OutboxMessage
from accounts.services import provider_invitation_create
from accounts.tests import factories as af

pytestmark = pytest.mark.django_db


def _invite(cast: Any, email: str = "New.Colleague@example.com") -> Any:
    return lambda: provider_invitation_create(
        actor=cast.provider_owner, provider=cast.provider, email=email, role="staff"
    )


def _accept_as_newcomer(sent: Any, email: str) -> User:
    path = re.search(r"https?://[^/\s]+(/\S+)", sent.body).group(1)
    newcomer = af.make_user(email=email)  # signs up only after the e-mail arrived
    client = Client()
    client.force_login(newcomer)
    assert client.post(path).status_code == 302
    return newcomer


def test_invitation_to_an_address_without_an_account_is_emailed_once_through_the_outbox(
    cast: Any, outbox_contract: Any
) -> None:
    assert not User.objects.filter(email="new.colleague@example.com").exists()
    outbox_contract.rolled_back(_invite(cast))
    (sent,) = outbox_contract.delivered_once(_invite(cast))
    assert sent.to == ["new.colleague@example.com"]
    assert sent.subject == f"You have been invited to join {cast.provider.name} on CareHub"
    assert not Notification.objects.exists()  # no account, so no inbox
    assert OutboxMessage.objects.get().body == ""  # the link left the table with the e-mail
    newcomer = _accept_as_newcomer(sent, "new.colleague@example.com")
    assert ProviderMembership.objects.get(user=newcomer).provider == cast.provider


def test_invitation_arrives_after_the_broker_lost_it(cast: Any, outbox_contract: Any) -> None:
    (sent,) = outbox_contract.resent_after_broker_lost(_invite(cast, "later@example.com"))
    assert sent.to == ["later@example.com"]
    newcomer = _accept_as_newcomer(sent, "later@example.com")
    assert ProviderMembership.objects.get(user=newcomer).role == "staff"


def test_invitation_links_use_site_url(cast: Any, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.SITE_URL = "https://carehub.example/"
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, link = _invite(cast)()
    assert link.startswith("https://carehub.example/accounts/invitations/")
    assert link in mail.outbox[0].body
