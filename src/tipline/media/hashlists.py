"""Hash-list file formats: stream records out of CSV, Project VIC (VICS) JSON and our own export.

Pure Python, no Django: ``media.services.hashlist_import`` stores what ``parse`` yields.

* Every parser is a generator of ``HashRecord`` (one entry) or ``ParseError`` (one refused row),
  so a bad row never stops an import: the caller collects the errors and decides whether a
  partial import is acceptable.
* Hashes are kept as lowercase hex *strings* from end to end. They are never turned into
  integers or bytes, which is how digests ending (or starting) in zero bytes got mangled before.
* VICS JSON is streamed with ``ijson`` (yajl2 C backend), so a multi-gigabyte Project VIC export
  needs memory for one Media object at a time, not for the whole file.
* ``line`` is the physical line for CSV and JSON Lines, and the 1-based Media number for VICS
  (a streaming JSON parser does not know line numbers).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import ijson  # type: ignore[import-untyped]  # ijson ships no type hints (no py.typed)

if TYPE_CHECKING:
    from _csv import _reader

    from _typeshed import WriteableBuffer

__all__ = [
    "HEAD_BYTES",
    "MAX_LINE_BYTES",
    "TIPLINE_FORMAT",
    "TIPLINE_VERSION",
    "Format",
    "HashRecord",
    "ParseError",
    "detect_format",
    "export_records",
    "parse",
    "parse_csv",
    "parse_tipline",
    "parse_vics",
]

Format = Literal["csv", "vics", "tipline"]
HEAD_BYTES = 8192  # what detect_format looks at
MAX_LINE_BYTES = 1 << 20  # one JSON Lines entry; a longer line is refused, not buffered
TIPLINE_FORMAT = "tipline-hashlist"
TIPLINE_VERSION = 1
HEX_LENGTHS = {"md5": 32, "sha1": 40, "pdq": 64}
CSV_KNOWN = {"md5", "sha1", "pdq", "label", "category", "victim_identified"}
VICS_CONTEXT_KEYS = {"odata.metadata", "@odata.context"}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
_HEX = {n: re.compile(f"[0-9a-f]{{{n}}}") for n in HEX_LENGTHS.values()}
_VICS_VERSION = re.compile(r"/(\d+\.\d+)\.xml")


@dataclass(frozen=True)
class HashRecord:
    """One hash-list entry: at least one of md5 (32), sha1 (40), pdq (64) as lowercase hex."""

    md5: str | None
    sha1: str | None
    pdq: str | None
    label: str
    category: str | None
    victim_identified: bool | None
    extra: dict[str, str] = field(hash=False)
    line: int
    enabled: bool = True  # only our own export carries it; every other format means enabled


@dataclass(frozen=True)
class ParseError:
    """A row or record that was refused, with the line (or VICS Media number) it came from."""

    line: int
    message: str


# --- streams ---------------------------------------------------------------------------------


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream, then the rest of that stream: a peek for any stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size], self._head = self._head[:size], self._head[size:]
            return size
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def _prepend(head: bytes, stream: BinaryIO) -> BinaryIO:
    # Closing (or garbage-collecting) the wrapper closes only _Prefixed, never the caller's stream.
    return io.BufferedReader(_Prefixed(head, stream))


def _without_bom(stream: BinaryIO) -> BinaryIO:
    head = stream.read(len(codecs.BOM_UTF8))
    return _prepend(head.removeprefix(codecs.BOM_UTF8), stream)


# --- shared value handling -------------------------------------------------------------------


def _hex(name: str, value: object) -> str | None:
    """A digest as lowercase hex, None when absent; ValueError naming the field when malformed."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a hex string, not {type(value).__name__}")
    digits = value.strip().lower()
    length = HEX_LENGTHS[name]
    if not digits:
        return None
    if not _HEX[length].fullmatch(digits):
        raise ValueError(f"{name} {value.strip()[:80]!r} is not {length} hex digits")
    return digits


def _hashes(md5: object, sha1: object, pdq: object) -> tuple[str | None, str | None, str | None]:
    """All three digests checked at once, so one message names every bad field."""
    found: dict[str, str | None] = {}
    problems: list[str] = []
    for name, value in (("md5", md5), ("sha1", sha1), ("pdq", pdq)):
        try:
            found[name] = _hex(name, value)
        except ValueError as error:
            problems.append(str(error))
    if problems:
        raise ValueError("; ".join(problems))
    if not any(found.values()):
        raise ValueError("no md5, sha1 or pdq")
    return found["md5"], found["sha1"], found["pdq"]


def _bool(value: object) -> bool | None:
    """Booleans as lists write them: JSON true/false, "true"/"False", 1/0, yes/no; else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        return True if word in _TRUE else False if word in _FALSE else None
    return None


def _text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- format detection and dispatch -----------------------------------------------------------


def detect_format(head: bytes) -> Format:
    """Tell "csv", "vics" or "tipline" from a file's first bytes; ValueError when none fits."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ValueError("the file is UTF-16: save it as UTF-8")
    text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="ignore").lstrip()
    first_line = text.split("\n", 1)[0]
    if text.startswith("{"):
        if '"format"' in first_line and TIPLINE_FORMAT in first_line:
            return "tipline"
        if "odata" in text or '"value"' in text:
            return "vics"
        raise ValueError("a JSON file that is neither a VICS export nor a tipline export")
    cells = {cell.strip().strip("\"'").lower() for cell in re.split(r"[,;\t]", first_line)}
    if cells & {"md5", "sha1", "pdq"}:
        return "csv"
    raise ValueError("unrecognised hash list: a CSV needs a header row naming md5, sha1 or pdq")


def parse(stream: BinaryIO, *, fmt: str | None = None) -> Iterator[HashRecord | ParseError]:
    """Records and per-row errors from a hash-list file, its format detected unless given."""
    parsers: dict[str, Callable[[BinaryIO], Iterator[HashRecord | ParseError]]] = {
        "csv": parse_csv,
        "vics": parse_vics,
        "tipline": parse_tipline,
    }
    if fmt is not None and fmt not in parsers:
        raise ValueError(f"unknown hash list format {fmt!r}; use one of {sorted(parsers)}")
    head = stream.read(HEAD_BYTES)
    try:
        chosen = fmt or detect_format(head)
    except ValueError as error:
        yield ParseError(1, str(error))
        return
    yield from parsers[chosen](_prepend(head, stream))


# --- CSV -------------------------------------------------------------------------------------


def _delimiter(header_line: str) -> str:
    # A comma unless the header plainly uses tabs or semicolons (TSV, European spreadsheets).
    return max([",", "\t", ";"], key=header_line.count)


def _csv_columns(header: list[str], cells: list[str]) -> dict[str, str]:
    """Cells by column name (known names lowercased); surplus cells become "column N"."""
    names = [n.strip().lower() if n.strip().lower() in CSV_KNOWN else n.strip() for n in header]
    columns: dict[str, str] = {}
    for number, (name, cell) in enumerate(itertools.zip_longest(names, cells), start=1):
        value = (cell or "").strip()
        if value:
            columns[name or f"column {number}"] = value
    return columns


def _csv_record(columns: dict[str, str], line: int) -> HashRecord | ParseError:
    try:
        md5, sha1, pdq = _hashes(columns.get("md5"), columns.get("sha1"), columns.get("pdq"))
    except ValueError as error:
        return ParseError(line, str(error))
    extra = {key: value for key, value in columns.items() if key not in CSV_KNOWN}
    victim = _bool(columns.get("victim_identified"))
    if victim is None and "victim_identified" in columns:
        extra["victim_identified"] = columns["victim_identified"]  # unreadable: keep what it said
    return HashRecord(
        md5=md5,
        sha1=sha1,
        pdq=pdq,
        label=columns.get("label", ""),
        category=columns.get("category"),
        victim_identified=victim,
        extra=extra,
        line=line,
    )


def parse_csv(stream: BinaryIO) -> Iterator[HashRecord | ParseError]:
    """CSV with a header row naming md5, sha1, pdq, label (and optionally category,
    victim_identified); other columns go to ``extra``. BOM, CRLF, case and spaces are tolerated.
    """
    # Undecodable bytes can only sit in labels (hex is ASCII), so they must not end the import.
    text = io.TextIOWrapper(_without_bom(stream), encoding="utf-8", errors="replace", newline="")
    header_line = text.readline()
    reader = csv.reader(itertools.chain([header_line], text), delimiter=_delimiter(header_line))
    header = next(reader, [])
    if not {cell.strip().lower() for cell in header} & {"md5", "sha1", "pdq"}:
        yield ParseError(1, "the header row names none of md5, sha1, pdq")
        return
    yield from _csv_rows(header, reader)


def _csv_rows(header: list[str], reader: _reader) -> Iterator[HashRecord | ParseError]:
    start = reader.line_num + 1  # a quoted cell may span lines: name the line the row starts on
    try:
        for cells in reader:
            columns = _csv_columns(header, cells)
            if columns:  # blank rows, and rows of bare delimiters, are skipped
                yield _csv_record(columns, start)
            start = reader.line_num + 1
    except csv.Error as error:  # e.g. a cell past csv.field_size_limit(): the rest is unreadable
        yield ParseError(start, f"unreadable CSV, import stopped here: {error}")


# --- Project VIC (VICS) JSON -----------------------------------------------------------------

_DEPTH = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}
_Event = tuple[str, str, Any]


def _get(obj: Mapping[str, Any], key: str) -> Any:
    """A field by name, ignoring case: exports disagree on "MD5" and "Md5"."""
    if key in obj:
        return obj[key]
    return next((value for name, value in obj.items() if name.lower() == key.lower()), None)


def _scalars(obj: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """An object's plain fields as text for ``extra`` (raw Category and booleans included)."""
    return {
        prefix + name: _text(value)
        for name, value in obj.items()
        if isinstance(value, str | int | float | bool)
        and value != ""
        and name.lower() not in {"md5", "sha1"}
    }


def _alternative_hashes(obj: Mapping[str, Any]) -> dict[str, str]:
    """``AlternativeHashes`` as {HashName: HashValue}: where some exports put PDQ."""
    entries, found = _get(obj, "AlternativeHashes"), {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            name, value = _get(entry, "HashName"), _get(entry, "HashValue")
            if isinstance(name, str) and isinstance(value, str):
                found[name.strip()] = value
    return found


def _pdq_of(alternatives: Mapping[str, str]) -> str | None:
    return next((v for name, v in alternatives.items() if name.lower() == "pdq"), None)


def _vics_category(value: object) -> str | None:
    """VICS categories are integers (1 = CSAM, ...): "vics:1". Odd values are kept as text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return None
    return f"vics:{int(text)}" if text.isascii() and text.isdigit() else f"vics:{text}"


def _vics_version(context: object) -> str | None:
    found = _VICS_VERSION.search(context) if isinstance(context, str) else None
    return found.group(1) if found else None


@dataclass
class _Entry:
    md5: str | None
    sha1: str | None
    pdq: str | None
    extra: dict[str, str]


def _vics_candidates(media: Mapping[str, Any]) -> Iterator[tuple[Any, Any, Any, dict[str, str]]]:
    """(md5, sha1, pdq, extra) as written, for the Media itself and each of its MediaFiles."""
    if _get(media, "MD5") or _get(media, "SHA1"):
        yield _get(media, "MD5"), _get(media, "SHA1"), None, {}
    files = _get(media, "MediaFiles")
    for file in files if isinstance(files, list) else []:
        if isinstance(file, dict):
            pdq = _pdq_of(_alternative_hashes(file))
            if _get(file, "MD5") or _get(file, "SHA1") or pdq:
                extra = _scalars(file, prefix="MediaFiles.")
                yield _get(file, "MD5"), _get(file, "SHA1"), pdq, extra


def _vics_entries(media: Mapping[str, Any], where: str, line: int) -> Iterator[_Entry | ParseError]:
    """One entry per distinct (md5, sha1) pair; a bad pair is refused, the others kept."""
    entries: dict[tuple[str | None, str | None], _Entry] = {}
    for md5, sha1, pdq, extra in _vics_candidates(media):
        try:
            digests = _hashes(md5, sha1, pdq)
        except ValueError as error:
            yield ParseError(line, f"{where}: {error}")
            continue
        known = entries.setdefault(digests[:2], _Entry(*digests, extra={}))
        known.pdq = known.pdq or digests[2]
        known.extra = {**extra, **known.extra}
    yield from entries.values()


def _with_media_pdq(entries: list[_Entry], pdq: str | None) -> list[_Entry]:
    # The Media's PDQ describes the picture every file shows. Put it on one entry only: on all of
    # them, one PDQ hit would match the same Media once per file.
    if pdq is None or any(entry.pdq == pdq for entry in entries):
        return entries
    bare = next((entry for entry in entries if entry.pdq is None), None)
    if bare is None:
        return [*entries, _Entry(None, None, pdq, {})]
    bare.pdq = pdq
    return entries


def _media_name(media: Mapping[str, Any], number: int) -> str:
    media_id = _get(media, "MediaID")
    return f"Media #{number}" + (f" (MediaID {media_id})" if media_id is not None else "")


def _vics_media(
    media: Mapping[str, Any], number: int, version: str | None
) -> Iterator[HashRecord | ParseError]:
    """The records of one Media object, with its Category and VictimIdentified on each."""
    where, alternatives = _media_name(media, number), _alternative_hashes(media)
    entries: list[_Entry] = []
    for item in _vics_entries(media, where, number):
        if isinstance(item, ParseError):
            yield item
        else:
            entries.append(item)
    try:
        entries = _with_media_pdq(entries, _hex("pdq", _pdq_of(alternatives)))
    except ValueError as error:
        yield ParseError(number, f"{where}: {error}")
    if not entries and not _vics_candidates_exist(media, alternatives):
        yield ParseError(number, f"{where}: no MD5, SHA1 or PDQ")
    category, victim, extra = _vics_shared(media, alternatives, version)
    for entry in entries:
        yield HashRecord(
            entry.md5, entry.sha1, entry.pdq, "", category, victim, extra | entry.extra, number
        )


def _vics_shared(
    media: Mapping[str, Any], alternatives: Mapping[str, str], version: str | None
) -> tuple[str | None, bool | None, dict[str, str]]:
    """Category, VictimIdentified and extra: what every record of one Media carries."""
    extra = _scalars(media) | {f"AlternativeHashes.{k}": v for k, v in alternatives.items()}
    if version:
        extra["vics_version"] = version
    return _vics_category(_get(media, "Category")), _bool(_get(media, "VictimIdentified")), extra


def _vics_candidates_exist(media: Mapping[str, Any], alternatives: Mapping[str, str]) -> bool:
    # Told apart from "all its hashes were malformed", which has already been reported.
    return _pdq_of(alternatives) is not None or next(_vics_candidates(media), None) is not None


class _VicsStream:
    """Media objects out of ijson events, one at a time, from either layout of ``value``:
    a list of Media (the usual export) or a list of Cases each holding a ``Media`` list.
    """

    def __init__(self, events: Iterator[_Event]) -> None:
        self.events = events
        self.version: str | None = None
        self.saw_value = False

    def media(self) -> Iterator[dict[str, Any]]:
        """Every Media object, in file order."""
        for prefix, event, value in self.events:
            if prefix in VICS_CONTEXT_KEYS and event == "string":
                self.version = _vics_version(value)
            elif prefix == "value" and event == "start_array":
                self.saw_value = True
            elif prefix == "value.item" and event == "start_map":
                yield from self._value_item()

    def _value_item(self) -> Iterator[dict[str, Any]]:
        # A Case's Media are built one by one and left out of the Case, which stays small.
        builder, depth, is_case = self._builder(), 1, False
        for prefix, event, value in self.events:
            if prefix == "value.item.Media.item" and event == "start_map":
                yield self._build()
            elif prefix == "value.item.Media" or prefix.startswith("value.item.Media."):
                is_case = is_case or event == "start_array"
            elif not (prefix == "value.item" and event == "map_key" and value == "Media"):
                builder.event(event, value)
                depth += _DEPTH.get(event, 0)
                if depth == 0:
                    break
        if not is_case:
            yield builder.value

    def _build(self) -> dict[str, Any]:
        builder, depth = self._builder(), 1
        for _prefix, event, value in self.events:
            builder.event(event, value)
            depth += _DEPTH.get(event, 0)
            if depth == 0:
                break
        result: dict[str, Any] = builder.value
        return result

    @staticmethod
    def _builder() -> Any:
        builder = ijson.ObjectBuilder()
        builder.event("start_map", None)
        return builder


def parse_vics(stream: BinaryIO) -> Iterator[HashRecord | ParseError]:
    """Project VIC JSON, VICS 1.3 (``odata.metadata``) or 2.0 (``@odata.context``), streamed.

    One record per distinct (MD5, SHA1) pair of each Media and its MediaFiles, all carrying the
    Media's Category ("vics:N") and VictimIdentified; PDQ comes from ``AlternativeHashes``.
    ``line`` is the Media's 1-based number in the file.
    """
    walker = _VicsStream(ijson.parse(_without_bom(stream), use_float=True))
    number = 0
    try:
        for number, media in enumerate(walker.media(), start=1):
            yield from _vics_media(media, number, walker.version)
    except ijson.JSONError as error:
        reason = str(error).split("\n", 1)[0]
        yield ParseError(number + 1, f"invalid JSON after Media #{number}, stopped: {reason}")
        return
    if not walker.saw_value:
        yield ParseError(1, 'no "value" array: not a VICS export')


# --- our own export: JSON Lines --------------------------------------------------------------


def _json_line(obj: Mapping[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def _tipline_entry(record: HashRecord) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "md5": record.md5,
        "sha1": record.sha1,
        "pdq": record.pdq,
        "label": record.label,
        "category": record.category,
        "victim_identified": record.victim_identified,
        "enabled": record.enabled,
    }
    if record.extra:
        entry["extra"] = record.extra
    return entry


def export_records(header: Mapping[str, Any], records: Iterable[HashRecord]) -> Iterator[str]:
    """Our export, one "\\n"-terminated line at a time: a header, then one entry per record.

    ``header`` carries name, source, category_scheme, sharing_level and unidentified_victim;
    ``format`` and ``version`` are always written by this function.
    """
    rest = {key: value for key, value in header.items() if key not in {"format", "version"}}
    yield _json_line({"format": TIPLINE_FORMAT, "version": TIPLINE_VERSION, **rest})
    for record in records:
        yield _json_line(_tipline_entry(record))


def _lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of each non-blank line; None for one longer than MAX_LINE_BYTES."""
    for number in itertools.count(1):
        line = stream.readline(MAX_LINE_BYTES)
        if not line:
            return
        if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the overlong line without holding it
            yield number, None
        elif line.strip():
            yield number, line


def _tipline_header(line: bytes | None) -> dict[str, Any]:
    header = json.loads(line) if line is not None else None
    if not isinstance(header, dict) or header.get("format") != TIPLINE_FORMAT:
        raise ValueError(f"the first line is not a {TIPLINE_FORMAT} header")
    if header.get("version") != TIPLINE_VERSION:
        raise ValueError(f"unsupported {TIPLINE_FORMAT} version {header.get('version')!r}")
    return header


def _tipline_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The non-hash fields of one entry, type-checked; ValueError names a wrong one."""
    label, category = entry.get("label") or "", entry.get("category") or None
    victim, enabled, extra = (entry.get(k) for k in ("victim_identified", "enabled", "extra"))
    enabled = True if enabled is None else enabled
    checks = [
        ("label", isinstance(label, str)),
        ("category", category is None or isinstance(category, str)),
        ("victim_identified", victim is None or isinstance(victim, bool)),
        ("enabled", isinstance(enabled, bool)),
        ("extra", extra is None or isinstance(extra, dict)),
    ]
    wrong = [name for name, ok in checks if not ok]
    if wrong:
        raise ValueError(f"wrong type for {', '.join(wrong)}")
    extra = {str(k): _text(v) for k, v in (extra or {}).items() if isinstance(v, str | int | float)}
    return {
        "label": label,
        "category": category,
        "victim_identified": victim,
        "enabled": enabled,
        "extra": extra,
    }


def _tipline_record(number: int, line: bytes | None) -> HashRecord | ParseError:
    if line is None:
        return ParseError(number, f"line longer than {MAX_LINE_BYTES} bytes")
    try:
        entry = json.loads(line)
        if not isinstance(entry, dict):
            raise ValueError("an entry must be a JSON object")
        md5, sha1, pdq = _hashes(entry.get("md5"), entry.get("sha1"), entry.get("pdq"))
        fields = _tipline_fields(entry)
    except ValueError as error:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        return ParseError(number, str(error))
    return HashRecord(md5=md5, sha1=sha1, pdq=pdq, line=number, **fields)


def parse_tipline(
    stream: BinaryIO, *, on_header: Callable[[dict[str, Any]], None] | None = None
) -> Iterator[HashRecord | ParseError]:
    """Our own JSON Lines export. ``on_header`` gets the header line's object (name, source,
    category_scheme, sharing_level, unidentified_victim) before the first record.
    """
    lines = _lines(_without_bom(stream))
    number, first = next(lines, (1, None))
    try:
        header = _tipline_header(first)
    except ValueError as error:
        yield ParseError(number, str(error))
        return
    if on_header is not None:
        on_header(header)
    for number, line in lines:
        yield _tipline_record(number, line)
