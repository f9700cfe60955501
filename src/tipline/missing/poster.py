"""The printable A4 poster of an alert (PDF, fpdf2): photo, name, description, last seen, the
627 hotline and the alert's address. Core fonts are Latin-1, so names are written without the
marks Latin-1 lacks (Ọ becomes O); the page on the site shows them in full."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from fpdf import FPDF

from tipline.missing.cap import describe

# After each block of text, the next starts on a new line at the left margin.
_NEXT: dict[str, Any] = {"new_x": "LMARGIN", "new_y": "NEXT"}


def latin(text: str) -> str:
    """Text the core fonts can draw: letters outside Latin-1 lose their marks."""
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in base if ord(c) < 256 and not unicodedata.combining(c)))
    return "".join(out)


def poster_pdf(public: dict[str, Any], *, photo: bytes | None, url: str) -> bytes:
    """One A4 page."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 40)
    pdf.cell(0, 20, "MISSING CHILD", align="C", new_x="LMARGIN", new_y="NEXT")
    if photo:
        pdf.image(io.BytesIO(photo), x=55, y=35, w=100)
        pdf.set_y(145)
    pdf.set_font("Helvetica", "B", 26)
    pdf.cell(0, 14, latin(str(public.get("name", ""))), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.multi_cell(0, 8, latin(describe(public)), align="C", **_NEXT)
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 22)
    pdf.multi_cell(0, 12, "Seen this child? Call 627 (free) or 112", align="C", **_NEXT)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, latin(url), align="C", **_NEXT)
    return bytes(pdf.output())
