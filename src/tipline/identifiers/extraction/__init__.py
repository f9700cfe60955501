"""Identifier extraction and normalisation: phones, emails, URLs, platform accounts, IPs,
crypto wallets and Nigerian bank accounts, from structured fields and from free text in English,
Hausa, Yoruba, Igbo and Nigerian Pidgin.

Precision comes first: a false identifier links strangers' reports, so every candidate must pass
its checksum or validity rule and, where digits alone are ambiguous, a context rule. Everything
runs offline (the public suffix list is tldextract's bundled snapshot).
"""

from __future__ import annotations

from .model import STRONG_KINDS, Identifier
from .structured import normalize, normalize_any
from .text import extract_text

__all__ = ["STRONG_KINDS", "Identifier", "extract_text", "normalize", "normalize_any"]
