"""Reads for the home page: the member's next assembly (their vote, their proxies, what waits
for them) and, for administrators, each assembly still in progress with its next step.

"You voted" says only that a participation exists (docs/secrecy.md): who took part, never how.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from coop.models import Statutes
from coop.statutes import StatutesNotInForce, statutes_in_force
from governance.models import Assembly, Minutes, Participation, Proxy, RollEntry
from governance.selectors.assemblies import convocation_latest_day, notice_days
from members.models import Member

NEXT_STATUSES = (Assembly.Status.CONVENED, Assembly.Status.VOTING_OPEN)


@dataclass(frozen=True)
class HeldProxy:
    proxy: Proxy
    voted: bool  # the principal's vote is cast (by the holder, or by post before the proxy)


@dataclass(frozen=True)
class NextAssembly:
    entry: RollEntry
    assembly: Assembly
    voted: bool
    proxy_given: Proxy | None
    proxy_given_used: bool  # the holder cast the member's vote
    held: list[HeldProxy] = field(default_factory=list)
    documents: int = 0
    answered: int = 0

    @property
    def to_vote_for(self) -> list[HeldProxy]:
        return [h for h in self.held if not h.voted]


def member_next_assembly(*, member: Member) -> NextAssembly | None:
    """The member's next convened assembly (or the one voting now) with their situation, in
    three queries: the roll entry (with its counts), the proxies, the participations."""
    entry = (
        RollEntry.objects.filter(member=member, assembly__status__in=NEXT_STATUSES)
        .select_related("assembly")
        .annotate(
            voted=Exists(Participation.objects.filter(roll_entry=OuterRef("pk"))),
            documents=Count("assembly__documents", distinct=True),
            answered=Count(
                "written_questions",
                filter=Q(written_questions__answered_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("assembly__starts_at", "assembly_id")
        .first()
    )
    if entry is None:
        return None
    proxies = list(
        Proxy.objects.filter(Q(giver=entry) | Q(holder=entry), revoked_at__isnull=True)
        .select_related("giver", "holder")
        .order_by("given_at", "pk")
    )
    given = next((p for p in proxies if p.giver_id == entry.pk), None)
    held = [p for p in proxies if p.holder_id == entry.pk]
    voted_for = set()
    if held:
        voted_for = set(
            Participation.objects.filter(roll_entry__in=[p.giver_id for p in held])
            .values_list("roll_entry_id", flat=True)
            .distinct()
        )
    return NextAssembly(
        entry=entry,
        assembly=entry.assembly,
        voted=entry.voted,
        proxy_given=given,
        proxy_given_used=given is not None and entry.voted,
        held=[HeldProxy(proxy=p, voted=p.giver_id in voted_for) for p in held],
        documents=entry.documents,
        answered=entry.answered,
    )


@dataclass(frozen=True)
class AssemblyStep:
    assembly: Assembly
    step: str  # drafted, convened, meeting, open, closed, minutes
    when: dt.datetime | dt.date | None


def assemblies_next_steps(*, now: dt.datetime | None = None) -> list[AssemblyStep]:
    """Every assembly an administrator still has to act on, with its next step and its date,
    soonest first: in preparation (convene by), convened (the meeting, or the online vote's
    close), voting open (close the vote), closed (publish the results), results published
    with minutes not published yet. One query (and the statutes once for drafts)."""
    now = now or timezone.now()
    minutes_published = Minutes.objects.filter(assembly=OuterRef("pk"), published_at__isnull=False)
    assemblies = list(
        Assembly.objects.filter(
            Q(
                status__in=(
                    Assembly.Status.DRAFT,
                    Assembly.Status.CONVENED,
                    Assembly.Status.VOTING_OPEN,
                    Assembly.Status.VOTING_CLOSED,
                )
            )
            | Q(status=Assembly.Status.PUBLISHED, starts_at__gte=now - dt.timedelta(days=365))
        )
        .annotate(minutes_done=Exists(minutes_published))
        .select_related("statutes")
        .order_by("starts_at", "pk")
    )
    steps = []
    statutes_now: Statutes | bool | None = None
    for assembly in assemblies:
        status = assembly.status
        if status == Assembly.Status.DRAFT:
            statutes = assembly.statutes
            if statutes is None:
                if statutes_now is None:
                    try:
                        statutes_now = statutes_in_force()
                    except StatutesNotInForce:
                        statutes_now = False
                statutes = statutes_now if isinstance(statutes_now, Statutes) else None
            when = None
            if statutes is not None:
                days = notice_days(statutes=statutes, convocation=assembly.convocation)
                when = convocation_latest_day(starts_at=assembly.starts_at, days=days)
            steps.append(AssemblyStep(assembly, "drafted", when))
        elif status == Assembly.Status.CONVENED:
            step = "meeting" if assembly.meeting_opened_at else "convened"
            steps.append(AssemblyStep(assembly, step, assembly.starts_at))
        elif status == Assembly.Status.VOTING_OPEN:
            steps.append(AssemblyStep(assembly, "open", assembly.voting_opened_at))
        elif status == Assembly.Status.VOTING_CLOSED:
            steps.append(AssemblyStep(assembly, "closed", assembly.voting_closed_at))
        elif not assembly.minutes_done:
            steps.append(AssemblyStep(assembly, "minutes", assembly.starts_at))
    return steps
