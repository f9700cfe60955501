"""The wire shape of an inbound partner referral (`POST /api/v1/referrals`), defined once for
the API and its OpenAPI document: the reporting API's report, with what a referral adds."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from tipline.reports.drafts import ReportInput


class ReferralInput(ReportInput):
    """What a partner sends to `POST /api/v1/referrals`: a report, with the partner's own id
    for the referral (required: it makes a resend harmless) and why it refers it."""

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Your own id for this referral; the same id again stores nothing."
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = Field(
        default=None, description="Why you refer it, and what you ask of the agency."
    )
