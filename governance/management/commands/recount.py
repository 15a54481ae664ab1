"""Recount an assembly's published results from the sealed ballot box and the room counts."""

from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coop import formatting
from coop.fractions import format_fraction
from governance.models import Assembly, ResolutionResult
from governance.services.voting import tally_arithmetic, tally_recompute
from governance.tally import TallyLine


@dataclass(frozen=True)
class RecountLine:
    resolution: int
    label: str
    stored: str
    recomputed: str
    equal: bool


def _votes(line: TallyLine | None) -> str:
    return "—" if line is None else line.votes


def _details(line: TallyLine | None) -> tuple[object, ...] | None:
    return None if line is None else line.figures


def recount_lines(*, assembly: Assembly) -> list[RecountLine]:
    """Stored and recomputed figures of every resolution, college by college, then overall.

    The recount goes through the tally's own counting (`tally_recompute`: the sealed box and
    the room counts, the frozen statutes' weights, policy and majorities), so it finds what
    the tally would find now; a college line differs when any of its figures does (votes,
    share, counted weight, contribution).
    """
    stored = {
        result.resolution_id: result
        for result in ResolutionResult.objects.filter(resolution__assembly=assembly)
    }
    lines: list[RecountLine] = []
    for resolution, tally in tally_recompute(assembly=assembly):
        result = stored.get(resolution.pk)
        if result is None:
            raise CommandError(
                _("Resolution %(number)s of this assembly has no published result to recount.")
                % {"number": resolution.number}
            )
        recomputed = {line.key: line for line in tally_arithmetic(tally)}
        kept = {line.key: line for line in result.lines}
        for key in [*recomputed, *(k for k in kept if k not in recomputed)]:
            old, new = kept.get(key), recomputed.get(key)
            line = new or old
            name = line.name if line is not None else ""
            # Equal only when every figure of the line is (votes, share, weights).
            equal = _details(old) == _details(new)
            lines.append(RecountLine(resolution.number, name, _votes(old), _votes(new), equal))
        weighted = "" if tally.weighted_for is None else format_fraction(tally.weighted_for)
        pairs = [
            (
                _("total for / against / abstentions"),
                f"{result.votes_for} / {result.votes_against} / {result.abstentions}",
                f"{tally.votes_for} / {tally.votes_against} / {tally.abstentions}",
            ),
            (_("weighted share for"), result.weighted_for or "—", weighted or "—"),
            (
                _("adopted"),
                _("yes") if result.adopted else _("no"),
                _("yes") if tally.adopted else _("no"),
            ),
        ]
        lines += [
            RecountLine(resolution.number, label, old, new, old == new) for label, old, new in pairs
        ]
    return lines


class Command(BaseCommand):
    help = (
        "Recompute every published result of an assembly from the sealed ballot box and the "
        "votes counted in the room, print the stored and recomputed figures side by side, "
        "and exit with status 1 on any difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("assembly", type=int, help="the assembly's id")

    def handle(self, *args: Any, **options: Any) -> None:
        assembly = (
            Assembly.objects.select_related("statutes").filter(pk=options["assembly"]).first()
        )
        if assembly is None:
            raise CommandError(_("No assembly has the id %(id)s.") % {"id": options["assembly"]})
        if not ResolutionResult.objects.filter(resolution__assembly=assembly).exists():
            raise CommandError(
                formatting.interpolate(
                    _(
                        "The vote of %(assembly)s has not been tallied: there is nothing to "
                        "recount."
                    ),
                    {"assembly": assembly},
                )
            )
        lines = recount_lines(assembly=assembly)
        width = max(len(line.label) for line in lines)
        column = max(len(_("stored")), *(len(line.stored) for line in lines))
        self.stdout.write(str(assembly))
        current = None
        for line in lines:
            if line.resolution != current:
                current = line.resolution
                self.stdout.write("")
                self.stdout.write(_("Resolution %(number)s") % {"number": current})
                stored, recomputed = _("stored"), _("recomputed")
                self.stdout.write(f"  {'':<{width}}  {stored:<{column}}  {recomputed}")
            mark = "" if line.equal else "  <-- " + _("DIFFERENT")
            self.stdout.write(
                f"  {line.label:<{width}}  {line.stored:<{column}}  {line.recomputed}{mark}"
            )
        different = sum(not line.equal for line in lines)
        self.stdout.write("")
        if different:
            raise CommandError(
                ngettext(
                    "The recount differs from the stored results on %(count)s line.",
                    "The recount differs from the stored results on %(count)s lines.",
                    different,
                )
                % {"count": different}
            )
        self.stdout.write(_("The recount gives the stored results."))
