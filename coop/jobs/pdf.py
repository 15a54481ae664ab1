"""Joining a document printed in parts (WeasyPrint, a few thousand rows at a time) into one
PDF, and numbering its pages "Page N of M" across the whole document.

Each part is printed without page numbers: only once every part is printed is the number of
pages known. The numbers are then written on each page in a content stream of their own,
in Helvetica (one of the PDF's standard fonts, nothing to embed), at the place the printed
documents put them (bottom right).
"""

from collections.abc import Callable, Iterable
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
)

POINTS_PER_MM = 72 / 25.4
RIGHT_MARGIN = 12 * POINTS_PER_MM  # the documents' right page margin
BASELINE = 7 * POINTS_PER_MM  # from the bottom edge, in the middle of the bottom margin
FONT_SIZE = 8
FONT_NAME = "/VolierePageNumber"
# Widths of Helvetica's glyphs (thousandths of the font size), for right alignment.
_NARROW = dict.fromkeys("ijl'.,:;!|", 222) | dict.fromkeys(" ftI/[]()", 278)
_WIDTHS = {
    **_NARROW,
    "r": 333,
    "-": 333,
    "s": 500,
    "c": 500,
    "k": 500,
    "v": 500,
    "x": 500,
    "y": 500,
    "z": 500,
    "P": 667,
    "m": 833,
    "w": 722,
}


def _text_width(text: str) -> float:
    return sum(_WIDTHS.get(char, 556) for char in text) * FONT_SIZE / 1000


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_join_numbered(
    parts: Iterable[Path],
    output: Path,
    *,
    page_label: Callable[[int, int], str],
) -> int:
    """Join the PDF files `parts`, in order, into `output`; write `page_label(page, pages)`
    at the bottom right of every page. Returns the number of pages."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(part), import_outline=False)
    pages = len(writer.pages)
    font = writer._add_object(  # pypdf has no public way to add an indirect object
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    save_state = DecodedStreamObject()
    save_state.set_data(b"q\n")
    save_state_ref = writer._add_object(save_state)
    for number, page in enumerate(writer.pages, start=1):
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else DictionaryObject()
        page[NameObject("/Resources")] = resources
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else DictionaryObject()
        fonts[NameObject(FONT_NAME)] = font
        resources[NameObject("/Font")] = fonts
        text = page_label(number, pages)
        width = float(page.mediabox.width)
        x = float(page.mediabox.left) + width - RIGHT_MARGIN - _text_width(text)
        y = float(page.mediabox.bottom) + BASELINE
        stamp = DecodedStreamObject()
        stamp.set_data(
            b"Q q BT "
            + f"{FONT_NAME} {FONT_SIZE} Tf 0.114 0.122 0.141 rg {x:.2f} {y:.2f} Td ".encode()
            + _pdf_string(text)
            + b" Tj ET Q\n"
        )
        contents = page.get("/Contents")
        if isinstance(contents, IndirectObject) and isinstance(contents.get_object(), list):
            contents = contents.get_object()
        if contents is None:
            existing = []
        else:
            existing = list(contents) if isinstance(contents, list) else [contents]
        page[NameObject("/Contents")] = ArrayObject(
            [save_state_ref, *existing, writer._add_object(stamp)]
        )
    with output.open("wb") as file:
        writer.write(file)
    return pages
