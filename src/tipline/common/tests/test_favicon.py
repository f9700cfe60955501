"""A small favicon, linked from the public pages and the console alike."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.test import Client

from tipline.accounts.models import User
from tipline.conftest import login

LINK = '<link rel="icon" type="image/svg+xml" href="/static/common/favicon.svg">'


def test_the_favicon_is_a_small_svg() -> None:
    path = finders.find("common/favicon.svg")
    assert path is not None
    with open(path, "rb") as icon:
        body = icon.read()
    assert body.startswith(b"<svg") and len(body) < 1024  # public pages stay light on 2G


def test_the_public_form_and_the_login_page_link_it(geo: Any) -> None:
    for url in ("/en/", "/accounts/login/"):
        response = Client().get(url)
        assert response.status_code == 200
        assert LINK in response.content.decode(), url


def test_console_pages_link_it(lagos_analyst: User) -> None:
    assert LINK in login(lagos_analyst).get("/console/queue/").content.decode()
