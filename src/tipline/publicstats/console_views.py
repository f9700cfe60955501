"""The supervisors' review of a statistics release: its cells, the suppression applied (no cell
under k) and the differencing check against every release published before; approve or reject.

Supervisors and administrators only: anyone else gets the 404 of a page that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tipline.accounts.types import StaffRequest
from tipline.publicstats.choices import ReleaseStatus
from tipline.publicstats.forms import RejectForm
from tipline.publicstats.models import StatsRelease
from tipline.publicstats.selectors import release_get_for_user, releases_for_user
from tipline.publicstats.services import release_differencing_leaks, release_transition
from tipline.publicstats.views import release_tables


def _smallest_cell(release: StatsRelease) -> int | None:
    counts = [
        count
        for table in release.tables.values()
        for row in table["rows"]
        for count in row["cells"].values()
    ]
    return min(counts) if counts else None


@login_required
@require_GET
def release_list(request: StaffRequest) -> HttpResponse:
    """Every release, newest first, with its state."""
    return render(
        request, "publicstats/console_list.html", {"releases": releases_for_user(request.user)}
    )


@login_required
@require_GET
def release_review(request: StaffRequest, pk: int) -> HttpResponse:
    """One release as it would be published, and both checks, before a supervisor decides."""
    release = release_get_for_user(request.user, pk)
    context: dict[str, Any] = {
        "release": release,
        "tables": release_tables(release),
        "smallest": _smallest_cell(release),
        "held": release.differencing.get("held", []),
        "compared_with": release.differencing.get("compared_with", []),
        "leaks": release_differencing_leaks(release) if release.status == "draft" else [],
        "reject_form": RejectForm(),
    }
    return render(request, "publicstats/console_review.html", context)


def _decide(request: StaffRequest, pk: int, to_status: str, reason: str, done: str) -> HttpResponse:
    release = release_get_for_user(request.user, pk)
    try:
        release_transition(release=release, to_status=to_status, actor=request.user, reason=reason)
        messages.success(request, done)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return HttpResponseRedirect(reverse("publicstats_console:review", args=[release.pk]))


@login_required
@require_POST
def release_approve(request: StaffRequest, pk: int) -> HttpResponse:
    """Publish the release: the public page shows it from now on."""
    return _decide(request, pk, ReleaseStatus.APPROVED, "", "Release approved and published.")


@login_required
@require_POST
def release_reject(request: StaffRequest, pk: int) -> HttpResponse:
    """Withdraw a draft (or a published release) with the supervisor's reason."""
    form = RejectForm(request.POST)
    if not form.is_valid():
        release_get_for_user(request.user, pk)  # an outsider gets 404, not a form error
        messages.error(request, "Give the reason for rejecting the release.")
        return HttpResponseRedirect(reverse("publicstats_console:review", args=[pk]))
    reason = form.cleaned_data["reason"]
    return _decide(request, pk, ReleaseStatus.WITHDRAWN, reason, "Release rejected.")
