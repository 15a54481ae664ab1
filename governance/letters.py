"""How the assemblies' notices sent by post are printed (coop.outbox.printing): the letters of
a convocation, a cancellation or the published results, for the recipients of the notice still
to post, each in their member's language and type size."""

from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from coop.documents import document_context
from coop.models import Notice
from coop.outbox.printing import letter_printer
from governance.documents import cancellation_letters_html, letters_html
from governance.models import Assembly, ResolutionResult, RollEntry
from governance.references import roll_reference
from governance.services.convocation import CANCELLATION_NOTICE, CONVOCATION_NOTICE, PARIS
from governance.services.voting import RESULTS_NOTICE


def _language(code: str) -> str:
    known = {language for language, _label in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


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


def results_letters_html(*, assembly: Assembly, entries: Sequence[RollEntry]) -> str:
    """The HTML of the letters telling `entries` (with their member) the published results."""
    statutes = assembly.statutes
    if statutes is None:
        raise ValueError("results are published for a convened assembly")
    starts_at = assembly.starts_at.astimezone(PARIS)
    letters = [
        {
            "entry": entry,
            "language": _language(entry.member.language),
            "reference": roll_reference(entry),
            "large_type": entry.member.large_type,
            "statutes": statutes,
            "cooperative": statutes.name,
            "designation": statutes.legal_designation,
            "starts_at": starts_at,
        }
        for entry in entries
    ]
    context = document_context(on=starts_at.date(), title=_("Results of the vote"))
    context.update(
        {
            "assembly": assembly,
            "letters": letters,
            "results": list(
                ResolutionResult.objects.filter(resolution__assembly=assembly)
                .select_related("resolution")
                .order_by("resolution__number")
            ),
            "results_url": settings.SITE_URL.rstrip("/")
            + reverse("governance:results", kwargs={"pk": assembly.pk}),
        }
    )
    return render_to_string("governance/pdf/results_letters.html", context)


@letter_printer(RESULTS_NOTICE)
def results_letters(notice: Notice, recipient_keys: Sequence[str]) -> str:
    assembly = _assembly(notice)
    return results_letters_html(assembly=assembly, entries=_entries(assembly, recipient_keys))
