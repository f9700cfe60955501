"""The worker loop behind `tipline worker`: claim due reports from the reports table, run them.

An idle worker waits for the next report: on PostgreSQL it LISTENs on the channel `report_submit`
NOTIFYs with each commit, with a poll every `poll` seconds as a fallback (for retries coming due,
leases lapsing, or a missed notification); on SQLite it polls, backing off to once a second.

A database error never ends the loop: the worker logs it, closes its connection, waits with
backoff and goes on. Whatever it held when the database went away is leased, and the leases lapse.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils.module_loading import import_string

from tipline.pipeline.services import pipeline_process_due
from tipline.reports.services import SUBMITTED_CHANNEL

logger = logging.getLogger(__name__)
# Idle polling on SQLite starts here and doubles up to once a second: a new report is seen
# within a second, and an idle worker costs a query a second.
SQLITE_POLL_FIRST, SQLITE_POLL_MAX = 0.05, 1.0
# Waiting after a failed attempt doubles from one second to this: a database back after a long
# outage is used again within ten seconds, and a worker waiting for it costs next to nothing.
ERROR_BACKOFF_MAX = 10.0


def error_backoff(failures: int) -> float:
    """1 s, 2 s, 4 s, 8 s, then 10 s between consecutive failed attempts."""
    return min(float(2 ** max(failures - 1, 0)), ERROR_BACKOFF_MAX)


def freeze_heap() -> None:
    """Leave what is loaded by now out of the cyclic garbage collector's full passes.

    A warm worker holds a large heap that lives as long as it does (Django, the rules, geography,
    phone metadata, the hash indexes); a full collection walks all of it, tens of milliseconds,
    every few batches, to find nothing. Collected first, so no garbage is kept by the freeze."""
    gc.collect()
    gc.freeze()


class PeriodicJobs:
    """Functions run on a timer between batches (settings.PERIODIC_JOBS), each on its own."""

    def __init__(self, jobs: list[tuple[Callable[[], object], float]]) -> None:
        self.jobs = jobs
        self.due = [0.0] * len(jobs)  # all due at start

    @classmethod
    def from_settings(cls) -> PeriodicJobs:
        jobs = [(import_string(path), float(every)) for path, every in settings.PERIODIC_JOBS]
        return cls(jobs)

    def run_due(self) -> None:
        now = time.monotonic()
        for position, (job, every) in enumerate(self.jobs):
            if now >= self.due[position]:
                self.due[position] = now + every
                _safely(job)


def _safely(job: Callable[[], object]) -> None:
    try:
        job()
    except Exception:  # a periodic job's failure must never stop the worker; it runs again later
        logger.exception("periodic job %s failed", getattr(job, "__qualname__", job))


class Waiter:
    """How an idle worker waits for work: a sleep that backs off (SQLite's way)."""

    def __init__(self, poll: float) -> None:
        self.poll = poll
        self.idle_for = 0

    def wait(self, stopping: threading.Event) -> None:
        delay = min(SQLITE_POLL_FIRST * 2**self.idle_for, SQLITE_POLL_MAX, self.poll)
        self.idle_for += 1
        stopping.wait(delay)

    def busy(self) -> None:
        self.idle_for = 0

    def __str__(self) -> str:
        return f"polling when idle (at most {min(self.poll, SQLITE_POLL_MAX)} s apart)"

    def close(self) -> None:
        pass


class ListeningWaiter(Waiter):
    """Waits for a NOTIFY from `report_submit` on a connection of its own, up to `poll` seconds.

    Notifications sent while the worker was busy wait on the connection, so a report stored
    between a claim that found nothing and the wait still wakes it at once. If listening fails,
    it sleeps instead and tries again at the next wait."""

    def __init__(self, poll: float) -> None:
        super().__init__(poll)
        self.conn: Any = None

    def wait(self, stopping: threading.Event) -> None:
        deadline = time.monotonic() + self.poll
        while not stopping.is_set() and (left := deadline - time.monotonic()) > 0:
            if self._notified(min(left, 1.0)):  # a second at most: SIGTERM is seen soon
                return

    def _notified(self, timeout: float) -> bool:
        try:
            conn = self.conn or self._listen()
            self.conn = conn
            return any(True for _ in conn.notifies(timeout=timeout, stop_after=1))
        except Exception:  # psycopg's own errors: the database went away; poll meanwhile
            if self.conn is not None:  # once per outage, not once a second
                logger.warning("not listening for new reports; polling", exc_info=True)
            self.close()
            time.sleep(timeout)
            return False

    def __str__(self) -> str:
        return f"woken by NOTIFY {SUBMITTED_CHANNEL} (and polling {self.poll} s apart)"

    def _listen(self) -> Any:
        conn = connection.get_new_connection(connection.get_connection_params())
        conn.autocommit = True
        conn.execute(f"LISTEN {SUBMITTED_CHANNEL}")
        return conn

    def busy(self) -> None:
        # Notifications of reports the last claim may already have taken: read and dropped, so
        # they neither pile up on the server nor wake the next wait for nothing.
        with contextlib.suppress(Exception):
            if self.conn is not None:
                for _ in self.conn.notifies(timeout=0):
                    pass

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.close()
            self.conn = None


class Worker:
    """Claims and runs due reports until stopped; with `drain`, until none is due."""

    def __init__(self, *, size: int, poll: float, drain: bool = False) -> None:
        self.size, self.drain = size, drain
        self.stopping = threading.Event()
        listening = connection.vendor == "postgresql"
        self.waiter = ListeningWaiter(poll) if listening else Waiter(poll)
        self.periodic = PeriodicJobs([] if drain else PeriodicJobs.from_settings().jobs)
        self.processed = 0
        self.warm = False  # until a batch has loaded what the steps load lazily

    def stop(self) -> None:
        """Finish the batch in hand, then return from `run` (SIGTERM, Ctrl-C)."""
        self.stopping.set()

    def run(self) -> int:
        """Loop until stopped; the number of reports processed."""
        idle = "exiting when nothing is due" if self.drain else str(self.waiter)
        logger.info("pipeline worker started: batches of %d, %s", self.size, idle)
        failures = 0
        try:
            while not self.stopping.is_set():
                worked = self._attempt(failures)
                if worked is None:
                    failures += 1
                    continue
                failures = 0
                if not worked and self.drain:
                    break
                self._idle_or_busy(worked)
        finally:
            self.waiter.close()
        return self.processed

    def _idle_or_busy(self, worked: bool) -> None:
        if worked:
            self.waiter.busy()
        else:
            self.waiter.wait(self.stopping)

    def _attempt(self, failures: int) -> bool | None:
        """One turn: whether it found work, or None if it failed (after waiting its backoff)."""
        try:
            return self._turn()
        except DatabaseError:
            self._after_failure("database unavailable", failures + 1)
        except Exception:
            if self.drain:
                raise  # a bug, not an outage: a one-off drain reports it rather than spinning
            self._after_failure("worker turn failed", failures + 1)
        return None

    def _turn(self) -> bool:
        close_old_connections()  # drops a connection broken by an error, or too old
        self.periodic.run_due()
        outcomes = pipeline_process_due(size=self.size)
        self.processed += sum(outcome.done for outcome in outcomes.values())
        if outcomes and not self.warm:
            self.warm = True
            freeze_heap()
        return bool(outcomes)

    def _after_failure(self, what: str, failures: int) -> None:
        delay = error_backoff(failures)
        # The traceback once per outage; then a line per attempt.
        first = failures == 1
        logger.warning(
            "%s (attempt %d); trying again in %.0f s", what, failures, delay, exc_info=first
        )
        with contextlib.suppress(Exception):
            connection.close()
        self.waiter.close()
        self.stopping.wait(delay)
