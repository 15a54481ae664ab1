"""The one CSV writer: what a spreadsheet opens, with no formula to run."""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext_lazy

from coop.csv_export import SpreadsheetWriter, csv_lines, csv_text


def _read(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_text_that_a_spreadsheet_would_run_is_kept_as_text():
    text = csv_text(
        ["name", "note"],
        [
            ['=HYPERLINK("http://x")', "+33 6 00"],
            ["-2+3", "@SUM(A1)"],
            ["\tTab", "\rReturn"],
            ["Ada", 'a; b "quoted"'],
        ],
    )
    rows = _read(text)
    assert rows[0] == ["name", "note"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "'+33 6 00"]
    assert rows[2] == ["'-2+3", "'@SUM(A1)"]
    assert rows[3] == ["'\tTab", "'\rReturn"]
    assert rows[4] == ["Ada", 'a; b "quoted"']
    assert text.count("\r\n") == 5


def test_numbers_dates_and_empty_cells_are_written_as_they_are():
    rows = _read(
        csv_text(
            [gettext_lazy("Amount")],
            [[Decimal("-12.50"), -3, dt.date(2026, 3, 14), None, gettext_lazy("=label")]],
        )
    )
    assert rows == [["Amount"], ["-12.50", "-3", "2026-03-14", "", "'=label"]]


def test_streamed_lines_and_a_file_give_the_same_text():
    rows = [[i, f"=row {i}"] for i in range(1201)]
    streamed = list(csv_lines(["n", "text"], rows))
    assert len(streamed) == 1 + 3  # the header, then chunks of lines
    buffer = io.StringIO()
    writer = SpreadsheetWriter(buffer)
    writer.row(["n", "text"])
    writer.rows(rows)
    assert "".join(streamed) == buffer.getvalue()
    assert _read(buffer.getvalue())[1201] == ["1200", "'=row 1200"]
