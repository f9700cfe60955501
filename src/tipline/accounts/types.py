"""Who acts and who looks: the types that services and selectors take instead of `Any`.

- `Actor`: the staff member making a change, or None when the platform itself acts (the
  pipeline, a periodic job) or the public does (a reporter's follow-up).
- `Viewer`: whoever a page answers; the access checks give an anonymous visitor nothing.
- `Submitter`: the API client, platform or partner that sent a report; None for the public.
- `StaffRequest`: the request of a view behind `login_required`, whose user is a staff member.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from tipline.accounts.models import ApiClient, User

Actor: TypeAlias = User | None
Viewer: TypeAlias = User | AnonymousUser
Submitter: TypeAlias = ApiClient | None


class StaffRequest(HttpRequest):
    """An `HttpRequest` whose user has logged in (views decorated with `login_required`)."""

    user: User  # narrowed from User | AnonymousUser by login_required
