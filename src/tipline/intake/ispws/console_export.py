"""The NCMEC export from the report's page: the same CyberTipline XML as
`tipline export_ncmec`, as one ZIP download. Mounted by the console (console/urls.py) at
/console/reports/<reference>/ncmec/; it lives here, beside the export it serves, because the
console may not import a channel.

A TLP:RED report is refused, as the command refuses it, and every export is audited as
``report.exported_ncmec`` with the documents' SHA-256, before the file leaves.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from tipline.accounts.models import User
from tipline.accounts.types import StaffRequest
from tipline.audit.services import audit_record
from tipline.common.http import client_ip
from tipline.intake.ispws.export import report_to_ncmec
from tipline.intake.ispws.xml import ValidationFailed
from tipline.reports.choices import SharingLevel
from tipline.reports.models import Report
from tipline.reports.selectors import report_detail_for_user


def report_export_ncmec(*, report: Report, actor: User, ip: str | None = None) -> bytes:
    """The report as a ZIP of report.xml and fileDetails-N.xml, audited; TLP:RED refused."""
    if report.sharing_level == SharingLevel.RED:
        raise ValidationError(
            f"{report.reference} is {SharingLevel.RED}: it may not go beyond its named "
            "recipients, so it is not exported."
        )
    try:
        report_xml, file_xmls = report_to_ncmec(report)
    except ValidationFailed as exc:
        raise ValidationError(f"{report.reference} cannot be exported: {exc.message}") from exc
    documents = [("report.xml", report_xml)]
    documents += [(f"fileDetails-{n}.xml", b) for n, b in enumerate(file_xmls, start=1)]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="report.exported_ncmec",
            object_type="report",
            object_id=report.pk,
            after={
                "reference": report.reference,
                "files": len(file_xmls),
                "via": "console",
                "sha256": {n: hashlib.sha256(b).hexdigest() for n, b in documents},
            },
            ip=ip,
        )
    return _zip(documents)


def _zip(documents: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in documents:
            archive.writestr(name, body)
    return buffer.getvalue()


@login_required
@require_POST
def export_ncmec(request: StaffRequest, reference: str) -> HttpResponse:
    """Download the report as CyberTipline XML (POST: it is audited, so never prefetched)."""
    report = report_detail_for_user(user=request.user, reference=reference)
    try:
        body = report_export_ncmec(report=report, actor=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return HttpResponseRedirect(reverse("console:report", args=[report.reference]))
    filename = f"{report.reference}-ncmec.zip"
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    return HttpResponse(
        body, content_type="application/zip", headers={"Content-Disposition": disposition}
    )


urlpatterns = [path("", export_ncmec, name="export_ncmec")]
