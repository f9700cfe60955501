"""Converting /ispws documents into report drafts: every element lands somewhere, nothing raises."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from tipline.intake.ispws import (
    IspwsXMLError,
    ValidationFailed,
    file_details_to_dict,
    parse_and_validate,
    parse_document,
    report_to_dict,
    validate,
)
from tipline.intake.ispws.convert import (
    ISPWS_FILE_ANNOTATIONS,
    ISPWS_REPORT_ANNOTATIONS,
    file_details_dict_to_file_draft,
    report_dict_to_draft,
)
from tipline.reports.choices import (
    Annotation,
    Channel,
    IncidentType,
    InternetDetailKind,
    PersonRole,
)
from tipline.reports.drafts import PersonDraft, ReportDraft

from .support import fixture_bytes

RECEIVED = datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
FILE_ID = "0123456789abcdef0123456789abcdef"
MD5 = "5d41402abc4b2a76b9719d911017c592"
SHA1 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


def report_dict(name: str = "report-maximal.xml") -> dict[str, Any]:
    return report_to_dict(parse_and_validate(fixture_bytes(name), expected_root="report"))


def file_dict(name: str = "filedetails-maximal.xml") -> dict[str, Any]:
    return file_details_to_dict(
        parse_and_validate(fixture_bytes(name), expected_root="fileDetails")
    )


def convert(data: dict[str, Any], raw_xml: str = "<report/>") -> ReportDraft:
    return report_dict_to_draft(data, [], raw_xml=raw_xml, received_at=RECEIVED)


def with_text(body: bytes, path: str, text: str) -> dict[str, Any]:
    """The dict of a fixture with the text of the element at ``path`` replaced (still valid)."""
    root = etree.fromstring(body)
    found = root.xpath(path)
    assert isinstance(found, list) and found, path
    target = found[0]
    assert isinstance(target, etree._Element)
    target.text = text
    validate(root)
    return report_to_dict(root)


@pytest.fixture(scope="module")
def maximal() -> ReportDraft:
    return convert(report_dict(), raw_xml=fixture_bytes("report-maximal.xml").decode())


def people_of(draft: ReportDraft, role: PersonRole) -> list[PersonDraft]:
    return [p for p in draft.people if p.role == role]


# --------------------------------------------------------------------------- the maximal report


def test_the_channel_adapter_fields_are_set(maximal: ReportDraft) -> None:
    assert maximal.channel == Channel.ISPWS
    # The draft strips surrounding whitespace from every text, the raw record included.
    assert maximal.raw_record == fixture_bytes("report-maximal.xml").decode().strip()
    assert maximal.raw_content_type == "application/xml"
    assert maximal.received_at == RECEIVED
    assert maximal.reporter_anonymous is False
    assert maximal.extra["ispws_report"] == report_dict()


def test_the_incident_summary_maps_with_its_time_zone(maximal: ReportDraft) -> None:
    incident = maximal.incident
    assert incident.type == IncidentType.ONLINE_ENTICEMENT
    assert incident.occurred_at == datetime(2024, 5, 1, 11, tzinfo=UTC)
    assert incident.occurred_at is not None
    assert incident.occurred_at.utcoffset() == timedelta(hours=1)
    assert incident.occurred_at_text == "Messages exchanged over two days."
    assert incident.platform == "Example Chat"
    assert incident.escalation_note == "Meeting arranged for tomorrow evening."
    assert set(incident.annotations) == set(ISPWS_REPORT_ANNOTATIONS.values())
    assert incident.description == ("Report assembled by the invented platform's automated system.")


def test_report_elements_without_a_field_are_kept_in_extra(maximal: ReportDraft) -> None:
    other = maximal.extra["ispws_other"]
    assert other["batchedReport"] == {"@reason": "VIRAL_POTENTIAL_MEME"}
    assert other["lawEnforcement"]["agencyName"] == "Example Police Service"
    assert other["lawEnforcement"]["caseNumber"] == "EX-2024-0001"


def test_reporting_and_contact_persons_are_reporters(maximal: ReportDraft) -> None:
    reporting, contact = people_of(maximal, PersonRole.REPORTER)
    assert (reporting.first_name, reporting.last_name) == ("Tolu", "Reporter")
    assert [e.address for e in reporting.emails] == [
        "safety@platform.example.test",
        "backup@platform.example.test",
    ]
    assert (reporting.emails[0].type, reporting.emails[0].verified) == ("Business", True)
    assert [p.number for p in reporting.phones] == ["+2340000000002"]
    assert reporting.addresses[0].street == "3 Example Street"
    assert reporting.addresses[0].country == "NG"
    assert (reporting.age, reporting.date_of_birth) == (40, date(1984, 1, 2))
    assert reporting.other == {
        "companyTemplate": "Example Platform Trust & Safety",
        "termsOfService": "https://platform.example.test/terms",
        "legalURL": "https://platform.example.test/legal",
    }
    assert (contact.first_name, contact.last_name) == ("Chidi", "Contact")
    assert contact.other == {"ispws_element": "contactPerson"}
    assert [e.address for e in contact.emails] == ["contact@platform.example.test"]


def test_a_reported_person_keeps_accounts_ip_events_and_devices(maximal: ReportDraft) -> None:
    (suspect,) = people_of(maximal, PersonRole.REPORTED_PERSON)
    assert (suspect.first_name, suspect.age, suspect.date_of_birth) == (
        "Suspect",
        35,
        date(1989, 3, 4),
    )
    assert [p.number for p in suspect.phones] == ["+234 8030000004"]  # with its calling code
    own, linked = suspect.accounts
    assert own.platform == "Example Chat" and own.esp_identifier == "user-1001"
    assert own.screen_name == "suspect_one"
    assert own.display_names == ["Suspect One", "S. One"]
    assert own.profile_urls == ["https://www.example.test/u/1001", "https://m.example.test/u/1001"]
    assert (own.profile_bio, own.compromised) == ("Invented bio.", False)
    assert (linked.platform, linked.esp_identifier, linked.screen_name) == (
        "Example Pay",
        "pay-77",
        "payer77",
    )
    (ip,) = suspect.ip_events
    assert (ip.ip, ip.port, ip.event, ip.possible_proxy) == ("192.0.2.20", 51234, "Login", True)
    assert ip.at == datetime(2024, 4, 30, 20, tzinfo=UTC)
    (device,) = suspect.devices
    assert (device.id_type, device.id_value, device.event) == (
        "IMEI",
        "000000000000001",
        "Registration",
    )
    assert suspect.notes == "Second account suspected."
    assert suspect.other["vehicleDescription"] == "Blue invented car"
    assert suspect.other["priorCTReports"] == ["1001", "1002"]
    assert [a["@type"] for a in suspect.other["associatedAccount"]] == ["Linked", "Parent/Guardian"]


def test_intended_recipient_notes_are_joined(maximal: ReportDraft) -> None:
    (recipient,) = people_of(maximal, PersonRole.INTENDED_RECIPIENT)
    assert (recipient.first_name, recipient.age) == ("Recipient", 14)
    assert recipient.notes == "First note.\n\nSecond note."
    assert recipient.accounts[0].esp_identifier == "user-2002"
    assert recipient.devices[0].id_type == "IDFA"


def test_victims_keep_age_school_and_even_an_empty_person(maximal: ReportDraft) -> None:
    first, empty = people_of(maximal, PersonRole.VICTIM)
    assert (first.first_name, first.last_name, first.age) == ("Victim", "Example", 13)
    assert first.accounts[0].compromised is True
    assert first.other["schoolName"] == "Example Secondary School"
    assert first.ip_events[0].event == "Unknown"
    assert empty.first_name is None and empty.other == {}


def test_every_internet_details_kind_maps(maximal: ReportDraft) -> None:
    web, email, news, chat, game, phone, place, p2p = maximal.internet_details
    assert [d.kind for d in maximal.internet_details] == [
        InternetDetailKind.WEB_PAGE,
        InternetDetailKind.EMAIL,
        InternetDetailKind.NEWSGROUP,
        InternetDetailKind.CHAT_IM,
        InternetDetailKind.ONLINE_GAMING,
        InternetDetailKind.CELL_PHONE,
        InternetDetailKind.NON_INTERNET,
        InternetDetailKind.PEER_TO_PEER,
    ]
    assert web.urls == ["https://www.example.test/a", "https://cdn.example.test/b.jpg"]
    assert web.third_party_hosted is True and web.additional_info == "Hosted by a third party."
    assert email.email_addresses == ["sender@example.test", "other@example.test"]
    assert email.content == "Invented email body."
    assert email.additional_info is not None
    assert email.additional_info.startswith("Forwarded by a user.")
    assert "2024-04-01T08:00:00Z" in email.additional_info  # the verification date is kept
    assert (news.name, news.email_addresses) == ("alt.example.test", ["poster@example.test"])
    assert (chat.chat_client, chat.chat_room) == ("Example Messenger", "room-42")
    assert (game.game_name, game.console) == ("Example Quest", "Example Console")
    assert (phone.phone_number, phone.latitude, phone.longitude) == ("8030000000", 6.4541, 3.3947)
    assert place.location_name == "Example Park"
    assert [a.state for a in place.addresses] == ["Lagos", "IL"]
    assert [a.postal_code for a in place.addresses] == ["100001", None]
    assert p2p.client == "Example P2P" and p2p.file_names == "a.bin, b.bin"
    assert [(e.ip, e.port) for e in p2p.ip_events] == [("192.0.2.10", 6881), ("2001:db8::1", None)]


# --------------------------------------------------------------------------- nothing is lost


def leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, path)
    else:
        yield path, value


def forms(value: Any) -> set[str]:
    """Ways one value may be written: as sent, as a boolean, a number or a UTC instant."""
    if isinstance(value, bool):
        return {"true" if value else "false"}
    text = str(value).strip()
    found = {text, {"1": "true", "0": "false"}.get(text, text)}
    with contextlib.suppress(ValueError):
        found.add(repr(float(text)))
    try:
        moment = datetime.fromisoformat(text)
        found.add((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat())
    except ValueError:
        pass
    return found


def within(value: str, texts: list[str]) -> bool:
    """Part of a longer text: joined notes, a phone number with its calling code, or JSON."""
    quoted = f'"{value}"'  # a short value only counts as a whole JSON string
    return any((len(value) > 3 and value in text) or quoted in text for text in texts)


def test_every_leaf_of_the_maximal_report_is_in_a_draft_field_or_extra(
    maximal: ReportDraft,
) -> None:
    dump = maximal.model_dump(mode="json", exclude={"raw_record": True})
    del dump["extra"]["ispws_report"]  # that copy alone would prove nothing
    kept = [value for _, value in leaves(dump) if value is not None]
    kept_forms = set().union(*(forms(v) for v in kept))
    kept_text = [v for v in kept if isinstance(v, str)]
    missing = []
    for path, value in leaves(report_dict()):
        if path[-2:-1] == ("reportAnnotations",):
            assert ISPWS_REPORT_ANNOTATIONS[path[-1]] in maximal.incident.annotations
        elif path[-1] == "incidentType":
            assert maximal.incident.type == IncidentType.ONLINE_ENTICEMENT
        elif value.strip() and not (forms(value) & kept_forms or within(value, kept_text)):
            missing.append((path, value))
    assert missing == []


# --------------------------------------------------------------------------- values that do not fit


def test_an_invalid_email_that_passed_the_schema_is_kept_not_raised() -> None:
    data = with_text(
        fixture_bytes("report-maximal.xml"),
        "/report/personOrUserReported/personOrUserReportedPerson/email",
        "suspect at example dot test",
    )
    (suspect,) = people_of(convert(data), PersonRole.REPORTED_PERSON)
    assert suspect.emails == []
    assert suspect.other["personOrUserReportedPerson"]["email"] == [
        {"@type": "Home", "@verified": "false", "#text": "suspect at example dot test"}
    ]


def test_a_reporter_email_the_platform_refuses_does_not_break_the_draft() -> None:
    data = with_text(fixture_bytes("report-minimal.xml"), "//email", "not-an-address")
    (reporter,) = convert(data).people
    assert reporter.emails == []
    assert reporter.other == {"reportingPerson": {"email": [{"#text": "not-an-address"}]}}


def test_long_text_is_clipped_to_the_draft_limit_and_kept_whole() -> None:
    bio = "An invented biography. " * 1500
    data = with_text(fixture_bytes("report-maximal.xml"), "//victim/profileBio", bio)
    victim = people_of(convert(data), PersonRole.VICTIM)[0]
    assert victim.accounts[0].profile_bio == bio.strip()[:20_000]
    assert victim.other["profileBio"] == bio


def test_an_over_long_display_name_is_kept_rather_than_clipped() -> None:
    name = "N" * 600
    data = with_text(fixture_bytes("report-maximal.xml"), "//victim/displayName", name)
    victim = people_of(convert(data), PersonRole.VICTIM)[0]
    assert victim.accounts[0].display_names == []
    assert victim.other["displayName"] == [name]


@pytest.mark.parametrize(
    ("path", "value", "kept_as"),
    [
        ("//personOrUserReportedPerson/age", "500", "age"),
        ("//personOrUserReported/ipCaptureEvent/port", "70000", "ipCaptureEvent"),
        ("//personOrUserReported/ipCaptureEvent/dateTime", "2024-04-30T20:00:00", "ipCaptureEvent"),
    ],
)
def test_values_outside_a_fields_range_are_kept(path: str, value: str, kept_as: str) -> None:
    data = with_text(fixture_bytes("report-maximal.xml"), path, value)
    (suspect,) = people_of(convert(data), PersonRole.REPORTED_PERSON)
    held = suspect.other.get(kept_as) or suspect.other["personOrUserReportedPerson"][kept_as]
    assert value in str(held)


def test_an_out_of_range_latitude_goes_to_additional_info() -> None:
    data = with_text(fixture_bytes("report-maximal.xml"), "//cellPhoneIncident/latitude", "123.5")
    phone = convert(data).internet_details[5]
    assert phone.latitude is None
    assert phone.additional_info is not None and '"latitude": "123.5"' in phone.additional_info


def test_a_time_without_zone_stays_naive_for_the_incident() -> None:
    data = with_text(
        fixture_bytes("report-minimal.xml"), "//incidentDateTime", "2024-05-01T12:00:00"
    )
    assert convert(data).incident.occurred_at == datetime(2024, 5, 1, 12)  # noqa: DTZ001


def test_an_incident_time_in_the_future_is_kept_but_not_used() -> None:
    root = parse_document(fixture_bytes("report-minimal.xml"), expected_root="report")
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    target = root.find(".//incidentDateTime")
    assert target is not None
    target.text = later
    draft = convert(report_to_dict(root))
    assert draft.incident.occurred_at is None
    assert draft.extra["ispws_other"]["incidentSummary"] == {"incidentDateTime": later}


def test_a_dict_that_is_not_a_report_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="no incidentSummary"):
        convert({"reporter": {}})
    with pytest.raises(ValueError, match="not a CyberTipline incident type"):
        convert({"incidentSummary": {"incidentType": "Jaywalking"}})


# --------------------------------------------------------------------------- file details


def file_draft(details: dict[str, Any] | None, **measured: Any) -> Any:
    values: dict[str, Any] = {
        "file_id": FILE_ID,
        "original_name": "upload-1.jpg",
        "size": 1234,
        "md5": MD5,
        "sha1": SHA1,
        "sha256": SHA256,
        "content_type": "image/jpeg",
        "storage_key": "blobs/invented",
    }
    values.update(measured)
    return file_details_dict_to_file_draft(details, **values)


def test_file_details_merge_with_what_the_upload_measured() -> None:
    details = file_dict()
    draft = file_draft(details)
    assert draft.file_id == FILE_ID and draft.storage_key == "blobs/invented"
    assert (draft.original_name, draft.size, draft.content_type) == (
        "IMG_0001.jpg",
        1234,
        "image/jpeg",
    )
    assert (draft.viewed_by_platform, draft.publicly_available) == (True, False)
    assert draft.classification == "A1"
    assert draft.annotations == list(ISPWS_FILE_ANNOTATIONS.values())
    assert Annotation.GENERATIVE_AI in draft.annotations
    assert draft.details["ispws_file_details"] == details
    assert draft.details["uploaded_name"] == "upload-1.jpg"


def test_measured_hashes_win_and_the_claimed_ones_are_kept() -> None:
    draft = file_draft(file_dict())
    assert (draft.md5, draft.sha1, draft.sha256) == (MD5, SHA1, SHA256)
    assert draft.details["claimed_hashes"] == [
        {"type": "MD5", "value": "d41d8cd98f00b204e9800998ecf8427e", "matches_upload": False},
        {
            "type": "SHA1",
            "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "matches_upload": False,
        },
    ]


def test_a_claimed_hash_fills_in_only_where_nothing_was_measured() -> None:
    draft = file_draft(file_dict(), md5="", sha1="")
    assert draft.md5 == "d41d8cd98f00b204e9800998ecf8427e"
    assert draft.sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert draft.sha256 == SHA256


def test_a_file_without_details_has_only_what_was_measured() -> None:
    draft = file_draft(None)
    assert draft.original_name == "upload-1.jpg" and draft.details == {}
    assert draft.annotations == [] and draft.viewed_by_platform is None


def test_potential_meme_outside_annotations_is_an_annotation() -> None:
    draft = file_draft(file_dict("filedetails-potential-meme.xml"))
    assert draft.annotations == ["potential_meme"]


# --------------------------------------------------------------------------- fuzzing

SEEDS = [
    fixture_bytes(name)
    for name in ("report-maximal.xml", "report-minimal.xml", "accept-iso-8859-1.xml")
]
XML_TEXT = st.text(
    alphabet=st.characters(
        min_codepoint=0x20, max_codepoint=0xFFFD, categories=("L", "M", "N", "P", "S", "Zs")
    ),
    max_size=40,
)
# Lexical forms at the edges of what the schema accepts and the draft can hold.
EDGES = st.sampled_from(
    [
        "", " ", "true", "false", "1", "0", " true ", "-1", "+7", "007", "2147483647",
        "-2147483648", "65536", "131", "INF", "-INF", "NaN", "1e308", "-0", "91", "-181",
        "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00", "2024-05-01T24:00:00Z",
        "2024-05-01T12:00:00.123456789Z", "2024-05-01T12:00:00", "2099-01-01T00:00:00Z",
        "2024-02-30T00:00:00Z", "1984-01-02Z", "1984-01-02+14:00", "-0001-01-01", "0000-01-01",
        "not-an-email", "a@b", "a b@c", "x" * 41, "US", "IL", "NG", "Home", "Login", "A1",
        "+234", "12", "Child Sex Tourism",
    ]
)  # fmt: skip
LONG = st.integers(min_value=250, max_value=25_000).map(lambda n: "long text " * (n // 10))
LEAF_VALUES = st.one_of(XML_TEXT, EDGES, st.integers().map(str), LONG)


def _slots(root: etree._Element) -> list[tuple[etree._Element, str | None]]:
    """Every leaf element (text) and every attribute of a document."""
    slots: list[tuple[etree._Element, str | None]] = []
    for element in root.iter(etree.Element):
        if len(element) == 0 and element is not root:
            slots.append((element, None))
        slots += [(element, name) for name in element.attrib if "}" not in name]
    return slots


@st.composite
def leaf_mutations(draw: st.DrawFn) -> bytes:
    root = etree.fromstring(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        slots = _slots(root)
        element, attribute = slots[draw(st.integers(0, len(slots) - 1))]
        value = draw(LEAF_VALUES)
        if attribute is None:
            element.text = value
        else:
            element.set(attribute, value)
    return etree.tostring(root, encoding="UTF-8")


@settings(
    max_examples=int(os.environ.get("ISPWS_FUZZ_EXAMPLES", "300")),
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # no .hypothesis/ folder left in the work tree
)
@given(leaf_mutations())
def test_converting_never_raises_on_a_valid_document(body: bytes) -> None:
    try:
        root = parse_document(body, expected_root="report")
    except IspwsXMLError:
        event("refused by parse_document")
        return
    try:
        validate(root)
        valid = True
    except ValidationFailed:
        valid = False
    event("valid" if valid else "parsed but invalid")
    data = report_to_dict(root)
    try:
        draft = report_dict_to_draft(data, [], raw_xml=body.decode(), received_at=RECEIVED)
    except ValueError as exc:
        # Only a document the schema refuses may fail, and then with a clear message.
        assert not valid, exc
        assert re.search(r"incident type|incidentSummary", str(exc)), exc
        return
    assert draft.extra["ispws_report"] == data
    assert ReportDraft.model_validate_json(draft.model_dump_json()) == draft  # storable as is


def test_people_beyond_the_draft_limit_stay_in_extra() -> None:
    body = fixture_bytes("report-minimal.xml").replace(
        b"</report>",
        b"<victim><victimPerson><age>12</age></victimPerson></victim>" * 205 + b"</report>",
    )
    draft = convert(report_to_dict(parse_and_validate(body, expected_root="report")))
    assert len(draft.people) == 200  # the reporter and 199 victims
    assert len(draft.extra["ispws_other"]["victim"]) == 6
