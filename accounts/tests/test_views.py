from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, CarerLink, PersonProfile, ProviderMembership, User
from accounts.services import provider_invitation_create
from accounts.tests import factories as af

STRONG = "a-long-and-unusual-passphrase"


def _sign_up_data(**overrides):
    data = {
        "full_name": "Morag Campbell",
        "email": "morag@example.com",
        "uses_care": "yes",
        "postcode": "g12 8qq",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(overrides)
    return data


def test_sign_up_creates_account_person_profile_and_signs_in(client, db):
    response = client.post(reverse("accounts:sign-up"), _sign_up_data())
    assert response.status_code == 302
    user = User.objects.get(email="morag@example.com")
    assert user.check_password(STRONG)
    assert PersonProfile.objects.get(user=user).postcode == "G12 8QQ"
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEvent.objects.filter(action="user.sign_up", object_id=str(user.pk)).exists()


def test_sign_up_as_carer_creates_no_person_profile(client, db):
    client.post(reverse("accounts:sign-up"), _sign_up_data(uses_care="no"))
    assert not PersonProfile.objects.filter(user__email="morag@example.com").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "TAKEN@example.com"}, "An account with this email address already exists"),
        ({"password1": "password123", "password2": "password123"}, "This password is too common"),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password2": "something-else-entirely"}, "The passwords do not match"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"full_name": ""}, "Enter your full name"),
        ({"uses_care": ""}, "Select who you are looking for care for"),
    ],
)
def test_sign_up_bad_input_shows_error_summary_and_creates_nothing(client, db, overrides, message):
    af.make_user(email="taken@example.com")
    before = User.objects.count()
    response = client.post(reverse("accounts:sign-up"), _sign_up_data(**overrides))
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body
    assert "<title>Error:" in body
    assert User.objects.count() == before
    assert "_auth_user_id" not in client.session


def test_sign_in_with_email_and_password(client, db):
    af.make_user(email="kim@example.com")
    response = client.post(reverse("accounts:sign-in"), {"username": "KIM@example.com", "password": af.PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_sign_in_with_wrong_password_shows_error_summary(client, db):
    af.make_user(email="kim@example.com")
    response = client.post(reverse("accounts:sign-in"), {"username": "kim@example.com", "password": "wrong-one"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_post_and_ends_the_session(client, db):
    client.force_login(af.make_user())
    assert client.get(reverse("accounts:sign-out")).status_code == 405
    client.post(reverse("accounts:sign-out"))
    assert "_auth_user_id" not in client.session


def test_pages_that_need_an_account_redirect_to_sign_in(client, db):
    for name in ("accounts:profile", "accounts:carers", "accounts:supporting", "accounts:password-change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:sign-in"))


def test_header_shows_who_is_signed_in_and_their_role(client, cast):
    client.force_login(cast.carer)
    body = client.get(reverse("home")).content.decode()
    assert "Signed in as <strong>Sam Carer</strong> (Carer)" in body


def _reset_link(client, email):
    client.post(reverse("accounts:password-reset"), {"email": email})
    assert len(mail.outbox) == 1
    return re.search(re.escape(django_settings.SITE_URL.rstrip("/")) + r"(/\S+)", mail.outbox[0].body).group(1)


def test_password_reset_link_uses_site_url_not_the_request_host(client, db, settings):
    settings.SITE_URL = "https://carehub.example/"
    af.make_user(email="reset@example.com")
    client.post(reverse("accounts:password-reset"), {"email": "reset@example.com"}, HTTP_HOST="127.0.0.1")
    (link,) = re.findall(r"\S+/accounts/password/reset/\S+", mail.outbox[0].body)
    assert link.startswith("https://carehub.example/accounts/password/reset/")


def test_password_reset_link_sets_a_new_password_once(client, db):
    user = af.make_user(email="reset@example.com")
    link = _reset_link(client, "reset@example.com")
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    # The same link again is refused: the password changed, so the token is void.
    page = client.get(link, follow=True).content.decode()
    assert "This link has expired or has already been used" in page


def test_password_reset_link_expires(client, db, settings):
    user = af.make_user(email="reset@example.com")
    link = _reset_link(client, "reset@example.com")
    settings.PASSWORD_RESET_TIMEOUT = -1
    page = client.get(link, follow=True).content.decode()
    assert "This link has expired or has already been used" in page
    user.refresh_from_db()
    assert user.check_password(af.PASSWORD)


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client, db):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_mismatch_changes_nothing(client, db):
    user = af.make_user(email="reset@example.com")
    link = _reset_link(client, "reset@example.com")
    form_url = client.get(link).url
    response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG + "x"})
    assert "govuk-error-summary" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(af.PASSWORD)


def test_change_password(client, db):
    user = af.make_user()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": af.PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_change_password_with_wrong_old_password_changes_nothing(client, db):
    user = af.make_user()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"), {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert "govuk-error-summary" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(af.PASSWORD)


def test_profile_update_saves_person_details(client, db):
    person = af.make_person()
    client.force_login(person.user)
    client.post(
        reverse("accounts:profile"),
        {
            "full_name": "New Name",
            "uses_care": "on",
            "preferred_name": "Mo",
            "postcode": "eh1 1yz",
            "communication_needs": "Easy read",
        },
    )
    person.refresh_from_db()
    assert (person.user.full_name, person.preferred_name, person.postcode) == ("New Name", "Mo", "EH1 1YZ")


def test_carer_request_consent_and_revoke_journey(client, db):
    person = af.make_person(user=af.make_user(email="person@example.com", full_name="Pat Person"))
    carer = af.make_user(full_name="Chris Carer")
    client.force_login(carer)
    client.post(reverse("accounts:supporting"), {"person_email": "PERSON@example.com", "relationship": "daughter"})
    link = CarerLink.objects.get(carer=carer, person=person)
    assert link.status == CarerLink.Status.REQUESTED
    assert link.scopes == []

    client.force_login(person.user)
    assert "Chris Carer" in client.get(reverse("accounts:carers")).content.decode()
    client.post(reverse("accounts:carer-consent", args=[link.code]), {"scopes": ["can_book"]})
    link.refresh_from_db()
    assert link.status == CarerLink.Status.ACTIVE
    assert (link.can_view, link.can_book, link.can_manage_budget) == (True, True, False)

    client.post(reverse("accounts:carer-end", args=[link.code]))
    link.refresh_from_db()
    assert link.status == CarerLink.Status.REVOKED
    assert link.scopes == []
    assert list(AuditEvent.objects.filter(object_id=str(link.pk)).values_list("action", flat=True).order_by("pk")) == [
        "carer_link.request",
        "carer_link.consent",
        "carer_link.revoked",
    ]


def test_carer_consent_without_a_scope_grants_nothing(client, db):
    person = af.make_person()
    link = af.make_carer_link(carer=af.make_user(), person=person, active=False)
    client.force_login(person.user)
    response = client.post(reverse("accounts:carer-consent", args=[link.code]), {})
    assert response.status_code == 400
    assert "Choose at least one thing" in response.content.decode()
    link.refresh_from_db()
    assert link.status == CarerLink.Status.REQUESTED


@pytest.mark.parametrize("who", ["carer", "outsider", "other_person"])
def test_only_the_person_can_consent_or_end_a_carer_link(client, cast, who):
    link = CarerLink.objects.get(person=cast.person)
    user = getattr(cast, who)
    client.force_login(user if who != "other_person" else cast.other_person.user)
    assert client.get(reverse("accounts:carer-consent", args=[link.code])).status_code == 404
    assert client.post(reverse("accounts:carer-end", args=[link.code])).status_code == 404
    link.refresh_from_db()
    assert link.status == CarerLink.Status.ACTIVE


def test_carer_request_for_unknown_person_says_so(client, db):
    client.force_login(af.make_user())
    response = client.post(reverse("accounts:supporting"), {"person_email": "nobody@example.com"})
    assert response.status_code == 400
    assert "We could not find a person using care" in response.content.decode()
    assert not CarerLink.objects.exists()


def test_invitation_accept_makes_a_membership_once(client, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, link = provider_invitation_create(
            actor=cast.provider_owner, provider=cast.provider, email="new@example.com", role="staff"
        )
    assert mail.outbox and link in mail.outbox[0].body
    path = link.removeprefix("http://127.0.0.1:8000")
    newcomer = af.make_user(email="new@example.com")
    client.force_login(newcomer)
    assert client.post(path).status_code == 302
    assert ProviderMembership.objects.get(user=newcomer).role == "staff"
    assert client.post(path).status_code == 409  # the link is used up


def test_invitation_for_another_address_is_refused(client, cast):
    _, link = provider_invitation_create(
        actor=cast.provider_owner, provider=cast.provider, email="new@example.com", role="staff"
    )
    client.force_login(cast.outsider)
    response = client.post(link.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 400
    assert not ProviderMembership.objects.filter(user=cast.outsider).exists()


def test_expired_invitation_is_refused(client, cast):
    invitation, link = provider_invitation_create(
        actor=cast.provider_owner, provider=cast.provider, email="new@example.com", role="staff"
    )
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    client.force_login(af.make_user(email="new@example.com"))
    response = client.post(link.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 409
    assert "expired" in response.content.decode()


def test_staff_cannot_invite(cast):
    from carehub.errors import NotPermitted

    with pytest.raises(NotPermitted):
        provider_invitation_create(
            actor=cast.provider_staff, provider=cast.provider, email="x@example.com", role="owner"
        )


def test_unknown_page_uses_the_404_template(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    af.make_user(email="kim@example.com")
    for _ in range(3):
        client.post(reverse("accounts:sign-in"), {"username": "kim@example.com", "password": "wrong-one"})
    response = client.post(reverse("accounts:sign-in"), {"username": "kim@example.com", "password": af.PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session
