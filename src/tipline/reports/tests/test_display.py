"""A person's stored details read as labelled fields; history read as sentences."""

from __future__ import annotations

from types import SimpleNamespace

from tipline.reports.display import has_contact, labelled_fields
from tipline.reports.history import history_sentence


def test_details_become_one_labelled_line_per_item_without_empty_parts() -> None:
    details = {
        "phones": [{"number": "08031234567"}],
        "accounts": [{"platform": "Snapchat", "screen_name": "invented_1", "display_names": []}],
        "emails": [],
        "other": {"school_name": "Invented College"},
    }
    assert labelled_fields(details) == [
        ("Phone", "08031234567"),
        ("Account", "platform: Snapchat; screen name: invented_1"),
        ("School name", "Invented College"),
    ]


def test_contact_means_a_phone_email_or_address() -> None:
    assert has_contact({"phones": [{"number": "0803"}]})
    assert not has_contact({"accounts": [{"platform": "Snapchat"}], "phones": []})


def _event(action: str, label: str, before: object = None, after: object = None) -> object:
    return SimpleNamespace(action=action, actor_label=label, before=before, after=after)


def test_history_reads_as_sentences_naming_who_did_it() -> None:
    prioritised = _event(
        "report.prioritised", "system", after={"priority": "P3", "reasons": ["default for x"]}
    )
    assert history_sentence(prioritised) == "Priority set to P3 by the pipeline: default for x"
    moved = _event(
        "report.status_changed",
        "ada",
        before={"status": "awaiting_triage"},
        after={"status": "closed", "reason": "duplicate", "note": ""},
    )
    assert history_sentence(moved) == (
        "Status changed from awaiting triage to closed by ada: duplicate"
    )
    assert history_sentence(_event("report.something_new", "ada")) == "Something new by ada"
