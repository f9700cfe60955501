"""Invented NCMEC referral packages, for the tests, the bench and the demo.

Everything here is made up: people, numbers, addresses and accounts come from a seeded random
generator, and the "uploaded files" are small generated pictures of coloured blocks. Nothing is
real personal data and nothing is abuse material.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image

FIRST_NAMES = ("Adaeze", "Chidi", "Funke", "Ibrahim", "Kemi", "Musa", "Ngozi", "Tunde", "Zainab")
LAST_NAMES = ("Invented", "Madeup", "Fictional", "Notreal", "Sample")
PLACES = (
    ("Ikeja", "Lagos", "6.6018", "3.3515"),
    ("Kano", "Kano", "12.0022", "8.5920"),
    ("Benin City", "Edo", "6.3350", "5.6037"),
    ("Enugu", "Enugu", "6.4584", "7.5464"),
    ("Uyo", "Akwa Ibom", "5.0377", "7.9128"),
)


def sample_png(seed: int, size: int = 48) -> bytes:
    """A small PNG of coloured blocks, different for each seed."""
    rng = random.Random(seed)  # noqa: S311  # invented test pictures, not secrets
    image = Image.new("RGB", (size, size))
    block = size // 4
    for x in range(0, size, block):
        for y in range(0, size, block):
            colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            image.paste(colour, (x, y, x + block, y + block))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclass
class SampleFile:
    """A file of a sample referral: where it sits beside the XML, and what the ESP said of it."""

    path: str
    content: bytes
    viewed_by_esp: bool | None = True
    details: bool = True


@dataclass
class SampleReferral:
    """An invented referral; `xml()` is its package XML."""

    number: str
    seed: int = 0
    priority: str = "2"
    files: list[SampleFile] = field(default_factory=list)
    phone: str = ""
    analyst_notes: tuple[str, ...] = ("Invented analyst note: the account appears in Nigeria.",)
    extra_xml: str = ""
    report_xml: str = ""

    def __post_init__(self) -> None:
        rng = random.Random(self.seed or int(self.number))  # noqa: S311  # invented data
        self.place = PLACES[rng.randrange(len(PLACES))]
        self.phone = self.phone or f"+23480{rng.randrange(10**8):08d}"
        self.ip = f"102.89.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        self.victim = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        self.handle = f"invented_user_{rng.randrange(10**6)}"

    def xml(self) -> bytes:
        """The `<ncmecReferral>` document."""
        city, region, lat, lon = self.place
        ip = self.ip
        notes = "".join(f"<note>{escape(n)}</note>" for n in self.analyst_notes)
        files = "".join(self._file(n, f) for n, f in enumerate(self.files, start=1))
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<ncmecReferral version="1">'
            f"<reportNumber>{self.number}</reportNumber><priority>{self.priority}</priority>"
            "<receivedByNcmec>2024-05-02T08:30:00Z</receivedByNcmec>"
            f"{self.report_xml or self._report(ip)}{files}"
            f"<ncmecAutomated><geoLookup><ipAddress>{ip}</ipAddress><country>NG</country>"
            f"<region>{region}</region><city>{city}</city><latitude>{lat}</latitude>"
            f"<longitude>{lon}</longitude><isp>Invented Mobile Ltd</isp></geoLookup>"
            "</ncmecAutomated>"
            f"<ncmecAnalyst>{notes}<relatedReport>{int(self.number) + 1}</relatedReport>"
            "</ncmecAnalyst>"
            f"{self.extra_xml}</ncmecReferral>"
        )
        return body.encode("utf-8")

    def _report(self, ip: str) -> str:
        victim_first, victim_last = self.victim
        handle = self.handle
        return (
            "<report><incidentSummary>"
            "<incidentType>Online Enticement of Children for Sexual Acts</incidentType>"
            "<platform>Invented Chat</platform><reportAnnotations><sextortion/>"
            "</reportAnnotations><incidentDateTime>2024-05-01T12:00:00Z</incidentDateTime>"
            "</incidentSummary>"
            "<internetDetails><chatImIncident><chatClient>Invented Chat</chatClient>"
            "</chatImIncident></internetDetails>"
            "<reporter><reportingPerson><firstName>Trust</firstName><lastName>Safety</lastName>"
            "<email>safety@platform.invalid</email></reportingPerson></reporter>"
            "<personOrUserReported><personOrUserReportedPerson>"
            f"<phone>{self.phone}</phone></personOrUserReportedPerson>"
            f"<espIdentifier>{handle}</espIdentifier><screenName>{handle}</screenName>"
            f"<ipCaptureEvent><ipAddress>{ip}</ipAddress><eventName>Login</eventName>"
            "<dateTime>2024-05-01T11:58:00Z</dateTime><port>40112</port></ipCaptureEvent>"
            "</personOrUserReported>"
            f"<victim><victimPerson><firstName>{victim_first}</firstName>"
            f"<lastName>{victim_last}</lastName><age>14</age></victimPerson></victim>"
            "<additionalInfo>Invented: an adult asked an invented child for pictures and "
            "threatened to share them.</additionalInfo></report>"
        )

    def _file(self, position: int, sample: SampleFile) -> str:
        if not sample.details:
            return f'<uploadedFile path="{escape(sample.path)}"/>'
        viewed = (
            ""
            if sample.viewed_by_esp is None
            else f"<fileViewedByEsp>{str(sample.viewed_by_esp).lower()}</fileViewedByEsp>"
        )
        return (
            f'<uploadedFile path="{escape(sample.path)}"><fileDetails>'
            f"<reportId>{self.number}</reportId><fileId>f{position}</fileId>"
            f"<originalFileName>{escape(sample.path.rsplit('/', 1)[-1])}</originalFileName>"
            f"{viewed}<publiclyAvailable>false</publiclyAvailable>"
            "<industryClassification>B2</industryClassification>"
            "</fileDetails></uploadedFile>"
        )


def with_pictures(number: str, count: int = 2, priority: str = "2") -> SampleReferral:
    """A referral with `count` generated pictures under `files/`."""
    files = [
        SampleFile(path=f"files/image{n}.png", content=sample_png(int(number) * 10 + n))
        for n in range(count)
    ]
    return SampleReferral(number=number, files=files, priority=priority)


def write_folder(folder: Path, referral: SampleReferral, name: str = "report.xml") -> Path:
    """The referral unpacked into `folder`: its XML and its files beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(referral.xml())
    for sample in referral.files:
        path = folder / sample.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample.content)
    return folder


def zip_bytes(referrals: list[SampleReferral], *, nested: bool = False) -> bytes:
    """A ZIP of referrals: one at the top, or (`nested`, or several) one folder each."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for referral in referrals:
            prefix = f"{referral.number}/" if nested or len(referrals) > 1 else ""
            archive.writestr(f"{prefix}CyberTip_{referral.number}.xml", referral.xml())
            for sample in referral.files:
                archive.writestr(prefix + sample.path, sample.content)
    return out.getvalue()
