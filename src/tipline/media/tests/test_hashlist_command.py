"""`tipline hashlist`: the command-line round of a hash list's life, every change audited."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tipline.audit.models import AuditEvent
from tipline.media.models import HashList, HashListEntry

MD5 = "0123456789abcdef0123456789abcdef"
PDQ = "f" * 64
CSV = f"md5,sha1,pdq,label\n{MD5},,,invented-1\n,,{PDQ},invented-2\nnot-a-hash,,,bad\n"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("hashlist", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_create_import_disable_export_and_reimport(db: Any, tmp_path: Path) -> None:
    _run("create", "partner-list", "--source", "Invented partner", "--unidentified-victim")
    source = tmp_path / "list.csv"
    source.write_text(CSV)
    assert _run("import", "partner-list", str(source)) == (
        "added 2, already present 0, refused 1\n"
    )
    assert "already present 2" in _run("import", "partner-list", str(source))
    assert _run("disable", "partner-list", MD5, "--reason", "false positive") == (
        "disabled 1 entries\n"
    )
    assert not HashListEntry.objects.get(md5=MD5).enabled
    exported = tmp_path / "export.jsonl"
    _run("export", "partner-list", str(exported))
    _run("create", "copy", "--source", "Invented partner")
    assert "added 2" in _run("import", "copy", str(exported), "--format", "tipline")
    copy = HashList.objects.get(name="copy")
    assert copy.entries.get(md5=MD5).enabled is False  # the disabled state travels
    assert "partner-list\tactive\t2 entries (1 disabled)" in _run("list")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"hashlist.created", "hashlist.imported", "hashlist.entry_disabled"} <= actions


def test_clear_errors(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No hash list named"):
        _run("import", "missing", str(tmp_path / "x.csv"))
    _run("create", "l", "--source", "s")
    with pytest.raises(CommandError, match="Cannot read"):
        _run("import", "l", str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="MD5 \\(32\\)"):
        _run("disable", "l", "abc")
    with pytest.raises(CommandError, match="exists already"):
        _run("create", "l", "--source", "s")
