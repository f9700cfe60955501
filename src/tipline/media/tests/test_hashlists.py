"""Tests of the hash-list parsers, replaying invented fixture files through them.

Every hash in the fixtures and in these tests is random hex made up for them; none comes from a
real list.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tipline.media import hashlists
from tipline.media.hashlists import (
    HashRecord,
    ParseError,
    detect_format,
    export_records,
    parse,
    parse_csv,
    parse_tipline,
    parse_vics,
)

FIXTURES = Path(__file__).parent / "fixtures" / "hashlists"
# Digests ending in zero bytes: the matcher once lost them by going through int/bytes.
MD5_ZEROS = "01229836248520e7ecf4764c68031500"
SHA1_ZEROS = "9b3abf4c53e55a3d6af796766bd051ef36680000"
PDQ_ZEROS = "166e0c30be27d7fa71bedf45e7b4a8def828b718564996a16284df8bc2ff0000"


def run(name: str, **kwargs: Any) -> tuple[list[HashRecord], list[ParseError]]:
    """Parse a fixture file; records and errors apart."""
    with (FIXTURES / name).open("rb") as stream:
        items = list(parse(stream, **kwargs))
    return split(items)


def split(items: list[HashRecord | ParseError]) -> tuple[list[HashRecord], list[ParseError]]:
    records = [item for item in items if isinstance(item, HashRecord)]
    errors = [item for item in items if isinstance(item, ParseError)]
    return records, errors


def from_bytes(data: bytes, **kwargs: Any) -> tuple[list[HashRecord], list[ParseError]]:
    return split(list(parse(io.BytesIO(data), **kwargs)))


class OneWayStream(io.RawIOBase):
    """A stream that cannot seek, like an upload arriving over a pipe."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._pending = chunks, b""
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            self._pending = next(self._chunks, b"")
        size = min(len(buffer), len(self._pending))
        buffer[:size], self._pending = self._pending[:size], self._pending[size:]
        self.bytes_read += size
        return size


# --- detection -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("partner.csv", "csv"),
        ("vics13.json", "vics"),
        ("vics20.json", "vics"),
        ("export.jsonl", "tipline"),
    ],
)
def test_detect_format_tells_each_fixture_from_its_first_bytes(name: str, expected: str) -> None:
    head = (FIXTURES / name).read_bytes()[: hashlists.HEAD_BYTES]
    assert detect_format(head) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"md5\tlabel\n", "csv"),
        (b'"SHA1";"label"\r\n', "csv"),
        (b"\xef\xbb\xbf pdq\n", "csv"),
        (b'  {"value": [', "vics"),
        (b'{\n  "odata.metadata": "http://x/1.3.xml#Media",', "vics"),
    ],
)
def test_detect_format_accepts_other_delimiters_and_layouts(head: bytes, expected: str) -> None:
    assert detect_format(head) == expected


@pytest.mark.parametrize(
    "head",
    [b"name,age\n", b"[1, 2]", b'{"hello": 1}', b"\xff\xfem\x00d\x005\x00", b""],
)
def test_detect_format_refuses_what_is_no_hash_list(head: bytes) -> None:
    with pytest.raises(ValueError, match=r"."):
        detect_format(head)


def test_parse_reports_an_unrecognised_file_as_an_error_on_line_1() -> None:
    records, errors = from_bytes(b"name,age\nAda,36\n")
    assert records == []
    assert errors == [ParseError(1, errors[0].message)]
    assert "header row" in errors[0].message


def test_parse_refuses_an_unknown_format_name() -> None:
    with pytest.raises(ValueError, match="unknown hash list format"):
        list(parse(io.BytesIO(b""), fmt="xml"))


# --- CSV -------------------------------------------------------------------------------------


def test_csv_fixture_imports_good_rows_normalised() -> None:
    records, _errors = run("partner.csv")
    by_line = {record.line: record for record in records}
    assert sorted(by_line) == [2, 3, 5, 9, 10]
    first = by_line[2]
    assert first.md5 == "1f894e727227a9eceba2b7af972962a8"  # upper-case in the file
    assert first.sha1 == "8817bd4430d2499f48c973089d0d19d30ee4d758"
    assert first.pdq is None
    assert first.label == "Series A, frame 1"
    assert first.extra == {"case_ref": "NG-001"}
    assert first.category is None and first.victim_identified is None
    assert by_line[3].sha1 == "ed3fdd447a5210f876e09d99a49d3ea8cfce443f"  # spaces, upper-case
    assert by_line[3].md5 is None
    assert by_line[5].label == "trailing zero digest"
    assert by_line[10].label == "two\r\nline label"


def test_csv_errors_name_the_line_and_the_field() -> None:
    _records, errors = run("partner.csv")
    assert [error.line for error in errors] == [6, 7, 8, 12]
    messages = {error.line: error.message for error in errors}
    assert "md5 'zz" in messages[6] and "32 hex digits" in messages[6]
    assert messages[7] == "no md5, sha1 or pdq"
    assert "sha1" in messages[8] and "40 hex digits" in messages[8]
    assert "md5" in messages[12]  # after a quoted label spanning lines 10-11


def test_csv_without_a_hash_column_stops_with_one_error() -> None:
    records, errors = from_bytes(b"label,notes\nx,y\n", fmt="csv")
    assert records == []
    assert errors == [ParseError(1, "the header row names none of md5, sha1, pdq")]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_reads_semicolon_and_tab_separated_files(delimiter: str) -> None:
    md5 = "3f" * 16
    data = f"md5{delimiter}label{delimiter}category\n{md5}{delimiter}a, b{delimiter}vics:1\n"
    records, errors = from_bytes(data.encode())
    assert errors == []
    assert [(r.md5, r.label, r.category) for r in records] == [(md5, "a, b", "vics:1")]


def test_csv_reads_category_and_victim_identified_columns() -> None:
    md5 = "ab" * 16
    data = f"md5,victim_identified,category\n{md5},FALSE,vics:2\n{md5},maybe,\n"
    records, errors = from_bytes(data.encode())
    assert errors == []
    assert [r.victim_identified for r in records] == [False, None]
    assert records[0].category == "vics:2"
    assert records[1].category is None
    assert records[1].extra == {"victim_identified": "maybe"}  # unreadable flag kept as written


def test_csv_keeps_surplus_cells_and_survives_bytes_that_are_not_utf8() -> None:
    md5 = "cd" * 16
    records, errors = from_bytes(b"md5,label\n" + md5.encode() + b",caf\xe9,surplus\n")
    assert errors == []
    assert records[0].label == "caf\ufffd"
    assert records[0].extra == {"column 3": "surplus"}


def test_csv_stops_with_an_error_on_a_cell_over_the_csv_field_limit() -> None:
    md5 = "ef" * 16
    data = f"md5,label\n{md5},ok\n{md5},{'x' * 200_000}\n{md5},never read\n".encode()
    records, errors = from_bytes(data)
    assert len(records) == 1
    assert errors[0].line == 3 and "stopped" in errors[0].message


# --- VICS ------------------------------------------------------------------------------------


def test_vics_13_imports_each_distinct_hash_pair_with_string_booleans() -> None:
    records, errors = run("vics13.json")
    assert errors == []
    assert [(r.line, r.md5, r.sha1) for r in records] == [
        (1, "669b584fd6a2d21b52a0edc853cb1d31", "7696df2cc5f8f5a1484974f157e97768b8edb344"),
        (2, "eb90f3793bef8fb21bcacb15933d4cd4", None),
        (3, MD5_ZEROS, SHA1_ZEROS),
        (3, "45ff42fe2faf2828c625e628037773a3", "01d3c1e7a5db47544806ce24825ce9db19f72cb8"),
    ]
    assert [r.victim_identified for r in records] == [True, False, True, True]
    assert [r.category for r in records] == ["vics:1", "vics:2", "vics:0", "vics:0"]
    assert all(r.pdq is None and r.label == "" for r in records)


def test_vics_13_keeps_the_original_values_in_extra() -> None:
    records, _errors = run("vics13.json")
    first, from_file = records[0], records[3]
    assert first.extra["Category"] == "1"
    assert first.extra["VictimIdentified"] == "true"
    assert first.extra["MediaID"] == "1"
    assert first.extra["IsPrecategorized"] == "false"
    assert first.extra["vics_version"] == "1.3"
    # the Media's own pair and its one file's pair were the same: one record, file name merged
    assert first.extra["MediaFiles.FileName"] == "invented_0001.jpg"
    assert from_file.extra["MediaFiles.FileName"] == "invented_0003b.png"
    assert "MD5" not in first.extra and "Series" not in first.extra  # hashes and blanks left out


def test_vics_20_imports_media_files_json_booleans_and_pdq() -> None:
    records, errors = run("vics20.json")
    assert [(r.line, r.extra["MediaID"]) for r in records] == [
        (1, "10"),
        (1, "10"),
        (1, "10"),
        (2, "11"),
        (3, "12"),
    ]
    assert [r.victim_identified for r in records] == [False, False, False, True, True]
    assert [r.category for r in records] == ["vics:1", "vics:1", "vics:1", "vics:3", "vics:2"]
    pdq = "d9a8e525dc7ac3a92b95bfe4fa1b9ff4b3ad1a0f08f00e4184626e89daee1e94"
    assert [r.pdq for r in records[:3]] == [pdq, None, None]  # the Media's PDQ goes on one entry
    assert records[1].md5 == "1f3ed2f97567b41b4f41fb31026912f4"
    assert records[1].extra["MediaFiles.FileName"] == "invented_10a.jpg"
    only_pdq = records[4]
    assert (only_pdq.md5, only_pdq.sha1) == (None, None)
    assert only_pdq.pdq == "f6e848b2559593e1ef7906cd64f9dfb26db9c71209edc4ac28fb7bf7f45e644f"
    assert records[0].extra["AlternativeHashes.SHA256"].startswith("44bc5ae8")
    assert records[0].extra["vics_version"] == "2.0"
    assert len(errors) == 1
    assert errors[0].line == 2
    assert errors[0].message.startswith("Media #2 (MediaID 11): md5 'XYZ'")


def vics(value: list[Any], context: str = "http://x/2.0.xml/Default/$metadata#Media") -> bytes:
    return json.dumps({"@odata.context": context, "value": value}).encode()


def test_vics_reads_media_nested_in_cases() -> None:
    md5s = [f"{n:032x}" for n in (1, 2, 3)]
    data = vics(
        [
            {"CaseNumber": "invented-1", "Media": [{"MD5": md5s[0], "Category": "1"}]},
            {"CaseNumber": "invented-2", "Media": [{"MD5": md5s[1]}, {"MD5": md5s[2]}]},
        ]
    )
    records, errors = from_bytes(data)
    assert errors == []
    assert [(r.line, r.md5) for r in records] == [(1, md5s[0]), (2, md5s[1]), (3, md5s[2])]
    assert records[0].category == "vics:1"


def test_vics_refuses_a_media_without_any_hash() -> None:
    records, errors = from_bytes(vics([{"MediaID": 7, "Category": 1, "MediaFiles": []}]))
    assert records == []
    assert errors == [ParseError(1, "Media #1 (MediaID 7): no MD5, SHA1 or PDQ")]


def test_vics_refuses_a_malformed_pdq_but_keeps_the_media_digests() -> None:
    bad_pdq = {"HashName": "pdq", "HashValue": "00ff"}
    records, errors = from_bytes(vics([{"MD5": "ab" * 16, "AlternativeHashes": [bad_pdq]}]))
    assert [(r.md5, r.pdq) for r in records] == [("ab" * 16, None)]
    assert "pdq '00ff' is not 64 hex digits" in errors[0].message


def test_vics_reads_odd_categories_and_booleans() -> None:
    media = [
        {"MD5": f"{n:032x}", "Category": category, "VictimIdentified": victim}
        for n, (category, victim) in enumerate(
            [(2.0, "TRUE"), ("3", 0), (None, None), ("Other", "unknown")], start=1
        )
    ]
    records, _errors = from_bytes(vics(media))
    assert [r.category for r in records] == ["vics:2", "vics:3", None, "vics:Other"]
    assert [r.victim_identified for r in records] == [True, False, None, None]


def test_vics_without_a_value_array_is_refused() -> None:
    records, errors = from_bytes(b'{"odata.metadata": "http://x/1.3.xml#Media"}')
    assert records == []
    assert errors == [ParseError(1, 'no "value" array: not a VICS export')]


def test_vics_truncated_file_keeps_what_came_before_and_says_where_it_stopped() -> None:
    data = (FIXTURES / "vics13.json").read_bytes()
    cut = data.index(b'"MediaID": 3')
    records, errors = from_bytes(data[:cut])
    assert len(records) == 2
    assert len(errors) == 1
    assert errors[0].line == 3
    assert errors[0].message.startswith("invalid JSON after Media #2, stopped")


def test_vics_is_streamed_not_loaded_whole() -> None:
    """An endless VICS file still yields its first records: memory is per Media, not per file."""
    prefix = b'{"odata.metadata": "http://x/1.3.xml#Media", "value": ['
    media = (b'{"MD5": "%032x", "Category": 1},' % n for n in itertools.count(1))
    stream = OneWayStream(itertools.chain([prefix], media))
    first = list(itertools.islice(parse_vics(io.BufferedReader(stream)), 3))
    assert [r.md5 for r in first if isinstance(r, HashRecord)] == [f"{n:032x}" for n in (1, 2, 3)]
    assert stream.bytes_read < 1 << 20


# --- our own export --------------------------------------------------------------------------


def test_tipline_export_fixture_imports_with_its_header() -> None:
    headers: list[dict[str, Any]] = []
    with (FIXTURES / "export.jsonl").open("rb") as stream:
        records, errors = split(list(parse_tipline(stream, on_header=headers.append)))
    assert errors == []
    assert headers[0]["name"] == "Invented partner list"
    assert headers[0]["unidentified_victim"] is True
    assert [r.line for r in records] == [2, 3, 4]
    assert records[0].label == "Série A – frame 1"
    assert records[0].extra == {"case_ref": "NG-001"}
    assert [r.enabled for r in records] == [True, False, True]
    assert [r.victim_identified for r in records] == [False, None, True]
    assert records[1].category is None


def test_tipline_round_trip_gives_back_the_same_records() -> None:
    records, _errors = run("export.jsonl")
    header = {"name": "Invented partner list", "source": "test fixtures", "version": 99}
    lines = list(export_records(header, records))
    assert json.loads(lines[0])["version"] == 1  # the exporter owns format and version
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    again, errors = from_bytes("".join(lines).encode())
    assert errors == []
    assert again == records


def test_tipline_round_trip_of_csv_and_vics_records() -> None:
    records = run("partner.csv")[0] + run("vics13.json")[0] + run("vics20.json")[0]
    lines = export_records({"name": "all", "source": "tests"}, records)
    again, errors = from_bytes("".join(lines).encode())
    assert errors == []
    renumbered = [dataclasses.replace(r, line=n) for n, r in enumerate(records, start=2)]
    assert again == renumbered


HEX = "0123456789abcdef"


def hex_of(length: int) -> st.SearchStrategy[str | None]:
    return st.none() | st.text(HEX, min_size=length, max_size=length)


@given(
    st.lists(
        st.builds(
            HashRecord,
            md5=hex_of(32),
            sha1=hex_of(40),
            pdq=st.text(HEX, min_size=64, max_size=64),
            label=st.text(),
            category=st.none() | st.text(min_size=1),
            victim_identified=st.none() | st.booleans(),
            extra=st.dictionaries(st.text(), st.text(min_size=1)),
            line=st.just(0),
            enabled=st.booleans(),
        ),
        max_size=5,
    )
)
def test_tipline_round_trip_holds_for_any_records(records: list[HashRecord]) -> None:
    again, errors = from_bytes("".join(export_records({}, records)).encode(), fmt="tipline")
    assert errors == []
    assert [dataclasses.replace(r, line=0) for r in again] == records


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (['{"md5": "12"}'], ParseError(1, "the first line is not a tipline-hashlist header")),
        (['{"format": "tipline-hashlist", "version": 2}'], None),
        ([], ParseError(1, "the first line is not a tipline-hashlist header")),
    ],
)
def test_tipline_without_a_valid_header_stops_at_once(
    lines: list[str], expected: ParseError | None
) -> None:
    records, errors = from_bytes(
        "\n".join([*lines, '{"md5": "' + "a" * 32 + '"}']).encode(), fmt="tipline"
    )
    assert records == []
    assert len(errors) == 1
    if expected is None:
        assert errors[0].message == "unsupported tipline-hashlist version 2"
    else:
        assert errors[0] == expected


def test_tipline_bad_lines_are_refused_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashlists, "MAX_LINE_BYTES", 200)
    good = '{"md5": "' + "a" * 32 + '"}'
    body = [
        '{"format": "tipline-hashlist", "version": 1}',
        good,
        "{not json",
        '["a list"]',
        '{"md5": "' + "b" * 32 + '", "enabled": "yes", "label": 3}',
        '{"label": "x" , "pad": "' + "y" * 400 + '"}',
        "",
        good.replace("a", "c"),
    ]
    records, errors = from_bytes("\n".join(body).encode())
    assert [r.line for r in records] == [2, 8]
    assert [e.line for e in errors] == [3, 4, 5, 6]
    assert errors[1].message == "an entry must be a JSON object"
    assert errors[2].message == "wrong type for label, enabled"
    assert errors[3].message == "line longer than 200 bytes"


# --- shared behaviour ------------------------------------------------------------------------


def test_digests_ending_in_zero_bytes_are_kept_exactly_in_every_format() -> None:
    csv_records = {r.md5: r for r in run("partner.csv")[0]}
    assert MD5_ZEROS in csv_records
    assert PDQ_ZEROS in {r.pdq for r in csv_records.values()}
    vics_record = run("vics13.json")[0][2]
    assert (vics_record.md5, vics_record.sha1) == (MD5_ZEROS, SHA1_ZEROS)
    exported = run("export.jsonl")[0][2]
    assert (exported.md5, exported.sha1, exported.pdq) == (MD5_ZEROS, SHA1_ZEROS, PDQ_ZEROS)
    again = from_bytes("".join(export_records({}, [exported])).encode())[0][0]
    assert (again.md5, again.sha1, again.pdq) == (MD5_ZEROS, SHA1_ZEROS, PDQ_ZEROS)
    leading = "00" + MD5_ZEROS[2:]
    assert from_bytes(f"md5\n{leading.upper()}\n".encode())[0][0].md5 == leading


@pytest.mark.parametrize("name", ["partner.csv", "vics20.json", "export.jsonl"])
def test_parse_reads_a_stream_that_cannot_seek_and_leaves_it_open(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    chunks = (data[i : i + 7] for i in range(0, len(data), 7))  # reads arrive in small pieces
    stream = io.BufferedReader(OneWayStream(chunks))
    items = list(parse(stream))
    assert not stream.closed
    assert items == list(parse(io.BytesIO(data)))


def test_parse_honours_an_explicit_format() -> None:
    records, errors = from_bytes((FIXTURES / "vics13.json").read_bytes(), fmt="csv")
    assert records == []
    assert errors[0].line == 1


def test_parse_csv_can_be_called_directly() -> None:
    items = list(parse_csv(io.BytesIO(b"sha1\n" + b"0" * 40 + b"\n")))
    assert items == [HashRecord(None, "0" * 40, None, "", None, None, {}, 2)]
