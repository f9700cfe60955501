"""Idempotency records of the JSON API."""

from __future__ import annotations

from typing import Any

from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a client's `Idempotency-Key`, replayed for identical retries."""

    api_client = models.ForeignKey("accounts.ApiClient", on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    request_sha256 = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response: models.JSONField[Any, Any] = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_client", "key"],
                name="one_response_per_idempotency_key",
                violation_error_message="This Idempotency-Key was already used.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.api_client_id}:{self.key}"
