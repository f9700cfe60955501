"""The OpenAPI 3 document of the partners' API (the pull feed and inbound referrals), generated
from `ReferralInput` so the request schema lives once. Served at /api/v1/exchange/openapi.json,
and merged into the API's main document at /api/v1/openapi.json (which intake owns; the two apps
do not import each other, so settings `API_OPENAPI_PARTS` names this module's `openapi_part`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from tipline.exchange.choices import EventType, Section
from tipline.exchange.referrals import ReferralInput

REF = "#/components/schemas/{model}"
FEED_LIMIT_DEFAULT = 100
FEED_LIMIT_MAX = 500


def _problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "retry_after": {"type": "integer"},
        },
        "required": ["type", "title", "status"],
    }


def _package_schema() -> dict[str, Any]:
    anything = {"type": "object", "additionalProperties": True}
    listed = {"type": "array", "items": anything}
    return {
        "type": "object",
        "description": "Exactly what the partner may receive: the sections of its redaction "
        "profile, at or below its TLP level. A report's reporter never appears.",
        "properties": {
            "schema": {"type": "string", "const": "tipline.exchange/1"},
            "reference": {"type": "string"},
            "case": {"type": "string", "description": "A case's reference (case packages)."},
            "tlp": {"type": "string"},
            "sections": {"type": "array", "items": {"type": "string", "enum": Section.values}},
            "incident": anything,
            "narrative": anything,
            "priority": anything,
            "people": listed,
            "internet_details": listed,
            "files": listed,
            "reports": listed,
            "outcomes": listed,
        },
        "required": ["schema", "tlp", "sections"],
    }


def _feed_schema() -> dict[str, Any]:
    item = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "The event's id in this feed."},
            "type": {"type": "string", "enum": EventType.values},
            "created_at": {"type": "string", "format": "date-time"},
            "webhook_id": {
                "type": ["string", "null"],
                "description": "The same event's webhook-id, when it was also sent by webhook.",
            },
            "data": {"$ref": REF.format(model="Package")},
            "withheld": {
                "type": "string",
                "description": "Why the event's data is no longer given (e.g. its level rose).",
            },
        },
        "required": ["id", "type", "created_at"],
    }
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": item},
            "next_cursor": {"type": "string", "description": "Opaque: send it back as is."},
            "has_more": {"type": "boolean"},
        },
        "required": ["items", "next_cursor", "has_more"],
    }


def _accepted_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "reference": {"type": "string"},
            "external_id": {"type": "string"},
            "status": {"type": "string"},
            "received_at": {"type": "string", "format": "date-time"},
        },
        "required": ["reference", "external_id", "status"],
    }


def _responses(ok: dict[str, Any], **errors: str) -> dict[str, Any]:
    common = {
        "401": "Missing or invalid API key",
        "403": "The key lacks the scope, or belongs to no active partner",
        "429": "Rate limited; see Retry-After",
        **errors,
    }
    problem = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
    return ok | {code: {"description": text, "content": problem} for code, text in common.items()}


def _json(model: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}},
    }


def _paths() -> dict[str, Any]:
    query = {"in": "query", "required": False}
    feed = {
        "get": {
            "operationId": "getFeed",
            "summary": "Events shared with your agency, oldest first (scope `feed:read`)",
            "parameters": [
                {**query, "name": "cursor", "schema": {"type": "string"}},
                {
                    **query,
                    "name": "limit",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": FEED_LIMIT_MAX,
                        "default": FEED_LIMIT_DEFAULT,
                    },
                },
            ],
            "responses": _responses(
                {"200": _json("Feed", "A page of events")}, **{"400": "Invalid cursor or limit"}
            ),
        }
    }
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": REF.format(model="ReferralInput")}}},
    }
    referrals = {
        "post": {
            "operationId": "createReferral",
            "summary": "Refer a report to the agency (scope `referrals:submit`)",
            "requestBody": body,
            "responses": _responses(
                {
                    "201": _json("ReferralAccepted", "Stored as a report"),
                    "200": _json("ReferralAccepted", "Received before; nothing stored again"),
                },
                **{
                    "400": "Invalid body; messages per field",
                    "409": "The referral id was used before with a different body",
                    "413": "Body too large",
                    "415": "Not application/json",
                },
            ),
        }
    }
    return {"/api/v1/feed": feed, "/api/v1/referrals": referrals}


def openapi_part() -> dict[str, Any]:
    """The partners' paths and schemas, for the API's main document too (named in settings
    `API_OPENAPI_PARTS`, which intake's document merges in)."""
    schema = ReferralInput.model_json_schema(ref_template=REF)
    components = dict(schema.pop("$defs", {}))
    components.update(
        ReferralInput=schema,
        Problem=_problem_schema(),
        Package=_package_schema(),
        Feed=_feed_schema(),
        ReferralAccepted=_accepted_schema(),
    )
    return {"paths": _paths(), "schemas": components}


@cache
def openapi_document() -> dict[str, Any]:
    """The partners' own document (built once per process)."""
    part = openapi_part()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tipline partners' API",
            "version": "1.0.0",
            "description": "For partner agencies: pull what is shared with you, and refer "
            "reports to the agency. Authenticate with `Authorization: Bearer <key>`; the key "
            "must belong to a registered partner.",
        },
        "paths": part["paths"],
        "components": {
            "schemas": part["schemas"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
