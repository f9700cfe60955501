"""Exporting reports as CyberTipline XML: round trips, every incident type, reporter privacy."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from tipline.accounts.choices import ClientKind, Role, Scope
from tipline.accounts.services import api_client_create
from tipline.audit.models import AuditEvent
from tipline.intake.ispws import file_details_to_dict, parse_and_validate, report_to_dict
from tipline.intake.ispws.convert import file_details_dict_to_file_draft, report_dict_to_draft
from tipline.intake.ispws.export import ncmec_type, report_to_ncmec
from tipline.reports.choices import (
    NCMEC_INCIDENT_TYPES,
    Annotation,
    Channel,
    IncidentType,
    InternetDetailKind,
    PersonRole,
    SharingLevel,
)
from tipline.reports.drafts import (
    Account,
    Address,
    DeviceId,
    EmailAddress,
    FileDraft,
    IncidentDraft,
    InternetDetailDraft,
    IpEvent,
    PersonDraft,
    Phone,
    ReportDraft,
)
from tipline.reports.models import Report
from tipline.reports.services import report_submit

from .support import fixture_bytes

pytestmark = pytest.mark.django_db

AGENCY_EMAIL = "ncmec-desk@agency.example.test"
REPORTER_NAME = ("Ngozi", "Kelechi-Reporter")
REPORTER_EMAIL = "ngozi.invented@example.test"
REPORTER_PHONE = "08030000009"


def fixture_dict(name: str, root: str = "report") -> dict[str, Any]:
    parsed = parse_and_validate(fixture_bytes(name), expected_root=root)
    return report_to_dict(parsed) if root == "report" else file_details_to_dict(parsed)


def submitted(draft: ReportDraft) -> Report:
    """Submit through the real service and read back from the database (decrypting)."""
    return Report.objects.get(pk=report_submit(draft=draft).report.pk)


def exported(report: Report) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The export, parsed and validated like any client document."""
    report_xml, file_xmls = report_to_ncmec(report)
    data = report_to_dict(parse_and_validate(report_xml, expected_root="report"))
    files = [
        file_details_to_dict(parse_and_validate(body, expected_root="fileDetails"))
        for body in file_xmls
    ]
    return data, files


def measured_file(content: bytes, details: dict[str, Any] | None, file_id: str) -> FileDraft:
    return file_details_dict_to_file_draft(
        details,
        file_id=file_id,
        original_name="upload.jpg",
        size=len(content),
        md5=hashlib.md5(content).hexdigest(),  # noqa: S324  # the wire format's own hash
        sha1=hashlib.sha1(content).hexdigest(),  # noqa: S324  # a content hash, not security
        sha256=hashlib.sha256(content).hexdigest(),
        content_type="image/jpeg",
        storage_key="",
    )


def ispws_draft() -> tuple[ReportDraft, dict[str, Any], dict[str, Any]]:
    """The maximal report with the maximal file details and a second file without details."""
    data, details = (
        fixture_dict("report-maximal.xml"),
        fixture_dict("filedetails-maximal.xml", "fileDetails"),
    )
    files = [
        measured_file(b"first invented bytes", details, details["fileId"]),
        measured_file(b"second invented bytes", None, "fedcba9876543210fedcba9876543210"),
    ]
    draft = report_dict_to_draft(
        data,
        files,
        raw_xml=fixture_bytes("report-maximal.xml").decode(),
        received_at=datetime.now(UTC),
    )
    draft.external_id = details["reportId"]  # as ispws_finish sets it: the /ispws report id
    return draft, data, details


# --------------------------------------------------------------------------- /ispws round trip


def test_an_ispws_report_exports_exactly_as_it_was_submitted() -> None:
    draft, data, details = ispws_draft()
    exported_report, exported_files = exported(submitted(draft))
    assert exported_report == data
    assert exported_files[0] == details


def test_every_file_details_links_to_the_report_and_its_file_in_order() -> None:
    draft, _, details = ispws_draft()
    report = submitted(draft)
    _, files = exported(report)
    assert [f["fileId"] for f in files] == [f.file_id for f in report.files.order_by("position")]
    assert {f["reportId"] for f in files} == {details["reportId"]}
    second = files[1]
    assert second["originalFileHash"] == [
        {"@hashType": "MD5", "#text": hashlib.md5(b"second invented bytes").hexdigest()},  # noqa: S324
        {"@hashType": "SHA1", "#text": hashlib.sha1(b"second invented bytes").hexdigest()},  # noqa: S324
        {"@hashType": "SHA256", "#text": hashlib.sha256(b"second invented bytes").hexdigest()},
    ]


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _tag(body: bytes, tag: str) -> str:
    match = re.search(rf"<{tag}>([^<]+)</{tag}>".encode(), body)
    assert match, body
    return match.group(1).decode()


def test_a_report_sent_over_the_ispws_endpoints_round_trips(geo: Any) -> None:
    api_client_create(
        name="esp",
        kind=ClientKind.PLATFORM,
        scopes=[Scope.ISPWS],
        ispws_username="esp",
        ispws_password="an-invented-esp-password",
    )
    http = Client(HTTP_AUTHORIZATION=_basic("esp", "an-invented-esp-password"))
    body = fixture_bytes("report-maximal.xml")
    report_id = _tag(
        http.post("/ispws/submit", data=body, content_type="text/xml").content, "reportId"
    )
    upload = SimpleUploadedFile("evidence.jpg", b"\xff\xd8\xff\xe0 invented bytes")
    file_id = _tag(http.post("/ispws/upload", {"id": report_id, "file": upload}).content, "fileId")
    info = f"<fileDetails><reportId>{report_id}</reportId><fileId>{file_id}</fileId>"
    info += "<fileViewedByEsp>true</fileViewedByEsp></fileDetails>"
    http.post("/ispws/fileinfo", data=info.encode(), content_type="application/xml")
    http.post(
        "/ispws/finish", data=f"id={report_id}", content_type="application/x-www-form-urlencoded"
    )
    data, files = exported(Report.objects.get())
    assert data == fixture_dict("report-maximal.xml")
    assert files == [{"reportId": report_id, "fileId": file_id, "fileViewedByEsp": "true"}]


def test_an_ispws_report_marked_anonymous_exports_the_agency_as_reporter(settings: Any) -> None:
    settings.NCMEC_EXPORT_REPORTER_EMAIL = AGENCY_EMAIL
    draft, data, _ = ispws_draft()
    draft.reporter_anonymous = True
    report_xml, _ = report_to_ncmec(submitted(draft))
    exported_report = report_to_dict(parse_and_validate(report_xml, expected_root="report"))
    assert exported_report["reporter"]["reportingPerson"]["email"] == [{"#text": AGENCY_EMAIL}]
    assert b"platform.example.test" not in report_xml and b"Tolu" not in report_xml
    assert {k: v for k, v in exported_report.items() if k != "reporter"} == {
        k: v for k, v in data.items() if k != "reporter"
    }


# --------------------------------------------------------------------------- built reports


def everything(
    incident_type: str, *, anonymous: bool = False, channel: str = Channel.API
) -> ReportDraft:
    """A JSON-API-style report with every role, every internet detail kind and two files."""
    account = Account(
        platform="Example Chat",
        esp_identifier="u-77",
        screen_name="invented_77",
        display_names=["Invented Seventy"],
        profile_urls=["https://chat.example.test/u/77"],
        compromised=False,
    )
    contacts: dict[str, Any] = {
        "phones": [Phone(number="08030000001", type="mobile", verified=True)],
        "emails": [EmailAddress(address="suspect@example.test", type="Personal")],
        "addresses": [Address(city="Ikeja", state="Lagos", country="ng", type="Home")],
    }
    people = [
        PersonDraft(
            role=PersonRole.REPORTED_PERSON,
            first_name="Invented",
            last_name="Suspect",
            age=40,
            accounts=[account, Account(platform="Example Pay", esp_identifier="pay-1")],
            ip_events=[
                IpEvent(
                    ip="192.0.2.7",
                    port=4444,
                    at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
                    event="login",
                )
            ],
            devices=[DeviceId(id_type="IMEI", id_value="000000000000077", event="sign-up")],
            notes="Uses two accounts.",
            other={"vehicle": "invented blue car"},
            **contacts,
        ),
        PersonDraft(
            role=PersonRole.VICTIM, first_name="Invented", age=12, date_of_birth="2013-04-05"
        ),
        PersonDraft(role=PersonRole.INTENDED_RECIPIENT, accounts=[account, account]),
        PersonDraft(role=PersonRole.WITNESS, first_name="Invented", last_name="Witness"),
        PersonDraft(
            role=PersonRole.REPORTER,
            first_name=REPORTER_NAME[0],
            last_name=REPORTER_NAME[1],
            emails=[EmailAddress(address=REPORTER_EMAIL)],
            phones=[Phone(number=REPORTER_PHONE)],
        ),
    ]
    details = [
        InternetDetailDraft(
            kind=InternetDetailKind.WEB_PAGE, urls=["https://example.test/x"], content="a page"
        ),
        InternetDetailDraft(
            kind=InternetDetailKind.EMAIL, email_addresses=["x@example.test"], content="mail"
        ),
        InternetDetailDraft(kind=InternetDetailKind.NEWSGROUP, name="alt.invented"),
        InternetDetailDraft(
            kind=InternetDetailKind.CHAT_IM, chat_client="Example Chat", chat_room="r1"
        ),
        InternetDetailDraft(kind=InternetDetailKind.ONLINE_GAMING, game_name="Example Quest"),
        InternetDetailDraft(
            kind=InternetDetailKind.CELL_PHONE,
            phone_number="08030000002",
            latitude=6.5,
            longitude=3.4,
        ),
        InternetDetailDraft(
            kind=InternetDetailKind.NON_INTERNET,
            location_name="Invented market",
            addresses=[Address(city="Springfield", state="IL", country="US")],
        ),
        InternetDetailDraft(
            kind=InternetDetailKind.PEER_TO_PEER,
            client="Example P2P",
            ip_events=[IpEvent(ip="2001:db8::7")],
            additional_info="Shared folder.",
        ),
    ]
    files = [
        FileDraft(
            md5="0" * 32, classification="B2", annotations=["generative_ai", "invented_flag"]
        ),
        FileDraft(sha256="1" * 64, pdq="f" * 64, pdq_quality=90, viewed_by_platform=True),
    ]
    return ReportDraft(
        channel=channel,
        incident=IncidentDraft(
            type=incident_type,
            annotations=list(Annotation),
            occurred_at=datetime(2026, 1, 2, 12, 0),  # noqa: DTZ001  # a reporter's local time
            occurred_at_text="around noon",
            description="An invented adult\x0bcontacted an invented child.",  # \x0b: not XML
            location_text="Ikeja, Lagos",
            platform="Example Chat",
            escalation_note="Meeting planned.",
        ),
        people=people,
        internet_details=details,
        files=files,
        reporter_anonymous=anonymous,
        sharing_level=SharingLevel.AMBER,
    )


@pytest.mark.parametrize("incident_type", list(IncidentType))
def test_a_built_report_of_every_incident_type_is_valid(incident_type: str) -> None:
    data, files = exported(submitted(everything(incident_type)))
    wording = data["incidentSummary"]["incidentType"]
    assert wording == NCMEC_INCIDENT_TYPES[ncmec_type(incident_type)]
    if incident_type not in NCMEC_INCIDENT_TYPES:
        assert f"({incident_type})" in data["additionalInfo"]
    assert len(data["internetDetails"]) == 8 and len(files) == 2


def test_a_built_report_carries_its_people_and_details() -> None:
    report = submitted(everything(IncidentType.FINANCIAL_SEXTORTION))
    data, files = exported(report)
    summary = data["incidentSummary"]
    assert summary["incidentType"] == "Online Enticement of Children for Sexual Acts"
    assert set(summary["reportAnnotations"]) == {
        "sextortion",
        "csamSolicitation",
        "minorToMinorInteraction",
        "spam",
        "sadisticOnlineExploitation",
    }
    assert summary["incidentDateTime"] == "2026-01-02T11:00:00Z"  # read as WAT, sent as UTC
    (suspect,) = data["personOrUserReported"]
    assert suspect["personOrUserReportedPerson"]["phone"] == [
        {"@type": "Mobile", "@verified": "true", "#text": "08030000001"}
    ]
    assert suspect["personOrUserReportedPerson"]["address"] == [
        {"@type": "Home", "city": "Ikeja", "nonUsaState": "Lagos", "country": "NG"}
    ]
    assert (suspect["espService"], suspect["espIdentifier"]) == ("Example Chat", "u-77")
    assert suspect["ipCaptureEvent"] == [
        {
            "ipAddress": "192.0.2.7",
            "eventName": "Login",
            "dateTime": "2026-01-02T03:04:00Z",
            "port": "4444",
        }
    ]
    assert suspect["associatedAccount"][0]["espIdentifier"] == "pay-1"
    assert "invented blue car" in suspect["additionalInfo"]
    assert data["victim"][0]["victimPerson"] == {
        "firstName": "Invented",
        "age": "12",
        "dateOfBirth": "2013-04-05",
    }
    assert data["additionalInfo"].startswith("An invented adult\ufffdcontacted an invented child.")
    assert "Witness" in data["additionalInfo"] and report.reference in data["additionalInfo"]
    assert "generative_ai" in data["additionalInfo"]  # an annotation NCMEC has no flag for
    place = data["internetDetails"][6]["nonInternetIncident"]
    assert place["incidentAddress"] == [{"city": "Springfield", "state": "IL", "country": "US"}]
    web = data["internetDetails"][0]["webPageIncident"]
    assert "a page" in web["additionalInfo"]  # content has no element on a web page
    assert files[0]["fileAnnotations"] == {"generativeAi": "true"}
    assert files[1]["details"] == [
        {
            "@type": "HASH",
            "nameValuePair": [
                {"name": "PDQ", "value": "f" * 64},
                {"name": "PDQ quality", "value": "90"},
            ],
        }
    ]
    assert {f["reportId"] for f in files} == {str(report.pk)}


def test_a_reporter_who_gave_contact_details_is_the_contact_person(settings: Any) -> None:
    settings.NCMEC_EXPORT_REPORTER_EMAIL = AGENCY_EMAIL
    data, _ = exported(submitted(everything(IncidentType.CHILD_PORNOGRAPHY)))
    reporter = data["reporter"]
    assert reporter["reportingPerson"]["email"] == [{"#text": AGENCY_EMAIL}]
    assert (
        reporter["contactPerson"]["firstName"],
        reporter["contactPerson"]["lastName"],
    ) == REPORTER_NAME
    assert reporter["contactPerson"]["email"] == [{"#text": REPORTER_EMAIL}]


@pytest.mark.parametrize("channel", [Channel.WEB, Channel.API, Channel.SMS])
def test_an_anonymous_reporter_is_never_exported(settings: Any, channel: str) -> None:
    settings.NCMEC_EXPORT_REPORTER_EMAIL = AGENCY_EMAIL
    report = submitted(everything(IncidentType.ONLINE_ENTICEMENT, anonymous=True, channel=channel))
    report_xml, file_xmls = report_to_ncmec(report)
    for secret in (*REPORTER_NAME, REPORTER_EMAIL, REPORTER_PHONE):
        assert secret.encode() not in report_xml
        assert all(secret.encode() not in body for body in file_xmls)
    data = report_to_dict(parse_and_validate(report_xml, expected_root="report"))
    assert data["reporter"] == {
        "reportingPerson": {
            "firstName": "Tipline",
            "lastName": "Reports Desk",
            "email": [{"#text": AGENCY_EMAIL}],
        }
    }


def test_without_settings_the_reporter_is_the_placeholder_contact() -> None:
    data, _ = exported(submitted(everything(IncidentType.ONLINE_ENTICEMENT, anonymous=True)))
    assert data["reporter"]["reportingPerson"]["email"] == [{"#text": "reports@tipline.invalid"}]


def test_a_report_without_an_incident_time_uses_the_receipt_time() -> None:
    draft = ReportDraft(
        channel=Channel.WEB,
        incident=IncidentDraft(type=IncidentType.CHILD_SEXUAL_MOLESTATION, description="Invented."),
        received_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        reporter_anonymous=True,
    )
    data, files = exported(submitted(draft))
    assert data["incidentSummary"]["incidentDateTime"] == "2026-02-03T04:05:06Z"
    assert "No incident time was given" in data["incidentSummary"]["incidentDateTimeDescription"]
    assert "victim" not in data and files == []


# --------------------------------------------------------------------------- the command


@pytest.fixture
def stored() -> Report:
    return submitted(everything(IncidentType.ONLINE_ENTICEMENT))


def test_the_command_writes_the_documents_and_audits_the_export(
    stored: Report, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    call_command("export_ncmec", stored.reference, out=str(out))
    assert sorted(p.name for p in out.iterdir()) == [
        "fileDetails-1.xml",
        "fileDetails-2.xml",
        "report.xml",
    ]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())
    report_xml, file_xmls = report_to_ncmec(stored)
    assert (out / "report.xml").read_bytes() == report_xml
    assert (out / "fileDetails-2.xml").read_bytes() == file_xmls[1]
    event = AuditEvent.objects.get(action="report.exported_ncmec")
    assert (event.object_type, event.object_id, event.actor_label) == (
        "report",
        str(stored.pk),
        "cli:export_ncmec",
    )
    assert event.after["files"] == 2
    assert event.after["sha256"]["report.xml"] == hashlib.sha256(report_xml).hexdigest()


def test_the_command_audits_the_named_actor(stored: Report, tmp_path: Path, make_user: Any) -> None:
    analyst = make_user(Role.ANALYST, ("LAG",))
    call_command(
        "export_ncmec", stored.reference.lower(), out=str(tmp_path), actor=analyst.username
    )
    assert AuditEvent.objects.get(action="report.exported_ncmec").actor == analyst


def test_the_command_never_overwrites_an_earlier_export(stored: Report, tmp_path: Path) -> None:
    call_command("export_ncmec", stored.reference, out=str(tmp_path))
    with pytest.raises(CommandError, match="already holds"):
        call_command("export_ncmec", stored.reference, out=str(tmp_path))
    assert AuditEvent.objects.filter(action="report.exported_ncmec").count() == 1


def test_the_command_refuses_an_unknown_reference(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no report"):
        call_command("export_ncmec", "TL-2026-999999", out=str(tmp_path))


def test_the_command_refuses_a_tlp_red_report(tmp_path: Path) -> None:
    draft = everything(IncidentType.ONLINE_ENTICEMENT)
    draft.sharing_level = SharingLevel.RED
    report = submitted(draft)
    with pytest.raises(CommandError, match="TLP:RED"):
        call_command("export_ncmec", report.reference, out=str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    assert not AuditEvent.objects.filter(action="report.exported_ncmec").exists()


def test_the_command_refuses_an_unknown_actor(stored: Report, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no active user"):
        call_command("export_ncmec", stored.reference, out=str(tmp_path), actor="nobody")
    assert list(tmp_path.iterdir()) == []
