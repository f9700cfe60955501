"""Every `next` goes through one check: no page of ours redirects off the site."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from tipline.common.http import safe_next
from tipline.conftest import login

OFF_SITE = ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_fall_back(target: str) -> None:
    assert safe_next(RequestFactory().get("/"), target, "/console/") == "/console/"


def test_own_paths_are_kept() -> None:
    assert safe_next(RequestFactory().get("/"), "/console/queue/?page=2", "/x") == (
        "/console/queue/?page=2"
    )


@pytest.mark.parametrize("target", OFF_SITE)
def test_media_preference_never_redirects_off_site(lagos_analyst: Any, target: str) -> None:
    response = login(lagos_analyst).post(
        "/console/media/preferences/media", {"reveal_by_default": "0", "next": target}
    )
    assert response.status_code == 302 and response["Location"] == "/console/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_report_actions_never_redirect_off_site(
    lagos_analyst: Any, lagos_report: Any, target: str
) -> None:
    client = login(lagos_analyst)
    for path, data in (
        (f"/console/queue/reports/{lagos_report.reference}/note/", {"body": "An invented note."}),
        ("/console/queue/actions/", {"reports": [lagos_report.pk], "action": "claim"}),
    ):
        location = client.post(path, {**data, "next": target})["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
