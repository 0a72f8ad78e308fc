"""Pages for choosing care: the shortlist (signed in or not), comparing, sharing, saved searches
and the unsubscribe link. Plain forms; every page works without JavaScript."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from carehub.errors import DomainError, NotFound
from carehub.forms import form_status, form_submit, posted
from directory.search.selectors import service_get_for_user
from marketplace.choosing import selectors
from marketplace.choosing import services as choosing
from marketplace.choosing.forms import AlertsForm, CompareForm, ConfirmForm, SavedSearchForm, ShortlistAddForm
from marketplace.choosing.selectors import Entry
from marketplace.models import Shortlist


def _safe(request: HttpRequest, url: str, default: str) -> str:
    ok = url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False)
    return url if ok else default


def _shortlist_page(
    request: HttpRequest,
    entries: list[Entry],
    *,
    template_context: dict[str, object],
) -> HttpResponse:
    """A shortlist with its compare form; a valid comparison goes to the compare page."""
    asked = "service" in request.GET or "compare" in request.GET
    last_postcode = next((e.postcode for e in reversed(entries) if e.postcode), "")
    compare_form = CompareForm(request.GET if asked else None, entries=entries, initial={"postcode": last_postcode})
    if compare_form.is_bound and compare_form.is_valid():
        query = [("service", code) for code in compare_form.cleaned_data["service"]]
        query += [("postcode", compare_form.cleaned_data["postcode"]), ("back", request.path)]
        return redirect(f"{reverse('marketplace:shortlist-compare')}?{urlencode(query)}")
    context = {"entries": entries, "form": compare_form, **template_context}
    return render(request, "marketplace/choosing/shortlist.html", context, status=form_status(compare_form))


def shortlist(request: HttpRequest) -> HttpResponse:
    """The visitor's own shortlist: the account's, or the session's before sign-in."""
    entries = selectors.my_shortlist_entries(user=request.user, session=request.session)
    context: dict[str, object] = {"own": True}
    if request.user.is_authenticated:
        context["shortlist"] = selectors.shortlist_of(user=request.user)
        context["shared_with_me"] = selectors.shortlists_shared_with(user=request.user)
    return _shortlist_page(request, entries, template_context=context)


@login_required
def shortlist_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """Someone's shortlist, read-only, for the carers they granted 'view' (and for themselves)."""
    found = selectors.shortlist_get_for_user(user=request.user, code=code)
    context = {"owner_name": _owner_name(found), "read_only": True}
    return _shortlist_page(request, selectors.shortlist_entries(shortlist=found), template_context=context)


def shortlist_shared(request: HttpRequest, token: str) -> HttpResponse:
    """A shortlist opened from its share link: read-only, no sign-in needed."""
    found = selectors.shortlist_get_by_token(token=token)
    context = {"owner_name": _owner_name(found), "read_only": True, "by_link": True}
    return _shortlist_page(request, selectors.shortlist_entries(shortlist=found), template_context=context)


def _owner_name(found: Shortlist) -> str:
    person = getattr(found.owner, "person_profile", None)
    return person.display_name if person is not None else found.owner.full_name


@require_POST
def shortlist_add(request: HttpRequest) -> HttpResponse:
    form = ShortlistAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "We could not add that service: try again from its page.")
        return redirect("marketplace:shortlist")
    data = form.cleaned_data
    back = _safe(request, data["next"], reverse("marketplace:shortlist"))
    service = service_get_for_user(user=request.user, code=data["service"])
    try:
        if request.user.is_authenticated:
            choosing.shortlist_add(actor=request.user, service=service, postcode=data["postcode"])
        else:
            choosing.session_shortlist_add(session=request.session, service=service, postcode=data["postcode"])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, f"{service.name} is on your shortlist.")
    return redirect(back)


def shortlist_remove(request: HttpRequest, service_code: uuid.UUID) -> HttpResponse:
    """Confirm, then take a service off the visitor's own shortlist."""
    entries = selectors.my_shortlist_entries(user=request.user, session=request.session)
    entry = next((e for e in entries if e.service.code == service_code), None)
    if entry is None:
        return render(request, "404.html", status=404)
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if request.user.is_authenticated:
            choosing.shortlist_remove(actor=request.user, service=entry.service)
        else:
            choosing.session_shortlist_remove(session=request.session, service=entry.service)
        messages.success(request, f"{entry.service.name} has been taken off your shortlist.")
        return redirect("marketplace:shortlist")
    return render(request, "marketplace/choosing/shortlist_remove.html", {"entry": entry, "form": form})


def shortlist_compare(request: HttpRequest) -> HttpResponse:
    """2 to 4 services side by side (public facts only, so anyone may compare any published services)."""
    codes = request.GET.getlist("service")
    back = _safe(request, request.GET.get("back", ""), reverse("marketplace:shortlist"))
    origin = selectors.compare_origin(request.GET.get("postcode", "").strip())
    columns = selectors.compare_services(codes=codes, origin=origin) if len(codes) <= selectors.COMPARE_MAX else []
    context = {"columns": columns, "origin": origin, "back": back}
    if not selectors.COMPARE_MIN <= len(columns) <= selectors.COMPARE_MAX:
        context["error_message"] = (
            f"Choose {selectors.COMPARE_MIN} to {selectors.COMPARE_MAX} services to compare from the shortlist"
        )
        return render(request, "marketplace/choosing/compare.html", context, status=400)
    return render(request, "marketplace/choosing/compare.html", context)


@login_required
def shortlist_share(request: HttpRequest) -> HttpResponse:
    """Who can see the shortlist, and its read-only link: make (or replace) it here."""
    form = ConfirmForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: choosing.shortlist_share_create(actor=request.user),
        success_message="Anyone with the new link can now see your shortlist. Any older link no longer works.",
        redirect_to="marketplace:shortlist-share",
    ):
        return response
    found = selectors.shortlist_of(user=request.user)
    share_url = (
        request.build_absolute_uri(reverse("marketplace:shortlist-shared", kwargs={"token": found.share_token}))
        if found is not None and found.share_token
        else ""
    )
    person = getattr(request.user, "person_profile", None)
    carers = (
        person.carer_links.filter(status="active", can_view=True).select_related("carer") if person is not None else []
    )
    context = {"shortlist": found, "share_url": share_url, "carers": carers, "form": form}
    return render(request, "marketplace/choosing/shortlist_share.html", context, status=form_status(form))


@login_required
def shortlist_share_revoke(request: HttpRequest) -> HttpResponse:
    found = selectors.shortlist_of(user=request.user)
    if found is None or not found.share_token:
        return redirect("marketplace:shortlist-share")
    form = ConfirmForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: choosing.shortlist_share_revoke(actor=request.user),
        success_message="The share link has been turned off. Nobody can use it any more.",
        redirect_to="marketplace:shortlist-share",
    ):
        return response
    return render(request, "marketplace/choosing/shortlist_share_revoke.html", {"form": form})


# --- Saved searches -------------------------------------------------------------------


@login_required
def saved_search_list(request: HttpRequest) -> HttpResponse:
    searches = selectors.saved_search_list_for_user(user=request.user)
    return render(request, "marketplace/choosing/saved_search_list.html", {"searches": searches})


@login_required
def saved_search_new(request: HttpRequest) -> HttpResponse:
    """Save the search of the results page that linked here (its query string comes along)."""
    query = request.GET.urlencode()
    form = SavedSearchForm(posted(request), initial={"query": query, "alerts": True})
    if response := form_submit(
        request,
        form,
        lambda data: choosing.saved_search_create(
            actor=request.user, query_string=data["query"], name=data["name"], alerts=data["alerts"]
        ),
        success_message=lambda saved: f"Your search “{saved.name}” has been saved.",
        redirect_to=lambda saved: reverse("marketplace:saved-search-detail", kwargs={"code": saved.code}),
        default_field="name",
    ):
        return response
    search = selectors.search_form(form.data.get("query", query) if form.is_bound else query)
    if not search.is_valid():
        return render(request, "marketplace/choosing/saved_search_nothing.html", status=400)
    data = search.cleaned_data
    context = {
        "form": form,
        "search": data,
        "category_names": [dict(search.fields["category"].choices).get(c, c) for c in data["category"]],
        "delivery_label": dict(search.fields["delivery"].choices).get(data["delivery"], ""),
        "results_url": f"{reverse('directory:search')}?{query}",
    }
    return render(request, "marketplace/choosing/saved_search_new.html", context, status=form_status(form))


@login_required
def saved_search_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    saved = selectors.saved_search_get_for_user(user=request.user, code=code)
    form = AlertsForm(posted(request), initial={"alerts": saved.alerts})
    if response := form_submit(
        request,
        form,
        lambda data: choosing.saved_search_alerts_set(actor=request.user, saved_search=saved, alerts=data["alerts"]),
        success_message=lambda s: "Alerts are on." if s.alerts else "Alerts are off.",
        redirect_to=reverse("marketplace:saved-search-detail", kwargs={"code": saved.code}),
    ):
        return response
    context = {"saved": saved, "form": form, "results_url": f"{reverse('directory:search')}?{saved.query_string}"}
    return render(request, "marketplace/choosing/saved_search_detail.html", context, status=form_status(form))


@login_required
def saved_search_delete(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    saved = selectors.saved_search_get_for_user(user=request.user, code=code)
    form = ConfirmForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: choosing.saved_search_delete(actor=request.user, saved_search=saved),
        success_message=f"Your saved search “{saved.name}” has been deleted.",
        redirect_to="marketplace:saved-search-list",
    ):
        return response
    return render(request, "marketplace/choosing/saved_search_delete.html", {"saved": saved, "form": form})


def saved_search_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every alert: GET asks, POST turns the alerts off. No sign-in: the signed link is the proof."""
    try:
        saved = choosing.saved_search_from_token(token)
    except NotFound as error:
        return render(request, "marketplace/choosing/unsubscribe.html", {"problem": error.message}, status=404)
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        choosing.saved_search_unsubscribe(token=token)
        return render(request, "marketplace/choosing/unsubscribe.html", {"saved": saved, "done": True})
    return render(request, "marketplace/choosing/unsubscribe.html", {"saved": saved, "form": form})
