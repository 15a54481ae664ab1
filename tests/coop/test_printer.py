"""Printing parts of a document in child processes (coop.jobs.printer)."""

from pathlib import Path

import pytest
from pypdf import PdfReader

from coop.jobs.printer import PartPrinter, PrintingFailed

PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Part</title></head><body><p>{}</p></body></html>"
)


def test_parts_are_printed_by_the_children_in_order_and_counted(tmp_path: Path):
    done: list[int] = []
    targets = [tmp_path / f"part-{index}.pdf" for index in range(5)]
    with PartPrinter(processes=2, printed=done.append) as printer:
        for index, target in enumerate(targets):
            printer.submit(PAGE.format(f"Part number {index}"), target, rows=10)
    assert done == [10, 20, 30, 40, 50]
    for index, target in enumerate(targets):
        assert f"Part number {index}" in PdfReader(target).pages[0].extract_text()
        assert not target.with_suffix(".html").exists()  # the child removed its input
    assert printer._children == []  # stopped


def test_a_part_that_cannot_be_printed_fails_with_the_reason(tmp_path: Path):
    taken = tmp_path / "taken.pdf"
    taken.mkdir()  # the child cannot write the part's PDF there
    with (
        pytest.raises(PrintingFailed, match="IsADirectoryError"),
        PartPrinter(processes=2) as printer,
    ):
        printer.submit(PAGE.format("fine"), tmp_path / "fine.pdf", rows=1)
        printer.submit(PAGE.format("lost"), taken, rows=1)
        printer.finish()
    assert printer._children == []


def test_one_process_prints_in_the_callers_own(tmp_path: Path):
    done: list[int] = []
    with PartPrinter(processes=1, printed=done.append) as printer:
        printer.submit(PAGE.format("Here"), tmp_path / "here.pdf", rows=3)
        assert printer._children == [] and done == [3]
    assert "Here" in PdfReader(tmp_path / "here.pdf").pages[0].extract_text()
