"""Importing NCMEC referral packages: each referral becomes one `report_submit` call.

All or nothing per referral: its files are streamed into encrypted storage (hashed as they go, so
media matching runs in the pipeline) before its report is submitted in one transaction; if
anything fails, the blobs written for it are deleted and the reason is returned. NCMEC's report
number is the idempotency key (`external_id` `NCMEC-<number>`, under a lock): the same package
again stores nothing, and a different package for the same number becomes an addendum whose
files are stored and attached to the first report the same way, all or nothing.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from tipline.accounts.types import Actor
from tipline.audit.services import audit_deferred, audit_record
from tipline.common import ids
from tipline.common.time import utcnow
from tipline.intake.ispws.convert import file_details_dict_to_file_draft, report_dict_to_draft
from tipline.intake.ncmec.pdf import MAX_PDF_BYTES, parse_referral_pdf, with_paths
from tipline.intake.ncmec.sources import PackageRefused, Source, read_all
from tipline.intake.ncmec.wire import (
    MAX_XML_BYTES,
    PRIORITIES,
    PackageFile,
    Referral,
    is_referral,
    parse_referral,
)
from tipline.media.sniff import IMAGE_TYPES, VIDEO_TYPES, sniff
from tipline.media.storage import EncryptedWriter, StoredBlob, default_store
from tipline.reports.choices import Channel
from tipline.reports.drafts import FileDraft, ReportDraft
from tipline.reports.models import Addendum, Report
from tipline.reports.services import report_add_addendum, report_add_files, report_submit

IMPORTED, ALREADY, ADDENDUM, FAILED = "imported", "already_imported", "addendum", "failed"
ADDENDUM_MARK: Final = "NCMEC package "
_LOCK_CLASS: Final = 0x4E43  # "NC": this importer's advisory locks on PostgreSQL
_IMAGE_EXT: Final = frozenset({"jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "heic"})
_VIDEO_EXT: Final = frozenset({"mp4", "mov", "webm", "3gp", "mkv", "avi", "mpg", "mpeg", "m4v"})


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one referral (or of a whole package that could not be read)."""

    package: str
    number: str
    status: str
    reference: str = ""
    error: str = ""
    report_id: int | None = None  # the report it became or joined, when there is one


@dataclass(frozen=True)
class _Stored:
    file: PackageFile
    member: str
    blob: StoredBlob
    sniffed: str | None


def ncmec_import_source(*, source: Source, actor: Actor = None) -> list[ImportOutcome]:
    """Import every referral of a package; one outcome per referral, failures included."""
    return ncmec_import_sources(sources=[source], actor=actor)


def ncmec_import_sources(*, sources: Iterable[Source], actor: Actor = None) -> list[ImportOutcome]:
    """Import every referral of several packages (a folder of them, the command's paths, an
    upload of many): each read first, then their earlier imports looked up in one query for
    all of them, then each stored and submitted on its own (all or nothing per referral)."""
    read: list[_Read | ImportOutcome] = []
    for source in sources:
        read += _read_source(source)
    numbers = [r.referral.number for r in read if isinstance(r, _Read)]
    earlier = _existing_many(numbers)
    return [
        item if isinstance(item, ImportOutcome) else _import_read(item, earlier, actor)
        for item in read
    ]


@dataclass(frozen=True)
class _Read:
    """One referral of a package, parsed, with the members that are its files."""

    source: Source
    name: str
    label: str
    body: bytes
    referral: Referral
    members: list[tuple[str, PackageFile]]
    digest: str


def _read_source(source: Source) -> list[_Read | ImportOutcome]:
    try:
        referrals = _referral_members(source)
    except PackageRefused as exc:
        return [ImportOutcome(package=source.label, number="", status=FAILED, error=exc.message)]
    if not referrals:
        reason = "No <ncmecReferral> XML or report PDF found in it (see docs/ncmec-referrals.md)."
        return [ImportOutcome(package=source.label, number="", status=FAILED, error=reason)]
    out: list[_Read | ImportOutcome] = []
    for name in referrals:
        label = f"{source.label}:{name}"
        try:
            out.append(_read_one(source, name, referrals, label))
        except PackageRefused as exc:
            out.append(ImportOutcome(package=label, number="", status=FAILED, error=exc.message))
    return out


def _referral_members(source: Source) -> list[str]:
    """The referral XMLs, and the PDFs that no referral XML sits above or beside (a package
    that carries only the printable report); a PDF beside an XML is a file of its report."""
    names = [m.name for m in source.members() if m.name.lower().endswith(".xml")]
    xmls = sorted(name for name in names if is_referral(_head(source, name)))
    with_xml = {posixpath.dirname(name) for name in xmls}
    pdfs = [
        m.name
        for m in source.members()
        if m.name.lower().endswith(".pdf") and not any(_within(m.name, d) for d in with_xml)
    ]
    return sorted(xmls + pdfs)


def _head(source: Source, name: str) -> bytes:
    chunks = source.chunks(name)
    try:
        return next(chunks, b"")
    finally:
        chunks.close()


def _read_one(source: Source, name: str, referrals: list[str], label: str) -> _Read:
    try:
        if name.lower().endswith(".pdf"):
            body, referral = _read_pdf(source, name, referrals)
        else:
            body = read_all(source, name, MAX_XML_BYTES)
            referral = parse_referral(body)
    except PackageRefused as exc:
        raise PackageRefused(f"{name}: {exc.message}") from None
    members = _members_of(source, name, referral, referrals)
    digest = _digest(body, source, members)
    return _Read(source, name, label, body, referral, members, digest)


def _read_pdf(source: Source, name: str, referrals: list[str]) -> tuple[bytes, Referral]:
    """A report PDF read by its labels; its text is the raw record (and what identifies it),
    its printed file names resolved against the files of its folder, and the PDF itself kept."""
    referral, text = parse_referral_pdf(read_all(source, name, MAX_PDF_BYTES))
    folder = posixpath.dirname(name)
    others = {posixpath.dirname(r) for r in referrals} - {folder, ""}
    beside = [
        posixpath.relpath(m.name, folder or ".")
        for m in source.members()
        if _within(m.name, folder)
        and m.name not in referrals
        and not any(_within(m.name, o) for o in others)
    ]
    return text.encode("utf-8"), with_paths(referral, beside, posixpath.basename(name))


def _import_read(read: _Read, earlier: dict[str, int], actor: Actor) -> ImportOutcome:
    try:
        found = earlier.get(read.referral.number)
        if found is not None:
            report = Report.objects.get(pk=found)
            return _again(report, read, actor)
        stored: list[_Stored] = []
        try:
            for member, file in read.members:
                stored.append(_store(read.source, member, file))
            outcome = _submit(read.referral, stored, read.body, read.digest, actor, read.label)
        except BaseException:
            _delete([s.blob.key for s in stored])
            raise
        if outcome.report_id is not None:  # a later copy in the same batch joins this one
            earlier[read.referral.number] = outcome.report_id
        return outcome
    except PackageRefused as exc:
        number = read.referral.number
        return ImportOutcome(package=read.label, number=number, status=FAILED, error=exc.message)


def _members_of(
    source: Source, name: str, referral: Referral, referrals: list[str]
) -> list[tuple[str, PackageFile]]:
    """The package members that are this referral's files: those it lists (beside its XML) and,
    when it is alone in its folder, every other file there, so nothing in the package is lost."""
    folder = posixpath.dirname(name)
    present = {m.name for m in source.members()}
    listed = [(posixpath.join(folder, f.path), f) for f in referral.files]
    missing = [path for path, _ in listed if path not in present]
    if missing:
        raise PackageRefused(f"{name} lists {missing[0]}, which is not in the package.")
    if sum(1 for r in referrals if posixpath.dirname(r) == folder) > 1:
        return listed
    others = {posixpath.dirname(r) for r in referrals} - {folder, ""}
    taken = {path for path, _ in listed} | set(referrals)
    inside = sorted(
        p
        for p in present
        if _within(p, folder) and p not in taken and not any(_within(p, o) for o in others)
    )
    extra = [
        (p, PackageFile(path=posixpath.relpath(p, folder or "."), details=None)) for p in inside
    ]
    return listed + extra


def _within(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


def _digest(body: bytes, source: Source, members: list[tuple[str, PackageFile]]) -> str:
    """What identifies a package's content: its XML and its files' names and sizes."""
    sizes = {m.name: m.size for m in source.members()}
    digest = hashlib.sha256(body)
    for path, _file in members:
        digest.update(f"\0{path}\0{sizes[path]}".encode())
    return digest.hexdigest()


def _external_id(number: str) -> str:
    return f"NCMEC-{number}"


def _existing_many(numbers: list[str]) -> dict[str, int]:
    """The reports of earlier imports of these numbers, by number: ids only, by the
    (api_client, external_id) index and without the encrypted columns, in one query."""
    if not numbers:
        return {}
    rows = Report.objects.filter(
        api_client__isnull=True,
        external_id__in=[_external_id(n) for n in set(numbers)],
        channel=Channel.NCMEC_REFERRAL,
    ).order_by()
    return {
        external.removeprefix("NCMEC-"): pk
        for pk, external in rows.values_list("pk", "external_id")
    }


def _store(source: Source, member: str, file: PackageFile) -> _Stored:
    """Stream one member into encrypted storage; a file whose name lies about its kind of
    content (a `.jpg` that is not an image) is refused."""
    writer = EncryptedWriter()
    try:
        for chunk in source.chunks(member):
            writer.write(chunk)
        blob = writer.close()
    except BaseException:
        writer.abort()
        raise
    sniffed = sniff(blob.head)
    lie = _lie(member, sniffed)
    if lie:
        _delete([blob.key])
        raise PackageRefused(lie)
    return _Stored(file=file, member=member, blob=blob, sniffed=sniffed)


def _lie(member: str, sniffed: str | None) -> str:
    extension = member.rsplit(".", 1)[-1].lower() if "." in member else ""
    for claimed, kinds, word in (
        (_IMAGE_EXT, IMAGE_TYPES, "an image"),
        (_VIDEO_EXT, VIDEO_TYPES, "a video"),
    ):
        if extension in claimed and sniffed not in kinds:
            return f"{member} is named as {word} but its bytes are {sniffed or 'of no known type'}."
    return ""


def _file_draft(stored: _Stored) -> FileDraft:
    blob = stored.blob
    return file_details_dict_to_file_draft(
        stored.file.details,
        file_id=ids.new_file_id(),
        original_name=posixpath.basename(stored.member),
        size=blob.size,
        md5=blob.md5,
        sha1=blob.sha1,
        sha256=blob.sha256,
        content_type=stored.sniffed,
        storage_key=blob.key,
    )


def _submit(
    referral: Referral, stored: list[_Stored], body: bytes, digest: str, actor: Actor, label: str
) -> ImportOutcome:
    draft = referral_draft(referral, [_file_draft(s) for s in stored], body=body, digest=digest)
    # Both audit rows (the submission's and the import's) join the chain in one write, at the
    # end: the chain head is locked for one round trip, not from the first row to the commit.
    with transaction.atomic(), audit_deferred():
        if _locked_and_taken(referral.number):  # another import won the race
            _delete([s.blob.key for s in stored])
            return ImportOutcome(package=label, number=referral.number, status=ALREADY)
        try:
            result = report_submit(draft=draft, submitted_by=actor)
        except ValidationError as exc:
            raise PackageRefused("; ".join(exc.messages)) from None
        audit_record(
            actor=actor,
            actor_label=None if actor else "cli:ncmec",
            action="ncmec.imported",
            object_type="report",
            object_id=result.report.pk,
            after={"ncmec_report": referral.number, "package_sha256": digest, "files": len(stored)},
        )
    reference = result.report.reference
    return ImportOutcome(
        package=label,
        number=referral.number,
        status=IMPORTED,
        reference=reference,
        report_id=result.report.pk,
    )


def _locked_and_taken(number: str) -> bool:
    """Take this number's lock and say whether it was imported meanwhile: one round trip on
    PostgreSQL (the lock and the look-up in one statement), serial writes on SQLite."""
    if connection.vendor != "postgresql":
        return _existing_many([number]).get(number) is not None
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s), EXISTS (SELECT 1 FROM "  # noqa: S608  # our table name
            f"{table} WHERE api_client_id IS NULL AND external_id = %s AND channel = %s)",
            [
                _LOCK_CLASS,
                int(number) % 2_147_483_647,
                _external_id(number),
                Channel.NCMEC_REFERRAL,
            ],
        )
        row = cursor.fetchone()
    return bool(row and row[1])


def _lock(number: str) -> None:
    """Serialise imports of one report number. SQLite's write transactions are serial already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, int(number) % 2_147_483_647]
            )


def _delete(keys: list[str]) -> None:
    store = default_store()
    for key in keys:
        store.delete(key)


# --------------------------------------------------------------------------- the draft


def referral_draft(
    referral: Referral, files: list[FileDraft], *, body: bytes, digest: str
) -> ReportDraft:
    """The report of a referral: Section A read as /ispws reads it, NCMEC's geolocation as the
    place in words (and coordinates), NCMEC's priority 1 as an escalation, the analyst's notes
    after the ESP's description, and every NCMEC section kept whole in `extra["ncmec"]`."""
    raw = body.decode("utf-8", errors="replace")
    draft = report_dict_to_draft(referral.report, files, raw_xml=raw, received_at=utcnow())
    draft.incident = draft.incident.model_copy(update=_incident_updates(referral, draft))
    draft.channel = Channel.NCMEC_REFERRAL
    draft.external_id = f"NCMEC-{referral.number}"
    draft.raw_content_type = referral.raw_content_type
    draft.extra["ncmec"] = _kept(referral, digest)
    return draft


def _incident_updates(referral: Referral, draft: ReportDraft) -> dict[str, Any]:
    incident, updates = draft.incident, dict[str, Any]()
    place = _best_geolocation(referral.geolocation)
    if place and not incident.location_text:
        updates["location_text"] = _place_words(place)[:500]
    lat, lon = _float(place.get("latitude"), 90), _float(place.get("longitude"), 180)
    if incident.latitude is None and lat is not None and lon is not None:
        updates["latitude"], updates["longitude"] = lat, lon
    if referral.priority == "1":
        said = f"NCMEC priority level 1: {PRIORITIES['1']}."
        updates["escalation_note"] = "\n".join(filter(None, [said, incident.escalation_note]))[
            :3000
        ]
    notes = _analyst_words(referral.analyst)
    if notes:
        text = "\n\n".join(filter(None, [incident.description, f"NCMEC analyst: {notes}"]))
        updates["description"] = text[:20_000]
    return updates


def _best_geolocation(lookups: list[dict[str, Any]]) -> dict[str, Any]:
    """The first look-up that places the report in Nigeria, else the first with a country."""
    with_country = [g for g in lookups if isinstance(g.get("country"), str) and g["country"]]
    nigerian = [g for g in with_country if g["country"].upper() in ("NG", "NIGERIA")]
    return (nigerian or with_country or [{}])[0]


def _place_words(place: dict[str, Any]) -> str:
    country = "Nigeria" if str(place.get("country")).upper() == "NG" else place.get("country")
    parts = [place.get("city"), place.get("region"), country]
    words = ", ".join(str(p) for p in parts if isinstance(p, str) and p)
    source = f" of {place['ipAddress']}" if isinstance(place.get("ipAddress"), str) else ""
    isp = f" (ISP {place['isp']})" if isinstance(place.get("isp"), str) and place["isp"] else ""
    return f"{words} (NCMEC geolocation{source}{isp})"


def _float(value: Any, bound: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -bound <= number <= bound else None


def _analyst_words(analyst: dict[str, Any]) -> str:
    notes = analyst.get("note", [])
    notes = notes if isinstance(notes, list) else [notes]
    return "\n".join(n for n in notes if isinstance(n, str) and n)


def _kept(referral: Referral, digest: str) -> dict[str, Any]:
    return {
        "report_number": referral.number,
        "priority": referral.priority,
        "priority_meaning": PRIORITIES.get(referral.priority, ""),
        "received_by_ncmec": (
            referral.received_by_ncmec.isoformat() if referral.received_by_ncmec else None
        ),
        "geolocation": referral.geolocation,
        "analyst": referral.analyst,
        "other": referral.other,
        "package_sha256": digest,
    }


# --------------------------------------------------------------------------- again


def _again(report: Report, read: _Read, actor: Actor) -> ImportOutcome:
    """The same number again: nothing when it is a package already taken in, else an addendum
    that carries the later package whole, with its files stored and attached to the report as
    the first package's were (a file the report already holds is not stored twice). All or
    nothing: if a file fails, the blobs written for it are deleted and the report is untouched."""
    number, label = read.referral.number, read.label
    outcome = ImportOutcome(
        package=label,
        number=number,
        status=ALREADY,
        reference=report.reference,
        report_id=report.pk,
    )
    if read.digest in _digests_of(report):
        return outcome
    stored: list[_Stored] = []
    try:
        for member, file in read.members:
            stored.append(_store(read.source, member, file))
        kept = _add_to(report, read, stored, actor)
    except BaseException:
        _delete([s.blob.key for s in stored])
        raise
    _delete([s.blob.key for s in stored if s.blob.key not in (kept or set())])
    if kept is None:  # another import took this package in meanwhile
        return outcome
    return ImportOutcome(
        package=label,
        number=number,
        status=ADDENDUM,
        reference=report.reference,
        report_id=report.pk,
    )


def _add_to(report: Report, read: _Read, stored: list[_Stored], actor: Actor) -> set[str] | None:
    """The addendum and its files, in one transaction: the storage keys of the files added
    (those the report did not hold already), or None when the package was taken in meanwhile."""
    drafts = [_file_draft(s) for s in stored]
    with transaction.atomic():
        _lock(read.referral.number)
        if read.digest in _digests_of(report):
            return None
        try:
            added = report_add_files(
                report=report,
                files=drafts,
                actor=actor,
                actor_label=None if actor else "cli:ncmec",
            )
        except ValidationError as exc:
            raise PackageRefused("; ".join(exc.messages)) from None
        keys = {f.storage_key for f in added}
        names = [(posixpath.basename(s.member), s.blob.key in keys) for s in stored]
        report_add_addendum(
            report=report,
            body=_addendum_text(read.referral, read.digest, read.body, names),
            channel=Channel.NCMEC_REFERRAL,
            actor=actor,
        )
    return keys


def _digests_of(report: Report) -> set[str]:
    first = (report.extra or {}).get("ncmec", {}).get("package_sha256")
    marks = {
        body.splitlines()[0].removeprefix(ADDENDUM_MARK)
        for body in Addendum.objects.filter(report=report).values_list("body", flat=True)
        if body.startswith(ADDENDUM_MARK)
    }
    return marks | ({first} if first else set())


def _addendum_text(
    referral: Referral, digest: str, body: bytes, files: list[tuple[str, bool]]
) -> str:
    listed = ", ".join(
        f"{name} ({'stored' if added else 'already held, not stored again'})"
        for name, added in files
    )
    notes = _analyst_words(referral.analyst) or "none"
    return (
        f"{ADDENDUM_MARK}{digest}\n"
        f"A later NCMEC package for CyberTipline report {referral.number}"
        f" (NCMEC priority {referral.priority or 'not given'}).\n"
        f"NCMEC analyst: {notes}\nIts files: {listed or 'none'}\n\n"
        f"The package XML as received:\n{body.decode('utf-8', errors='replace')}"
    )
