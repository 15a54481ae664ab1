"""Import an existing register from a CSV file: all rows or none (format: see README)."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from members.imports import register_import


class Command(BaseCommand):
    help = (
        "Import the members of a CSV register (format: see the README). Every row is "
        "checked first; on any problem nothing is written, every problem is printed with its "
        "line, and the command exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, ';' separated)")
        parser.add_argument(
            "--actor",
            default="",
            help="e-mail address of the user the register events are recorded for "
            "(default: the system)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(email__iexact=options["actor"]).first()
            if actor is None:
                raise CommandError(
                    _("No user has the e-mail address %(email)s.") % {"email": options["actor"]}
                )
        try:
            with path.open(encoding="utf-8-sig", newline="") as file:
                report = register_import(file=file, actor=actor)
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        if not report.ok:
            for line in report.lines():
                self.stderr.write(line)
            raise CommandError(
                _("%(path)s was not imported; nothing was written.") % {"path": path}
            )
        for line in report.lines():
            self.stdout.write(line)
