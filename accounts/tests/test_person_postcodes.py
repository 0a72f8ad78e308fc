"""A person's postcode is stored in one form (G12 8QQ) or not at all (""), whichever way
it arrives: sign-up, the profile page, the admin, or rows from before (the data migration)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.forms import PersonProfileAdminForm
from accounts.models import PersonProfile, User
from accounts.services import person_profile_update, user_sign_up
from accounts.tests import factories as af
from carehub.postcodes import InvalidPostcode

STRONG = "a-long-and-unusual-passphrase"
migration = importlib.import_module("accounts.migrations.0004_normalise_person_postcodes")


def sign_up(client: Any, postcode: str) -> Any:
    data = {
        "full_name": "Morag Campbell",
        "email": "morag@example.com",
        "uses_care": "yes",
        "postcode": postcode,
        "password1": STRONG,
        "password2": STRONG,
    }
    return client.post(reverse("accounts:sign-up"), data)


@pytest.mark.parametrize(("typed", "stored"), [("g128qq", "G12 8QQ"), (" G12-8QQ ", "G12 8QQ"), ("", "")])
def test_sign_up_stores_the_postcode_in_the_usual_form(client: Any, db: Any, typed: str, stored: str) -> None:
    assert sign_up(client, typed).status_code == 302
    assert PersonProfile.objects.get(user__email="morag@example.com").postcode == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("G12 8QC", "Enter a real postcode, like G12 8QQ"),
        ("12345", "Enter a real postcode, like G12 8QQ"),
        ("G12 8QQ; DROP TABLE x", "Enter a real postcode, like G12 8QQ"),
    ],
)
def test_sign_up_with_a_postcode_that_is_not_real_is_a_form_error(
    client: Any, db: Any, typed: str, message: str
) -> None:
    response = sign_up(client, typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and message in body and 'href="#id_postcode"' in body
    assert not User.objects.filter(email="morag@example.com").exists()


def test_profile_page_stores_the_usual_form_and_refuses_a_postcode_that_is_not_real(client: Any, db: Any) -> None:
    person = af.make_person(postcode="G12 8QQ")
    client.force_login(person.user)
    fields = {"full_name": "Morag Campbell", "uses_care": "on", "preferred_name": "", "communication_needs": ""}
    response = client.post(reverse("accounts:profile"), {**fields, "postcode": "G12 8QC"})
    body = response.content.decode()
    # The profile view answers 200 with the error summary (its status is the views' business).
    assert response.status_code in (200, 400)
    assert "govuk-error-summary" in body and "Enter a real postcode, like G12 8QQ" in body
    person.refresh_from_db()
    assert person.postcode == "G12 8QQ"  # unchanged
    assert client.post(reverse("accounts:profile"), {**fields, "postcode": "kw14aa"}).status_code == 302
    person.refresh_from_db()
    assert person.postcode == "KW1 4AA"
    client.post(reverse("accounts:profile"), {**fields, "postcode": ""})
    person.refresh_from_db()
    assert person.postcode == ""  # none given: allowed, and stored as nothing


def test_services_normalise_the_postcode_whoever_calls_them(db: Any) -> None:
    user = user_sign_up(email="a@example.com", full_name="A", password=STRONG, uses_care=True, postcode="eh11yz")
    assert user.person_profile.postcode == "EH1 1YZ"
    with pytest.raises(InvalidPostcode):
        user_sign_up(email="b@example.com", full_name="B", password=STRONG, uses_care=True, postcode="EH1")
    assert not User.objects.filter(email="b@example.com").exists()
    fields = {"full_name": "A", "preferred_name": "", "communication_needs": "", "uses_care": True}
    person_profile_update(actor=user, postcode="g12  8qq", **fields)
    assert PersonProfile.objects.get(user=user).postcode == "G12 8QQ"
    with pytest.raises(InvalidPostcode) as refused:
        person_profile_update(actor=user, postcode="not a postcode", **fields)
    assert refused.value.field == "postcode"
    assert PersonProfile.objects.get(user=user).postcode == "G12 8QQ"


def test_admin_person_form_stores_the_usual_form(db: Any) -> None:
    person = af.make_person()
    form = PersonProfileAdminForm({"user": person.user_id, "postcode": "g128qq"}, instance=person)
    assert form.is_valid(), form.errors
    assert form.save().postcode == "G12 8QQ"
    refused = PersonProfileAdminForm({"user": person.user_id, "postcode": "G12 8QC"}, instance=person)
    assert not refused.is_valid() and refused.errors["postcode"] == ["Enter a real postcode, like G12 8QQ"]


def test_data_migration_normalises_stored_postcodes_and_leaves_and_counts_invalid_ones(db: Any) -> None:
    typed = ["g128qq", "G128QQ", "G12 8QQ", "eh1  1yz", "", "G12", "NOT A PC"]
    people = [af.make_person(postcode=value) for value in typed]
    said: list[str] = []
    assert migration.normalise(apps, None, out=said.append) == (3, 2)
    stored = [PersonProfile.objects.get(pk=p.pk).postcode for p in people]
    assert stored == ["G12 8QQ", "G12 8QQ", "G12 8QQ", "EH1 1YZ", "", "G12", "NOT A PC"]
    assert said == [
        "\n  Person postcodes: 3 put in the usual form, 2 left as they are "
        "(not a real postcode: the person is asked again when they next save their details)."
    ]
    # Running it again changes nothing and says nothing new but the count of what it left.
    assert migration.normalise(apps, None, out=said.append) == (0, 2)


def test_data_migration_pages_through_many_rows(db: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(migration, "BATCH", 2)
    people = [af.make_person(postcode=f"g{n}1aa") for n in range(1, 6)]
    assert migration.normalise(apps, None, out=lambda _: None) == (5, 0)
    assert [PersonProfile.objects.get(pk=p.pk).postcode for p in people] == [f"G{n} 1AA" for n in range(1, 6)]
