"""The data step of reports 0010: NCMEC imports made on `partner` move to `ncmec_referral`."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps

from tipline.conftest import draft
from tipline.reports.choices import Channel
from tipline.reports.models import Addendum, Report
from tipline.reports.services import report_add_addendum, report_submit

step = importlib.import_module("tipline.reports.migrations.0010_channel_ncmec_referral")


def test_earlier_ncmec_imports_move_to_the_new_channel_and_nothing_else(geo: Any) -> None:
    imported = report_submit(draft=draft(channel=Channel.PARTNER, external_id="NCMEC-1")).report
    report_add_addendum(report=imported, body="NCMEC package x", channel=Channel.PARTNER)
    partner = report_submit(draft=draft(channel=Channel.PARTNER, external_id="shelter-1")).report
    web = report_submit(draft=draft()).report
    step.forwards(apps, None)
    channels = dict(Report.objects.values_list("pk", "channel"))
    assert channels == {
        imported.pk: Channel.NCMEC_REFERRAL,
        partner.pk: Channel.PARTNER,
        web.pk: Channel.WEB,
    }
    assert Addendum.objects.get(report=imported).channel == Channel.NCMEC_REFERRAL
    step.backwards(apps, None)
    assert Report.objects.get(pk=imported.pk).channel == Channel.PARTNER
