"""The member's general assemblies in their personal-data export (RULES 5, 11, 14, 16).

Registered by `GovernanceConfig.ready()`. The section "general_assemblies" holds, for each
assembly whose roll the member is on: the assembly, their entry on the roll as frozen at
convocation, how they were convened, their check-in, the proxies they gave and received (with
the other member's name and number, which the member sees on their own pages), the votes
they took part in (who voted, never what) and the written questions they sent with the board's
answers.

Ballots are secret (README "Online voting", governance.services.ballots): a ballot holds no
member, and this module never reads the ballot table. The export says which resolutions the
member's vote was cast on, through which channel and whether a proxy holder cast it or the
member cast it for a principal; no choice, ballot, receipt or receipt digest, which nothing
links to the member anyway. The check-in token printed on the convocation (a credential, not
information about the member) and who checked the member in (an administrator) are left out.
"""

from collections import defaultdict
from typing import Any

from django.db.models import Q

from governance.models import Participation, Proxy, RollEntry, WrittenQuestion
from members.gdpr import personal_data_section
from members.models import Member


def _other(entry: RollEntry | None) -> dict[str, Any] | None:
    """Another member on the roll, as the member's own pages show them."""
    if entry is None:
        return None
    return {"name": entry.name, "member_number": entry.member_number}


def _convocation(entry: RollEntry) -> dict[str, Any] | None:
    delivery = entry.convocation_delivery
    if delivery is None:
        return None
    return {
        "channel": delivery.channel,
        "channel_label": str(delivery.get_channel_display()),
        "to_email": delivery.to_email,
        "status": delivery.status,
        "status_label": str(delivery.get_status_display()),
        "sent_at": delivery.sent_at,
    }


def _participation(participation: Participation, entry: RollEntry) -> dict[str, Any]:
    own = participation.roll_entry_id == entry.pk
    resolution = participation.resolution
    return {
        "resolution_number": resolution.number,
        "resolution_title": resolution.title,
        "channel": participation.channel,
        "channel_label": str(participation.get_channel_display()),
        # The member's own vote, cast by the holder of their proxy...
        "cast_by_holder": _other(participation.cast_by) if own else None,
        # ...or the vote of a member who gave them their proxy, cast by them.
        "cast_for_principal": None if own else _other(participation.roll_entry),
    }


@personal_data_section
def general_assemblies(member: Member) -> tuple[str, Any]:
    """One entry per assembly whose roll the member is on, oldest first (five queries)."""
    entries = list(
        RollEntry.objects.filter(member=member)
        .select_related("assembly", "college", "convocation_delivery")
        .order_by("assembly__starts_at", "assembly_id")
    )
    proxies: dict[int, list[Proxy]] = defaultdict(list)
    for proxy in (
        Proxy.objects.filter(Q(giver__member=member) | Q(holder__member=member))
        .select_related("giver", "holder")
        .order_by("given_at", "pk")
    ):
        proxies[proxy.assembly_id].append(proxy)
    participations: dict[int, list[Participation]] = defaultdict(list)
    for participation in (
        Participation.objects.filter(Q(roll_entry__member=member) | Q(cast_by__member=member))
        .select_related("resolution", "roll_entry", "cast_by")
        .order_by("resolution__number", "roll_entry__member_number")
    ):
        participations[participation.resolution.assembly_id].append(participation)

    questions: dict[int, list[WrittenQuestion]] = defaultdict(list)
    for question in WrittenQuestion.objects.filter(roll_entry__member=member).order_by(
        "asked_at", "pk"
    ):
        questions[question.roll_entry_id].append(question)

    assemblies = []
    for entry in entries:
        assembly = entry.assembly
        mine = proxies[assembly.pk]
        assemblies.append(
            {
                "title": assembly.title,
                "kind": assembly.kind,
                "kind_label": str(assembly.get_kind_display()),
                "convocation": assembly.convocation,
                "convocation_label": str(assembly.get_convocation_display()),
                "starts_at": assembly.starts_at,
                "place": assembly.place,
                "status": assembly.status,
                "status_label": str(assembly.get_status_display()),
                "on_the_roll_as": {
                    "member_number": entry.member_number,
                    "name": entry.name,
                    "address": entry.address,
                    "college": entry.college.name if entry.college else None,
                },
                "convened": _convocation(entry),
                "checked_in_at": entry.present_at,
                "proxies_given": [
                    {
                        "holder": _other(proxy.holder),
                        "given_at": proxy.given_at,
                        "revoked_at": proxy.revoked_at,
                        "recorded_by": (
                            "member"
                            if member.user_id is not None and proxy.given_by_id == member.user_id
                            else "cooperative"
                        ),
                    }
                    for proxy in mine
                    if proxy.giver_id == entry.pk
                ],
                "proxies_received": [
                    {
                        "giver": _other(proxy.giver),
                        "given_at": proxy.given_at,
                        "revoked_at": proxy.revoked_at,
                    }
                    for proxy in mine
                    if proxy.holder_id == entry.pk
                ],
                "participations": [
                    _participation(participation, entry)
                    for participation in participations[assembly.pk]
                ],
                # The written questions they sent and the board's answers (RULES 35).
                "written_questions": [
                    {
                        "question": question.text,
                        "asked_at": question.asked_at,
                        "answer": question.answer or None,
                        "answered_at": question.answered_at,
                    }
                    for question in questions[entry.pk]
                ],
            }
        )
    return "general_assemblies", assemblies
