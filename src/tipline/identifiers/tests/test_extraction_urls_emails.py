"""URLs (canonical form, registrable domain, defanged forms) and email addresses."""

from __future__ import annotations

import pytest

from tipline.identifiers.extraction import extract_text, normalize


def found(text: str, kind: str) -> list[str]:
    return [i.normalized for i in extract_text(text) if i.kind == kind]


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("https://example.com", "https://example.com/"),
        ("HTTPS://WWW.EXAMPLE.COM:443/Path?Q=1", "https://www.example.com/Path?Q=1"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("www.example.org/x?y=1#z", "http://www.example.org/x?y=1#z"),
        ("example.com.ng", "http://example.com.ng/"),
        ("hxxp://bad-site[.]example[.]com/login", "http://bad-site.example.com/login"),
        ("hxxps://example[.]org", "https://example.org/"),
        ("shop(dot)example(dot)org/new", "http://shop.example.org/new"),
        ("fastcash dot example dot com", "http://fastcash.example.com/"),
        ("http://user:pw@example.net/a", "http://example.net/a"),
        ("http://41.58.1.2/login", "http://41.58.1.2/login"),
    ],
)
def test_url_is_canonicalised(written: str, canonical: str) -> None:
    assert found(f"see {written} today", "url") == [canonical]


def test_url_details_give_registrable_domain_and_defanging() -> None:
    [url] = extract_text("hxxps://a.b.example.co.uk/x")
    assert url.details == {
        "domain": "example.co.uk",
        "host": "a.b.example.co.uk",
        "defanged": "true",
    }


def test_private_suffix_keeps_the_users_own_site() -> None:
    [url] = extract_text("https://jane.blogspot.com/post")
    assert url.details["domain"] == "jane.blogspot.com"


def test_trailing_punctuation_and_unbalanced_brackets_are_not_part_of_url() -> None:
    assert found("(see https://www.example.org/a_(b)).", "url") == ["https://www.example.org/a_(b)"]
    assert found("<https://example.com>", "url") == ["https://example.com/"]


@pytest.mark.parametrize(
    "text",
    [
        "He left.It was late",
        "e.g. 5 p.m. and i.e. Mr.Adeyemi",
        "photo.zip, report.pdf, notes.md and Node.js",
        "Back in the dot com era",
        "12.05.2024",
        "http://localhost/admin",
    ],
)
def test_sentence_joins_abbreviations_and_file_names_are_not_urls(text: str) -> None:
    assert found(text, "url") == []


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("jane.doe@Example.COM", "jane.doe@example.com"),
        ("Jane+tag@example.org", "Jane+tag@example.org"),
        ("jane(at)example(dot)com", "jane@example.com"),
        ("yaro [at] example [dot] org", "yaro@example.org"),
        ("08031234567@example.com", "08031234567@example.com"),
    ],
)
def test_email_keeps_local_part_and_lowercases_domain(written: str, normalized: str) -> None:
    assert found(f"mail {written}.", "email") == [normalized]


def test_email_domain_is_not_also_a_url_and_its_digits_not_a_phone() -> None:
    kinds = [i.kind for i in extract_text("08031234567@example.com and jane(at)example(dot)com")]
    assert kinds == ["email", "email"]


@pytest.mark.parametrize("text", ["admin@localhost", "@home", "a@b", "x@example.notatld"])
def test_things_with_at_signs_that_are_not_emails(text: str) -> None:
    assert found(text, "email") == []


def test_structured_email_and_url() -> None:
    email = normalize("email", " Jane@Example.COM ")
    assert email is not None and email.normalized == "Jane@example.com"
    url = normalize("url", "Example.com/a")
    assert url is not None and url.normalized == "http://example.com/a"
    assert normalize("url", "not a url") is None
    assert normalize("email", "jane.example.com") is None
