"""The public pages in Hausa, Yoruba, Igbo and Nigerian Pidgin.

The catalogues live in src/tipline/locale/<lang>/LC_MESSAGES/django.po (intake strings only) with
a compiled django.mo beside each. These tests read the .po files directly, so a string that is
missing or untranslated fails here rather than silently showing English to a frightened child.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

LANGS = ["ha", "yo", "ig", "pcm"]
INTAKE = Path(__file__).resolve().parents[1]
LOCALE = Path(settings.LOCALE_PATHS[0])
REVIEW = "Needs review by a native speaker"
SAFETY_LINE = (
    "Do not download, save or forward abusive images or videos, even to report them. "
    "Report the link or the account instead."
)
HOTLINE_LINE = (
    'In danger now? Call the free NAPTIP hotline <a href="tel:%(HOTLINE)s">%(HOTLINE)s</a>, '
    'or the police on <a href="tel:112">112</a>.'
)


@dataclass
class Entry:
    """One message of a .po file; `msgstr` holds every form (one unless plural)."""

    msgid: str = ""
    msgstr: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    flags: str = ""


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header excluded. Enough of the format for Django's output."""
    entries: list[Entry] = []
    current, key = Entry(), ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if key:
                entries.append(current)
            current, key = Entry(), ""
        elif line.startswith("#,"):
            current.flags = line
        elif line.startswith("#~"):
            key = ""  # obsolete entries are not shown, so they are not checked
        elif line.startswith("#"):
            current.comments.append(line)
        else:
            key = _add_line(current, line, key)
    return [e for e in entries if e.msgid]


def _add_line(entry: Entry, line: str, key: str) -> str:
    if not line.startswith('"'):
        key, _, line = line.partition(" ")
        if key.startswith("msgstr"):
            entry.msgstr.append("")
    text: str = ast.literal_eval(line)  # PO strings use the same escapes as Python's
    if key in ("msgid", "msgid_plural"):
        entry.msgid += text if key == "msgid" else ""
    elif key.startswith("msgstr"):
        entry.msgstr[-1] += text
    return key


def catalogue(lang: str) -> dict[str, Entry]:
    """The language's entries by msgid."""
    return {e.msgid: e for e in parse_po(LOCALE / lang / "LC_MESSAGES" / "django.po")}


def shown(lang: str, msgid: str) -> str:
    """The translation as it appears in a page (autoescaped), after checking it exists."""
    msgstr = catalogue(lang)[msgid].msgstr[0]
    assert msgstr and msgstr != msgid, f"{lang}: {msgid!r} is not translated"
    return str(escape(msgstr))


@pytest.mark.parametrize("lang", LANGS)
def test_public_form_is_shown_in_the_chosen_language(lang: str, geo: Any) -> None:
    with translation.override(lang):
        url = reverse("intake:report")
    response = Client().get(url)
    page = response.content.decode()
    assert url == f"/{lang}/" and response.status_code == 200
    assert f'<html lang="{lang}">' in page
    for msgid in ("Quick exit", "Send report", SAFETY_LINE, "Tell us what happened"):
        assert shown(lang, msgid) in page
    hotline = catalogue(lang)[HOTLINE_LINE].msgstr[0]
    assert hotline.replace("%(HOTLINE)s", settings.HOTLINE) in page
    assert "Send report" not in page and "Quick exit" not in page


@pytest.mark.parametrize("lang", LANGS)
def test_form_errors_and_their_summary_are_in_the_chosen_language(lang: str, geo: Any) -> None:
    # Django's own messages are translated for Igbo only: every error shown here must be ours.
    bad = {"victim_age": "many", "contact_email": "nope", "when": "x" * 201}
    page = Client().post(f"/{lang}/", bad).content.decode()
    errors = re.findall(r'<li><a href="#id_\w+">([^<]+)</a></li>', page)
    english = re.findall(r'<li><a href="#id_\w+">([^<]+)</a></li>', _english_errors(bad))
    assert len(errors) == len(english) == 5
    translated = {
        str(escape(e.msgstr[0].replace("%(limit_value)d", "200"))) for e in catalogue(lang).values()
    }
    assert [e for e in errors if e not in translated] == []
    assert set(errors).isdisjoint(english)
    assert shown(lang, "There is a problem") in page and shown(lang, "Error:") in page


def _english_errors(data: dict[str, str]) -> str:
    return Client().post("/en/", data).content.decode()


@pytest.mark.parametrize("lang", LANGS)
def test_safety_page_is_shown_in_the_chosen_language(lang: str, db: Any) -> None:
    response = Client().get(f"/{lang}/safety/")
    page = response.content.decode()
    assert response.status_code == 200 and f'<html lang="{lang}">' in page
    assert shown(lang, "Staying safe") in page


@pytest.mark.parametrize("lang", LANGS)
def test_every_intake_string_is_translated_and_marked_for_review(lang: str) -> None:
    entries = parse_po(LOCALE / lang / "LC_MESSAGES" / "django.po")
    assert len(entries) > 50
    assert [e.msgid for e in entries if not all(e.msgstr)] == []
    assert [e.msgid for e in entries if not any(REVIEW in c for c in e.comments)] == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []  # msgfmt would skip them


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_placeholders_tags_and_names(lang: str) -> None:
    def kept(text: str) -> list[str]:
        return sorted(re.findall(r"%\(\w+\)s|</?\w+>|NAPTIP|\b\d{3}\b", text))

    assert [
        e.msgid
        for e in parse_po(LOCALE / lang / "LC_MESSAGES" / "django.po")
        if kept(e.msgid) != kept(e.msgstr[0])
    ] == []


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches_the_po_file(lang: str) -> None:
    directory = LOCALE / lang / "LC_MESSAGES"
    with (directory / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        e.msgid
        for e in parse_po(directory / "django.po")
        if compiled.gettext(e.msgid) != e.msgstr[0]
    ]
    assert stale == [], "run msgfmt --check -o django.mo django.po"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs xgettext")
def test_catalogues_cover_every_string_of_the_intake_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy, because makemessages writes temporary files beside the templates it reads.
    source = tmp_path / "intake"
    shutil.copytree(INTAKE, source, ignore=shutil.ignore_patterns("tests", "static", "__pycache__"))
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["ha"], ignore_patterns=["*/tests/*"], verbosity=0)
    current = {e.msgid for e in parse_po(tmp_path / "locale/ha/LC_MESSAGES/django.po")}
    for lang in LANGS:
        assert sorted(current - set(catalogue(lang))) == [], f"new strings: update {lang}"
