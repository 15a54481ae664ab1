"""The register as it stood on a date, reconstructed from the register events: CSV and PDF.

CSV (for spreadsheets): UTF-8 with a byte order mark, `;` as separator, CRLF line ends — what
a spreadsheet set up for French opens correctly with a double click. One line per numbered
entry, the columns of SNAPSHOT_FIELDS under readable headers in the current language.

PDF (the legal register): A4 landscape, the cooperative's legal designation and registered
office, "Register of members on <date>", page numbers, one row per entry.
"""

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from coop.csv_export import SpreadsheetWriter, csv_lines
from coop.documents import document_context
from coop.jobs.pdf import pdf_join_numbered
from coop.jobs.printer import PartPrinter
from members.models import Member
from members.selectors import register_at, register_at_counts, register_at_values
from members.services import SNAPSHOT_FIELDS

CSV_CHUNK_ROWS = 2000  # rows fetched from the database at a time


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _local_datetime(value: str | None, zone: dt.tzinfo | None = None) -> str:
    """An ISO date and time as "YYYY-MM-DD HH:MM", in `zone` (by default the current time
    zone) when it carries an offset."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    if moment.utcoffset() is not None:
        moment = moment.astimezone(zone or timezone.get_current_timezone())
    # The date and time without seconds or offset: isoformat() is much faster than strftime().
    return moment.isoformat(sep=" ", timespec="minutes")[:16]


def register_csv_header() -> list[str]:
    """Readable column headers, in the order of SNAPSHOT_FIELDS, in the current language."""
    return [capfirst(str(Member._meta.get_field(name).verbose_name)) for name in SNAPSHOT_FIELDS]


# What the CSV reads of each entry: the snapshot's fields, and the names of its codes.
CSV_KEYS: tuple[str, ...] = (*SNAPSHOT_FIELDS, "category_name", "college_name")
Values = Sequence[str | None]


# Columns shown through a label, a name or a conversion (see RegisterCsvRow).
SHOWN_COLUMNS = frozenset(
    {"status", "person_kind", "category", "college", "e_notices", "e_notices_changed_at"}
)


class RegisterCsvRow:
    """Turns register entries into CSV cells, in the current language.

    An entry comes as the text of each of CSV_KEYS, extracted from the snapshot by the database
    (no JSON to decode here). Labels, the time zone and the way to show each column are worked
    out once per export, so that each row is formatted with plain lookups: the row is the
    entry's SNAPSHOT_FIELDS as they are (None is an empty cell), then the few shown columns are
    replaced by what a reader expects. The writer (coop.csv_export) guards every cell against
    formulas.
    """

    def __init__(self) -> None:
        at = {key: index for index, key in enumerate(CSV_KEYS)}
        # CSV_KEYS starts with SNAPSHOT_FIELDS, in order: a row is a slice of the entry.
        self.width = len(SNAPSHOT_FIELDS)
        self.statuses = {key: str(label) for key, label in Member.Status.choices}
        self.kinds = {key: str(label) for key, label in Member.PersonKind.choices}
        self.booleans = {"true": _("yes"), "false": _("no")}
        self.zone = timezone.get_current_timezone()
        self.status, self.kind = at["status"], at["person_kind"]
        self.category, self.category_name = at["category"], at["category_name"]
        self.college, self.college_name = at["college"], at["college_name"]
        self.e_notices, self.e_notices_changed_at = at["e_notices"], at["e_notices_changed_at"]

    def __call__(self, values: Values) -> list[object]:
        row: list[object] = list(values[: self.width])
        value = values[self.status]
        row[self.status] = self.statuses.get(value or "", value)
        value = values[self.kind]
        row[self.kind] = self.kinds.get(value or "", value)
        row[self.category] = values[self.category_name] or values[self.category]
        row[self.college] = values[self.college_name] or values[self.college]
        value = values[self.e_notices]
        row[self.e_notices] = self.booleans.get(value or "", value)
        value = values[self.e_notices_changed_at]
        row[self.e_notices_changed_at] = _local_datetime(value, self.zone) if value else ""
        return row


def register_csv_values(*, on: dt.date) -> Iterator[Values]:
    """The entries of the register on `on`, each as the text of CSV_KEYS, by member number,
    read from the database CSV_CHUNK_ROWS at a time."""
    return register_at_values(on=on, keys=CSV_KEYS, chunk_size=CSV_CHUNK_ROWS)


def register_csv_lines(*, on: dt.date) -> Iterator[str]:
    """The register on `on` as CSV text, in chunks of lines (for a streaming response).

    Headers and labels are translated now, in the language of the request; rows are read from
    the database in chunks as the response is sent, so memory stays flat whatever the size.
    """
    row = RegisterCsvRow()
    return csv_lines(register_csv_header(), map(row, register_csv_values(on=on)))


Progress = Callable[[int], None]


def register_csv_write(*, on: dt.date, path: Path, progress: Progress | None = None) -> int:
    """Write the register on `on` as CSV into the file `path`, as the export's download
    (same format as register_csv_lines), streamed: memory stays flat whatever the size.
    `progress(rows)` is called every CSV_CHUNK_ROWS rows. Returns the number of rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = SpreadsheetWriter(file)
        writer.row(register_csv_header())
        row = RegisterCsvRow()
        for count, values in enumerate(register_csv_values(on=on), start=1):
            writer.row(row(values))
            if progress is not None and count % CSV_CHUNK_ROWS == 0:
                progress(count)
    if progress is not None:
        progress(count)
    return count


# --- PDF -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterLine:
    """One entry of the legal register as the PDF shows it."""

    number: int
    name: str
    representative: str
    address_lines: tuple[str, ...]
    category: str
    college: str
    status: str
    is_member: bool
    admitted_on: dt.date | None
    admission_ref: str
    ratified_on: dt.date | None
    ratification_ref: str
    exited_on: dt.date | None
    exit_ref: str

    @property
    def address(self) -> str:
        """The address, one line of it per line of text (the PDF's cell keeps line feeds)."""
        return "\n".join(self.address_lines)


def register_line(snapshot: dict[str, Any], *, statuses: dict[str, str]) -> RegisterLine:
    """One entry of the PDF; `statuses` are the labels of the statuses, looked up once."""
    if snapshot.get("person_kind") == Member.PersonKind.LEGAL:
        name = snapshot.get("legal_name") or ""
        representative = ", ".join(
            part
            for part in (snapshot.get("representative_name"), snapshot.get("representative_role"))
            if part
        )
    else:
        name = " ".join(
            part for part in (snapshot.get("first_name"), snapshot.get("last_name")) if part
        )
        representative = ""
    town = " ".join(part for part in (snapshot.get("postal_code"), snapshot.get("city")) if part)
    address = tuple(
        part for part in (snapshot.get("address"), town, snapshot.get("country")) if part
    )
    status = snapshot.get("status") or ""
    return RegisterLine(
        number=snapshot["number"],
        name=name,
        representative=representative,
        address_lines=address,
        category=snapshot.get("category_name") or snapshot.get("category") or "",
        college=snapshot.get("college_name") or snapshot.get("college") or "",
        status=statuses.get(status, status),
        is_member=status in Member.ADMITTED_STATUSES,
        admitted_on=_date(snapshot.get("admitted_on")),
        admission_ref=snapshot.get("admission_ref") or "",
        ratified_on=_date(snapshot.get("ratified_on")),
        ratification_ref=snapshot.get("ratification_ref") or "",
        exited_on=_date(snapshot.get("exited_on")),
        exit_ref=snapshot.get("exit_ref") or "",
    )


def _statuses() -> dict[str, str]:
    return {key: str(label) for key, label in Member.Status.choices}


def _pdf_title(on: dt.date) -> str:
    return _("Register of members on %(date)s") % {"date": date_format(on, "DATE_FORMAT")}


def register_pdf_context(*, on: dt.date) -> dict[str, Any]:
    """The context of the register's PDF in one document (small registers, tests)."""
    statuses = _statuses()
    lines = [register_line(event.snapshot, statuses=statuses) for event in register_at(on=on)]
    title = _pdf_title(on)
    return {
        **document_context(on=on, title=title),
        "on": on,
        "lines": lines,
        "entries_count": len(lines),
        "members_count": sum(1 for line in lines if line.is_member),
        "show_header": True,
        "page_numbers": True,
    }


def register_pdf_html(*, on: dt.date) -> str:
    """The HTML the legal register's PDF is printed from."""
    return render_to_string("members/pdf/register.html", register_pdf_context(on=on))


# What the PDF reads of each entry (see register_line).
PDF_KEYS: tuple[str, ...] = (
    "number",
    "status",
    "person_kind",
    "first_name",
    "last_name",
    "legal_name",
    "representative_name",
    "representative_role",
    "address",
    "postal_code",
    "city",
    "country",
    "category",
    "category_name",
    "college",
    "college_name",
    "admitted_on",
    "admission_ref",
    "ratified_on",
    "ratification_ref",
    "exited_on",
    "exit_ref",
)
PdfProgress = Callable[[int, int], None]


def register_pdf_write(
    *,
    on: dt.date,
    path: Path,
    chunk_rows: int,
    processes: int = 1,
    progress: PdfProgress | None = None,
) -> int:
    """Write the legal register on `on` as one PDF into `path`, printed `chunk_rows` entries
    at a time and joined, so that memory stays bounded whatever the size of the register.

    Each part is a WeasyPrint document of its own (the first one opens with the register's
    heading; every page repeats the table's header row), printed by `processes` processes at
    once (coop.jobs.printer); the parts are then joined and the pages numbered across the
    whole register. `progress(entries_done, entries)` is called as each part is printed.
    Returns the number of pages.
    """
    entries, members = register_at_counts(on=on)
    base = {
        **document_context(on=on, title=_pdf_title(on)),
        "on": on,
        "entries_count": entries,
        "members_count": members,
        "page_numbers": False,
    }
    statuses = _statuses()
    parts: list[Path] = []

    def printed(done: int) -> None:
        if progress is not None:
            progress(done, entries)

    def print_part(printer: PartPrinter, lines: list[RegisterLine]) -> None:
        part = path.with_name(f"{path.stem}-part-{len(parts):05d}.pdf")
        html = render_to_string(
            "members/pdf/register.html", {**base, "lines": lines, "show_header": not parts}
        )
        parts.append(part)
        printer.submit(html, part, rows=len(lines))

    lines: list[RegisterLine] = []
    try:
        with PartPrinter(processes=processes, printed=printed) as printer:
            for values in register_at_values(on=on, keys=PDF_KEYS, chunk_size=chunk_rows):
                entry = dict(zip(PDF_KEYS, values, strict=True))
                entry["number"] = int(values[0] or 0)
                lines.append(register_line(entry, statuses=statuses))
                if len(lines) == chunk_rows:
                    print_part(printer, lines)
                    lines = []
            if lines or not parts:  # the last entries, or the page saying there is none
                print_part(printer, lines)
        return pdf_join_numbered(
            parts,
            path,
            page_label=lambda page, pages: (
                _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages}
            ),
        )
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
            part.with_suffix(".html").unlink(missing_ok=True)
