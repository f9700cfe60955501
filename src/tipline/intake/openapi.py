"""The OpenAPI 3 document of the JSON API, generated from `ReportInput` so the schema lives once.

Other apps' endpoints under /api/v1/ join it as parts named in settings `API_OPENAPI_PARTS`
(dotted paths of functions returning `{"paths": …, "schemas": …}`): the settings decide what the
API is, as config/urls.py mounts it, and intake imports no app above its layer."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from tipline.reports.drafts import ReportInput
from tipline.screening.api import BATCH_MAX as SCREEN_BATCH_MAX
from tipline.screening.api import openapi_components as screening_components
from tipline.screening.api import openapi_image_responses

REF = "#/components/schemas/{model}"


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["error"],
    }


def _status_schema() -> dict[str, Any]:
    text = {"type": "string"}
    nullable = {"type": ["string", "null"]}
    return {
        "type": "object",
        "properties": {
            "reference": text,
            "status": text,
            "priority": nullable,
            "external_id": nullable,
            "routed_command": nullable,
            "received_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "receipt_code": {**text, "description": "Returned once, on creation."},
        },
        "required": ["reference", "status"],
    }


def _batch_result_schema() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    item = {
        "type": "object",
        "properties": {"index": count, "http_status": {"type": "integer"}},
        "required": ["index", "http_status"],
    }
    return {
        "type": "object",
        "properties": {
            "accepted": count,
            "rejected": count,
            "results": {"type": "array", "items": item},
        },
        "required": ["accepted", "rejected", "results"],
    }


def _responses(success: int, schema: str, **more: str) -> dict[str, Any]:
    errors = {
        "400": "Invalid body; messages per field",
        "401": "Missing or invalid API key",
        "403": "The key lacks the needed scope",
        "409": "Idempotency-Key reused",
        "413": "Body too large",
        "415": "Not application/json",
        "429": "Rate limited; see Retry-After",
        **more,
    }
    out: dict[str, Any] = {
        str(success): {
            "description": "OK",
            "content": {"application/json": {"schema": {"$ref": REF.format(model=schema)}}},
        }
    }
    for code, text in errors.items():
        out[code] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
        }
    return out


def _idempotency_header() -> dict[str, Any]:
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": 200},
        "description": "Retry safely: the same key and body replay the first response.",
    }


def _batch_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["reports"],
        "properties": {
            "reports": {
                "type": "array",
                "minItems": 1,
                "maxItems": 1000,
                "items": {"$ref": REF.format(model="ReportInput")},
            }
        },
    }


def _with_link(responses: dict[str, Any], status: str) -> dict[str, Any]:
    """A created report links to its status, so clients (and stateful fuzzers) can follow it."""
    responses[status]["links"] = {
        "GetReport": {
            "operationId": "getReport",
            "parameters": {"reference": "$response.body#/reference"},
        }
    }
    return responses


def _paths() -> dict[str, Any]:
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="ReportInput")}}},
    }
    batch = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Batch")}}},
    }
    return {
        "/api/v1/reports": {
            "post": {
                "summary": "Submit one report",
                "requestBody": body,
                "parameters": [_idempotency_header()],
                "responses": _with_link(_responses(201, "ReportStatus"), "201"),
            }
        },
        "/api/v1/reports/batch": {
            "post": {
                "summary": "Submit up to 1,000 reports; answered item by item",
                "requestBody": batch,
                "parameters": [_idempotency_header()],
                "responses": _responses(200, "BatchResult"),
            }
        },
        "/api/v1/reports/{reference}": {
            "get": {
                "operationId": "getReport",
                "summary": "Status of one of your own reports (others answer 404)",
                "parameters": [
                    {
                        "name": "reference",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": _responses(200, "ReportStatus", **{"404": "Not one of your reports"}),
            }
        },
        "/api/v1/screen": {
            "post": {
                "summary": f"Screen up to {SCREEN_BATCH_MAX} offers for trafficking indicators "
                "(scope `screening`), each with optional URL, phones and images (base64, "
                "hashed in memory: PDQ and MD5 against the known hash lists and earlier "
                "reports' files); nothing is stored",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": REF.format(model="ScreenRequest")}}
                    },
                },
                "responses": openapi_image_responses(_responses(200, "ScreenResult")),
            }
        },
    }


def _parts() -> list[dict[str, Any]]:
    return [import_string(name)() for name in settings.API_OPENAPI_PARTS]


def _merge(into: dict[str, Any], more: dict[str, Any], what: str) -> None:
    """Add a part's entries; one that differs from an entry of the same name is a mistake."""
    for name, value in more.items():
        if into.setdefault(name, value) != value:
            raise ImproperlyConfigured(f"Two API documents describe the {what} {name} apart.")


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document (built once per process)."""
    schema = ReportInput.model_json_schema(ref_template=REF)
    components = dict(schema.pop("$defs", {}))
    components["ReportInput"] = schema
    components.update(
        Error=_error_schema(),
        ReportStatus=_status_schema(),
        Batch=_batch_schema(),
        BatchResult=_batch_result_schema(),
    )
    components.update(screening_components())
    paths = _paths()
    for part in _parts():
        _merge(paths, part["paths"], "path")
        _merge(components, part["schemas"], "schema")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tipline reporting API",
            "version": "1.0.0",
            "description": "Submit reports of online child sexual exploitation and human "
            "trafficking. Authenticate with `Authorization: Bearer <key>`.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
