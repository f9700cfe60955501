"""Forwarding to NCMEC as an ESP client. The CyberTipline endpoint is this platform's own /ispws
server, started by the test (live_server), or a local server answering with recorded error
responses. Nothing else is called."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse

from tipline.accounts.choices import ClientKind, Role, Scope
from tipline.accounts.services import api_client_create
from tipline.audit.models import AuditEvent
from tipline.conftest import draft, login
from tipline.exchange.choices import DEFAULT_SECTIONS, EventType, PartnerKind
from tipline.exchange.cybertipline import (
    CyberTiplineClient,
    CyberTiplineError,
    Reporter,
    report_xml,
)
from tipline.exchange.models import Partner, Share
from tipline.exchange.packages import exchange_package_for
from tipline.exchange.services import ForwardFailed, PartnerInput, ncmec_forward, partner_create
from tipline.intake.ispws.xml import parse_and_validate
from tipline.reports.choices import Channel, PersonRole, SharingLevel
from tipline.reports.drafts import Account, EmailAddress, FileDraft, IpEvent, PersonDraft, Phone
from tipline.reports.models import Report
from tipline.reports.services import report_submit

ESP_USER, ESP_PASSWORD = "naptip-esp", "an-invented-esp-password"  # noqa: S105
# Recorded CyberTipline answers (the shapes NCMEC's server gives, as /ispws reproduces them).
REFUSED_LOGIN = (
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<reportResponse><responseCode>2000'
    b"</responseCode><responseDescription>Authentication required</responseDescription>"
    b"</reportResponse>"
)
OPENED = (
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<reportResponse><responseCode>0'
    b"</responseCode><responseDescription>Success</responseDescription><reportId>4242"
    b"</reportId></reportResponse>"
)
INVALID = (
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<reportResponse><responseCode>4100'
    b"</responseCode><responseDescription>Validation failed: incidentDateTime"
    b"</responseDescription></reportResponse>"
)
ALREADY = (
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<reportResponse><responseCode>5102'
    b"</responseCode><responseDescription>Report already finished</responseDescription>"
    b"</reportResponse>"
)


def _report() -> Report:
    victim = PersonDraft(role=PersonRole.VICTIM, first_name="Ngozi", last_name="Hidden", age=14)
    suspect = PersonDraft(
        role=PersonRole.REPORTED_PERSON,
        first_name="Suspectname",
        phones=[Phone(number="+2348031234567")],
        emails=[EmailAddress(address="suspect@example.com")],
        accounts=[Account(platform="Instagram", screen_name="invented_handle")],
        ip_events=[IpEvent(ip="192.0.2.44", port=51234)],
    )
    reporter = PersonDraft(role=PersonRole.REPORTER, first_name="Reporterina")
    files = [FileDraft(md5="0" * 32, original_name="SECRETNAME.jpg")]
    d = draft(people=[victim, suspect, reporter], files=files, sharing_level=SharingLevel.AMBER)
    return report_submit(draft=d).report


def _ncmec(admin: Any) -> Partner:
    data = PartnerInput(
        code="ncmec",
        name="Invented NCMEC",
        kind=PartnerKind.NCMEC,
        max_level=SharingLevel.AMBER,
        sections=list(DEFAULT_SECTIONS[PartnerKind.NCMEC]),
        jurisdictions=["US"],
        contacts=[],
    )
    return partner_create(data=data, actor=admin)


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user(Role.ADMINISTRATOR, (), national=True)


@pytest.fixture
def forwarding(settings: Any) -> Any:
    settings.EXCHANGE_NCMEC_REPORTER_EMAIL = "cybertips@naptip.example.org"
    settings.EXCHANGE_NCMEC_USERNAME, settings.EXCHANGE_NCMEC_PASSWORD = ESP_USER, ESP_PASSWORD
    return settings


def test_the_document_is_a_valid_cybertipline_report_of_the_ncmec_package_only(
    admin: Any, geo: Any
) -> None:
    package = exchange_package_for(partner=_ncmec(admin), report=_report())
    reporter = Reporter(email="cybertips@naptip.example.org", organisation="NAPTIP")
    document = report_xml(package=package, reporter=reporter, when="2026-12-06T10:00:00+00:00")
    parse_and_validate(document, expected_root="report")  # the CyberTipline schema /ispws uses
    text = document.decode()
    assert "+2348031234567" in text and "invented_handle" in text and "192.0.2.44" in text
    assert "0" * 32 in text  # the file by its hash
    for never in ("Ngozi", "Hidden", "Suspectname", "Reporterina", "SECRETNAME"):
        assert never not in text, never


@pytest.mark.django_db(transaction=True)
def test_forward_to_this_platforms_own_ispws_server(
    live_server: Any, forwarding: Any, make_user: Any, geo: Any
) -> None:
    admin = make_user(Role.ADMINISTRATOR, (), national=True)
    api_client_create(
        name="NAPTIP as an ESP",
        kind=ClientKind.PLATFORM,
        scopes=[Scope.ISPWS],
        ispws_username=ESP_USER,
        ispws_password=ESP_PASSWORD,
    )
    forwarding.EXCHANGE_NCMEC_URL = f"{live_server.url}/ispws"
    report, partner = _report(), _ncmec(admin)
    share = ncmec_forward(report=report, partner=partner, actor=admin)
    received = Report.objects.get(channel=Channel.ISPWS)
    assert share.reason == f"CyberTipline report {received.external_id}"
    assert share.event_type == EventType.NCMEC_FORWARDED
    phones = [p["number"] for person in received.people.all() for p in person.details["phones"]]
    assert phones == ["+2348031234567"]
    names = {person.first_name for person in received.people.all()}
    assert "Ngozi" not in names and "Suspectname" not in names and "Reporterina" not in names
    assert received.files.count() == 0  # file content never leaves
    audit = AuditEvent.objects.filter(action="report.shared").get()
    assert audit.after["ncmec_report"] == int(received.external_id)


@pytest.mark.django_db(transaction=True)
def test_the_client_speaks_upload_and_fileinfo_too(live_server: Any, geo: Any) -> None:
    api_client_create(
        name="ESP",
        kind=ClientKind.PLATFORM,
        scopes=[Scope.ISPWS],
        ispws_username=ESP_USER,
        ispws_password=ESP_PASSWORD,
    )
    client = CyberTiplineClient(
        base_url=f"{live_server.url}/ispws", username=ESP_USER, password=ESP_PASSWORD, timeout=10
    )
    reporter = Reporter(email="cybertips@naptip.example.org")
    package = {"reference": "TL-X", "tlp": "TLP:AMBER", "incident": {"type": "online_enticement"}}
    ncmec_id = client.submit(
        report_xml(package=package, reporter=reporter, when="2026-12-06T10:00:00Z")
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    file_id = client.upload(ncmec_id, "picture.png", [png])
    details = (
        f"<fileDetails><reportId>{ncmec_id}</reportId><fileId>{file_id}</fileId>"
        "<publiclyAvailable>false</publiclyAvailable></fileDetails>"
    ).encode()
    client.fileinfo(details)
    done = client.finish(ncmec_id)
    assert done.report_id == ncmec_id and done.file_ids == [file_id]
    with pytest.raises(CyberTiplineError) as again:
        client.finish(ncmec_id)
    assert again.value.code is not None and again.value.code >= 5000


class Recorded:
    """A CyberTipline endpoint answering each path with a recorded body and status."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]) -> None:
        self.calls: list[str] = []
        recorded = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  # the stdlib's name
                self.rfile.read(int(self.headers.get("content-length") or 0))
                path = self.path.rsplit("/", 1)[-1]
                recorded.calls.append(path)
                status, body = answers.get(path, (404, b"not xml"))
                self.send_response(status)
                self.send_header("content-type", "application/xml;charset=ISO-8859-1")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ispws"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def recorded() -> Iterator[Any]:
    servers: list[Recorded] = []

    def start(answers: dict[str, tuple[int, bytes]]) -> Recorded:
        servers.append(Recorded(answers))
        return servers[-1]

    yield start
    for s in servers:
        s.server.shutdown()
        s.server.server_close()


@pytest.mark.parametrize(
    ("answers", "code", "calls"),
    [
        ({"submit": (401, REFUSED_LOGIN)}, 2000, ["submit"]),
        ({"submit": (400, INVALID)}, 4100, ["submit"]),
        (
            {"submit": (200, OPENED), "finish": (409, ALREADY), "retract": (200, OPENED)},
            5102,
            ["submit", "finish", "retract"],
        ),
        ({"submit": (502, b"<html>Bad gateway</html>")}, None, ["submit"]),
    ],
)
def test_recorded_errors_share_nothing_and_are_audited(
    admin: Any,
    geo: Any,
    forwarding: Any,
    recorded: Any,
    answers: dict[str, tuple[int, bytes]],
    code: int | None,
    calls: list[str],
) -> None:
    server = recorded(answers)
    forwarding.EXCHANGE_NCMEC_URL = server.url
    report, partner = _report(), _ncmec(admin)
    with pytest.raises(ForwardFailed, match=f"\\({code}\\)"):
        ncmec_forward(report=report, partner=partner, actor=admin)
    assert server.calls == calls
    assert not Share.objects.exists()
    failed = AuditEvent.objects.get(action="report.ncmec_forward_failed")
    assert failed.after["code"] == code


def test_forwarding_is_off_without_an_endpoint_and_only_to_ncmec(admin: Any, geo: Any) -> None:
    report = _report()
    with pytest.raises(ForwardFailed, match="not set up"):
        ncmec_forward(report=report, partner=_ncmec(admin), actor=admin)
    police = partner_create(
        data=PartnerInput(
            code="police",
            name="Police",
            kind=PartnerKind.LAW_ENFORCEMENT,
            max_level=SharingLevel.AMBER,
            sections=[],
            jurisdictions=[],
            contacts=[],
        ),
        actor=admin,
    )
    with pytest.raises(ForwardFailed, match="not NCMEC"):
        ncmec_forward(report=report, partner=police, actor=admin)


def test_the_forward_button_refuses_outsiders_and_says_what_ncmec_answered(
    admin: Any, lagos_analyst: Any, geo: Any, forwarding: Any, recorded: Any
) -> None:
    server = recorded({"submit": (400, INVALID)})
    forwarding.EXCHANGE_NCMEC_URL = server.url
    report, partner = _report(), _ncmec(admin)
    url = reverse("exchange:forward", args=[report.reference])
    assert login(lagos_analyst).post(url, {"partner": partner.code}).status_code == 404
    assert server.calls == []
    page = login(admin).get(
        reverse("exchange:report", args=[report.reference]), {"partner": "ncmec"}
    )
    assert "Forward exactly this to NCMEC" in page.content.decode()
    answer = login(admin).post(url, {"partner": partner.code}, follow=True).content.decode()
    assert "NCMEC refused the report (4100): Validation failed" in answer
