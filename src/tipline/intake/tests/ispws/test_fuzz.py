"""Property: mutated documents fail only with our two errors, fast; valid ones round-trip."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from tipline.intake.ispws import (
    MalformedXML,
    ValidationFailed,
    dict_to_file_details,
    dict_to_report,
    file_details_to_dict,
    parse_and_validate,
    report_to_dict,
    serialize_document,
)

from .support import fixture_bytes, root_name_of

SEEDS = [
    fixture_bytes(name)
    for name in (
        "report-minimal.xml",
        "report-maximal.xml",
        "filedetails-maximal.xml",
        "filedetails-potential-meme.xml",
        "accept-iso-8859-1.xml",
    )
]
NOW = datetime(2024, 6, 1, tzinfo=UTC)
# Every single parse+validate must finish well inside this (measured: ~1 ms for these sizes).
PER_DOCUMENT_SECONDS = 0.25

XML_TEXT = st.text(
    alphabet=st.characters(
        min_codepoint=0x20, max_codepoint=0xFFFD, categories=("L", "M", "N", "P", "S", "Zs")
    ),
    max_size=40,
)
TAGS = st.sampled_from(["url", "email", "spam", "victim", "bogus", "incidentType", "details"])


def _elements(root: etree._Element) -> list[etree._Element]:
    return [e for e in root.iter(etree.Element) if e is not root]


@st.composite
def tree_mutation(draw: st.DrawFn, root: etree._Element) -> None:
    """Drop, duplicate, swap, rename or garble one element in place."""
    elements = _elements(root)
    if not elements:
        return
    target = elements[draw(st.integers(0, len(elements) - 1))]
    parent = target.getparent()
    assert parent is not None
    operation = draw(st.sampled_from(["drop", "duplicate", "swap", "rename", "text", "attr"]))
    if operation == "drop":
        parent.remove(target)
    elif operation == "duplicate":
        target.addnext(etree.fromstring(etree.tostring(target)))
    elif operation == "swap" and (following := target.getnext()) is not None:
        target.addprevious(following)
    elif operation == "rename":
        target.tag = draw(TAGS)
    elif operation == "text":
        target.text = draw(XML_TEXT)
    elif operation == "attr":
        target.set(draw(st.sampled_from(["type", "verified", "hashType", "x"])), draw(XML_TEXT))


@st.composite
def byte_mutation(draw: st.DrawFn, body: bytes) -> bytes:
    """Truncate, overwrite, insert or delete raw bytes, encoding be damned."""
    where = draw(st.integers(0, len(body)))
    operation = draw(st.sampled_from(["truncate", "overwrite", "insert", "delete"]))
    noise = draw(st.binary(min_size=1, max_size=8))
    if operation == "truncate":
        return body[:where]
    if operation == "overwrite":
        return body[:where] + noise + body[where + len(noise) :]
    if operation == "insert":
        return body[:where] + noise + body[where:]
    return body[:where] + body[where + draw(st.integers(1, 64)) :]


@st.composite
def mutated_documents(draw: st.DrawFn) -> tuple[bytes, str]:
    seed = draw(st.sampled_from(SEEDS))
    root = etree.fromstring(seed)
    for _ in range(draw(st.integers(0, 3))):
        draw(tree_mutation(root))
    encoding = draw(st.sampled_from(["UTF-8", "ISO-8859-1", "UTF-16"]))
    body = etree.tostring(root, xml_declaration=draw(st.booleans()), encoding=encoding)
    for _ in range(draw(st.integers(0, 2))):
        body = draw(byte_mutation(body))
    return body, root_name_of(seed)


def _round_trips(root: etree._Element) -> bool:
    if root.tag == "report":
        data = report_to_dict(root)
        again = parse_and_validate(
            serialize_document(dict_to_report(data)), expected_root="report", now=NOW
        )
        return report_to_dict(again) == data
    data = file_details_to_dict(root)
    exported = serialize_document(dict_to_file_details(data))
    return file_details_to_dict(parse_and_validate(exported, expected_root="fileDetails")) == data


@settings(
    max_examples=int(os.environ.get("ISPWS_FUZZ_EXAMPLES", "400")),
    deadline=timedelta(seconds=1),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # no .hypothesis/ folder left in the work tree
)
@given(mutated_documents())
def test_mutated_documents_fail_only_with_our_errors_and_fast(case: tuple[bytes, str]) -> None:
    body, expected_root = case
    start = time.perf_counter()
    try:
        root = parse_and_validate(body, expected_root=expected_root, now=NOW)
    except (MalformedXML, ValidationFailed) as exc:
        assert exc.code in (4100, 4110)
        assert exc.message.startswith(("Malformed XML [", "Validation failed ["))
        event(f"refused with {exc.code}")
        root = None
    assert time.perf_counter() - start < PER_DOCUMENT_SECONDS
    if root is not None:
        event("accepted")
        assert _round_trips(root)
