"""Reads of media, and the one access check for report files."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from tipline.accounts.types import Viewer
from tipline.media.models import FileMatch, FileOpening
from tipline.reports.models import ReportFile
from tipline.reports.selectors import reports_visible_to


def file_get_for_user(*, user: Viewer, file_id: str) -> ReportFile:
    """A report file the user may see (through its report's scope). Missing or forbidden: 404."""
    found = (
        ReportFile.objects.filter(file_id=file_id, report__in=reports_visible_to(user))
        .select_related("report")
        .first()
    )
    if found is None:
        raise Http404("No such file.")
    return found


def matches_for_files(files: list[ReportFile]) -> dict[int, list[FileMatch]]:
    """Matches by file id, with their lists, in one query."""
    by_file: dict[int, list[FileMatch]] = {f.pk: [] for f in files}
    rows: QuerySet[FileMatch] = (
        FileMatch.objects.filter(file__in=files).select_related("hash_list").order_by("distance")
    )
    for match in rows:
        by_file[match.file_id].append(match)
    return by_file


def held_back_ids(files: list[ReportFile]) -> set[int]:
    """The files the reporting company did not view and nobody has opened with a legal basis:
    shown to no one, not even blurred (one query)."""
    unviewed = [f.pk for f in files if f.viewed_by_platform is False]
    if not unviewed:
        return set()
    opened = FileOpening.objects.filter(file_id__in=unviewed).values_list("file_id", flat=True)
    return set(unviewed) - set(opened)


def file_is_held_back(file: ReportFile) -> bool:
    """Whether this one file is held back (see `held_back_ids`)."""
    return bool(held_back_ids([file]))
