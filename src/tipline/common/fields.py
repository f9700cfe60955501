"""Model fields that encrypt their value at rest (AES-GCM, see `tipline.common.crypto`)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from tipline.common import crypto


class EncryptedTextField(models.TextField[Any, Any]):
    """A text value stored as ciphertext with its key id. Not searchable or orderable by design."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt_text(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]  # None or the empty string stay as they are
        return crypto.encrypt_text(str(value))


class EncryptedJSONField(models.TextField[Any, Any]):
    """A JSON value (dict or list) stored encrypted."""

    # Tell django-stubs what the field takes and gives, since its base class is a text field.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(crypto.decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return crypto.encrypt_text(json.dumps(value, sort_keys=True, default=str))
