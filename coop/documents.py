"""What every printed document shares (RULES 18): the cooperative's designation "… à capital
variable" on every page, a title, page numbers, and WeasyPrint to print the HTML.

Every PDF of the project goes through `pdf_from_html`, the one place that calls WeasyPrint.
Two rules keep what people type from changing a document or reaching the network:

- Text that people type (a name, a title, the cooperative's designation) only ever goes in the
  HTML, escaped by the template engine. The running header shows it through running elements
  (`position: running(...)`, `content: element(...)`), never through a CSS string: the only
  CSS strings are the translated words of the page numbers (`css_string`, which escapes every
  character that could end the string).
- WeasyPrint fetches what the HTML refers to through `ProjectURLFetcher`, which serves the
  project's static files and media files from disk, and refuses everything else (other
  `file://` paths, `http(s)://`, `data:`, ...). A refusal is logged and the resource left out.
"""

import datetime as dt
import functools
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop.models import Statutes
from coop.statutes import StatutesNotInForce, statutes_in_force

logger = logging.getLogger(__name__)

#: The base URL that relative addresses in a document resolve against. It names no server:
#: the fetcher maps it to the static and media roots on disk and never opens a connection.
DOCUMENT_BASE_URL = "https://documents.voliere.invalid/"

_CSS_SAFE = re.compile(r"[A-Za-z0-9 .,:;!?()'%/-]")


def css_string(text: str) -> str:
    """`text` as a CSS string literal: every character but letters, digits, spaces and plain
    punctuation is written as a hexadecimal escape, so no quote, backslash, line break or
    `<` can end the string or the <style> element. For the project's own words only."""
    escaped = "".join(char if _CSS_SAFE.fullmatch(char) else f"\\{ord(char):06x}" for char in text)
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
    """The context every document template's header and footer use. The designation and the
    title reach the page header as HTML (templates/coop/pdf/_running.html), never as CSS."""
    statutes = statutes_for_document(on)
    return {
        "statutes": statutes,
        "title": title,
        "generated_at": timezone.localtime(),
        "language": get_language(),
        "css_page_numbers": page_numbers_css(),
    }


class DocumentResourceRefused(Exception):
    """A document referred to something outside the project's static and media files."""


def _roots() -> tuple[list[Path], Path]:
    static = [Path(settings.STATIC_ROOT).resolve()] if settings.STATIC_ROOT else []
    static += [Path(directory).resolve() for directory in settings.STATICFILES_DIRS]
    return static, Path(settings.MEDIA_ROOT).resolve()


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def document_resource_path(url: str) -> Path:
    """The file on disk that `url` names, when it is one of the project's static or media
    files; `DocumentResourceRefused` otherwise. Accepted: `file://` paths inside a static root
    or MEDIA_ROOT (after resolving `..` and symbolic links), and STATIC_URL / MEDIA_URL paths
    under DOCUMENT_BASE_URL (what a relative `{% static %}` or `image.url` resolves to)."""
    parts = urlsplit(url)
    static_roots, media_root = _roots()
    path: Path | None = None
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        path = Path(unquote(parts.path)).resolve()
        if not _inside(path, [*static_roots, media_root]):
            path = None
    elif url.startswith(DOCUMENT_BASE_URL):
        local = "/" + unquote(parts.path).lstrip("/")
        if local.startswith(settings.STATIC_URL):
            try:
                found = finders.find(local.removeprefix(settings.STATIC_URL))
            except SuspiciousFileOperation:
                found = None
            candidate = Path(found).resolve() if isinstance(found, str) else None
            if candidate is None and settings.STATIC_ROOT:
                candidate = (
                    Path(settings.STATIC_ROOT) / local.removeprefix(settings.STATIC_URL)
                ).resolve()
            if candidate is not None and _inside(candidate, static_roots):
                path = candidate
        elif local.startswith(settings.MEDIA_URL):
            candidate = (media_root / local.removeprefix(settings.MEDIA_URL)).resolve()
            if _inside(candidate, [media_root]):
                path = candidate
    if path is None or not path.is_file():
        raise DocumentResourceRefused(url)
    return path


@functools.cache
def _url_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectURLFetcher(URLFetcher):
        """WeasyPrint's fetcher, reduced to the project's static and media files on disk."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            try:
                path = document_resource_path(url)
            except DocumentResourceRefused:
                logger.warning("A document referred to %r: refused, left out.", url[:300])
                raise
            return URLFetcherResponse(path.as_uri(), path.read_bytes())

    return ProjectURLFetcher


def url_fetcher() -> Any:
    """A fresh fetcher for one document (WeasyPrint's fetchers keep state while they fetch)."""
    return _url_fetcher_class()()


def pdf_from_html(html: str, *, target: Any = None) -> bytes | None:
    """The PDF of `html`, with only the project's own files reachable. Every document of the
    project is printed here. With `target` (a path or a file), written there instead of
    returned (a part of a long document, printed by a job)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=url_fetcher())
    return document.write_pdf(target) if target is not None else document.write_pdf()


# WeasyPrint logs each page it lays out at INFO: thousands of lines for a large register.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
