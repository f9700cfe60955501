"""Images on POST /api/v1/screen: checked by content, hashed in memory, matched against the known
hash lists and earlier reports' files, never stored. Every image is generated here."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from typing import Any

import numpy as np
import pytest
from django.core.cache import cache
from django.test import Client
from PIL import Image

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.services import api_client_create
from tipline.audit.models import AuditEvent
from tipline.conftest import draft
from tipline.intake.openapi import openapi_document
from tipline.media.hashing import pdq_from_image
from tipline.media.index import reset_for_tests
from tipline.media.models import HashListEntry
from tipline.media.services import hashlist_create
from tipline.reports.drafts import FileDraft
from tipline.reports.models import Report, ReportFile
from tipline.reports.services import report_submit
from tipline.screening.images import IMAGE_MAX_BYTES

URL = "/api/v1/screen"
ADVERT = "Housemaids wanted in Dubai, good pay. WhatsApp only."


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    reset_for_tests()


@pytest.fixture
def partner(db: Any) -> str:
    cache.clear()
    created = api_client_create(name="Partner NGO", kind=ClientKind.PARTNER, scopes=["screening"])
    return created.api_key


def _picture(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 255, size=(8, 8, 3), dtype=np.uint8)
    return Image.fromarray(blocks).resize((320, 240), Image.Resampling.NEAREST)


def _encoded(image: Image.Image, kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _post(key: str | None, *images: dict[str, str], text: str = ADVERT) -> Any:
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    body = {"texts": [{"text": text, "images": list(images)}]}
    return Client().post(URL, json.dumps(body), content_type="application/json", headers=auth)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _report_with_file(**hashes: Any) -> Report:
    return report_submit(draft=draft(files=[FileDraft(**hashes)])).report


def test_a_picture_already_in_reports_names_how_many_and_their_references(
    partner: str, geo: Any
) -> None:
    original = _picture(1)
    near = _report_with_file(pdq=pdq_from_image(original).hash, pdq_quality=90)
    jpeg = _encoded(original.resize((300, 225)), "JPEG")  # another size and format
    same_file = _report_with_file(md5="0" * 32)
    ReportFile.objects.filter(report=same_file).update(md5=_md5(jpeg))
    _report_with_file(pdq=pdq_from_image(_picture(2)).hash, pdq_quality=90)  # another picture
    [result] = _post(partner, {"data": _b64(jpeg), "media_type": "image/jpeg"}).json()["results"]
    finding = next(f for f in result["findings"] if f["indicator"] == "reported_image")
    assert finding["triggers"] == ["near-identical picture in 2 earlier report(s)"]
    assert sorted(finding["linked_reports"]) == sorted([near.reference, same_file.reference])
    assert result["level"] != "none"  # raised one step, as a linked phone raises it


def test_an_unknown_picture_adds_nothing(partner: str, geo: Any) -> None:
    _report_with_file(pdq=pdq_from_image(_picture(2)).hash, pdq_quality=90)
    plain = _post(partner).json()["results"][0]
    [result] = _post(partner, {"data": _b64(_encoded(_picture(3)))}).json()["results"]
    assert (result["level"], result["findings"]) == (plain["level"], plain["findings"])


def test_a_picture_on_a_known_list_makes_it_high_naming_only_the_list(partner: str) -> None:
    picture = _encoded(_picture(4))
    hash_list = hashlist_create(name="Invented abuse list", source="invented", actor=None)
    HashListEntry.objects.create(
        hash_list=hash_list, label="secret label", pdq=pdq_from_image(_picture(4)).hash
    )
    response = _post(partner, {"data": _b64(picture)}, text="Hello.")
    [result] = response.json()["results"]
    assert result["level"] == "high"
    [finding] = result["findings"]
    assert finding["indicator"] == "known_abuse_image"
    assert finding["triggers"] == ["hash list Invented abuse list"]
    assert "secret label" not in response.content.decode()
    audit = AuditEvent.objects.get(action="screening.api_screened")
    assert audit.after["images"] == 1 and audit.after["known_lists"] == finding["triggers"]


def test_a_disabled_entry_or_inactive_list_does_not_match(partner: str) -> None:
    hash_list = hashlist_create(name="Old list", source="invented", actor=None)
    HashListEntry.objects.create(
        hash_list=hash_list, label="x", md5=_md5(_encoded(_picture(5))), enabled=False
    )
    [result] = _post(partner, {"data": _b64(_encoded(_picture(5)))}).json()["results"]
    assert all(f["indicator"] != "known_abuse_image" for f in result["findings"])


@pytest.mark.parametrize(
    ("image", "status", "words"),
    [
        ({"data": _b64(_encoded(_picture(6), "JPEG")), "media_type": "image/png"}, 415, "declared"),
        ({"data": _b64(b"%PDF-1.4 not a picture at all" * 10)}, 415, "not an image"),
        ({"data": _b64(b"\x89PNG\r\n\x1a\n" + b"\0" * IMAGE_MAX_BYTES)}, 413, "exceeds"),
        ({"data": _b64(_encoded(_picture(6))[:120])}, 422, "cannot be decoded"),
        ({"data": "not base64 at all!"}, 400, "base64"),
    ],
)
def test_a_lying_oversized_or_broken_image_is_refused_as_problem_json_and_nothing_is_screened(
    partner: str, image: dict[str, str], status: int, words: str
) -> None:
    before = (Report.objects.count(), ReportFile.objects.count(), AuditEvent.objects.count())
    response = _post(partner, {"data": _b64(_encoded(_picture(7)))}, image)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["field"] == "texts.0.images.1"
    assert words in problem["detail"]
    after = (Report.objects.count(), ReportFile.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_too_many_images_per_text_or_per_batch_are_a_400(partner: str) -> None:
    one = {"data": _b64(_encoded(_picture(8)))}
    assert _post(partner, *[one] * 5).status_code == 400
    body = {"texts": [{"text": "a", "images": [one] * 4}] * 6}
    auth = {"Authorization": f"Bearer {partner}"}
    many = Client().post(URL, json.dumps(body), content_type="application/json", headers=auth)
    assert many.status_code == 400 and "images per request" in json.dumps(many.json())


def test_images_are_never_stored(partner: str, geo: Any) -> None:
    _report_with_file(pdq=pdq_from_image(_picture(9)).hash, pdq_quality=90)
    before = (ReportFile.objects.count(), HashListEntry.objects.count())
    assert _post(partner, {"data": _b64(_encoded(_picture(9)))}).status_code == 200
    assert (ReportFile.objects.count(), HashListEntry.objects.count()) == before
    audit = AuditEvent.objects.get(action="screening.api_screened")
    assert _md5(_encoded(_picture(9))) not in json.dumps(audit.after)


def test_an_outsider_without_the_scope_or_a_key_learns_nothing_of_an_image(
    partner: str, geo: Any
) -> None:
    _report_with_file(pdq=pdq_from_image(_picture(10)).hash, pdq_quality=90)
    outsider = api_client_create(
        name="Platform", kind=ClientKind.PLATFORM, scopes=[Scope.REPORTS_SUBMIT]
    ).api_key
    image = {"data": _b64(_encoded(_picture(10)))}
    refused = _post(outsider, image)
    assert refused.status_code == 403 and "reported_image" not in refused.content.decode()
    assert _post(None, image).status_code == 401
    assert not AuditEvent.objects.filter(action="screening.api_screened").exists()


def test_the_openapi_document_describes_the_images_and_their_refusals() -> None:
    doc = openapi_document()
    schemas = doc["components"]["schemas"]
    images = schemas["OfferInput"]["properties"]["images"]
    assert images["maxItems"] == 4 and "ImageInput" in json.dumps(images)
    assert "data" in schemas["ImageInput"]["required"]
    responses = doc["paths"]["/api/v1/screen"]["post"]["responses"]
    for code in ("400", "413", "415", "422"):
        assert "application/problem+json" in responses[code]["content"]
    assert "ScreenImageProblem" in schemas
