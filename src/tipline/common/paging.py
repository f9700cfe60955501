"""Keyset pagination for every console list: stable pages, a total, and a chosen page size.

A page is found by the sort key of the row before it (the cursor in `?after=`), not by an
offset, so rows added while someone pages never repeat or skip a row, and page 40 costs what
page 1 does. The cursor also carries the page's position, so "51–100 of 305" needs no second
count. The ordering must end in a unique field (the primary key) to be total.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import QueryDict

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class PageRequest:
    """What the user asked for: a page size, and the rows after or before a cursor."""

    size: int = DEFAULT_PAGE_SIZE
    after: str = ""
    before: str = ""
    last: bool = False
    page: int = 1  # a jump by number (a typed or shared link); cursors are for stepping

    @classmethod
    def from_query(cls, query: QueryDict) -> PageRequest:
        """Read `size`, `after`, `before`, `last` and `page` from a GET; a bad size gives 50."""
        raw = query.get("size", "")
        size = int(raw) if raw.isdigit() and int(raw) in PAGE_SIZES else DEFAULT_PAGE_SIZE
        number = query.get("page", "")
        return cls(
            size=size,
            after=query.get("after", ""),
            before=query.get("before", ""),
            last=query.get("last") == "1",
            page=min(int(number), 10_000) if number.isdigit() and int(number) > 0 else 1,
        )


@dataclass
class Page(Generic[M]):
    """One page of rows, where it sits in the whole, and the cursors to its neighbours."""

    rows: list[M]
    total: int
    size: int
    start: int  # 0-based position of the first row in the whole list
    next_cursor: str = ""
    prev_cursor: str = ""
    sizes: tuple[int, ...] = field(default=PAGE_SIZES)

    @property
    def start_index(self) -> int:
        return self.start + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start + len(self.rows)

    @property
    def number(self) -> int:
        return self.start // self.size + 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def nearby(self) -> list[int]:
        """Page numbers to link: the first, the last, and two either side of this one."""
        around = range(max(1, self.number - 2), min(self.num_pages, self.number + 2) + 1)
        return sorted({1, self.num_pages, *around})


def _encode(values: list[Any], position: int) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps({"v": plain, "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[list[Any], int] | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return list(data["v"]), max(0, int(data["p"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def _beyond(order: list[str], values: list[Any], *, forward: bool) -> Q:
    """Rows strictly after `values` in `order` (or before, if not forward)."""
    condition = Q(pk__in=[])
    for i, key in enumerate(order):
        name = key.lstrip("-")
        ascending = not key.startswith("-")
        lookup = "gt" if ascending == forward else "lt"
        equal = {order[j].lstrip("-"): values[j] for j in range(i)}
        condition |= Q(**equal, **{f"{name}__{lookup}": values[i]})
    return condition


def _reverse(order: list[str]) -> list[str]:
    return [key[1:] if key.startswith("-") else f"-{key}" for key in order]


def _key(row: Model, order: list[str]) -> list[Any]:
    return [getattr(row, key.lstrip("-")) for key in order]


def keyset_page(qs: QuerySet[M], *, order: list[str], request: PageRequest) -> Page[M]:
    """The page of `qs` (sorted by `order`, ending in "pk") that `request` names.

    A cursor that does not decode, or is from another ordering, gives the first page rather
    than an error: links are shared and bookmarked, and the first page is the honest answer.
    """
    total = qs.count()
    size = request.size
    after = _decode(request.after) if request.after else None
    before = _decode(request.before) if request.before else None
    if after and len(after[0]) == len(order):
        rows = list(qs.filter(_beyond(order, after[0], forward=True)).order_by(*order)[:size])
        start = after[1]
    elif before and len(before[0]) == len(order):
        back = qs.filter(_beyond(order, before[0], forward=False)).order_by(*_reverse(order))
        rows = list(reversed(back[:size]))
        start = max(0, before[1] - len(rows))
    elif request.page > 1:
        start = min((request.page - 1) * size, max(0, total - 1))
        start -= start % size
        rows = list(qs.order_by(*order)[start : start + size])
    elif request.last and total:
        tail = total - ((total - 1) % size + 1)
        rows = list(reversed(qs.order_by(*_reverse(order))[: total - tail]))
        start = tail
    else:
        rows, start = list(qs.order_by(*order)[:size]), 0
    return _page(rows, total=total, size=size, start=start, order=order)


def _page(rows: list[M], *, total: int, size: int, start: int, order: list[str]) -> Page[M]:
    page = Page(rows=rows, total=total, size=size, start=min(start, max(0, total - len(rows))))
    if rows and page.end_index < total:
        page.next_cursor = _encode(_key(rows[-1], order), page.end_index)
    if rows and page.start > 0:
        page.prev_cursor = _encode(_key(rows[0], order), page.start)
    return page
