"""Each registry's default profile: the fields it compares and its prior. `people_profile` puts
the newest fit on labels over these (selectors)."""

from __future__ import annotations

from tipline.people.choices import OwnerKind
from tipline.people.scoring import MatchProfile

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

DEFAULT_PROFILES: dict[str, MatchProfile] = {
    # A case's victims and suspects: every field, since investigators record all they learn.
    OwnerKind.CASE_PERSON: MatchProfile(name=OwnerKind.CASE_PERSON, fields=ALL_FIELDS),
    # A sighting of a child: a name heard, an age guessed, where; rarely a document.
    OwnerKind.MISSING_RECORD: MatchProfile(
        name=OwnerKind.MISSING_RECORD,
        fields=("given_name", "family_name", "dob", "sex", "phone", "username", "place"),
    ),
    # A travel notice names a convicted offender by passport and nationality; places say little.
    OwnerKind.TRAVEL_NOTICE: MatchProfile(
        name=OwnerKind.TRAVEL_NOTICE,
        fields=(
            "given_name",
            "family_name",
            "dob",
            "sex",
            "phone",
            "email",
            "document",
            "nationality",
        ),
        prior=1e-4,
    ),
}


def default_profile(owner_kind: str) -> MatchProfile:
    """The registry's default profile; any other kind (tests, new callers) compares all fields."""
    return DEFAULT_PROFILES.get(owner_kind) or MatchProfile(name=owner_kind, fields=ALL_FIELDS)
