"""The demo's screening and public statistics: a licensed agencies' list, and an approved release.

The reports' findings come from the pipeline's screening step itself (the demo's recruitment and
trafficking scenes quote invented offers); this adds what an administrator and a supervisor do:
keep the licensed list, and compute and approve a statistics release for the public page.
"""

from __future__ import annotations

from dataclasses import dataclass

from tipline.accounts.models import User
from tipline.publicstats.choices import ReleaseStatus
from tipline.publicstats.services import release_compute, release_transition
from tipline.screening.models import LicensedAgency
from tipline.screening.services import licensed_agency_save

# Invented agencies, named 'Demo' so no real company is meant; the demo's offers name one that
# is not on the list (Demo Skyway Travels).
LICENSED = [
    ("Demo Harmony Recruitment Ltd", "DEMO/PEA/0001"),
    ("Demo Pathway Placements", "DEMO/PEA/0002"),
    ("Demo Crossroads Manpower Consult", "DEMO/PEA/0003"),
]


@dataclass(frozen=True)
class DemoScreening:
    """What the demo added: licensed agencies, and the approved release's number."""

    agencies: int
    release: int | None


def demo_screening() -> DemoScreening:
    """Seed the licensed list (by the demo administrator) and publish a statistics release
    (computed and approved by the demo supervisor). Runs once, after the reports."""
    admin = User.objects.get(username="admin")
    supervisor = User.objects.get(username="supervisor")
    added = 0
    for name, number in LICENSED:
        if not LicensedAgency.objects.filter(name=name).exists():
            licensed_agency_save(
                agency=LicensedAgency(name=name, licence_number=number), actor=admin
            )
            added += 1
    release = release_compute(actor=supervisor)
    release_transition(release=release, to_status=ReleaseStatus.APPROVED, actor=supervisor)
    return DemoScreening(agencies=added, release=release.pk)
