"""Response documents of the /ispws API, byte for byte in the shapes CyberTipline clients parse.

Every body is ISO-8859-1 with an XML declaration; characters outside Latin-1 (a Hausa name in
a validation message, say) are written as character references, so nothing is lost.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Final

from lxml import etree

__all__ = [
    "CONTENT_TYPE",
    "RESPONSE_DESCRIPTIONS",
    "ResponseCode",
    "report_done_response",
    "report_response",
]

CONTENT_TYPE: Final = "application/xml;charset=ISO-8859-1"
_ENCODING: Final = "ISO-8859-1"
_DECLARATION: Final = f'<?xml version="1.0" encoding="{_ENCODING}"?>\n'.encode("ascii")
# Characters XML 1.0 cannot carry at all; a description must never make the error path fail.
_NOT_XML_CHARS: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class ResponseCode(IntEnum):
    """The CyberTipline response codes."""

    SUCCESS = 0
    SERVER_ERROR = 1000
    SAVE_FAILED = 1100
    UPLOAD_FAILED = 1110
    FILE_UPLOAD_FAILED = 1111
    RESOURCE_NOT_FOUND = 1210
    UPDATE_FAILED = 1300
    AUTHENTICATION_REQUIRED = 2000
    NOT_AUTHORIZED = 3000
    NO_SUBMISSION_AUTHORIZATION = 3100
    NO_UPDATE_AUTHORIZATION = 3300
    INVALID_REQUEST = 4000
    VALIDATION_FAILED = 4100
    MALFORMED_XML = 4110
    MALFORMED_FILE = 4200
    REPORT_DOES_NOT_EXIST = 5001
    FILE_DOES_NOT_EXIST = 5002
    REPORT_ALREADY_RETRACTED = 5101
    REPORT_ALREADY_FINISHED = 5102


RESPONSE_DESCRIPTIONS: Final[dict[int, str]] = {
    ResponseCode.SUCCESS: "Success",
    ResponseCode.SERVER_ERROR: "Server error",
    ResponseCode.SAVE_FAILED: "Save failed",
    ResponseCode.UPLOAD_FAILED: "Upload failed",
    ResponseCode.FILE_UPLOAD_FAILED: "File upload failed",
    ResponseCode.RESOURCE_NOT_FOUND: "Resource not found",
    ResponseCode.UPDATE_FAILED: "Update failed",
    ResponseCode.AUTHENTICATION_REQUIRED: "Authentication required",
    ResponseCode.NOT_AUTHORIZED: "Not authorized",
    ResponseCode.NO_SUBMISSION_AUTHORIZATION: "No submission authorization",
    ResponseCode.NO_UPDATE_AUTHORIZATION: "No update authorization",
    ResponseCode.INVALID_REQUEST: "Invalid request",
    ResponseCode.VALIDATION_FAILED: "Validation failed",
    ResponseCode.MALFORMED_XML: "Malformed XML",
    ResponseCode.MALFORMED_FILE: "Malformed file",
    ResponseCode.REPORT_DOES_NOT_EXIST: "Report does not exist",
    ResponseCode.FILE_DOES_NOT_EXIST: "File does not exist",
    ResponseCode.REPORT_ALREADY_RETRACTED: "Report already retracted",
    ResponseCode.REPORT_ALREADY_FINISHED: "Report already finished",
}


def report_response(
    code: int,
    description: str | None = None,
    *,
    report_id: int | None = None,
    file_id: str | None = None,
    md5: str | None = None,
) -> bytes:
    """A ``<reportResponse>`` body.

    ``description`` defaults to the code's description in RESPONSE_DESCRIPTIONS; ``md5`` is
    written as ``<hash>`` (the upload's MD5 hex digest).
    """
    root = etree.Element("reportResponse")
    _add(root, "responseCode", str(int(code)))
    _add(root, "responseDescription", _NOT_XML_CHARS.sub("\ufffd", _description(code, description)))
    if report_id is not None:
        _add(root, "reportId", str(int(report_id)))
    if file_id is not None:
        _add(root, "fileId", file_id)
    if md5 is not None:
        _add(root, "hash", md5)
    return _serialise(root)


def report_done_response(report_id: int, file_ids: list[str]) -> bytes:
    """The ``<reportDoneResponse>`` body answering ``/finish`` (``<files/>`` when none)."""
    root = etree.Element("reportDoneResponse")
    _add(root, "responseCode", str(int(ResponseCode.SUCCESS)))
    _add(root, "reportId", str(int(report_id)))
    files = etree.SubElement(root, "files")
    for file_id in file_ids:
        _add(files, "fileId", file_id)
    return _serialise(root)


def _description(code: int, description: str | None) -> str:
    if description is not None:
        return description
    try:
        return RESPONSE_DESCRIPTIONS[code]
    except KeyError:
        raise ValueError(f"no default description for response code {code}") from None


def _add(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


def _serialise(root: etree._Element) -> bytes:
    # The declaration is written by hand: lxml quotes it with single quotes, the reference's
    # documents use double quotes.
    return _DECLARATION + etree.tostring(root, encoding=_ENCODING, xml_declaration=False)
