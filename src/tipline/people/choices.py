"""Vocabularies of the matcher: decisions, the registries that use it, term kinds."""

from django.db import models


class Decision(models.TextChoices):
    CONFIRMED = "confirmed", "Same person"
    REJECTED = "rejected", "Different people"


class OwnerKind(models.TextChoices):
    """The registries whose people are indexed (tests use kinds of their own)."""

    CASE_PERSON = "case_person", "Case person registry"
    MISSING_RECORD = "missing_record", "Missing-child records"
    TRAVEL_NOTICE = "travel_notice", "Travel notices"
    # People named in reports (victims, a sighting's child), so a new missing-child record can
    # look for the reports that mention the child.
    REPORT_PERSON = "report_person", "People named in reports"
    # People in reports who may be a travelling offender (not victims or reporters), so a new
    # travel notice can look for the reports that mention its subject.
    TRAVEL_REPORT_PERSON = "travel_report_person", "People reported who may be travellers"


# Term kinds of the blind index, and how much one shared term counts when ranking candidates
# (strong identifiers far above a name that sounds alike).
TERM_WEIGHTS = {
    "phone": 10,
    "email": 10,
    "username": 10,
    "document": 10,
    "name": 3,
    "canon": 3,
    "phonetic": 2,
    "name_yob": 2,
}
