"""The court bundle: one ZIP a prosecutor or defence expert can check without this platform.

It holds the case's digital items, `custody_log.csv` and `custody_log.pdf`, `case_summary.txt`
and `case_summary.pdf` (the same facts, for reading and for printing), a `SHA256SUMS`
manifest of all of them in `sha256sum` format, and `SHA256SUMS.sig`, the raw Ed25519 signature
of the manifest (`KEY.pem` beside it names the public key; verify with the one the agency
publishes, `tipline evidence public-key`):

    sha256sum -c SHA256SUMS
    openssl pkeyutl -verify -pubin -inkey KEY.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from tipline.accounts.models import User
from tipline.cases.choices import CustodyAction
from tipline.cases.models import Case, CustodyEvent, EvidenceItem
from tipline.cases.pdf import text_pdf
from tipline.cases.services import case_record_bundle, custody_record
from tipline.cases.signing import sign, signing_keys
from tipline.common.time import WAT, utcnow
from tipline.media.storage import read_decrypted

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class BundleResult:
    """What went into a bundle: the manifest's lines and the key that signed it."""

    manifest: str
    key_id: str
    items: list[str]


def _item_name(item: EvidenceItem) -> str:
    safe = _UNSAFE.sub("_", item.original_name or item.kind)[-80:].strip("._") or "item"
    return f"items/{item.label}-{safe}"


def _write_item(zf: zipfile.ZipFile, item: EvidenceItem, name: str) -> str:
    key = item.report_file.storage_key if item.report_file else item.storage_key
    digest = hashlib.sha256()
    with zf.open(name, "w", force_zip64=True) as out:
        for chunk in read_decrypted(key):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _custody_csv(items: list[EvidenceItem]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "item",
            "at_utc",
            "action",
            "actor",
            "from",
            "to",
            "purpose",
            "sha256_before",
            "sha256_after",
        ]
    )
    events = CustodyEvent.objects.filter(item__in=items).select_related("item", "actor")
    for e in events.order_by("item__number", "at", "pk"):
        writer.writerow(
            [
                e.item.label,
                e.at.isoformat(),
                e.action,
                e.actor.username,
                e.from_party,
                e.to_party,
                e.purpose,
                e.sha256_before,
                e.sha256_after,
            ]
        )
    return out.getvalue().encode("utf-8")


def _summary(case: Case, items: list[EvidenceItem], key_id: str) -> bytes:
    now = utcnow()
    lines = [
        f"Case {case.reference}: {case.title}",
        f"Command: {case.command.name}",
        f"Status: {case.get_status_display()} (HTCDS cas_Status {case.htcds_status})",
        f"Lead investigator: {case.lead.username}",
        f"Opened: {case.opened_at.astimezone(WAT):%Y-%m-%d %H:%M} WAT",
        f"Bundle produced: {now.astimezone(WAT):%Y-%m-%d %H:%M} WAT ({now.isoformat()} UTC)",
        f"Manifest signed with key: {key_id} (Ed25519)",
        "",
        "Evidence items:",
    ]
    for item in items:
        flag = "  HASH MISMATCH: recomputed hash differs from intake" if item.hash_mismatch else ""
        lines.append(
            f"  {item.label} {item.get_kind_display()}; holder {item.holder or '-'}; "
            f"intake SHA-256 {item.sha256 or '(physical item)'}{flag}"
        )
    lines += [
        "",
        "Verify: sha256sum -c SHA256SUMS",
        "        openssl pkeyutl -verify -pubin -inkey KEY.pem -rawin -in SHA256SUMS "
        "-sigfile SHA256SUMS.sig",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _custody_pdf(case: Case, custody_csv: bytes) -> bytes:
    """The custody log as a printable PDF: one paragraph per event, every column named."""
    rows = list(csv.reader(io.StringIO(custody_csv.decode("utf-8"))))
    header, events = rows[0], rows[1:]
    text = "\n\n".join(
        "\n".join(f"{name}: {value or '-'}" for name, value in zip(header, row, strict=True))
        for row in events
    )
    return text_pdf(f"Chain of custody {case.reference}", text or "No events.", size=8)


def _digital(item: EvidenceItem) -> bool:
    return bool(item.storage_key or (item.report_file and item.report_file.storage_key))


def _record_copies(items: list[EvidenceItem], actor: User, ip: str | None) -> None:
    """Copying into a bundle is a custody event of each digital item (its hash recomputed,
    a difference flagged before the bundle is written)."""
    for item in (i for i in items if _digital(i)):
        custody_record(
            item=item,
            action=CustodyAction.COPY,
            actor=actor,
            to_party="court bundle",
            purpose="Copied into a court bundle",
            ip=ip,
        )


def _write_zip(zf: zipfile.ZipFile, case: Case, items: list[EvidenceItem]) -> tuple[str, str]:
    sums = [(_write_item(zf, i, _item_name(i)), _item_name(i)) for i in items if _digital(i)]
    key = signing_keys()[0]
    custody, summary = _custody_csv(items), _summary(case, items, key.key_id)
    for name, data in (
        ("custody_log.csv", custody),
        ("custody_log.pdf", _custody_pdf(case, custody)),
        ("case_summary.txt", summary),
        ("case_summary.pdf", text_pdf(f"Case summary {case.reference}", summary.decode())),
    ):
        zf.writestr(name, data)
        sums.append((hashlib.sha256(data).hexdigest(), name))
    manifest = "".join(f"{digest}  {name}\n" for digest, name in sums)
    key_id, signature = sign(manifest.encode("utf-8"))
    zf.writestr("SHA256SUMS", manifest)
    zf.writestr("SHA256SUMS.sig", signature)
    zf.writestr("KEY.pem", key.public_pem)
    return manifest, key_id


def bundle_write(
    *,
    case: Case,
    target: BinaryIO,
    actor: User,
    item_numbers: list[int] | None = None,
    ip: str | None = None,
) -> BundleResult:
    """Write the case's court bundle as a ZIP into `target` (all items, or those numbered).
    Each digital item's copy is a custody event; the bundle is audited and on the timeline."""
    qs = case.evidence.select_related("report_file").order_by("number")
    items = [i for i in qs if item_numbers is None or i.number in item_numbers]
    _record_copies(items, actor, ip)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        manifest, key_id = _write_zip(zf, case, items)
    labels = [i.label for i in items]
    case_record_bundle(case=case, items=labels, key_id=key_id, actor=actor, ip=ip)
    return BundleResult(manifest=manifest, key_id=key_id, items=labels)
