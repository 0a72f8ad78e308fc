"""form_submit: the POST → service → message → redirect flow every form page shares."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import RequestFactory

from carehub.errors import DomainError, NotPermitted
from carehub.forms import form_status, form_submit, posted


class NameForm(forms.Form):
    name = forms.CharField(error_messages={"required": "Enter a name"})
    note = forms.CharField(required=False)


def _request(method: str, data: dict[str, str] | None = None) -> HttpRequest:
    factory = RequestFactory()
    request = factory.post("/", data or {}) if method == "POST" else factory.get("/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _messages(request: HttpRequest) -> list[str]:
    return [str(m) for m in get_messages(request)]


class Recorder:
    """A stand-in service: records what it was given, then returns `result` or raises `error`."""

    def __init__(self, result: Any = None, error: Exception | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.result, self.error = result, error

    def __call__(self, data: dict[str, Any]) -> Any:
        self.calls.append(dict(data))
        if self.error is not None:
            raise self.error
        return self.result


def _submit(request: HttpRequest, form: forms.Form, run: Recorder, **kwargs: Any) -> Any:
    kwargs.setdefault("success_message", "Saved.")
    kwargs.setdefault("redirect_to", "/done/")
    return form_submit(request, form, run, **kwargs)


def test_form_submit_on_get_shows_the_page_and_calls_nothing():
    request = _request("GET")
    form = NameForm(posted(request))
    run = Recorder()
    assert _submit(request, form, run) is None
    assert run.calls == []
    assert not form.is_bound and form_status(form) == 200
    assert _messages(request) == []


def test_form_submit_with_invalid_input_shows_errors_and_calls_nothing():
    request = _request("POST", {"name": ""})
    form = NameForm(posted(request))
    run = Recorder()
    assert _submit(request, form, run) is None
    assert run.calls == []
    assert form.errors == {"name": ["Enter a name"]}
    assert form_status(form) == 400


def test_form_submit_on_success_runs_the_service_with_cleaned_data_then_redirects_with_a_message():
    request = _request("POST", {"name": " Ann ", "note": "hi"})
    form = NameForm(posted(request))
    run = Recorder(result="created")
    response = _submit(request, form, run, success_message="Your details have been saved.")
    assert run.calls == [{"name": "Ann", "note": "hi"}]
    assert response.status_code == 302
    assert response["Location"] == "/done/"
    assert _messages(request) == ["Your details have been saved."]
    assert not form.errors


def test_form_submit_builds_message_and_redirect_from_what_the_service_returned():
    request = _request("POST", {"name": "Ann"})
    form = NameForm(posted(request))
    thread = SimpleNamespace(code="abc", name="Ann's enquiry")
    response = _submit(
        request,
        form,
        Recorder(result=thread),
        success_message=lambda t: f"{t.name} is saved.",
        redirect_to=lambda t: f"/threads/{t.code}/",
    )
    assert response["Location"] == "/threads/abc/"
    assert _messages(request) == ["Ann's enquiry is saved."]


def test_form_submit_redirects_to_a_url_name_and_can_skip_the_message():
    request = _request("POST", {"name": "Ann"})
    response = _submit(request, NameForm(posted(request)), Recorder(), success_message=None, redirect_to="home")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _messages(request) == []


def test_form_submit_puts_a_domain_error_naming_a_field_against_that_field():
    request = _request("POST", {"name": "Ann"})
    form = NameForm(posted(request))
    run = Recorder(error=DomainError("That name is taken.", field="name"))
    assert _submit(request, form, run, default_field="note") is None
    assert len(run.calls) == 1
    assert form.errors == {"name": ["That name is taken."]}
    assert form_status(form) == 400
    assert _messages(request) == []


def test_form_submit_puts_a_domain_error_without_a_field_on_the_default_field():
    request = _request("POST", {"name": "Ann"})
    form = NameForm(posted(request))
    assert _submit(request, form, Recorder(error=DomainError("Not now.")), default_field="note") is None
    assert form.errors == {"note": ["Not now."]}


@pytest.mark.parametrize("field", [None, "not_on_this_form"])
def test_form_submit_shows_a_domain_error_for_no_field_of_the_form_above_the_form(field):
    request = _request("POST", {"name": "Ann"})
    form = NameForm(posted(request))
    assert _submit(request, form, Recorder(error=NotPermitted("You may not do that.", field=field))) is None
    assert form.non_field_errors() == ["You may not do that."]
    assert form_status(form) == 400


def test_form_submit_lets_other_exceptions_through():
    request = _request("POST", {"name": "Ann"})
    with pytest.raises(ValueError):
        _submit(request, NameForm(posted(request)), Recorder(error=ValueError("a bug")))
