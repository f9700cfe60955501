"""Importing and using the library opens no network connection and writes no cache files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tipline.identifiers.extraction import extract_text, normalize

SRC = Path(__file__).resolve().parents[3]

_GUARDED = """
import socket
def refuse(*args, **kwargs):
    raise AssertionError("network used")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from tipline.identifiers.extraction import extract_text, normalize_any
found = extract_text("Visit hxxps://a[.]example[.]com, GTB 0123456785, 0803 123 4567, @x on IG")
assert len(found) == 4, found
assert normalize_any("jane.blogspot.com") is not None
print("offline ok")
"""


def test_fresh_import_and_use_need_no_network_nor_cache_dir(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    result = subprocess.run(  # noqa: S603  # fixed argv: this interpreter and a literal script
        [sys.executable, "-c", _GUARDED], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "offline ok" in result.stdout
    assert list(tmp_path.iterdir()) == []  # tldextract wrote no cache


def test_use_in_process_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert extract_text("http://example.org/x from 41.58.1.2")
    assert normalize("url", "new-site.example.com.ng") is not None
