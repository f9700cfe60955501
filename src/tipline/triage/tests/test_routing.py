"""Routing decisions: state to its command, foreign country to a partner, the rest to the desk."""

from __future__ import annotations

from typing import Any

from tipline.geo.models import RegionalCommand, State
from tipline.reports.choices import Channel
from tipline.reports.models import Report
from tipline.triage.routing import command_for


def _command_for(geo: dict[str, RegionalCommand], **located: Any) -> str | None:
    command = command_for(Report(**located), geo.get)
    return command.code if command else None


def test_a_state_goes_to_the_command_the_mapping_names(geo: Any) -> None:
    assert _command_for(geo, state=State.objects.get(code="KN")) == "KAN"


def test_a_report_from_the_united_states_goes_to_ncmec(geo: Any) -> None:
    assert _command_for(geo, country="US") == "NCMEC"


def test_a_report_from_another_foreign_country_goes_to_interpol(geo: Any) -> None:
    assert _command_for(geo, country="GH") == "INTERPOL"


def test_an_unlocated_or_stateless_nigerian_report_goes_to_the_national_desk(geo: Any) -> None:
    assert _command_for(geo) == "NAT"
    assert _command_for(geo, country="NG") == "NAT"


def test_an_ncmec_referral_placed_abroad_goes_to_the_desk_not_back_to_ncmec(geo: Any) -> None:
    assert _command_for(geo, country="US", channel=Channel.NCMEC_REFERRAL) == "NAT"
    assert _command_for(geo, country="GH", channel=Channel.NCMEC_REFERRAL) == "NAT"
    assert _command_for(geo, country="US", channel=Channel.PARTNER) == "NCMEC"
    kano = State.objects.get(code="KN")
    assert _command_for(geo, state=kano, channel=Channel.NCMEC_REFERRAL) == "KAN"
