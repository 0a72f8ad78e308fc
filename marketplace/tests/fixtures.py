"""Shared marketplace fixtures, registered from the root conftest.py: a fake payment
gateway and platform finance staff."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import User
from accounts.tests import factories as af
from marketplace.budgets.payments import set_payment_gateway
from marketplace.tests.fakes import FakePaymentGateway


@pytest.fixture
def fake_gateway() -> Iterator[FakePaymentGateway]:
    gateway = FakePaymentGateway()
    previous = set_payment_gateway(gateway)
    yield gateway
    set_payment_gateway(previous)


@pytest.fixture
def finance(db: Any) -> User:
    """Platform finance staff (a superuser)."""
    return af.make_user(full_name="Fin Ance", is_staff=True, is_superuser=True)
