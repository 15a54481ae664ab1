"""Printing the parts of a long document in processes of their own, several at a time.

WeasyPrint lays out and draws a document on one core, at some 10 to 20 ms per row of a table
on the development machine: the 50,000 entries of a large register are minutes of work. A job
that prints such a document in parts (coop.jobs.pdf joins them) hands the parts to
`PartPrinter`, which keeps `processes` child processes (`python -m coop.jobs.printer`) busy:
the job renders each part's HTML (templates, database) and writes it to a file; a free child
prints it with `coop.documents.pdf_from_html` (the one place that calls WeasyPrint, with its
restricted fetcher) into the part's PDF, deletes the HTML and answers.

Memory: each child holds one part at a time (the part's size bounds it, REGISTER_PDF_CHUNK_ROWS)
and WeasyPrint is loaded once per child, not once per part. A child whose parent dies (a worker
killed mid-job) reads the end of its input and stops after its part. With `processes` at 1 or
less the parts are printed in the job's own process, one after the other.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from django.conf import settings


class PrintingFailed(RuntimeError):
    """A part could not be printed (the child's error, or the child died)."""


@dataclass
class _Child:
    process: subprocess.Popen[str]
    busy: Path | None = None
    rows: int = 0


@dataclass
class PartPrinter:
    """`submit(html, target, rows)` each part in order, then `finish()` (or use `with`).

    `printed(rows)` is called, in the job's process, as each part is done, with the number of
    rows of the parts printed so far."""

    processes: int
    printed: Callable[[int], None] | None = None
    rows_done: int = 0
    _children: list[_Child] = field(default_factory=list)
    _selector: selectors.DefaultSelector | None = None

    # --- the job's side

    def __enter__(self) -> PartPrinter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.finish()
        else:
            self.close(kill=True)

    def submit(self, html: str, target: Path, *, rows: int) -> None:
        """Print `html` into the PDF file `target` (now, or in the next free child)."""
        if self.processes <= 1:
            from coop.documents import pdf_from_html

            pdf_from_html(html, target=target)
            self._count(rows)
            return
        source = target.with_suffix(".html")
        source.write_text(html, encoding="utf-8")
        child = self._free_child()
        child.busy, child.rows = target, rows
        try:
            child.process.stdin.write(f"{source}\t{target}\n")  # type: ignore[union-attr]
            child.process.stdin.flush()  # type: ignore[union-attr]
        except BrokenPipeError as exc:
            raise PrintingFailed(self._died(child)) from exc

    def finish(self) -> None:
        """Wait for every part given to be printed, then stop the children."""
        try:
            while any(child.busy is not None for child in self._children):
                self._wait_for_answer()
        finally:
            self.close(kill=False)

    def close(self, *, kill: bool) -> None:
        for child in self._children:
            if child.process.stdin is not None and not child.process.stdin.closed:
                with contextlib.suppress(BrokenPipeError):
                    child.process.stdin.close()  # the child stops at the end of its input
            if kill:
                child.process.kill()
        for child in self._children:
            try:
                child.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
            if child.process.stdout is not None:
                child.process.stdout.close()
        self._children.clear()
        if self._selector is not None:
            self._selector.close()
            self._selector = None

    # --- inside

    def _count(self, rows: int) -> None:
        self.rows_done += rows
        if self.printed is not None:
            self.printed(self.rows_done)

    def _start_child(self) -> _Child:
        module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": module,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH", "")])
            ),
        }
        process = subprocess.Popen(  # our own interpreter and module
            [sys.executable, "-m", "coop.jobs.printer"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        if self._selector is None:
            self._selector = selectors.DefaultSelector()
        child = _Child(process)
        self._selector.register(process.stdout, selectors.EVENT_READ, child)  # type: ignore[arg-type]
        self._children.append(child)
        return child

    def _free_child(self) -> _Child:
        for child in self._children:
            if child.busy is None:
                return child
        if len(self._children) < self.processes:
            return self._start_child()
        return self._wait_for_answer()

    def _wait_for_answer(self) -> _Child:
        """Wait until a busy child answers; return it, free again."""
        selector = self._selector
        if selector is None:
            raise PrintingFailed("no printing process was started")
        while True:
            for key, _events in selector.select():
                child: _Child = key.data
                if child.busy is None:
                    continue
                answer = key.fileobj.readline()  # type: ignore[union-attr]
                if not answer:
                    raise PrintingFailed(self._died(child))
                if answer.startswith("error"):
                    raise PrintingFailed(answer.removeprefix("error").strip())
                child.busy = None
                self._count(child.rows)
                return child

    def _died(self, child: _Child) -> str:
        code = child.process.poll()
        return f"the printing process stopped (exit status {code}) while printing {child.busy}"


def _serve() -> None:
    """The child: print each "html<TAB>pdf" line of its input, answer "ok" or "error …"."""
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever else prints goes to the logs, never into the answers
    import django

    django.setup()
    from coop.documents import pdf_from_html

    for line in sys.stdin:
        source, target = line.rstrip("\n").split("\t")
        try:
            pdf_from_html(Path(source).read_text(encoding="utf-8"), target=target)
        except Exception as exc:  # reported to the job, which fails with it
            answers.write("error " + f"{type(exc).__name__}: {exc}".replace("\n", " ") + "\n")
        else:
            answers.write("ok\n")
        finally:
            Path(source).unlink(missing_ok=True)
        answers.flush()


if __name__ == "__main__":
    _serve()
