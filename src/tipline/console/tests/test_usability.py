"""The console's usability: paged lists with totals, WAT times, filters by name, the report
page's order, history in sentences, notifications, CSV and NCMEC exports (audited)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.common.paging import PageRequest, keyset_page
from tipline.common.time import WAT
from tipline.conftest import draft, login
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Channel, SharingLevel
from tipline.reports.drafts import Account, IncidentDraft, PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.triage.models import Notification
from tipline.triage.services import notification_create


def _report(state: str = "LA", **values: Any) -> Report:
    incident = IncidentDraft(type="forced_begging", description="Invented.", state_code=state)
    made = report_submit(draft=draft(incident=incident, **values))
    pipeline_run(report_id=made.report.pk)
    return Report.objects.get(pk=made.report.pk)


def _refs(html: str) -> list[str]:
    return re.findall(r'data-reference="(TL-[0-9-]+)"', html)


def test_keyset_pages_cover_every_row_once_even_when_rows_arrive_between_pages(geo: Any) -> None:
    made = [_report() for _ in range(7)]
    order = ["-received_at", "-pk"]
    first = keyset_page(Report.objects.all(), order=order, request=PageRequest(size=3))
    assert (first.total, first.start_index, first.end_index, first.num_pages) == (7, 1, 3, 3)
    _report()  # newer than every row: must not push a row of page 1 onto page 2
    second = keyset_page(
        Report.objects.all(), order=order, request=PageRequest(size=3, after=first.next_cursor)
    )
    third = keyset_page(
        Report.objects.all(), order=order, request=PageRequest(size=3, after=second.next_cursor)
    )
    seen = [r.pk for r in first.rows + second.rows + third.rows]
    assert sorted(seen) == sorted(r.pk for r in made)
    back = keyset_page(
        Report.objects.all(), order=order, request=PageRequest(size=3, before=second.prev_cursor)
    )
    assert [r.pk for r in back.rows] == [r.pk for r in first.rows]
    assert (second.start_index, third.end_index) == (4, 7)


def test_a_broken_cursor_gives_the_first_page(geo: Any) -> None:
    _report()
    page = keyset_page(
        Report.objects.all(), order=["-pk"], request=PageRequest(size=25, after="!!not-a-cursor")
    )
    assert page.start_index == 1 and len(page.rows) == 1


def test_report_list_says_how_many_and_pages_with_a_chosen_size(lagos_analyst: User) -> None:
    for _ in range(27):
        _report()
    client = login(lagos_analyst)
    html = client.get(reverse("console:reports"), {"size": 25}).content.decode()
    assert "<strong>1–25</strong> of <strong>27</strong>" in html
    first = _refs(html)
    next_link = re.search(r'href="([^"]+)" rel="next"', html)
    assert next_link is not None
    link = reverse("console:reports") + next_link.group(1).replace("&amp;", "&")
    rest = _refs(client.get(link).content.decode())
    assert len(first) == 25 and len(rest) == 2 and not set(first) & set(rest)


def test_queue_filters_take_names_or_codes_in_any_case_and_refuse_unknown_ones(
    lagos_analyst: User, make_user: Callable[..., User]
) -> None:
    national = make_user(Role.SUPERVISOR, (), national=True)
    lagos, ogun = _report("LA"), _report("OG")
    client = login(national)
    for value in ("Lagos", "la", "LA"):
        html = client.get(reverse("triage:queue"), {"state": value}).content.decode()
        assert lagos.reference in html and ogun.reference not in html
    refused = client.get(reverse("triage:queue"), {"state": "Atlantis"})
    assert refused.status_code == 400 and lagos.reference not in refused.content.decode()
    assert "not applied" in refused.content.decode()
    select = re.search(r'<select name="state"[^>]*>(.*?)</select>', refused.content.decode(), re.S)
    assert select is not None and ">Lagos</option>" in select.group(1)


def test_queue_ids_are_unique_so_every_control_keeps_its_label(lagos_analyst: User) -> None:
    _report()
    html = login(lagos_analyst).get(reverse("triage:queue")).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert 'for="bulk-priority"' in html and 'id="bulk-priority"' in html


def test_console_times_are_west_africa_time_with_the_offset(lagos_analyst: User) -> None:
    report = _report()
    local = report.received_at.astimezone(WAT).strftime("%Y-%m-%d %H:%M")
    for url in (reverse("console:reports"), reverse("console:report", args=[report.reference])):
        html = login(lagos_analyst).get(url).content.decode()
        assert f"{local} WAT (UTC+1)" in html
        assert not re.search(r"\d\d:\d\d(:\d\d)? UTC\b", html)


def test_report_page_reads_summary_and_description_before_the_actions(
    lagos_analyst: User,
) -> None:
    person = PersonDraft(
        role="reported_person", accounts=[Account(platform="Snapchat", screen_name="invented_1")]
    )
    report = _report(people=[person])
    html = login(lagos_analyst).get(reverse("console:report", args=[report.reference]))
    text = html.content.decode()
    assert text.index('id="summary-title"') < text.index("Invented.") < text.index("Actions</h2>")
    assert "<dt>Account</dt><dd>platform: Snapchat; screen name: invented_1</dd>" in text
    assert "[{" not in text and "{&#x27;" not in text
    current = re.search(r'<option value="(P\d)" selected>', text)
    assert current is not None and current.group(1) == report.priority
    assert f"Priority set to {report.priority} by the pipeline" in text


def test_api_report_without_reporter_details_does_not_claim_contact_details(
    lagos_analyst: User, platform: Any
) -> None:
    client, _key = platform
    made = report_submit(
        draft=draft(channel=Channel.API, reporter_anonymous=False, people=[]),
        api_client=client,
    )
    pipeline_run(report_id=made.report.pk)
    html = login(lagos_analyst).get(reverse("console:report", args=[made.report.reference]))
    assert "gave contact details" not in html.content.decode()
    assert "no reporter contact details given" in html.content.decode()


def test_notifications_badge_list_and_mark_read_are_the_users_own(
    lagos_report: Report, make_user: Callable[..., User]
) -> None:
    me, other = make_user(Role.ANALYST, ("LAG",)), make_user(Role.ANALYST, ("LAG",))
    notification_create(user=me, report=lagos_report, kind="updated", text="More information")
    theirs = notification_create(user=other, report=lagos_report, kind="linked", text="Linked")
    client = login(me)
    page = client.get(reverse("console:notifications")).content.decode()
    assert "More information" in page and "Linked" not in page
    assert re.search(r'class="badge">1<', page)
    client.post(reverse("console:notifications_read"), {"ids": [theirs[0].pk]})
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    client.post(reverse("console:notifications_read"))
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert 'class="badge"' not in client.get(reverse("console:reports")).content.decode()


def test_queue_csv_export_is_scoped_in_utc_and_audited(
    lagos_analyst: User, kano_analyst: User
) -> None:
    mine, theirs = _report("LA"), _report("KN")
    response = login(lagos_analyst).get(reverse("triage:queue"), {"format": "csv"})
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["reference"] for r in rows] == [mine.reference]
    assert rows[0]["received_at_utc"].endswith("+00:00")
    event = AuditEvent.objects.get(action="reports.exported_csv")
    assert event.actor_id == lagos_analyst.pk and event.after["references"] == [mine.reference]
    assert theirs.reference not in response.content.decode()


def test_search_csv_export_is_audited_with_its_query(lagos_analyst: User) -> None:
    report = _report("LA")
    response = login(lagos_analyst).get(
        reverse("search:search"), {"q": "", "state": "LA", "format": "csv"}
    )
    assert report.reference in response.content.decode()
    event = AuditEvent.objects.get(action="reports.exported_csv")
    assert event.object_id == "search" and event.after["criteria"]["state"] == "LA"


def test_ncmec_export_from_the_report_page_is_a_zip_and_audited(
    lagos_analyst: User, kano_analyst: User
) -> None:
    report = _report("LA")
    url = reverse("console:export_ncmec", args=[report.reference])
    assert login(kano_analyst).post(url).status_code == 404
    response = login(lagos_analyst).post(url)
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names[0] == "report.xml"
    event = AuditEvent.objects.get(action="report.exported_ncmec")
    assert event.actor_id == lagos_analyst.pk and event.after["via"] == "console"
    assert login(lagos_analyst).get(url).status_code == 405


def test_ncmec_export_refuses_a_tlp_red_report_and_records_nothing(lagos_analyst: User) -> None:
    report = _report("LA", sharing_level=SharingLevel.RED)
    url = reverse("console:export_ncmec", args=[report.reference])
    response = login(lagos_analyst).post(url, follow=True)
    assert response.redirect_chain and "TLP:RED" in response.content.decode()
    assert not AuditEvent.objects.filter(action="report.exported_ncmec").exists()
    page = login(lagos_analyst).get(reverse("console:report", args=[report.reference]))
    assert "Export for NCMEC" not in page.content.decode()


def test_a_page_number_in_the_link_jumps_to_that_page(lagos_analyst: User) -> None:
    for _ in range(27):
        _report()
    client = login(lagos_analyst)
    first = _refs(client.get(reverse("console:reports"), {"size": 25}).content.decode())
    html = client.get(reverse("console:reports"), {"size": 25, "page": 2}).content.decode()
    assert "<strong>26–27</strong> of <strong>27</strong>" in html
    assert len(_refs(html)) == 2 and not set(_refs(html)) & set(first)
    assert '<strong aria-current="page">2</strong>' in html
