"""The HTCDS 2.0 field standard as the tests read it (the copy in cases/data)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

TSV = Path(__file__).resolve().parents[1] / "data" / "htcds-2.0-fields.tsv"
# The project's shared reference, beside the repository, where a checkout has it.
SHARED_TSV = Path(__file__).resolve().parents[5] / "shared" / "reference" / TSV.name


@dataclass(frozen=True)
class HtcdsField:
    name: str  # with its prefix, e.g. vic_MethodsOfControl
    core: bool
    kind: str
    values: tuple[str, ...]  # picklist value names


def htcds_fields() -> dict[str, HtcdsField]:
    """Every field row of the standard's sheet, by its prefixed name."""
    fields: dict[str, HtcdsField] = {}
    with TSV.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 8 or not row[6] or row[6] == "Field Name including Prefix":
                continue
            values = row[9].split() if len(row) > 9 and "picklist" in row[7].lower() else []
            fields[row[6]] = HtcdsField(row[6], row[2] == "Core", row[7], tuple(values))
    return fields


def core_fields() -> list[str]:
    """The names of the fields the standard marks Core."""
    return [f.name for f in htcds_fields().values() if f.core]
