"""Reports and images for the registry's tests: invented, generated here."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tipline.conftest import draft
from tipline.media.storage import EncryptedWriter, StoredBlob
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import PersonRole
from tipline.reports.drafts import IncidentDraft, PersonDraft, Phone
from tipline.reports.models import Report
from tipline.reports.services import report_submit


def sighting_report(
    *, first: str = "Tope", last: str = "Adebayo", age: int = 11, state: str = "LA", **extra: Any
) -> Report:
    """A processed public sighting of an invented girl, with the reporter's phone."""
    child = PersonDraft(role=PersonRole.VICTIM, first_name=first, last_name=last, age=age)
    reporter = PersonDraft(role=PersonRole.REPORTER, phones=[Phone(number="08039990000")])
    incident = IncidentDraft(
        type="missing_child_sighting",
        description="Invented: a girl in a blue uniform near the market.",
        state_code=state,
        **extra,
    )
    report = report_submit(draft=draft(incident=incident, people=[child, reporter])).report
    assert pipeline_run(report_id=report.pk).done
    return Report.objects.get(pk=report.pk)


def drawn_image(seed: int = 0, fmt: str = "PNG") -> bytes:
    """A generated picture (stripes and a block), different per seed."""
    image = Image.new("RGB", (320, 240), (30 + seed * 40 % 200, 90, 160))
    for x in range(0, 320, 16 + seed):
        for y in range(240):
            image.putpixel((x, y), (240, 240, 20))
    for x in range(60, 140):
        for y in range(80 + seed * 5, 160):
            image.putpixel((x, y), (10, 10, 10))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def stored(data: bytes) -> StoredBlob:
    writer = EncryptedWriter()
    writer.write(data)
    return writer.close()
