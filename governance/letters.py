"""How the assemblies' notices sent by post are printed (coop.outbox.printing): the letters of
a convocation or a cancellation, for the recipients of the notice still to post, each in their
member's language and type size."""

from collections.abc import Sequence

from coop.models import Notice
from coop.outbox.printing import letter_printer
from governance.documents import cancellation_letters_html, letters_html
from governance.models import Assembly, RollEntry
from governance.services.convocation import CANCELLATION_NOTICE, CONVOCATION_NOTICE


def _assembly(notice: Notice) -> Assembly:
    """The assembly of a notice whose reference is "assembly:<pk>"."""
    return Assembly.objects.get(pk=int(notice.reference.removeprefix("assembly:")))


def _entries(assembly: Assembly, recipient_keys: Sequence[str]) -> list[RollEntry]:
    """The roll entries of the recipients ("member:<pk>"), in the order of the keys."""
    member_ids = [int(key.removeprefix("member:")) for key in recipient_keys]
    found = {
        entry.member_id: entry
        for entry in RollEntry.objects.filter(
            assembly=assembly, member_id__in=member_ids
        ).select_related("member")
    }
    return [found[member_id] for member_id in member_ids if member_id in found]


@letter_printer(CONVOCATION_NOTICE)
def convocation_letters(notice: Notice, recipient_keys: Sequence[str]) -> str:
    assembly = _assembly(notice)
    return letters_html(assembly=assembly, entries=_entries(assembly, recipient_keys))


@letter_printer(CANCELLATION_NOTICE)
def cancellation_letters(notice: Notice, recipient_keys: Sequence[str]) -> str:
    assembly = _assembly(notice)
    return cancellation_letters_html(assembly=assembly, entries=_entries(assembly, recipient_keys))
