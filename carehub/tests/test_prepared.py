"""carehub.prepared: a statement is prepared once per database session, and again on a new one."""

import pytest
from django.db import connection

from carehub.prepared import execute_prepared, numbered

NAME = "carehub_test_add_one"
POSTGRES = ("SELECT $1::int + 1", [41])
OTHER = ("SELECT %s + 1", [41])


def prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def run(name: str = NAME) -> int:
    with connection.cursor() as cursor:
        execute_prepared(cursor, name, POSTGRES, other=OTHER)
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_execute_prepared_answers_on_every_database():
    assert run() == 42
    assert run() == 42


@pytest.mark.django_db(transaction=True)  # outside a test transaction, so the connection can close
def test_execute_prepared_prepares_once_per_session_and_again_after_reconnecting():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    connection.close()
    assert run() == 42
    assert "carehub_test_add_one" in prepared_names()
    with connection.cursor() as cursor:  # a second PREPARE of the same name would fail
        execute_prepared(cursor, "carehub_test_add_one", POSTGRES, other=OTHER)
    connection.close()  # a new session has no prepared statements: it is prepared again
    assert "carehub_test_add_one" not in prepared_names()
    assert run() == 42
    assert "carehub_test_add_one" in prepared_names()


def test_execute_prepared_refuses_a_name_that_is_not_an_identifier(db):
    if connection.vendor != "postgresql":
        pytest.skip("the name is used only on PostgreSQL")
    with connection.cursor() as cursor, pytest.raises(ValueError):
        execute_prepared(cursor, "x; DROP TABLE y", POSTGRES, other=OTHER)


@pytest.mark.django_db(transaction=True)
def test_statements_prepared_here_get_their_generic_plan():
    if connection.vendor != "postgresql":
        pytest.skip("plan caching is PostgreSQL's")
    connection.close()
    for _ in range(2):  # left to choose, PostgreSQL plans the first five executions afresh
        run()
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s", [NAME])
        assert cursor.fetchone() == (2, 0)


def test_numbered_numbers_placeholders_and_refuses_other_percent_signs():
    assert numbered("a = %s AND b IN (%s, %s)") == "a = $1 AND b IN ($2, $3)"
    assert numbered("SELECT 1") == "SELECT 1"
    with pytest.raises(ValueError):
        numbered("name LIKE '%x' AND a = %s")
