"""Looking around a candidate: the words just before and after it decide whether it counts."""

from __future__ import annotations

import re

# A number directly labelled as something else (order no., IMEI, BVN, reference...) is never a
# phone or an account, however valid its digits look.
_NEGATIVE_LABEL = re.compile(
    r"\b(?:order|oda|ref|reference|invoice|inv|receipt|tracking|track|waybill|transaction|"
    r"trans|trx|txn|tran|session|imei|serial|s/n|bvn|nin|tin|ticket|booking|pnr|policy|plate|"
    r"claim|otp|pin|token|voucher|card|meter|vin|batch|lot|item|sku|product|model|version|"
    r"ver|tracking|consignment|parcel|shipment|docket|file|case)"
    r"(?:\s*(?:no|nos|num|number|numba|id|code|#)\b\.?)?"
    r"\s*[:#=\-\u2013]?\s*(?:is\s+|na\s+|be\s+)?$",
    re.IGNORECASE,
)

# Words that say "this is a phone number", in the five languages (English, Hausa, Yoruba, Igbo,
# Pidgin); used to accept numbers that are not obviously mobile (landlines, toll-free).
_PHONE_CUE = re.compile(
    r"\b(?:call|phone|tel|telephone|mobile|cell|line|number|numba|nomba|nọmba|nọ́mbà|"
    r"lamba|lambar|waya|kira|whatsapp|sms|text|contact|ekwentị|ekwenti|fóònù|foonu|fonu|"
    r"kpọọ|kpoo|pe|toll|hotline|helpline|office|landline)\b",
    re.IGNORECASE,
)


def left(text: str, start: int, width: int) -> str:
    """The `width` characters before `start`, cut at the previous line break."""
    chunk = text[max(0, start - width) : start]
    return chunk[chunk.rfind("\n") + 1 :]


def right(text: str, end: int, width: int) -> str:
    """The `width` characters after `end`, cut at the next line break."""
    chunk = text[end : end + width]
    cut = chunk.find("\n")
    return chunk if cut < 0 else chunk[:cut]


def labelled_as_other(text: str, start: int) -> bool:
    """True when the words right before `start` label the number as an order, IMEI, BVN..."""
    return _NEGATIVE_LABEL.search(left(text, start, 40)) is not None


def has_phone_cue(text: str, start: int, end: int) -> bool:
    """True when a phone word stands shortly before or after the span."""
    return bool(_PHONE_CUE.search(left(text, start, 40)) or _PHONE_CUE.search(right(text, end, 20)))


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """True when [start, end) intersects any of `spans`."""
    return any(start < s_end and s_start < end for s_start, s_end in spans)
