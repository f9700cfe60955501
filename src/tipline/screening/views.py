"""The public 'check a job offer' page: no login, nothing stored unless the person reports.

It answers in the page's language which warning signs the offer shows, in plain words, and how to
report it. It never looks the offer's phones up in the reports: a stranger must not learn whether
a number is known to the agency. Choosing to report leaves the offer in the session for the report
form to prefill, and nothing else is kept.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tipline.common.public import public_limited
from tipline.screening.choices import PREFILL_SESSION_KEY
from tipline.screening.engine import Screening
from tipline.screening.forms import OfferCheckForm
from tipline.screening.services import TextInput, screen_texts

REPORT_TYPE = "deceptive_recruitment"


def _signs(screening: Screening, language: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each warning sign in the page's language: its name, why it matters, the words."""
    return [
        (f.indicator.name(language), f.indicator.explanation(language), f.triggers)
        for f in screening.findings
        if f.indicator.weight > 0 or f.id == "licensed_agency"
    ]


def _report(request: HttpRequest, form: OfferCheckForm) -> HttpResponse:
    """The person chose to report: the report form opens with the offer already in it."""
    request.session[PREFILL_SESSION_KEY] = {
        "incident_type": REPORT_TYPE,
        "description": form.cleaned_data["offer"],
    }
    response = HttpResponseRedirect(reverse("intake:report"))
    response.status_code = 303
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def check_offer(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: the warning signs (nothing stored), or, with `report`, on to the
    report form prefilled with the offer."""
    form = OfferCheckForm(request.POST or None)
    if request.method == "GET":
        return render(request, "screening/check.html", {"form": form})
    if (limited := public_limited(request, bucket="offer-check")) is not None:
        return limited
    if request.POST.get("website") or not form.is_valid():
        return render(request, "screening/check.html", {"form": form}, status=400)
    if "report" in request.POST:
        return _report(request, form)
    [screening] = screen_texts(items=[TextInput(text=form.cleaned_data["offer"])], with_links=False)
    context = {
        "form": form,
        "checked": True,
        "level": screening.level,
        "signs": _signs(screening, get_language() or "en"),
    }
    return render(request, "screening/check.html", context)
