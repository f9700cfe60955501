"""The XML layer of the CyberTipline-compatible ``/ispws`` API.

* :mod:`.xml`: hardened parsing and validation against the platform's own XSD
  (``schema/tipline-ispws.xsd``), with NCMEC-style error messages;
* :mod:`.responses`: the ``reportResponse`` and ``reportDoneResponse`` bodies;
* :mod:`.mapping`: lossless conversion of ``report`` / ``fileDetails`` to plain data and back.

No Django here: the views that speak HTTP live elsewhere in the intake app.
"""

from .mapping import (
    dict_to_file_details,
    dict_to_report,
    file_details_to_dict,
    report_to_dict,
    serialize_document,
)
from .responses import (
    CONTENT_TYPE,
    RESPONSE_DESCRIPTIONS,
    ResponseCode,
    report_done_response,
    report_response,
)
from .xml import (
    DocumentTooLarge,
    IspwsXMLError,
    MalformedXML,
    ValidationFailed,
    parse_and_validate,
    parse_document,
    schema_bytes,
    validate,
)

__all__ = [
    "CONTENT_TYPE",
    "RESPONSE_DESCRIPTIONS",
    "DocumentTooLarge",
    "IspwsXMLError",
    "MalformedXML",
    "ResponseCode",
    "ValidationFailed",
    "dict_to_file_details",
    "dict_to_report",
    "file_details_to_dict",
    "parse_and_validate",
    "parse_document",
    "report_done_response",
    "report_response",
    "report_to_dict",
    "schema_bytes",
    "serialize_document",
    "validate",
]
