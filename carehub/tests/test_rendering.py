"""carehub.rendering.render_and_release: django.shortcuts.render's page, with its cycles broken after."""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from carehub.rendering import render_and_release
from directory.search.forms import ServiceSearchForm


def test_render_and_release_writes_what_render_writes_with_the_status_given(db):
    request = RequestFactory().get("/search/")
    request.user = AnonymousUser()
    form = ServiceSearchForm({"postcode": ""})
    assert not form.is_valid()
    response = render_and_release(request, "directory/search.html", {"form": form}, status=400)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "There is a problem" in response.content.decode()  # the form's errors, rendered
    assert form._bound_fields_cache == {}  # and its bound fields let go once written


def test_render_and_release_renders_another_engines_template_as_render_does(db):
    request = RequestFactory().get("/search/")
    context = {"rows": [], "shortlist": {}, "postcode": "G12 8QQ", "postcode_query": "G12%208QQ"}
    response = render_and_release(request, "directory/_search_results.html", context)
    assert response.status_code == 200
