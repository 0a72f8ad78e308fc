"""Information and advice pages: the list, a search over them and one page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from directory.advice import selectors
from directory.advice.forms import AdviceSearchForm


def advice_list(request: HttpRequest) -> HttpResponse:
    form = AdviceSearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    pages = selectors.advice_page_search(q=q) if q else selectors.advice_page_list()
    page = Paginator(pages, 20).get_page(request.GET.get("page"))
    return render(request, "directory/advice/list.html", {"form": form, "q": q, "page": page})


def advice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    advice = selectors.advice_page_get(slug=slug)
    context = {"advice": advice, "blocks": selectors.advice_body_blocks(advice.body)}
    return render(request, "directory/advice/detail.html", context)
