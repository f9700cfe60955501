"""The search page: full page without JavaScript, results alone for htmx, scoped, few queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tipline.accounts.models import User
from tipline.conftest import login
from tipline.search.tests.conftest import Submit

URL = reverse("search:search")


def test_search_page_needs_a_login(db: Any) -> None:
    response = Client().get(URL, {"q": "pikin"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_empty_page_shows_the_form_only(lagos_analyst: User) -> None:
    response = login(lagos_analyst).get(URL)
    assert response.status_code == 200
    assert b'role="search"' in response.content and b"<table>" not in response.content


def test_results_link_to_the_report_and_show_its_facts(submit: Submit, lagos_analyst: User) -> None:
    report = submit("Oga for Yaba dey collect pikin money.")
    response = login(lagos_analyst).get(URL, {"q": "yaba"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert reverse("console:report", args=[report.reference]) in page
    assert "<mark>Yaba</mark>" in page
    assert report.get_incident_type_display() in page
    assert report.get_status_display() in page
    assert "Lagos" in page and "WAT" in page


def test_htmx_gets_the_results_alone(submit: Submit, lagos_analyst: User) -> None:
    report = submit("Oga for Yaba.")
    client = login(lagos_analyst)
    partial = client.get(URL, {"q": "yaba"}, headers={"HX-Request": "true"})
    assert report.reference in partial.content.decode()
    assert b"<html" not in partial.content and b'role="search"' not in partial.content
    assert "HX-Request" in partial["Vary"]
    restore = client.get(
        URL, {"q": "yaba"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert b"<html" in restore.content


def test_snippet_text_is_escaped(submit: Submit, lagos_analyst: User) -> None:
    submit("<script>alert('pikin')</script> Yaba")
    page = login(lagos_analyst).get(URL, {"q": "yaba"}).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_outsider_sees_no_results_by_words_or_identifier(
    submit: Submit, lagos_analyst: User, kano_analyst: User
) -> None:
    report = submit("Oga for Yaba.", phone="08035550000")
    link = reverse("console:report", args=[report.reference])
    client = login(kano_analyst)
    for query in ("yaba", "0803 555 0000", report.reference):
        page = client.get(URL, {"q": query}).content.decode()
        assert link not in page, query
        assert "No reports in your scope match." in page
    assert link in login(lagos_analyst).get(URL, {"q": "yaba"}).content.decode()


def test_filters_in_the_query_string_apply(submit: Submit, lagos_analyst: User) -> None:
    labour = submit("Farm palava.", type="labour_exploitation")
    other = submit("Farm palava too.")
    page = (
        login(lagos_analyst)
        .get(URL, {"q": "palava", "incident_type": "labour_exploitation"})
        .content.decode()
    )
    assert labour.reference in page and other.reference not in page


def test_pagination_links_keep_the_query_and_filters(
    submit: Submit, lagos_analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tipline.search import selectors

    monkeypatch.setattr(selectors, "PER_PAGE", 1)
    for i in range(2):
        submit(f"Okrika {i}.")
    client = login(lagos_analyst)
    page = client.get(URL, {"q": "okrika", "channel": "web"}).content.decode()
    assert "?q=okrika&amp;channel=web&amp;page=2" in page
    second = client.get(URL, {"q": "okrika", "channel": "web", "page": "2"}).content.decode()
    assert "Showing 2–2 of 2" in second and "Page 2 of 2" in second and "page=1" in second


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": "pikin\x00"},
        {"q": 'NEAR("*" -'},
        {"q": "pikin", "page": "abc"},
        {"q": "pikin", "page": "-1"},
        {"q": "pikin", "page": "99999999999999999999"},
        {"q": "pikin", "priority": "P9"},
        {"q": "ọ̀̀̀ 👶🏽 \u202e"},
    ],
)
def test_bad_input_is_answered_not_crashed(
    submit: Submit, lagos_analyst: User, params: dict[str, str]
) -> None:
    submit("Pikin dey.")
    response = login(lagos_analyst).get(URL, params)
    assert response.status_code == 200


def test_a_too_long_query_says_why(lagos_analyst: User) -> None:
    page = login(lagos_analyst).get(URL, {"q": "x" * 10_000}).content.decode()
    assert 'role="alert"' in page and "at most 500 characters" in page


def test_post_is_refused(lagos_analyst: User) -> None:
    assert login(lagos_analyst).post(URL, {"q": "pikin"}).status_code == 405


@pytest.mark.parametrize("query", ["farm", "08035550000", ""])
def test_results_query_count_does_not_grow_with_results(
    submit: Submit,
    lagos_analyst: User,
    django_assert_max_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
) -> None:
    from tipline.search import selectors

    monkeypatch.setattr(selectors, "PER_PAGE", 2)  # both runs have a next page
    filters = {"q": query, "channel": "web"}
    for _ in range(3):
        submit("Farm work.", phone="08035550000")
    client = login(lagos_analyst)
    # Session, user, the user's commands and the session's idle-timeout save take five;
    # the search one (the page) plus, on PostgreSQL, the index look-up for words and, for an
    # identifier, the capped count; the one INSERT recording the look-up; and the state and
    # command names of the filters' selects (read once per form).
    with django_assert_max_num_queries(11) as few:
        assert client.get(URL, filters, headers={"HX-Request": "true"}).status_code == 200
    for _ in range(8):
        submit("Farm work.", phone="08035550000")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, filters, headers={"HX-Request": "true"})


def test_filters_alone_that_match_nothing_say_so(submit: Submit, lagos_analyst: User) -> None:
    submit("Invented.")
    page = login(lagos_analyst).get(URL, {"q": "", "channel": "ussd"}).content.decode()
    assert "No reports in your scope match." in page and "Nothing to search for" not in page
    empty = login(lagos_analyst).get(URL, {"q": ""}).content.decode()
    assert "Nothing to search for" in empty
