"""Assemblies for tests: a draft with its agenda, or a convened one with its roll written directly.

`convened_assembly` builds the state the convocation service leaves (frozen statutes, colleges,
roll) without going through it, so that tests of proxies, check-in and figures do not depend on
the convocation itself; tests of the convocation call the service.
"""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from coop.models import Statutes
from governance.models import AgendaItem, Assembly, AssemblyCollege, Resolution, RollEntry
from members.models import College, Member
from tests.coop.factories import StatutesFactory
from tests.members.factories import admitted, standard_register

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def meeting_time(days_ahead: int = 30, hour: int = 18) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


def meeting_today(minutes_ahead: int = 30) -> dt.datetime:
    """A meeting convened for today, starting soon: it can open now (RULES 31). Near midnight,
    a few minutes ago instead, so that it stays on today's date."""
    now = timezone.localtime(timezone.now(), PARIS).replace(second=0, microsecond=0)
    start = now + dt.timedelta(minutes=minutes_ahead)
    if start.date() != now.date():
        start = now - dt.timedelta(minutes=5)
    return start


def statutes_and_register(**statutes) -> dict[str, object]:
    """Statutes in force since 2020 and the standard register (3 colleges 40/30/30)."""
    if not Statutes.objects.exists():
        StatutesFactory(effective_from=dt.date(2020, 1, 1), **statutes)
    return standard_register()


def members_admitted(register: dict, count: int, *, category: str = "volunteer") -> list[Member]:
    """`count` admitted members of a category (in its default college), with e-mail addresses."""
    cat = register["categories"][category]
    start = Member.objects.count()
    return [
        admitted(
            cat,
            cat.default_college,
            last_name=f"Membre{start + i:05d}",
            email=f"membre{start + i:05d}@example.org",
        )
        for i in range(count)
    ]


def draft_assembly(
    *,
    kind: str = Assembly.Kind.ORDINARY,
    starts_at: dt.datetime | None = None,
    resolutions: int = 2,
    positions: tuple[bool | None, ...] = (),
    **fields,
) -> Assembly:
    """`positions`: the board's position on resolutions 1, 2, … (RULES 34); not stated for
    the others, as on rows written before the paper path."""
    starts_at = starts_at or meeting_time()
    assembly = Assembly.objects.create(
        title=fields.pop("title", "Assemblée générale ordinaire"),
        kind=kind,
        starts_at=starts_at,
        place=fields.pop("place", "Salle des fêtes, 38000 Grenoble"),
        distance_vote_deadline=fields.pop(
            "distance_vote_deadline",
            dt.datetime.combine(
                starts_at.astimezone(PARIS).date() - dt.timedelta(days=1),
                dt.time(15, 0),
                tzinfo=PARIS,
            ),
        ),
        **fields,
    )
    item = AgendaItem.objects.create(assembly=assembly, position=1, title="Comptes de l'exercice")
    for number in range(1, resolutions + 1):
        Resolution.objects.create(
            assembly=assembly,
            agenda_item=item,
            number=number,
            title=f"Résolution {number}",
            text=f"L'assemblée générale approuve le point {number}.",
            majority_kind=kind,
            board_approves=positions[number - 1] if number <= len(positions) else None,
        )
    return assembly


def convened_assembly(*, members: list[Member], **fields) -> Assembly:
    """A convened assembly whose roll is `members`, as the convocation would freeze it."""
    assembly = draft_assembly(**fields)
    statutes = Statutes.objects.order_by("-effective_from").first()
    # Every college of the register is frozen with its weight, members or not (RULES 7, 8).
    colleges: dict[int | None, AssemblyCollege] = {
        college.pk: AssemblyCollege.objects.create(
            assembly=assembly,
            college=college,
            name=college.name,
            weight=Decimal(college.weight),
            position=college.position,
        )
        for college in College.objects.order_by("position", "name")
    }
    RollEntry.objects.bulk_create(
        RollEntry(
            assembly=assembly,
            member=member,
            college=colleges.get(member.college_id),
            member_number=member.number,
            name=str(member),
            address=member.address,
        )
        for member in members
    )
    assembly.status = Assembly.Status.CONVENED
    assembly.statutes = statutes
    assembly.convened_at = timezone.now()
    assembly.save()
    return assembly


# --- Added for the proxies, the meeting and the reminders (engineer B) ------------------------


def roll_entry_of(assembly: Assembly, member: Member) -> RollEntry:
    return RollEntry.objects.get(assembly=assembly, member=member)


def voted_at_distance(entry: RollEntry, *, cast_by: RollEntry | None = None) -> None:
    """Record that `entry` took part at distance in every vote of its assembly (who voted only,
    as the voting would write it)."""
    from governance.models import Participation

    for resolution in Resolution.objects.filter(assembly_id=entry.assembly_id):
        Participation.objects.create(
            resolution=resolution,
            roll_entry=entry,
            cast_by=cast_by,
            channel=Participation.Channel.DISTANCE,
        )


def e_notices_on(members: list[Member]) -> None:
    """The members agree to receive notices by e-mail (they all have an address)."""
    Member.objects.filter(pk__in=[m.pk for m in members]).update(
        e_notices=True, e_notices_changed_at=timezone.now()
    )
    for member in members:
        member.e_notices = True


# --- Added for the convocation (engineer A) ---------------------------------------------------


def members_in_bulk(register: dict, count: int, *, e_notices_every: int = 2) -> list[Member]:
    """`count` ratified members written at once (no register events: for large rolls only).

    Every `e_notices_every`-th member agreed to e-mail notices; the others get letters (one in
    three of them has an address but no consent).
    """
    from django.db.models import Max

    from members.models import MemberNumberCounter

    categories = list(register["categories"].values())
    start = (Member.objects.aggregate(m=Max("number"))["m"] or 0) + 1
    members = Member.objects.bulk_create(
        Member(
            number=start + i,
            first_name="Camille",
            last_name=f"Nombreux{start + i:06d}",
            email=(
                f"nombreux{start + i:06d}@example.org"
                if i % e_notices_every == 0 or i % 3 == 0
                else ""
            ),
            e_notices=i % e_notices_every == 0,
            language="en" if i % 5 == 0 else "fr",
            category=categories[i % len(categories)],
            college=categories[i % len(categories)].default_college,
            status=Member.Status.RATIFIED,
            applied_on=dt.date(2024, 1, 10),
            admitted_on=dt.date(2024, 2, 1),
            admission_ref="CA 2024-02",
            ratified_on=dt.date(2024, 6, 1),
            ratification_ref="AGO 2024",
        )
        for i in range(count)
    )
    MemberNumberCounter.objects.update_or_create(pk=1, defaults={"last_number": start + count - 1})
    return members
