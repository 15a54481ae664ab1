"""The one CSV writer of every export: what a spreadsheet opens as it is.

UTF-8 with a byte order mark (so that spreadsheets read it as UTF-8), `;` between cells (what a
spreadsheet set up in French expects), CRLF line ends, and every text cell that a spreadsheet
would run as a formula (starting with = + - @, a tab or a carriage return) written with a
leading apostrophe, so it shows as text (CSV injection). Numbers, dates and empty cells are
written as they are: they cannot hold a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Protocol

from django.http import StreamingHttpResponse

BOM = "\ufeff"
DELIMITER = ";"
FORMULA_STARTS = frozenset("=+-@\t\r")
# A negative number written for the reader ("-150,00"): a plain number, never a formula.
_PLAIN_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?\Z")
_AS_THEY_ARE = (int, float, Decimal, dt.date)
LINES_PER_CHUNK = 500  # lines sent to the client at a time when streaming


class _TextFile(Protocol):
    def write(self, value: str, /) -> object: ...


class _Echo:
    """A file whose write() returns the line: the writer then hands back each line."""

    def write(self, value: str) -> str:
        return value


def spreadsheet_cell(value: object) -> object:
    """A cell a spreadsheet shows as written, never runs as a formula."""
    if value is None or isinstance(value, _AS_THEY_ARE):
        return value
    text = value if isinstance(value, str) else str(value)
    if text and text[0] in FORMULA_STARTS and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class SpreadsheetWriter:
    """Writes rows into `file`, or, without a file, returns each row's line."""

    def __init__(self, file: _TextFile | None = None, *, bom: bool = True) -> None:
        self._file: _TextFile = file if file is not None else _Echo()
        self._writerow = csv.writer(self._file, delimiter=DELIMITER, lineterminator="\r\n").writerow
        self.bom = BOM if bom else ""
        if file is not None and bom:
            file.write(BOM)
            self.bom = ""

    def row(self, cells: Iterable[object]) -> str:
        """Write one row (every cell guarded); return its line when there is no file."""
        guarded: list[object] = []
        for cell in cells:
            if cell.__class__ is not str:
                if cell is None or isinstance(cell, _AS_THEY_ARE):
                    guarded.append(cell)
                    continue
                cell = str(cell)
            if cell and cell[0] in FORMULA_STARTS and not _PLAIN_NUMBER.match(cell):
                cell = "'" + cell
            guarded.append(cell)
        line = self._writerow(guarded)
        if self.bom:
            line, self.bom = self.bom + str(line), ""
        return str(line)

    def rows(self, rows: Iterable[Iterable[object]]) -> None:
        for cells in rows:
            self.row(cells)


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The file as text, in chunks of lines: the byte order mark and the header first."""
    writer = SpreadsheetWriter()
    yield writer.row(header)
    lines: list[str] = []
    for cells in rows:
        lines.append(writer.row(cells))
        if len(lines) == LINES_PER_CHUNK:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The whole file as text (for small exports)."""
    return "".join(csv_lines(header, rows))


def csv_download(chunks: Iterable[str], *, filename: str) -> StreamingHttpResponse:
    """A download of CSV text, streamed as it is written. `filename` without extension."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
