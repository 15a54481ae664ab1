"""Reads of the paper path (RULES 33, 34): finding the member a form comes from, the forms
recorded, and their counts for the minutes."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from governance.models import Assembly, PaperForm, RollEntry
from governance.references import roll_entry_by_reference


def roll_entry_find(*, assembly: Assembly, text: str) -> RollEntry | None:
    """The roll entry a form names: by the short reference printed on the letter, or by the
    member's number. A second convocation also reads the first's references: a form sent for
    the first counts for the second of the same agenda (RULES 33)."""
    text = (text or "").strip()
    entry = roll_entry_by_reference(assembly, text)
    first_convocation = assembly.first_convocation if assembly.first_convocation_id else None
    if entry is None and first_convocation is not None:
        first = roll_entry_by_reference(first_convocation, text)
        if first is not None:
            entry = (
                RollEntry.objects.filter(assembly=assembly, member_id=first.member_id)
                .select_related("member", "college")
                .first()
            )
    digits = text.lstrip("#")
    if entry is None and digits.isdigit():
        entry = (
            RollEntry.objects.filter(assembly=assembly, member_number=int(digits))
            .select_related("member", "college")
            .first()
        )
    return entry


def paper_forms_of(*, assembly: Assembly) -> QuerySet[PaperForm]:
    """The forms recorded for an assembly, newest first, with their members."""
    return (
        PaperForm.objects.filter(assembly=assembly)
        .select_related("roll_entry__college", "holder", "amendments_holder")
        .order_by("-recorded_at", "-pk")
    )


@dataclass(frozen=True)
class PaperSummary:
    postal: int  # postal votes counted
    blank_proxies: int  # blank proxies to the chair counted
    paper_proxies: int  # proxies to a named holder given on paper
    late: int  # forms received after the deadline, not counted


def paper_summary(*, assembly: Assembly) -> PaperSummary:
    counts = PaperForm.objects.filter(assembly=assembly).aggregate(
        postal=Count("pk", filter=Q(counted=True, option=PaperForm.Option.VOTE)),
        blank_proxies=Count("pk", filter=Q(counted=True, option=PaperForm.Option.CHAIR)),
        paper_proxies=Count("pk", filter=Q(counted=True, option=PaperForm.Option.HOLDER)),
        late=Count("pk", filter=Q(counted=False)),
    )
    return PaperSummary(**counts)
