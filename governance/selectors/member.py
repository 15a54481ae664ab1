"""Reads for the member's side of the assemblies: their assemblies, their place on a roll, the
proxies they gave and hold, and the search among the roll for a proxy holder."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from governance.models import AgendaItem, Assembly, Proxy, Resolution, RollEntry
from members.models import Member

# Assemblies still to come (or running) for the member; the others are past.
UPCOMING_STATUSES = (Assembly.Status.CONVENED, Assembly.Status.VOTING_OPEN)
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class MemberAssemblies:
    upcoming: list[RollEntry]
    past: list[RollEntry]


def member_assemblies(*, member: Member) -> MemberAssemblies:
    """The member's entries on the rolls of convened assemblies, the assembly selected, with
    `active_proxies_given` (a list of at most one) and `held_count`. Two queries."""
    active = Proxy.objects.filter(revoked_at__isnull=True)
    entries = list(
        RollEntry.objects.filter(member=member)
        .exclude(assembly__status=Assembly.Status.DRAFT)
        .select_related("assembly")
        .annotate(
            held_count=Count(
                "proxies_held", filter=Q(proxies_held__revoked_at__isnull=True), distinct=True
            )
        )
        .prefetch_related(
            Prefetch(
                "proxies_given",
                queryset=active.select_related("holder"),
                to_attr="active_proxies_given",
            )
        )
        .order_by("assembly__starts_at")
    )
    upcoming: list[RollEntry] = [e for e in entries if e.assembly.status in UPCOMING_STATUSES]
    past: list[RollEntry] = [e for e in entries if e.assembly.status not in UPCOMING_STATUSES]
    past.reverse()
    return MemberAssemblies(upcoming=upcoming, past=past)


def member_roll_entry(*, assembly_pk: int, member: Member) -> RollEntry | None:
    """The member's entry on the roll of a convened assembly (None when not on it)."""
    return (
        RollEntry.objects.filter(assembly_id=assembly_pk, member=member)
        .exclude(assembly__status=Assembly.Status.DRAFT)
        .select_related("assembly__statutes", "college")
        .first()
    )


@dataclass(frozen=True)
class MemberAssemblyStatus:
    entry: RollEntry
    proxy_given: Proxy | None
    proxies_held: list[Proxy] = field(default_factory=list)


def member_assembly_status(*, entry: RollEntry) -> MemberAssemblyStatus:
    proxies = list(
        Proxy.objects.filter(Q(giver=entry) | Q(holder=entry), revoked_at__isnull=True)
        .select_related("giver", "holder")
        .order_by("given_at", "pk")
    )
    given = next((p for p in proxies if p.giver_id == entry.pk), None)
    held = [p for p in proxies if p.holder_id == entry.pk]
    return MemberAssemblyStatus(entry=entry, proxy_given=given, proxies_held=held)


def assembly_agenda(*, assembly: Assembly) -> QuerySet[AgendaItem]:
    """The agenda in order, each item with its resolutions in order (two queries)."""
    return (
        AgendaItem.objects.filter(assembly=assembly)
        .order_by("position")
        .prefetch_related(Prefetch("resolutions", queryset=Resolution.objects.order_by("number")))
    )


def roll_search(
    *, assembly: Assembly, query: str, exclude: RollEntry | None = None
) -> QuerySet[RollEntry]:
    """Members of the roll whose name (or number) matches, at most SEARCH_LIMIT, each with
    `proxies_held` (active) and `gave_proxy`. Empty for a query of fewer than 2 characters,
    except a member number."""
    query = query.strip()
    digits = query.lstrip("#")
    if len(query) < 2 and not digits.isdigit():
        return RollEntry.objects.none()
    condition = Q(name__icontains=query)
    if digits.isdigit():
        condition |= Q(member_number=int(digits))
    entries = RollEntry.objects.filter(assembly=assembly).filter(condition)
    if exclude is not None:
        entries = entries.exclude(pk=exclude.pk)
    return (
        entries.annotate(
            active_held=Count(
                "proxies_held", filter=Q(proxies_held__revoked_at__isnull=True), distinct=True
            ),
            gave_proxy=Exists(Proxy.objects.filter(giver=OuterRef("pk"), revoked_at__isnull=True)),
        )
        .select_related("college")
        .order_by("name", "member_number")[:SEARCH_LIMIT]
    )
