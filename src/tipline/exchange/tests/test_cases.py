"""Case packages: `exchange_package_for(case=…)` lets through only what the partner's level and
profile allow (property-tested like reports), a case share is audited and on the case's
timeline, and outcomes and addenda reach the partners already holding the case or report."""

from __future__ import annotations

import json
from datetime import date
from itertools import count
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tipline.accounts.choices import Role
from tipline.audit.models import AuditEvent
from tipline.cases.choices import CaseEventKind, OutcomeKind
from tipline.cases.choices import PersonRole as CaseRole
from tipline.cases.models import Case, CaseEvent, CaseInvolvement
from tipline.cases.services import case_open, case_person_add
from tipline.cases.services.support import OutcomeInput, outcome_record
from tipline.conftest import draft, login
from tipline.exchange.choices import PARTNER_LEVELS, TLP_ORDER, EventType, PartnerKind, Section
from tipline.exchange.models import Partner, Share, WebhookDelivery
from tipline.exchange.packages import SharingRefused, case_level, exchange_package_for
from tipline.exchange.services import PartnerInput, case_share, partner_create, report_share
from tipline.people.person import PersonFields
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import PersonRole, SharingLevel
from tipline.reports.drafts import PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_add_addendum, report_submit

_serial = count()
V = Section
# The oracle, written out apart from the code: which sections let each field of each role go.
ALLOWED_BY: dict[tuple[str, str], set[str]] = {
    (CaseRole.VICTIM, "given_names"): {V.VICTIM_FIRST_NAME, V.VICTIM_DETAILS},
    (CaseRole.VICTIM, "family_name"): {V.VICTIM_DETAILS},
    (CaseRole.VICTIM, "phone"): {V.VICTIM_DETAILS},
    (CaseRole.SUSPECT, "given_names"): {V.SUSPECTS},
    (CaseRole.SUSPECT, "family_name"): {V.SUSPECTS},
    (CaseRole.SUSPECT, "phone"): {V.SUSPECTS, V.SUSPECT_IDENTIFIERS},
    **{
        (r, f): {V.WITNESSES}
        for r in (CaseRole.WITNESS, CaseRole.GUARDIAN)
        for f in ("given_names", "family_name", "phone")
    },
}


@pytest.fixture
def investigator(make_user: Any) -> Any:
    return make_user(Role.INVESTIGATOR, ("LAG",))


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user(Role.ADMINISTRATOR, (), national=True)


def _report(level: str = SharingLevel.AMBER) -> Report:
    reporter = PersonDraft(role=PersonRole.REPORTER, first_name="Reporterina", last_name="Secret")
    victim = PersonDraft(role=PersonRole.VICTIM, first_name="Ngozi", age=14)
    submitted = report_submit(draft=draft(people=[reporter, victim], sharing_level=level)).report
    pipeline_run(report_id=submitted.pk)
    return Report.objects.get(pk=submitted.pk)


def _case(investigator: Any, geo: Any, reports: tuple[Report, ...] = ()) -> Case:
    return case_open(
        command=geo["LAG"],
        lead=investigator,
        title="Invented recruitment ring",
        actor=investigator,
        reports=reports,
    )


def _partner(admin: Any, **overrides: Any) -> Partner:
    values: dict[str, Any] = {
        "code": "shelter",
        "name": "Invented Shelter",
        "kind": PartnerKind.NGO,
        "max_level": SharingLevel.AMBER,
        "sections": [Section.VICTIM_FIRST_NAME, Section.VICTIM_AGE, Section.VICTIM_NEEDS],
        "jurisdictions": ["NG-LA"],
        "contacts": [],
        "webhook_url": "https://shelter.invalid/hook",
    }
    values.update(overrides)
    return partner_create(data=PartnerInput(**values), actor=admin)


roles = st.lists(st.sampled_from(list(CaseRole)), max_size=4)
partners = st.builds(
    lambda level, sections: Partner(
        code="p", name="P", kind=PartnerKind.NGO, max_level=level, sections=sorted(sections)
    ),
    st.sampled_from([level for level, _ in PARTNER_LEVELS]),
    st.sets(st.sampled_from(Section.values)),
)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(partner=partners, level=st.sampled_from(list(SharingLevel)), people=roles)
def test_no_case_package_holds_anything_outside_the_level_or_the_profile(
    partner: Partner, level: str, people: list[str], make_user: Any, geo: Any
) -> None:
    investigator = make_user(Role.INVESTIGATOR, ("LAG",))
    case = _case(investigator, geo, (_report(level),))
    marks: list[tuple[str, str, str]] = []
    for role in people:
        n = next(_serial)
        given, family, phone = f"GIVEN{n}X", f"FAMILY{n}X", f"0803{n:07d}"
        marks += [(role, "given_names", given), (role, "family_name", family)]
        marks.append((role, "phone", phone))
        fields = PersonFields(given_names=given, family_name=family, phones=(phone,))
        case_person_add(case=case, role=role, person=fields, actor=investigator)
    if level == SharingLevel.RED or TLP_ORDER.index(level) > TLP_ORDER.index(partner.max_level):
        with pytest.raises(SharingRefused):
            exchange_package_for(partner=partner, case=case)
        return
    text = json.dumps(exchange_package_for(partner=partner, case=case))
    for role, field, mark in marks:
        allowed = ALLOWED_BY[(role, field)] & set(partner.sections)
        assert (mark in text) == bool(allowed), (role, field, partner.sections)
    assert "Reporterina" not in text and "Secret" not in text  # the reporter never leaves
    assert ("Invented recruitment ring" in text) == (Section.NARRATIVE in partner.sections)


def test_a_case_is_as_restricted_as_its_most_restricted_report(investigator: Any, geo: Any) -> None:
    assert case_level(_case(investigator, geo)) == SharingLevel.AMBER
    mixed = _case(investigator, geo, (_report(SharingLevel.GREEN), _report(SharingLevel.AMBER)))
    assert case_level(mixed) == SharingLevel.AMBER
    red = _case(investigator, geo, (_report(SharingLevel.GREEN), _report(SharingLevel.RED)))
    assert case_level(red) == SharingLevel.RED
    police = Partner(
        code="np", name="Police", max_level=SharingLevel.AMBER_STRICT, sections=Section.values
    )
    with pytest.raises(SharingRefused, match="TLP:RED"):
        exchange_package_for(partner=police, case=red)


def test_the_shelter_gets_the_victims_first_name_age_and_needs_and_no_suspect(
    investigator: Any, admin: Any, geo: Any
) -> None:
    case = _case(investigator, geo, (_report(),))
    victim = PersonFields(given_names="Amina", family_name="Hidden", age=15)
    case_person_add(case=case, role=CaseRole.VICTIM, person=victim, actor=investigator)
    suspect = PersonFields(given_names="Suspect", phones=("08039990000",))
    case_person_add(case=case, role=CaseRole.SUSPECT, person=suspect, actor=investigator)
    package = exchange_package_for(partner=_partner(admin), case=case)
    assert package["people"] == [{"role": "victim", "given_names": "Amina", "age": 15}]
    text = json.dumps(package)
    assert "Hidden" not in text and "Suspect" not in text and "08039990000" not in text
    assert package["case"] == case.reference and package["tlp"] == SharingLevel.AMBER


def test_a_case_share_is_audited_on_the_timeline_and_queued_as_a_webhook(
    investigator: Any, admin: Any, geo: Any
) -> None:
    case = _case(investigator, geo, (_report(),))
    partner = _partner(admin)
    share = case_share(case=case, partner=partner, actor=admin, reason="A place for the child")
    event = CaseEvent.objects.filter(case=case, kind=CaseEventKind.REFERRAL).get()
    assert event.body.startswith("Shared with Invented Shelter (TLP:AMBER, case.shared)")
    assert "reports[].people[victim].first_name" in event.body
    audit = AuditEvent.objects.get(action="case.shared")
    assert audit.after["fields"] == share.fields and audit.object_id == str(case.pk)
    body = json.loads(WebhookDelivery.objects.get(share=share).body)
    assert body["type"] == "case.shared" and body["data"]["case"] == case.reference
    assert json.loads(share.body) == body


def test_an_outcome_reaches_the_partners_holding_the_case(
    investigator: Any, admin: Any, geo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _case(investigator, geo, (_report(),))
    involvement = case_person_add(
        case=case,
        role=CaseRole.VICTIM,
        person=PersonFields(given_names="Amina"),
        actor=investigator,
    )
    holder, stranger = _partner(admin), _partner(admin, code="other", name="Other shelter")
    case_share(case=case, partner=holder, actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        outcome_record(
            involvement=involvement,
            data=OutcomeInput(kind=OutcomeKind.RESCUE, occurred_on=date(2026, 12, 1)),
            actor=investigator,
        )
    update = Share.objects.get(case=case, event_type=EventType.CASE_OUTCOME)
    assert update.partner == holder and update.created_by is None
    data = json.loads(update.body)["data"]
    assert data["outcomes"] == [{"role": "victim", "kind": "rescue", "on": "2026-12-01"}]
    assert not Share.objects.filter(partner=stranger).exists()
    audit = AuditEvent.objects.filter(action="case.shared").order_by("-seq").first()
    assert audit is not None and audit.actor_label == "system:exchange"


def test_an_addendum_reaches_the_partners_holding_the_report(
    admin: Any, geo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report = _report()
    partner = _partner(admin)
    report_share(report=report, partner=partner, actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        report_add_addendum(report=report, body="More, invented.", channel="web", actor=None)
    update = Share.objects.get(report=report, event_type=EventType.REPORT_UPDATED)
    assert WebhookDelivery.objects.get(share=update).event_type == "report.updated"


def test_an_update_the_partner_may_no_longer_see_is_not_sent(
    admin: Any, geo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report = _report()
    partner = _partner(admin)
    report_share(report=report, partner=partner, actor=admin)
    Report.objects.filter(pk=report.pk).update(sharing_level=SharingLevel.RED)
    with django_capture_on_commit_callbacks(execute=True):
        report_add_addendum(report=report, body="More, invented.", channel="web", actor=None)
    assert not Share.objects.filter(event_type=EventType.REPORT_UPDATED).exists()


# --------------------------------------------------------------------------- the page


def test_administrator_previews_and_sends_a_case(investigator: Any, admin: Any, geo: Any) -> None:
    case = _case(investigator, geo, (_report(),))
    case_person_add(
        case=case,
        role=CaseRole.VICTIM,
        person=PersonFields(given_names="Amina", family_name="Hidden"),
        actor=investigator,
    )
    partner = _partner(admin)
    client = login(admin)
    url = reverse("exchange:case", args=[case.reference])
    page = client.get(url, {"partner": partner.code}).content.decode()
    assert "Amina" in page and "Hidden" not in page and not Share.objects.exists()
    client.post(reverse("exchange:case_send", args=[case.reference]), {"partner": partner.code})
    assert Share.objects.get().case == case
    shown = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "Shared with Invented Shelter (TLP:AMBER, case.shared)" in shown


def test_case_pages_refuse_outsiders_with_404(
    investigator: Any, admin: Any, make_user: Any, geo: Any
) -> None:
    case = _case(investigator, geo)
    partner = _partner(admin)
    view = reverse("exchange:case", args=[case.reference])
    send = reverse("exchange:case_send", args=[case.reference])
    # The case's own investigator works cases, not the exchange; a liaison not on its team
    # may not see the case.
    for outsider in (investigator, make_user(Role.PARTNER_LIAISON, ("LAG",))):
        client = login(outsider)
        assert client.get(view, {"partner": partner.code}).status_code == 404
        assert client.post(send, {"partner": partner.code}).status_code == 404
    assert login(admin).get(reverse("exchange:case", args=["CASE-0000-00000"])).status_code == 404
    assert not Share.objects.exists()
    assert not CaseInvolvement.objects.exists()


def test_the_case_page_costs_the_same_queries_whatever_the_data(
    investigator: Any,
    admin: Any,
    geo: Any,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    case = _case(investigator, geo, (_report(),))
    partner = _partner(admin)
    client = login(admin)
    url = reverse("exchange:case", args=[case.reference])

    def grow() -> None:
        person = PersonFields(given_names=f"Amina{next(_serial)}", age=15)
        case_person_add(case=case, role=CaseRole.VICTIM, person=person, actor=investigator)
        case_share(case=case, partner=partner, actor=admin)

    grow()
    client.get(url, {"partner": partner.code})  # the session and caches settle
    # 18 on SQLite and PostgreSQL: session, user, the case, partners, the package (case level,
    # people, outcomes, reports with their parts), the shares with deliveries.
    with django_assert_num_queries(18) as first:
        assert client.get(url, {"partner": partner.code}).status_code == 200
    for _ in range(4):
        grow()
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url, {"partner": partner.code}).status_code == 200
