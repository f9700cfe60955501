"""`tipline extract`: identifiers in the text on standard input, one JSON object per line."""

from __future__ import annotations

import json
from typing import TextIO

from . import extract_text


def main_extract(stdin: TextIO, stdout: TextIO) -> int:
    """Read all of stdin, print each identifier found as a JSON line; returns the exit code."""
    for ident in extract_text(stdin.read()):
        record = {
            "kind": ident.kind,
            "value": ident.value,
            "normalized": ident.normalized,
            "valid": ident.valid,
            "details": ident.details,
        }
        stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0
