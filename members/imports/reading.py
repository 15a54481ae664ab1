"""Reading the import file: its encoding, its separator, its header and its data rows."""

import contextlib
import csv
import datetime as dt
import io
import re
from typing import TextIO

from django.utils.translation import gettext as _

from members.imports.format import (
    DATE_FORMATS,
    DELIMITERS,
    IMPORT_COLUMNS,
    NAME_COLUMNS,
    REQUIRED_COLUMNS,
    ImportProblem,
)


class Row:
    """One data row, with its line number, collecting the problems found in its cells."""

    def __init__(self, line: int, values: dict[str, str], problems: list[ImportProblem]):
        self.line = line
        self.values = values
        self.problems = problems
        self.failed = False

    def text(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def problem(self, column: str, message: str) -> None:
        self.failed = True
        self.problems.append(ImportProblem(self.line, column, message))

    def date(self, column: str, *, today: dt.date) -> dt.date | None:
        """The cell as a date (2024-03-31 or 31/03/2024), never in the future."""
        text = self.text(column)
        if not text:
            return None
        value = parse_date(text)
        if value is None:
            self.problem(
                column,
                _("“%(value)s” is not a date: write it as 2024-03-31 or 31/03/2024.")
                % {"value": text},
            )
        elif value > today:
            self.problem(column, _("The date %(value)s is in the future.") % {"value": text})
            return None
        return value


# The two formats of DATE_FORMATS written in full (2024-03-31, 31/03/2024): read without
# strptime, which was a tenth of an import's checks. Anything else goes through strptime.
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_FRENCH_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})\Z")


def parse_date(text: str) -> dt.date | None:
    """The date `text` stands for in the first of DATE_FORMATS that reads it, or None."""
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _FRENCH_DATE.match(text):
        day, month, year = match.groups()
    if match:
        with contextlib.suppress(ValueError):  # not a day of the calendar: strptime says so
            return dt.date(int(year), int(month), int(day))
    for date_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, date_format).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def read_rows(file: TextIO, problems: list[ImportProblem]) -> tuple[list[str], list[Row]]:
    """The header and the data rows of the file; problems of encoding and of CSV syntax."""
    try:
        text = file.read()
    except UnicodeDecodeError:
        problems.append(
            ImportProblem(
                None,
                "",
                _(
                    "The file is not encoded in UTF-8. In your spreadsheet, save it as "
                    "“CSV UTF-8” and import it again."
                ),
            )
        )
        return [], []
    text = text.removeprefix("\ufeff")
    if not text.strip():
        problems.append(ImportProblem(1, "", _("The file is empty: it has no header line.")))
        return [], []
    first_line = text.splitlines()[0]
    delimiter = next((d for d in DELIMITERS if d in first_line), DELIMITERS[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    rows: list[Row] = []
    line = 1
    try:
        for cells in reader:
            if not header:
                header = [cell.strip().lower() for cell in cells]
            elif any(cell.strip() for cell in cells):
                row = Row(line, dict(zip(header, cells, strict=False)), problems)
                if len(cells) > len(header):
                    row.problem(
                        "",
                        _(
                            "This line has %(cells)d cells but the header has %(columns)d "
                            "columns (a separator too many, or text with a “%(delimiter)s” "
                            "not between quotes?)."
                        )
                        % {"cells": len(cells), "columns": len(header), "delimiter": delimiter},
                    )
                rows.append(row)
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(
            ImportProblem(
                line, "", _("This line cannot be read as CSV (%(error)s).") % {"error": exc}
            )
        )
    return header, rows


def check_header(header: list[str], problems: list[ImportProblem]) -> None:
    """Every column is known and appears once; the required columns are there."""
    seen: set[str] = set()
    for column in header:
        if not column:
            problems.append(ImportProblem(1, "", _("A column of the header has no name.")))
        elif column in seen:
            problems.append(ImportProblem(1, column, _("This column appears twice in the header.")))
        elif column not in IMPORT_COLUMNS:
            problems.append(
                ImportProblem(
                    1,
                    column,
                    _("Unknown column. The columns are those of the template: %(columns)s.")
                    % {"columns": ", ".join(IMPORT_COLUMNS)},
                )
            )
        seen.add(column)
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            problems.append(ImportProblem(1, column, _("This column is missing from the header.")))
    if not seen & set(NAME_COLUMNS):
        problems.append(
            ImportProblem(
                1,
                "last_name",
                _("The header needs a “last_name” column, or “legal_name” for legal persons."),
            )
        )
