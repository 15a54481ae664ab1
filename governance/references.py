"""The short reference printed on a member's letters for an assembly (convocation, postal-vote
and proxy forms), so that the bureau finds the member's roll entry fast when a form comes back.

The reference reads ``A<assembly>-<member number>-<check>``, e.g. ``A12-0457-KX``: the assembly,
the member's number, and two check letters derived from the roll entry's secret check-in token,
so a mistyped number or a form of another assembly is caught instead of recorded for someone
else. Letters exclude I, O and U so they cannot be read as digits or form words.
"""

import hashlib
import re

from governance.models import Assembly, RollEntry

_ALPHABET = "ABCDEFGHJKLMNPQRSTVWXYZ"
_PATTERN = re.compile(r"^\s*A?(\d+)\s*[-\s]\s*(\d+)\s*[-\s]\s*([A-Z]{2})\s*$", re.IGNORECASE)


def _check_letters(check_in_token: str, member_number: int) -> str:
    digest = hashlib.sha256(f"{check_in_token}:{member_number}".encode()).digest()
    return _ALPHABET[digest[0] % len(_ALPHABET)] + _ALPHABET[digest[1] % len(_ALPHABET)]


def roll_reference(entry: RollEntry) -> str:
    """The reference printed on `entry`'s letters."""
    check = _check_letters(entry.check_in_token, entry.member_number)
    return f"A{entry.assembly_id}-{entry.member_number:04d}-{check}"


def roll_entry_by_reference(assembly: Assembly, text: str) -> RollEntry | None:
    """The roll entry of `assembly` whose reference is `text` (spaces and case forgiven), or
    None when it names no entry of this assembly or its check letters do not match."""
    match = _PATTERN.match(text or "")
    if match is None:
        return None
    assembly_pk, number, check = int(match[1]), int(match[2]), match[3].upper()
    if assembly_pk != assembly.pk:
        return None
    entry = (
        RollEntry.objects.filter(assembly=assembly, member_number=number)
        .select_related("member", "college")
        .first()
    )
    if entry is None or _check_letters(entry.check_in_token, entry.member_number) != check:
        return None
    return entry
