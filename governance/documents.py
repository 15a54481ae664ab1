"""Printed convocations (RULES 11), with WeasyPrint: one letter per member on the roll, or the
letters of everyone who did not agree to e-mail notices in one PDF to print and post; and the
letters telling those members that the assembly is cancelled.

Each letter is in its member's language, states what the e-mail states, and carries a QR code
(SVG, made with segno) of the member's check-in address, scanned at the entrance. The combined
PDF comes in parts of LETTERS_PER_PART letters so that a large roll prints in reasonable
pieces. Each builder has an `_html` twin returning the HTML, so tests can read the letters.

A convocation letter ends with the postal-vote form (RULES 33: trust the chair, vote on each
resolution, or name a holder; then what happens with amendments) and the proxy form (RULES 34),
and every page of it carries the member's number and the short reference of their roll entry
(`governance.references.roll_reference`), so the bureau finds them when a form comes back.
Members who asked for it get their letters in large type (`Member.large_type`), still on A4.
"""

from collections.abc import Sequence
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coop.documents import document_context, pdf_from_html
from governance.models import Assembly, RollEntry
from governance.references import roll_reference
from governance.services.convocation import check_in_url, notice_context

LETTERS_PER_PART = 200


def check_in_qr_svg(token: str) -> str:
    """The QR code of a member's check-in address, as inline SVG."""
    return segno.make(check_in_url(token), error="m").svg_inline(scale=3, border=2)


def _language(code: str) -> str:
    known = {language for language, _label in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


def letters_html(
    *, assembly: Assembly, entries: Sequence[RollEntry], large_type: bool | None = None
) -> str:
    """The HTML of the convocation letters of `entries` (select their member with them), in
    large type for the members who asked for it, or for all of them (or none) when
    `large_type` is given."""
    statutes = assembly.statutes
    if statutes is None:
        raise ValueError("letters are printed for a convened assembly")
    by_language: dict[str, dict[str, Any]] = {}
    letters = []
    for entry in entries:
        language = _language(entry.member.language)
        if language not in by_language:
            with translation.override(language):
                by_language[language] = notice_context(assembly, statutes)
        letters.append(
            {
                "entry": entry,
                "language": language,
                "qr": check_in_qr_svg(entry.check_in_token),
                "reference": roll_reference(entry),
                "large_type": entry.member.large_type if large_type is None else large_type,
                **by_language[language],
            }
        )
    day = timezone.localtime(assembly.convened_at).date()
    title = _("Convocation to the general assembly")
    context = document_context(on=day, title=title)
    context.update({"assembly": assembly, "letters": letters})
    return render_to_string("governance/pdf/letters.html", context)


def letters_pdf(
    *, assembly: Assembly, entries: Sequence[RollEntry], large_type: bool | None = None
) -> bytes:
    return pdf_from_html(letters_html(assembly=assembly, entries=entries, large_type=large_type))


def cancellation_letters_html(*, assembly: Assembly, entries: Sequence[RollEntry]) -> str:
    """The HTML of the letters telling `entries` (with their member) of the cancellation."""
    statutes = assembly.statutes
    if statutes is None:
        raise ValueError("only a convened assembly is cancelled")
    by_language: dict[str, dict[str, Any]] = {}
    letters = []
    for entry in entries:
        language = _language(entry.member.language)
        if language not in by_language:
            with translation.override(language):
                by_language[language] = notice_context(assembly, statutes)
        letters.append(
            {
                "entry": entry,
                "language": language,
                "reference": roll_reference(entry),
                "large_type": entry.member.large_type,
                **by_language[language],
            }
        )
    day = timezone.localtime(assembly.cancelled_at or assembly.convened_at).date()
    context = document_context(on=day, title=_("Cancellation of the general assembly"))
    context.update({"assembly": assembly, "letters": letters})
    return render_to_string("governance/pdf/cancellation_letters.html", context)


def cancellation_letters_pdf(*, assembly: Assembly, entries: Sequence[RollEntry]) -> bytes:
    return pdf_from_html(cancellation_letters_html(assembly=assembly, entries=entries))
