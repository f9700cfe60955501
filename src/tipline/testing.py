"""Loaded by pytest with `-p tipline.testing` before Django's settings are read.

It marks the process as a test run (relaxed development keys, fast password hashing) and keeps
each run's files in a temporary directory.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("TIPLINE_TESTING", "1")
os.environ.setdefault("TIPLINE_VAR_DIR", tempfile.mkdtemp(prefix="tipline-test-"))
os.environ.setdefault("TIPLINE_MFA_REQUIRED", "0")
