"""Forwarding to NCMEC: the platform as an ESP client of the CyberTipline API.

`CyberTiplineClient` speaks the report-submission protocol (submit, upload, fileinfo, finish,
retract) over HTTP Basic authentication to a configured endpoint, reads each XML answer and
raises `CyberTiplineError` with NCMEC's response code for anything but success. `report_xml`
writes a CyberTipline `<report>` from what `exchange_package_for` lets an NCMEC partner receive
(and nothing else): the incident, the reported persons' identifiers, and the files' hashes in
words. File content never leaves the agency, so this platform's forwards upload no files; the
client's upload and fileinfo are there for the protocol, and tested with it.
"""

from __future__ import annotations

import base64
import io
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

# Our incident types as CyberTipline's eight; a trafficking type of ours that has no exact
# counterpart goes as the nearest (a child's sexual exploitation for gain is sex trafficking).
INCIDENT_TYPES: dict[str, str] = {
    "child_pornography": "Child Pornography (possession, manufacture, and distribution)",
    "child_sex_trafficking": "Child Sex Trafficking",
    "child_sex_tourism": "Child Sex Tourism",
    "child_sexual_molestation": "Child Sexual Molestation",
    "misleading_domain_name": "Misleading Domain Name",
    "misleading_words_or_images": "Misleading Words or Digital Images on the Internet",
    "online_enticement": "Online Enticement of Children for Sexual Acts",
    "unsolicited_obscene_material": "Unsolicited Obscene Material Sent to a Child",
    "financial_sextortion": "Online Enticement of Children for Sexual Acts",
}
FALLBACK_TYPE = "Child Sex Trafficking"
SUCCESS = 0


class CyberTiplineError(Exception):
    """NCMEC answered with an error code, or not at all (code None)."""

    def __init__(self, code: int | None, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}" if code is not None else message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class Reporter:
    """The agency as the reporting person NCMEC's schema requires (an email at least)."""

    email: str
    first_name: str = ""
    last_name: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class Answer:
    """A parsed CyberTipline answer."""

    code: int
    description: str
    report_id: int | None = None
    file_id: str | None = None
    file_ids: list[str] = field(default_factory=list)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect would send the report somewhere other than the endpoint


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


class CyberTiplineClient:
    """One ESP's connection to a CyberTipline endpoint (`…/ispws`)."""

    def __init__(self, *, base_url: str, username: str, password: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._auth = f"Basic {token}"
        self.timeout = timeout

    def submit(self, report: bytes) -> int:
        """Open a report; NCMEC's report id."""
        answer = self._post("submit", report, "text/xml; charset=utf-8")
        if answer.report_id is None:
            raise CyberTiplineError(None, "The answer to submit carried no report id.")
        return answer.report_id

    def upload(self, report_id: int, name: str, content: Iterable[bytes]) -> str:
        """Upload one file to an open report; NCMEC's file id."""
        boundary = secrets.token_hex(16)
        body = io.BytesIO()
        body.write(_part(boundary, 'name="id"', str(report_id).encode()))
        body.write(
            _part(boundary, f'name="file"; filename="{_safe(name)}"', b"".join(content), True)
        )
        body.write(f"--{boundary}--\r\n".encode())
        kind = f"multipart/form-data; boundary={boundary}"
        answer = self._post("upload", body.getvalue(), kind)
        if answer.file_id is None:
            raise CyberTiplineError(None, "The answer to upload carried no file id.")
        return answer.file_id

    def fileinfo(self, details: bytes) -> None:
        """Describe an uploaded file (a `<fileDetails>` document)."""
        self._post("fileinfo", details, "text/xml; charset=utf-8")

    def finish(self, report_id: int) -> Answer:
        """Close the report: NCMEC has it now."""
        return self._post("finish", f"id={report_id}".encode(), _FORM)

    def retract(self, report_id: int) -> None:
        """Discard an open report (after a failure half-way)."""
        self._post("retract", f"id={report_id}".encode(), _FORM)

    def _post(self, path: str, body: bytes, content_type: str) -> Answer:
        request = urllib.request.Request(  # noqa: S310  # the scheme is checked in settings
            f"{self.base_url}/{path}",
            data=body,
            method="POST",
            headers={"Authorization": self._auth, "Content-Type": content_type},
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                return _checked(response.read(), int(response.status))
        except urllib.error.HTTPError as exc:
            return _checked(exc.read(), exc.code)
        except (urllib.error.URLError, OSError) as exc:
            raise CyberTiplineError(None, f"No answer from NCMEC: {exc}") from None


_FORM = "application/x-www-form-urlencoded"


def _part(boundary: str, disposition: str, data: bytes, file: bool = False) -> bytes:
    kind = "Content-Type: application/octet-stream\r\n" if file else ""
    head = f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n{kind}\r\n"
    return head.encode() + data + b"\r\n"


def _safe(name: str) -> str:
    return "".join(c for c in name if c.isprintable() and c not in '"\\/') or "file"


def parse_answer(body: bytes) -> Answer:
    """A `<reportResponse>` or `<reportDoneResponse>`; refuses anything else."""
    try:
        root = etree.fromstring(
            body, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError:
        raise CyberTiplineError(None, "NCMEC's answer is not XML.") from None
    code = root.findtext("responseCode")
    if root.tag not in ("reportResponse", "reportDoneResponse") or not (code or "").isdigit():
        raise CyberTiplineError(None, f"Unexpected answer <{root.tag!s}>.")
    report_id = root.findtext("reportId")
    return Answer(
        code=int(code or 0),
        description=root.findtext("responseDescription") or "",
        report_id=int(report_id) if report_id and report_id.isdigit() else None,
        file_id=root.findtext("fileId"),
        file_ids=[f.text or "" for f in root.iterfind("files/fileId")],
    )


def _checked(body: bytes, status: int) -> Answer:
    answer = parse_answer(body)
    if answer.code != SUCCESS:
        raise CyberTiplineError(answer.code, answer.description or "Error", status)
    return answer


# --------------------------------------------------------------------------- the document


def _add(parent: etree._Element, tag: str, text: Any = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def report_xml(*, package: dict[str, Any], reporter: Reporter, when: str) -> bytes:
    """A CyberTipline `<report>` of an NCMEC partner's package (`when`: ISO time to give as
    the incident's when the package has none)."""
    root = etree.Element("report")
    incident = package.get("incident", {})
    summary = _add(root, "incidentSummary")
    _add(summary, "incidentType", INCIDENT_TYPES.get(incident.get("type", ""), FALLBACK_TYPE))
    if incident.get("platform"):
        _add(summary, "platform", incident["platform"])
    _add(summary, "incidentDateTime", incident.get("time") or when)
    _reporter(root, reporter)
    for person in package.get("people", []):
        if person.get("role") == "reported_person":
            _reported(root, person)
    _add(root, "additionalInfo", _words(package, reporter))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _reporter(root: etree._Element, reporter: Reporter) -> None:
    block = _add(root, "reporter")
    person = _add(block, "reportingPerson")
    if reporter.first_name:
        _add(person, "firstName", reporter.first_name)
    if reporter.last_name:
        _add(person, "lastName", reporter.last_name)
    _add(person, "email", reporter.email)
    if reporter.organisation:
        _add(block, "companyTemplate", reporter.organisation)


def _reported(root: etree._Element, person: dict[str, Any]) -> None:
    """One `<personOrUserReported>` per reported person: phones and emails; their first
    account's platform, id and screen name; their IP capture events."""
    block = _add(root, "personOrUserReported")
    phones = [p.get("number") for p in person.get("phones", []) if p.get("number")]
    emails = [e.get("address") for e in person.get("emails", []) if e.get("address")]
    if phones or emails or person.get("first_name") or person.get("last_name"):
        who = _add(block, "personOrUserReportedPerson")
        for key, tag in (("first_name", "firstName"), ("last_name", "lastName")):
            if person.get(key):
                _add(who, tag, person[key])
        for number in phones:
            _add(who, "phone", number)
        for address in emails:
            _add(who, "email", address)
    account: dict[str, Any] = next(iter(person.get("accounts", [])), {})
    for key, tag in (("esp_identifier", "espIdentifier"), ("platform", "espService")):
        if account.get(key):
            _add(block, tag, account[key])
    if account.get("screen_name"):
        _add(block, "screenName", account["screen_name"])
    for event in person.get("ip_events", []):
        if event.get("ip"):
            capture = _add(block, "ipCaptureEvent")
            _add(capture, "ipAddress", event["ip"])
            if event.get("at"):
                _add(capture, "dateTime", event["at"])
            if event.get("port") is not None:
                _add(capture, "port", event["port"])


def _words(package: dict[str, Any], reporter: Reporter) -> str:
    lines = [f"Forwarded by {reporter.organisation or reporter.email}: {package['reference']}"]
    lines += [f"Sharing level {package['tlp']}."]
    for file in package.get("files", []):
        hashes = ", ".join(f"{k} {file[k]}" for k in ("md5", "sha1", "sha256", "pdq") if k in file)
        lines.append(f"File known by its hashes only: {hashes}.")
    return "\n".join(lines)
