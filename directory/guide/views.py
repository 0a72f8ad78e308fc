"""'What support might suit me': one question a page, answers kept in the session (no account
needed), a check-your-answers page with a few sentences of information, then the search.

Works without JavaScript: every question is a plain POST form that redirects to the next one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from carehub.forms import form_status
from directory.guide import forms as guide_forms
from directory.guide.selectors import guide_search_url, guide_tips

SESSION_KEY = "guide_answers"


@dataclass(frozen=True)
class Step:
    slug: str  # in the URL
    key: str  # in the session
    form: type[forms.Form]
    summary: str  # the row's name on the check-your-answers page


# The questions say "they"; someone answering for themselves reads "you" instead.
FOR_ME = {
    "group": ("Which of these best describes you?", "We will show services for people like you."),
    "needs": ("What do you need help with?", "Select all that apply."),
    "postcode": ("What is the postcode where you need support?", "Usually your home. For example, G12 8QQ"),
    "how_often": ("How often do you need support?", ""),
}

STEPS = [
    Step("who", "who", guide_forms.WhoForm, "Who needs support"),
    Step("about-them", "group", guide_forms.GroupForm, "Who they are"),
    Step("help-with", "needs", guide_forms.NeedsForm, "Help with"),
    Step("postcode", "postcode", guide_forms.PostcodeForm, "Postcode"),
    Step("how-often", "how_often", guide_forms.HowOftenForm, "How often"),
    Step("budget", "budget", guide_forms.BudgetForm, "Budget"),
]


def _answers(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(SESSION_KEY, {}))


def _first_unanswered(answers: dict[str, Any]) -> Step | None:
    return next((step for step in STEPS if step.key not in answers), None)


def _question_url(step: Step, *, change: bool = False) -> str:
    url = reverse("directory:guide-question", kwargs={"step": step.slug})
    return f"{url}?change=1" if change else url


def guide_start(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/guide/start.html", {"first_url": _question_url(STEPS[0])})


def guide_question(request: HttpRequest, step: str) -> HttpResponse:
    index = next((i for i, s in enumerate(STEPS) if s.slug == step), None)
    if index is None:
        raise Http404("No such question")
    current = STEPS[index]
    answers = _answers(request)
    # Questions are answered in order: skipping ahead goes back to the first one not answered.
    missing = _first_unanswered(answers)
    if missing is not None and STEPS.index(missing) < index:
        return redirect(_question_url(missing))
    changing = request.GET.get("change") == "1"
    initial = {"answer": answers[current.key]} if current.key in answers else {}
    form = current.form(request.POST if request.method == "POST" else None, initial=initial)
    if answers.get("who") == "me" and current.key in FOR_ME:
        # Before validation: the bound field (and its label) is built then and kept.
        form.fields["answer"].label, form.fields["answer"].help_text = FOR_ME[current.key]
    if request.method == "POST" and form.is_valid():
        answers[current.key] = form.cleaned_data["answer"]
        request.session[SESSION_KEY] = answers
        following = _first_unanswered(answers)
        if changing or following is None:
            return redirect("directory:guide-answers")
        return redirect(_question_url(following))
    if changing:
        back_url = reverse("directory:guide-answers")
    elif index:
        back_url = _question_url(STEPS[index - 1])
    else:
        back_url = reverse("directory:guide-start")
    context = {
        "form": form,
        "field": form["answer"],
        "back_url": back_url,
        "number": index + 1,
        "total": len(STEPS),
    }
    return render(request, "directory/guide/question.html", context, status=form_status(form))


def guide_answers(request: HttpRequest) -> HttpResponse:
    answers = _answers(request)
    missing = _first_unanswered(answers)
    if missing is not None:
        return redirect(_question_url(missing) if answers else reverse("directory:guide-start"))
    rows = []
    for step in STEPS:
        form = step.form()
        labels = dict(form.fields["answer"].choices) if hasattr(form.fields["answer"], "choices") else {}
        value = answers[step.key]
        shown = ", ".join(str(labels.get(v, v)) for v in value) if isinstance(value, list) else labels.get(value, value)
        rows.append({"key": step.summary, "value": shown, "change_url": _question_url(step, change=True)})
    context = {
        "rows": rows,
        "tips": guide_tips(answers),
        "search_url": guide_search_url(answers),
        "events_url": f"{reverse('directory:event-search')}?{urlencode({'postcode': answers['postcode']})}",
        "back_url": _question_url(STEPS[-1]),
    }
    return render(request, "directory/guide/answers.html", context)
