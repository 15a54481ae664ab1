"""The kinds of job: each app declares its long work in its `jobs` module.

    @job_kind("members.register_pdf", label=_("Register of members (PDF)"))
    def register_pdf(job: Job, work: JobWork) -> JobOutcome: ...

The function runs in the worker, in the language of the person who started the job. It
reports its progress through `work`, writes its file with `work.output(...)` and returns
what the page shows. A DomainError it raises fails the job with its message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from coop.jobs.work import JobWork
    from coop.models import Job


@dataclass(frozen=True)
class JobOutcome:
    """What a job produced: a file (written with work.output) and/or a report for the page.

    `lines` are sentences for the page; `problems` a table of what was wrong (each a dict with
    line, column and message), of which the page shows the first ones.
    """

    file: Path | None = None
    filename: str = ""
    lines: list[str] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    problems_total: int = 0
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    run: Callable[[Job, JobWork], JobOutcome]
    # Where the person goes back to from the job's page, if anywhere: a URL name, or a
    # function of the job's parameters that gives the address.
    back_url: str | Callable[[dict[str, Any]], str] = ""
    # A sentence saying what this job is about, from its parameters (on the job's page).
    describe: Callable[[dict[str, Any]], str] | None = None
    # The words of the link back ("Back to: <label>" when empty).
    back_label: str | Promise = ""


_KINDS: dict[str, JobKind] = {}
_discovered = False


Run = Callable[["Job", "JobWork"], JobOutcome]


def job_kind(
    name: str,
    *,
    label: str | Promise,
    back_url: str | Callable[[dict[str, Any]], str] = "",
    describe: Callable[[dict[str, Any]], str] | None = None,
    back_label: str | Promise = "",
) -> Callable[[Run], Run]:
    """Declare a kind of job (in an app's `jobs` module)."""

    def register(run: Run) -> Run:
        _KINDS[name] = JobKind(
            name=name,
            label=label,
            run=run,
            back_url=back_url,
            describe=describe,
            back_label=back_label,
        )
        return run

    return register


def kind_named(name: str) -> JobKind | None:
    """The kind of job `name`, once every app's `jobs` module is loaded."""
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True
    return _KINDS.get(name)
