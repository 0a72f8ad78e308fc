"""carehub.db.postgresql: the health check asks the socket, and the server only when the socket has
something to say (a connection the server ended)."""

import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other():
    """A second connection to the same database, of the same backend, closed after the test."""
    if connection.vendor != "postgresql":
        pytest.skip("the backend is PostgreSQL's")
    wrapper = connection.copy()
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_an_idle_connection_is_usable_without_a_round_trip(other, monkeypatch):
    asked = []
    monkeypatch.setattr(DjangoWrapper, "is_usable", lambda self: asked.append(self) or True)
    assert other.is_usable() is True
    assert asked == []  # Django's SELECT 1 was not sent


def test_a_connection_the_server_ended_is_not_usable(other):
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])  # waits until it has gone
        assert cursor.fetchone()[0] is True
    assert other.is_usable() is False


def test_a_closed_connection_is_not_usable(other):
    other.connection.close()
    assert other.is_usable() is False
