"""PDF files for the tests of the assembly's documents."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter


def pdf_bytes(*, pages: int = 1, password: str = "", padding: int = 0) -> bytes:
    """A real PDF of `pages` blank A4 pages (optionally locked with a password, or made
    larger with a comment of `padding` bytes after its end)."""
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue() + (b"%" + b"x" * padding + b"\n" if padding else b"")


def pdf_upload(name: str = "comptes-2025.pdf", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(**options), content_type="application/pdf")


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
