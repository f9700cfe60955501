"""POST /api/v1/screen: partners screen up to 100 offers at once (scope `screening`).

It follows the reporting API's shape (intake/api.py): a bearer key with its scope, the same rate
limit and body ceiling, JSON errors with messages per field. The texts are not stored; the audit
row says who screened how many and which report references the answer disclosed.

A text may carry a few images (base64). Each is checked by its content (`screening.images`) and
reduced to MD5 and PDQ in memory; a refused image is an `application/problem+json` answer naming
it, and nothing of the batch is screened. Images are never stored.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from tipline.accounts.auth import api_client_from_request
from tipline.accounts.choices import Scope
from tipline.accounts.models import ApiClient
from tipline.common.ratelimit import rate_limit_hit
from tipline.screening.engine import Screening
from tipline.screening.images import (
    IMAGE_MAX_BYTES,
    IMAGES_PER_TEXT,
    ImageHashes,
    ImageProblem,
    image_hashes,
)
from tipline.screening.services import TextInput, api_screen

BATCH_MAX = 100
TEXT_MAX = 20_000
# Images decoded per request: each may be a 1 MiB PNG of millions of pixels.
IMAGES_PER_BATCH = 20


class ImageInput(BaseModel):
    """One image beside a text: its bytes in base64, and optionally the type the sender says it
    is (the content decides; a contradicting type is refused)."""

    model_config = ConfigDict(extra="forbid")
    data: str = Field(description=f"The image in standard base64, at most {IMAGE_MAX_BYTES} bytes")
    media_type: Annotated[str, StringConstraints(max_length=100)] = ""


class OfferInput(BaseModel):
    """One text to screen: an advert, a message or a tip, with where it was seen, phones and
    images."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    text: Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)]
    url: Annotated[str, StringConstraints(max_length=2000)] = ""
    phones: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default_factory=list, max_length=20
    )
    images: list[ImageInput] = Field(default_factory=list, max_length=IMAGES_PER_TEXT)


class ScreenRequest(BaseModel):
    """Up to 100 texts."""

    model_config = ConfigDict(extra="forbid")
    texts: list[OfferInput] = Field(min_length=1, max_length=BATCH_MAX)

    @model_validator(mode="after")
    def _few_images(self) -> ScreenRequest:
        if sum(len(t.images) for t in self.texts) > IMAGES_PER_BATCH:
            raise ValueError(f"At most {IMAGES_PER_BATCH} images per request.")
        return self


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _image_problem(problem: ImageProblem, field: str) -> JsonResponse:
    """An RFC 9457 answer for a refused image; `error` too, as the endpoint's other errors."""
    body = {"type": "about:blank", "title": "Image refused", "status": problem.status}
    body |= {"detail": problem.detail, "field": field, "error": problem.detail}
    return JsonResponse(body, status=problem.status, content_type="application/problem+json")


def _hashed(parsed: ScreenRequest) -> tuple[list[TextInput], HttpResponse | None]:
    """The texts with their images' hashes, or the answer refusing the first bad image."""
    items = []
    for i, offer in enumerate(parsed.texts):
        hashes: list[ImageHashes] = []
        for j, image in enumerate(offer.images):
            try:
                hashes.append(image_hashes(image.data, image.media_type))
            except ImageProblem as problem:
                return [], _image_problem(problem, f"texts.{i}.images.{j}")
        items.append(
            TextInput(text=offer.text, url=offer.url, phones=tuple(offer.phones), images=(*hashes,))
        )
    return items, None


def _guard(request: HttpRequest) -> tuple[ApiClient | None, HttpResponse | None]:
    """Authenticate, authorise and rate-limit, as the reporting API does."""
    client = api_client_from_request(request)
    if client is None:
        response = _error(401, "Missing or invalid API key.")
        response["WWW-Authenticate"] = 'Bearer realm="tipline"'
        return None, response
    if not client.has_scope(Scope.SCREENING):
        return None, _error(403, f"This API key lacks the {Scope.SCREENING.value!r} scope.")
    verdict = rate_limit_hit(
        key=f"api:{client.pk}", limit=settings.RATE_LIMIT_API_PER_MINUTE, window_seconds=60
    )
    if not verdict.allowed:
        response = _error(429, "Too many requests.", retry_after=verdict.retry_after)
        response["Retry-After"] = str(verdict.retry_after)
        return None, response
    return client, None


def _read(request: HttpRequest) -> tuple[ScreenRequest | None, HttpResponse | None]:
    if (request.content_type or "") != "application/json":
        return None, _error(415, "Send the body as application/json.")
    body = request.read(settings.API_MAX_BODY_BYTES + 1)
    if len(body) > settings.API_MAX_BODY_BYTES:
        return None, _error(413, f"The body exceeds {settings.API_MAX_BODY_BYTES} bytes.")
    try:
        return ScreenRequest.model_validate(json.loads(body.decode("utf-8"))), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, _error(400, "The body is not valid UTF-8 JSON.", detail=str(exc))
    except ValidationError as exc:
        fields: dict[str, list[str]] = {}
        for item in exc.errors():
            fields.setdefault(".".join(str(p) for p in item["loc"]) or "body", []).append(
                item["msg"]
            )
        return None, _error(400, "Invalid request.", fields=fields)


def _result(index: int, screening: Screening, references: dict[int, str]) -> dict[str, Any]:
    return {
        "index": index,
        "level": screening.level,
        "score": screening.score,
        "findings": [
            {
                "indicator": f.id,
                "name": f.indicator.name("en"),
                "explanation": f.indicator.explanation("en"),
                "weight": f.indicator.weight,
                "sources": list(f.indicator.sources),
                "triggers": list(f.triggers),
                "linked_reports": [references[pk] for pk in f.linked_reports if pk in references],
            }
            for f in screening.findings
        ],
        "identifiers": [{"kind": i.kind, "value": i.normalized} for i in screening.identifiers],
    }


@csrf_exempt  # a token API has no cookie session to protect
@require_http_methods(["POST"])
def screen(request: HttpRequest) -> HttpResponse:
    """POST /api/v1/screen: each text's indicators, explained, with its level."""
    client, denied = _guard(request)
    if denied is not None or client is None:
        return denied or _error(401, "Missing or invalid API key.")
    parsed, bad = _read(request)
    if bad is not None or parsed is None:
        return bad or _error(400, "Invalid request.")
    items, refused = _hashed(parsed)
    if refused is not None:
        return refused
    outcome = api_screen(client=client, items=items)
    results = [_result(i, s, outcome.references) for i, s in enumerate(outcome.screenings)]
    return JsonResponse({"results": results})


def _result_schema() -> dict[str, Any]:
    text = {"type": "string"}
    words = {"type": "array", "items": text}
    finding = {
        "type": "object",
        "properties": {
            "indicator": text,
            "name": text,
            "explanation": text,
            "weight": {"type": "integer"},
            "sources": words,
            "triggers": words,
            "linked_reports": words,
        },
        "required": ["indicator", "name", "explanation", "triggers"],
    }
    level = {"type": "string", "enum": ["none", "low", "medium", "high"]}
    result = {
        "type": "object",
        "properties": {
            "index": {"type": "integer"},
            "level": level,
            "score": {"type": "integer"},
            "findings": {"type": "array", "items": finding},
            "identifiers": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["index", "level", "score", "findings"],
    }
    return {
        "type": "object",
        "properties": {"results": {"type": "array", "items": result}},
        "required": ["results"],
    }


def _image_problem_schema() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "properties": {
            "type": text,
            "title": text,
            "status": {"type": "integer"},
            "detail": text,
            "field": {"type": "string", "description": "Which image, as texts.N.images.M"},
            "error": text,
        },
        "required": ["title", "status", "detail", "field"],
    }


IMAGE_REFUSALS = {
    "400": "An image that is not valid base64",
    "413": f"An image over {IMAGE_MAX_BYTES} bytes or with too many pixels to decode",
    "415": "An image whose content is not an image, or not the media_type declared",
    "422": "An image that cannot be decoded",
}


def openapi_image_responses(responses: dict[str, Any]) -> dict[str, Any]:
    """The endpoint's responses with the image refusals added (problem+json beside JSON)."""
    ref = {"$ref": "#/components/schemas/ScreenImageProblem"}
    out = dict(responses)
    for code, text in IMAGE_REFUSALS.items():
        before = out.get(code, {"description": "", "content": {}})
        description = f"{before['description']}; or {text}" if before["description"] else text
        content = {**before["content"], "application/problem+json": {"schema": ref}}
        out[code] = {"description": description, "content": content}
    return out


def openapi_components() -> dict[str, Any]:
    """The request and answer schemas, for the API's OpenAPI document (intake/openapi.py)."""
    request_schema = ScreenRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    components = dict(request_schema.pop("$defs", {}))
    return components | {
        "ScreenRequest": request_schema,
        "ScreenResult": _result_schema(),
        "ScreenImageProblem": _image_problem_schema(),
    }
