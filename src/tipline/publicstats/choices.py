"""Release states, the allowed moves between them, and the published tables."""

from django.db import models


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
# two tables of a unit break a year down the same way (see suppression.py).
TABLES: dict[str, tuple[str, str, str]] = {
    "reports_by_quarter": ("reports", "quarter", "Reports by quarter"),
    "reports_by_state": ("reports", "state", "Reports by state"),
    "reports_by_type": ("reports", "incident type", "Reports by incident type"),
    "victims_by_exploitation": (
        "victims named in reports",
        "exploitation type",
        "Victims named in reports, by exploitation type",
    ),
    "victims_by_age_sex": (
        "victims in cases",
        "age band and sex",
        "Victims in cases, by age band and sex",
    ),
    "cases_by_command": ("cases", "command", "Cases opened, by command"),
}
