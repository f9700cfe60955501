"""Turn a validated /ispws ``<report>`` and its ``<fileDetails>`` into a ``ReportDraft``.

The input is :mod:`.mapping`'s plain-data shape. Each element goes onto the draft's typed field
where it fits without loss. Whatever does not fit - an element the platform has no field for, an
attribute a typed field cannot carry, a value outside a field's range, a text longer than its
field - stays behind verbatim, under its XML name:

* a person's in ``PersonDraft.other`` (the person element's own leftovers under its name, e.g.
  ``other["victimPerson"]``);
* an internet detail's at the end of ``InternetDetailDraft.additional_info``, as JSON;
* the report's in ``ReportDraft.extra["ispws_other"]`` (``lawEnforcement``, ``batchedReport``...);
* a file's in ``FileDraft.details["ispws_file_details"]`` (the whole ``<fileDetails>``).

On top of that ``extra["ispws_report"]`` always holds the whole document, so an export re-emits
exactly what the client sent (see :mod:`.export`).

Nothing here raises on a schema-valid document: a value a draft field refuses is kept, never
forced. A dict that is not a report at all (no incident summary or type) raises ``ValueError``.
"""

from __future__ import annotations

from tipline.intake.ispws.convert.fields import (
    ISPWS_FILE_ANNOTATIONS,
    ISPWS_INTERNET_KINDS,
    ISPWS_REPORT_ANNOTATIONS,
)
from tipline.intake.ispws.convert.files import file_details_dict_to_file_draft
from tipline.intake.ispws.convert.report import report_dict_to_draft

__all__ = [
    "ISPWS_FILE_ANNOTATIONS",
    "ISPWS_INTERNET_KINDS",
    "ISPWS_REPORT_ANNOTATIONS",
    "file_details_dict_to_file_draft",
    "report_dict_to_draft",
]
