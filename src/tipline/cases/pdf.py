"""PDFs of legal requests, drawn with fpdf2 (pure Python, no system libraries).

fpdf2's core fonts cover Latin-1 only, and a bundled Unicode font would be a font file to ship
and keep; so text is folded to Latin-1 first (accents kept where Latin-1 has them, others
decomposed, anything else '?'). A request's wording is the administrators' and investigators'.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from tipline.cases.models import LegalRequest

# Typographic characters that Latin-1 lacks but templates are likely to hold.
_REPLACEMENTS = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "₦": "NGN "}
)


def latin1(text: str) -> str:
    """`text` as the PDF's core fonts can draw it."""
    folded = []
    for char in text.translate(_REPLACEMENTS):
        try:
            char.encode("latin-1")
            folded.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            folded.append(base or "?")
    return "".join(folded)


def _document(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(title))
    pdf.set_creator("tipline")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    return pdf


def _paragraph(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")


def legal_request_pdf(request: LegalRequest) -> bytes:
    """The request as a letter: heading, reference, title, then its text."""
    pdf = _document(f"{request.case.reference} {request.label}")
    pdf.set_font("Helvetica", "B", 11)
    _paragraph(pdf, 6, "National Agency for the Prohibition of Trafficking in Persons")
    pdf.set_font("Helvetica", "", 10)
    _paragraph(pdf, 6, f"Our reference: {request.case.reference}/{request.label}")
    _paragraph(pdf, 6, f"To: {request.holder}")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    _paragraph(pdf, 7, request.title)
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10)
    _paragraph(pdf, 5.5, request.body)
    return bytes(pdf.output())


def text_pdf(title: str, text: str, *, size: float = 10) -> bytes:
    """A plain document: a bold title, then the text line by line (court-bundle summaries)."""
    pdf = _document(title)
    pdf.set_font("Helvetica", "B", 12)
    _paragraph(pdf, 7, title)
    pdf.ln(2)
    pdf.set_font("Helvetica", "", size)
    _paragraph(pdf, size * 0.55, text)
    return bytes(pdf.output())
