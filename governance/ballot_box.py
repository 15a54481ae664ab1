"""The published ballot box of an assembly, for anyone on its roll to recount (RULES 36): every
ballot with its receipt digest, college and choice, the counts entered in the room with the
values they corrected, and the tally. Written into a file by a job (governance.jobs): a large
assembly holds tens of thousands of ballots per resolution."""

import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from coop.csv_export import SpreadsheetWriter
from governance.models import Assembly
from governance.selectors import voting as selectors
from governance.selectors.room_counts import RoomCountChain, room_count_chains


def _ballot_box_rows(assembly: Assembly) -> list[dict[str, Any]]:
    return [
        {
            "resolution": ballot.resolution.number,
            "receipt": ballot.receipt,
            "college": ballot.college.name if ballot.college else "",
            "choice": ballot.choice,
        }
        for ballot in selectors.ballot_box(assembly=assembly)
    ]


def _tally_rows(assembly: Assembly) -> list[dict[str, Any]]:
    return [
        {
            "resolution": resolution.number,
            "title": resolution.title,
            "majority": result.majority_threshold,
            "majority_strict": result.majority_strict,
            "empty_college_policy": result.empty_college_policy,
            "for": result.votes_for,
            "against": result.votes_against,
            "abstain": result.abstentions,
            "weighted_for": result.weighted_for or None,
            "adopted": result.adopted,
            "colleges": result.colleges,
        }
        for resolution, result in selectors.results_of(assembly=assembly)
        if result is not None
    ]


def _earlier_counts(chain: RoomCountChain) -> list[dict[str, Any]]:
    """The values a room count replaced, oldest first, each with the reason of its correction."""
    return [
        {
            "for": corrected.votes_for,
            "against": corrected.votes_against,
            "abstain": corrected.abstentions,
            "recorded_at": corrected.recorded_at.isoformat(),
            "corrected_at": correction.recorded_at.isoformat(),
            "reason": correction.reason,
        }
        for corrected, correction in chain.steps
    ]


def ballot_box_payload(assembly: Assembly) -> dict[str, Any]:
    """The ballot box, the room counts and the tally, as the JSON file holds them."""
    chains = room_count_chains(assembly=assembly)
    room = [
        {
            "resolution": count.resolution.number,
            "college": count.college.name if count.college else "",
            "for": count.votes_for,
            "against": count.votes_against,
            "abstain": count.abstentions,
            "corrects": _earlier_counts(chains[(count.resolution_id, count.college_id)]),
        }
        for count in selectors.room_counts_of(assembly=assembly)
    ]
    return {
        "assembly": {"id": assembly.pk, "title": assembly.title},
        "ballots": _ballot_box_rows(assembly),
        "room_counts": room,
        "tally": _tally_rows(assembly),
    }


def ballot_box_json_write(*, assembly: Assembly, path: Path) -> int:
    """Write the JSON file into `path`; returns the number of ballots."""
    payload = ballot_box_payload(assembly)
    with path.open("w", encoding="utf-8") as file:
        json.dump(payload, file, ensure_ascii=False, indent=1)
    return len(payload["ballots"])


def ballot_box_csv_write(*, assembly: Assembly, path: Path) -> int:
    """Write the ballots as CSV (UTF-8 with BOM, `;`) into `path`; returns their number."""
    rows = _ballot_box_rows(assembly)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = SpreadsheetWriter(file)
        writer.row([_("Resolution"), _("Receipt"), _("College"), _("Choice")])
        writer.rows(
            [row["resolution"], row["receipt"], row["college"], row["choice"]] for row in rows
        )
    return len(rows)
