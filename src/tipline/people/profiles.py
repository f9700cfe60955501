"""Each registry's default profile: the fields it compares and its prior. `people_profile` puts
the newest fit on labels over these (selectors)."""

from __future__ import annotations

from tipline.people import travel
from tipline.people.choices import OwnerKind
from tipline.people.scoring import DEFAULT_M, DEFAULT_U, MatchProfile

ALL_FIELDS = (
    "given_name",
    "family_name",
    "dob",
    "sex",
    "phone",
    "email",
    "username",
    "document",
    "place",
    "nationality",
)

MISSING_FIELDS = (
    "given_name",
    "family_name",
    "dob",
    "sex",
    "phone",
    "username",
    "distance",
    "elapsed",
    "photo",
)

# A sighting's phones are mostly a stranger's (the reporter's), seldom the guardian's or the
# child's: a phone in common is strong, none in common says little.
MISSING_M = {**DEFAULT_M, "phone": {"shared": 0.15, "different": 0.85}}

DEFAULT_PROFILES: dict[str, MatchProfile] = {
    # A case's victims and suspects: every field, since investigators record all they learn.
    OwnerKind.CASE_PERSON: MatchProfile(name=OwnerKind.CASE_PERSON, fields=ALL_FIELDS),
    # A sighting of a child: a name heard, an age guessed (compared with the date of birth at
    # the time of the sighting), how far from and how long after the last sighting, a guardian's
    # or reporter's phone, a photo; rarely a document. Distance replaces "place" (not both: one
    # fact counted twice).
    OwnerKind.MISSING_RECORD: MatchProfile(
        name=OwnerKind.MISSING_RECORD, fields=MISSING_FIELDS, m=MISSING_M
    ),
    # The same comparisons, seen from a new record looking for reports that mention the child.
    OwnerKind.REPORT_PERSON: MatchProfile(
        name=OwnerKind.REPORT_PERSON, fields=MISSING_FIELDS, m=MISSING_M
    ),
    # A travel notice against a report's person: names (often a given name only), an age
    # guessed, the nationality as said, identifiers, the time inside the stay, the state and the
    # hotel named loosely (people/travel.py holds the fields, their m and u and the calibration).
    OwnerKind.TRAVEL_NOTICE: MatchProfile(
        name=OwnerKind.TRAVEL_NOTICE,
        fields=travel.FIELDS,
        m={**DEFAULT_M, **travel.M},
        u={**DEFAULT_U, **travel.U},
        prior=travel.PRIOR,
        calibration=travel.CALIBRATION,
    ),
}


def default_profile(owner_kind: str) -> MatchProfile:
    """The registry's default profile; any other kind (tests, new callers) compares all fields."""
    return DEFAULT_PROFILES.get(owner_kind) or MatchProfile(name=owner_kind, fields=ALL_FIELDS)
