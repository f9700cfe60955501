"""Packages that carry only the printable CyberTipline report PDF (no referral XML).

The PDFs are invented and drawn here with fpdf2, in the layout docs/ncmec-referrals.md records:
a first page with the number, the date received and the priority, then Sections A to D with
their printed labels. Everything in them is made up; the pictures are generated blocks.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from fpdf import FPDF

from tipline.accounts.choices import Role
from tipline.conftest import login
from tipline.intake.ncmec.pdf import parse_referral_pdf
from tipline.intake.ncmec.samples import sample_png, with_pictures
from tipline.intake.ncmec.selectors import ncmec_referrals_for
from tipline.intake.ncmec.services import (
    ADDENDUM,
    ALREADY,
    FAILED,
    IMPORTED,
    ImportOutcome,
    ncmec_import_source,
)
from tipline.intake.ncmec.sources import PackageRefused, ZipSource
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Channel
from tipline.reports.models import Addendum, Report, ReportFile

NUMBER = "223456789"
LINES = [
    f"CyberTipline Report {NUMBER}",
    "Received by NCMEC on 05-02-2024 08:30:00 UTC",
    "Priority Level: 1",
    "Executive Summary",
    "Incident Type: Apparent Child Pornography",
    "Uploaded Files: 2",
    "Section A: Reported Information",
    "Reporting Electronic Service Provider (ESP)",
    "Company: Invented Chat Ltd",
    "Contact Name: Trust Safety",
    "Email Address: safety@platform.invalid",
    "Incident Information",
    "Incident Type: Online Enticement of Children for Sexual Acts",
    "Incident Time: 05-01-2024 12:00:00 UTC",
    "Web Page/URL: https://chat.invalid/u/invented_user_7",
    "Suspect",
    "Phone: +2348012345678",
    "Screen/User Name: invented_user_7",
    "ESP User ID: 77001",
    "IP Address: 102.89.10.20 (Login) 05-01-2024 11:58:00 UTC Port: 40112",
    "Victim",
    "First Name: Kemi",
    "Last Name: Notreal",
    "Age: 14",
    "Uploaded File Information",
    "Filename: image0.png",
    "Did Reporting ESP view entire contents of uploaded file? Yes",
    "Were entire contents of uploaded file publicly available? No",
    "Uploaded File Information",
    "Filename: image1.png",
    "Did Reporting ESP view entire contents of uploaded file? No",
    "Were entire contents of uploaded file publicly available? No",
    "Additional Information",
    "Invented: an adult asked an invented child for pictures.",
    "Section B: Automated Information Added by NCMEC Systems",
    "IP Address: 102.89.10.20",
    "Country: NG",
    "Region: Lagos",
    "City: Ikeja",
    "Latitude: 6.6018",
    "Longitude: 3.3515",
    "ISP/Org: Invented Mobile Ltd",
    "Section C: Additional Information Provided by NCMEC",
    "Notes: Invented analyst note: the account appears in Nigeria.",
    "Related Report: 223456790",
    "A line the reader has no label for.",
    "Section D: Law Enforcement Contact Information",
    "Agency: Invented Liaison Office",
]


def report_pdf(lines: list[str], *, password: str = "") -> bytes:
    """An invented CyberTipline report PDF, one printed line per entry, over several pages."""
    pdf = FPDF()
    if password:
        pdf.set_encryption(owner_password=password, user_password=password)
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    for line in lines:
        if line.startswith("Section B"):
            pdf.add_page()  # the reader takes the text of every page
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_package(pdf: bytes, *, pictures: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"CyberTip_{NUMBER}.pdf", pdf)
        if pictures:
            archive.writestr("files/image0.png", sample_png(1))
            archive.writestr("files/image1.png", sample_png(2))
    return out.getvalue()


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_STORE_DIR = tmp_path / "media"
    return settings.MEDIA_STORE_DIR  # type: ignore[no-any-return]


def blobs(store: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(store)) if store.exists() else 0


def from_zip(data: bytes) -> list[ImportOutcome]:
    return ncmec_import_source(source=ZipSource(io.BytesIO(data), "upload.zip"))


def test_the_reader_takes_every_section_by_its_labels() -> None:
    referral, text = parse_referral_pdf(report_pdf(LINES))
    assert referral.number == NUMBER and referral.priority == "1"
    assert referral.received_by_ncmec is not None
    assert referral.received_by_ncmec.isoformat() == "2024-05-02T08:30:00+00:00"
    summary = referral.report["incidentSummary"]
    assert summary["incidentType"] == "Online Enticement of Children for Sexual Acts"
    assert summary["incidentDateTime"] == "2024-05-01T12:00:00Z"
    assert referral.report["reporter"]["companyTemplate"] == "Invented Chat Ltd"
    reported = referral.report["personOrUserReported"][0]
    assert reported["screenName"] == "invented_user_7" and reported["espIdentifier"] == "77001"
    assert reported["ipCaptureEvent"][0] == {
        "ipAddress": "102.89.10.20",
        "eventName": "Login",
        "dateTime": "2024-05-01T11:58:00Z",
        "port": "40112",
    }
    assert referral.report["victim"][0]["victimPerson"]["age"] == "14"
    assert [f.path for f in referral.files] == ["image0.png", "image1.png"]
    assert [f.details and f.details["fileViewedByEsp"] for f in referral.files] == [
        "true",
        "false",
    ]
    assert referral.geolocation[0]["city"] == "Ikeja"
    assert referral.geolocation[0]["isp"] == "Invented Mobile Ltd"
    assert referral.analyst == {
        "note": ["Invented analyst note: the account appears in Nigeria."],
        "relatedReport": ["223456790"],
    }
    assert referral.other["lawEnforcementContact"] == {"agency": "Invented Liaison Office"}
    assert referral.other["unrecognised"] == ["Section C: A line the reader has no label for."]
    assert "Section A: Reported Information" in text


def test_a_pdf_only_package_becomes_a_report_like_the_xml_path(geo: Any, store: Path) -> None:
    outcomes = from_zip(pdf_package(report_pdf(LINES)))
    assert [o.status for o in outcomes] == [IMPORTED], outcomes
    report = Report.objects.get(reference=outcomes[0].reference)
    assert report.channel == Channel.NCMEC_REFERRAL
    assert report.external_id == f"NCMEC-{NUMBER}"
    assert report.raw_content_type == "text/plain"
    assert "A line the reader has no label for." in report.raw_record
    assert "NCMEC priority level 1" in report.escalation_note
    assert "NCMEC analyst: Invented analyst note" in report.description
    assert "Ikeja, Lagos, Nigeria (NCMEC geolocation of 102.89.10.20" in report.location_text
    assert report.extra["ncmec"]["other"]["unrecognised"]
    files = {f.original_name: f for f in ReportFile.objects.filter(report=report)}
    assert sorted(files) == ["CyberTip_223456789.pdf", "image0.png", "image1.png"]
    assert files["image0.png"].viewed_by_platform is True
    assert files["image1.png"].viewed_by_platform is False
    pipeline_run(report_id=report.pk)
    report.refresh_from_db()
    assert report.routed_command is not None and report.routed_command.code == "LAG"


def test_the_same_pdf_again_stores_nothing_and_a_different_one_is_an_addendum(
    geo: Any, store: Path
) -> None:
    package = pdf_package(report_pdf(LINES))
    assert [o.status for o in from_zip(package)] == [IMPORTED]
    stored = blobs(store)
    assert [o.status for o in from_zip(package)] == [ALREADY]
    assert blobs(store) == stored
    later = [*LINES, "Notes: Invented later note."]
    assert [o.status for o in from_zip(pdf_package(report_pdf(later)))] == [ADDENDUM]
    assert Report.objects.count() == 1 and Addendum.objects.count() == 1


def test_a_pdf_beside_a_referral_xml_is_a_file_not_a_second_report(geo: Any, store: Path) -> None:
    referral = with_pictures("323456789", count=1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("report.xml", referral.xml())
        archive.writestr("files/image0.png", referral.files[0].content)
        archive.writestr("CyberTip_323456789.pdf", report_pdf(LINES))
    outcomes = from_zip(out.getvalue())
    assert [o.status for o in outcomes] == [IMPORTED]
    report = Report.objects.get()
    assert report.raw_content_type == "application/xml"
    assert ReportFile.objects.filter(report=report).count() == 2


def _refused(data: bytes, store: Path) -> str:
    outcomes = from_zip(data)
    assert [o.status for o in outcomes] == [FAILED]
    assert Report.objects.count() == 0
    assert blobs(store) == 0
    return outcomes[0].error


@pytest.mark.parametrize(
    ("pdf", "reason"),
    [
        (b"this is a text file, not a PDF", "not a PDF"),
        (report_pdf(LINES, password="invented-secret"), "encrypted"),
        (report_pdf([line for line in LINES if "Report 2234" not in line]), "report number"),
        (b"%PDF-1.7\nbroken beyond repair", "cannot be read"),
        (report_pdf([line for line in LINES if "Email" not in line]), "Section A"),
    ],
    ids=["not-a-pdf", "encrypted", "no-number", "damaged", "no-esp-email"],
)
def test_a_broken_pdf_is_refused_with_its_reason_and_nothing_stored(
    geo: Any, store: Path, pdf: bytes, reason: str
) -> None:
    error = _refused(pdf_package(pdf), store)
    assert error.startswith(f"CyberTip_{NUMBER}.pdf: ")  # the member, then why
    assert reason.lower() in error.lower(), error


def test_a_printed_file_missing_from_the_package_is_refused(geo: Any, store: Path) -> None:
    error = _refused(pdf_package(report_pdf(LINES), pictures=False), store)
    assert "lists image0.png, which is not in the package" in error


def test_an_owner_password_alone_is_refused_too() -> None:
    pdf = FPDF()
    pdf.set_encryption(owner_password="invented-owner")
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    pdf.cell(0, 6, f"CyberTipline Report {NUMBER}")
    with pytest.raises(PackageRefused, match="encrypted"):
        parse_referral_pdf(bytes(pdf.output()))


def test_the_desk_lists_pdf_referrals(geo: Any, store: Path, make_user: Any) -> None:
    from_zip(pdf_package(report_pdf(LINES)))
    desk = make_user(Role.SUPERVISOR, (), national=True)
    assert [r.external_id for r in ncmec_referrals_for(user=desk)] == [f"NCMEC-{NUMBER}"]


def test_a_bundle_of_pdf_only_referrals_imports_each_with_its_own_files(
    geo: Any, store: Path
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n, number in enumerate(("423456781", "423456782")):
            lines = [line.replace(NUMBER, number) for line in LINES]
            archive.writestr(f"{number}/CyberTip_{number}.pdf", report_pdf(lines))
            archive.writestr(f"{number}/files/image0.png", sample_png(10 + n))
            archive.writestr(f"{number}/files/image1.png", sample_png(20 + n))
    outcomes = from_zip(out.getvalue())
    assert [(o.number, o.status) for o in outcomes] == [
        ("423456781", IMPORTED),
        ("423456782", IMPORTED),
    ]
    for report in Report.objects.all():
        assert ReportFile.objects.filter(report=report).count() == 3


def test_a_pdf_below_a_top_level_referral_xml_is_one_of_its_files(geo: Any, store: Path) -> None:
    referral = with_pictures("523456789", count=1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("report.xml", referral.xml())
        archive.writestr("files/image0.png", referral.files[0].content)
        archive.writestr("printable/CyberTip_523456789.pdf", report_pdf(LINES))
    assert [o.status for o in from_zip(out.getvalue())] == [IMPORTED]
    assert ReportFile.objects.filter(report=Report.objects.get()).count() == 2


def test_the_desk_uploads_a_pdf_only_package_and_a_broken_one_is_a_422(
    geo: Any, store: Path, make_user: Any
) -> None:
    desk = login(make_user(Role.PARTNER_LIAISON, ("NAT",)))
    upload = SimpleUploadedFile("pdf.zip", pdf_package(report_pdf(LINES)), "application/zip")
    answer = desk.post(reverse("ncmec:upload"), {"packages": [upload]})
    assert answer.status_code == 200 and "Imported" in answer.content.decode()
    assert Report.objects.get().channel == Channel.NCMEC_REFERRAL
    locked = pdf_package(report_pdf([line.replace(NUMBER, "9") for line in LINES], password="x"))
    broken = SimpleUploadedFile("locked.zip", locked, "application/zip")
    answer = desk.post(reverse("ncmec:upload"), {"packages": [broken]})
    assert answer.status_code == 422 and "encrypted" in answer.content.decode()
    assert Report.objects.count() == 1


def test_the_command_imports_a_folder_with_only_the_pdf(
    geo: Any, store: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "download"
    (folder / "files").mkdir(parents=True)
    (folder / f"CyberTip_{NUMBER}.pdf").write_bytes(report_pdf(LINES))
    (folder / "files" / "image0.png").write_bytes(sample_png(1))
    (folder / "files" / "image1.png").write_bytes(sample_png(2))
    out = io.StringIO()
    call_command("ncmec", "import", str(folder), stdout=out)
    assert "1 taken, 0 not imported" in out.getvalue()
    assert Report.objects.get().external_id == f"NCMEC-{NUMBER}"
