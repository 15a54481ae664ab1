"""What every printed document shares (RULES 18): the cooperative's designation "… à capital
variable" on every page, a title, page numbers, and WeasyPrint to print the HTML."""

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop.models import Statutes
from coop.statutes import StatutesNotInForce, statutes_in_force


def css_string(text: str) -> str:
    """`text` as a CSS string literal (quoted, escaped), safe inside a <style> element."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    )
    return f'"{escaped}"'


def page_numbers_css() -> str:
    """The CSS `content` of the page numbers, from a translatable sentence."""
    sentence = _("Page %(page)s of %(pages)s")
    parts = []
    for piece in re.split(r"(%\(page\)s|%\(pages\)s)", sentence):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def statutes_for_document(on: dt.date) -> Statutes:
    """The statutes in force on the date, or today's when the date predates every version."""
    try:
        return statutes_in_force(on=on)
    except StatutesNotInForce:
        return statutes_in_force()


def document_context(*, on: dt.date, title: str) -> dict[str, Any]:
    """The context every document template's header and footer use."""
    statutes = statutes_for_document(on)
    return {
        "statutes": statutes,
        "title": title,
        "generated_at": timezone.localtime(),
        "language": get_language(),
        "css_designation": css_string(statutes.legal_designation),
        "css_title": css_string(title),
        "css_page_numbers": page_numbers_css(),
    }


def pdf_from_html(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
