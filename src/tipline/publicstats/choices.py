"""Release states, the allowed moves between them, and the published tables."""

from django.db import models
from django.utils.translation import gettext_noop


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft (computed, awaiting a supervisor's approval)"
    APPROVED = "approved", "Approved (published)"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The one table of allowed moves: a draft is approved or withdrawn; a published release can be
# withdrawn (the page then shows the last approved one before it). Nothing comes back.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ReleaseStatus.DRAFT: frozenset({ReleaseStatus.APPROVED, ReleaseStatus.WITHDRAWN}),
    ReleaseStatus.APPROVED: frozenset({ReleaseStatus.WITHDRAWN}),
    ReleaseStatus.WITHDRAWN: frozenset(),
}

# The published tables: id -> (unit, dimension, title). One dimension per table and unit, so no
# two tables of a unit break a year down the same way (see suppression.py). The words are marked
# for translation and translated where they are shown (publicstats' own catalogue).
TABLES: dict[str, tuple[str, str, str]] = {
    "reports_by_quarter": ("reports", gettext_noop("quarter"), gettext_noop("Reports by quarter")),
    "reports_by_state": ("reports", gettext_noop("state"), gettext_noop("Reports by state")),
    "reports_by_type": (
        "reports",
        gettext_noop("incident type"),
        gettext_noop("Reports by incident type"),
    ),
    "victims_by_exploitation": (
        "victims named in reports",
        gettext_noop("exploitation type"),
        gettext_noop("Victims named in reports, by exploitation type"),
    ),
    "victims_by_age_sex": (
        "victims in cases",
        gettext_noop("age band and sex"),
        gettext_noop("Victims in cases, by age band and sex"),
    ),
    "cases_by_command": (
        "cases",
        gettext_noop("command"),
        gettext_noop("Cases opened, by command"),
    ),
}


def _units() -> dict[str, tuple[str, ...]]:
    units: dict[str, tuple[str, ...]] = {}
    for table_id, (unit, _, _) in TABLES.items():
        units[unit] = (*units.get(unit, ()), table_id)
    return units


# unit -> its tables: the tables of a unit share each year's total, so a year is published, kept
# at earlier figures or held back in all of them together (differencing.py).
UNITS: dict[str, tuple[str, ...]] = _units()
