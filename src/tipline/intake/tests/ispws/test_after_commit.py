"""What follows a commit never turns the committed request into an error."""

from __future__ import annotations

from typing import Any
from unittest import mock

from tipline.intake.models import IspwsOpenReport
from tipline.intake.tests.ispws.test_endpoints import Esp, _open, code_of, esp

__all__ = ["esp"]  # a fixture: pytest finds it by name in this module


def test_a_retraction_stands_when_its_files_cannot_be_deleted_after_the_commit(
    esp: Esp, django_capture_on_commit_callbacks: Any
) -> None:
    report_id = _open(esp)
    esp.upload(report_id, b"to be discarded")
    gone = OSError("the media disk is gone (invented)")
    with (
        mock.patch("tipline.intake.ispws.services._delete_blobs", side_effect=gone) as delete,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = esp.form("retract", report_id)
    assert delete.called and response.status_code == 200 and code_of(response) == 0
    assert IspwsOpenReport.objects.get().state == "retracted"
    assert code_of(esp.form("finish", report_id)) == 5101  # retracted, for good
