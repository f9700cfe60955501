"""Loaded by pytest with `-p tipline.testing` before Django's settings are read.

It marks the process as a test run (relaxed development keys, fast password hashing) and keeps
each run's files (encrypted test media, indexes) in a temporary directory removed at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

_VAR_DIR = tempfile.mkdtemp(prefix="tipline-test-")
os.environ.setdefault("TIPLINE_TESTING", "1")
os.environ.setdefault("TIPLINE_VAR_DIR", _VAR_DIR)
os.environ.setdefault("TIPLINE_MFA_REQUIRED", "0")


def pytest_unconfigure(config: Any) -> None:
    """Remove this run's temporary files."""
    shutil.rmtree(_VAR_DIR, ignore_errors=True)
