"""What the crawl test looks for on every page: English left on a French page, internal codes.

The English texts come from the French catalogue itself: every msgid whose French translation
is a different text. A page in French that shows one of them, alone in an element (a button, a
heading, a label, a table header), forgot to translate it. Texts in an element whose `lang`
says it is in another language (the language switch reads "English") are left out, and so are
the people's own words (data), which never equal a whole msgid by chance in practice.
"""

import re
from functools import cache
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

from django.conf import settings
from playwright.sync_api import Page

# Internal codes a reader should never meet: audit actions ("assembly.vote_participation"),
# object keys ("assembly:1", "member:4") and model labels ("governance.assembly #1").
INTERNAL_CODE = re.compile(
    r"\b(?:admin|assembly|capital|category|colleges|coop|governance|heritage|job|member|"
    r"members|notice|statutes)\.[a-z]+(?:_[a-z]+)*\b(?!\.[a-z])"
    r"|\b(?:assembly|ballot|community|email|gathering|item|job|member|movement|notice|proxy|"
    r"registration|resolution|user|walk):\w+"
)

# Words shorter than this, or texts without a letter, are too ambiguous to call English.
MIN_LENGTH = 4

_TEXTS_JS = """
() => {
  const lang = document.documentElement.lang;
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
  for (let el = walker.currentNode; el; el = walker.nextNode()) {
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'CODE', 'PRE'].includes(el.tagName)) continue;
    const declared = el.closest('[lang]');
    if (declared && declared.lang && !declared.lang.startsWith(lang)) continue;
    if (el.closest('[translate="no"]')) continue;
    for (const child of el.childNodes) {
      if (child.nodeType === Node.TEXT_NODE && child.textContent.trim()) {
        texts.push(child.textContent.trim().replace(/\\s+/g, ' '));
      }
    }
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name).trim());
    }
    if (el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type) && el.value) {
      texts.push(el.value.trim());
    }
  }
  return texts;
}
"""


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(0)), text)


@cache
def english_msgids() -> frozenset[str]:
    """msgids of our French catalogue whose French text differs (without placeholders), less
    those that are also the French text of another message ("Vote", the noun, in French)."""
    path = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    english: set[str] = set()
    french: set[str] = set()
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "#, fuzzy" in block or "msgid_plural" in block:
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, re.MULTILINE)
        if not match:
            continue
        msgid = "".join(_unquote(part) for part in re.findall(r'"(.*)"', match.group(1)))
        msgstr = "".join(_unquote(part) for part in re.findall(r'"(.*)"', match.group(2)))
        french.add(" ".join(msgstr.split()))
        if (
            msgstr
            and msgstr != msgid
            and len(msgid) >= MIN_LENGTH
            and "%" not in msgid
            and "{" not in msgid
            and re.search(r"[A-Za-z]", msgid)
        ):
            english.add(" ".join(msgid.split()))
    return frozenset(english - french)


def english_on_french_page(page: Page) -> list[str]:
    msgids = english_msgids()
    return sorted({text for text in page.evaluate(_TEXTS_JS) if text in msgids})


def internal_codes(page: Page) -> list[str]:
    text = page.evaluate("() => document.body.innerText + ' ' + document.title")
    return sorted({match.group(0) for match in INTERNAL_CODE.finditer(text)})


# Addresses the crawl does not follow: signing out, Django's own admin site, the static files.
SKIPPED_PREFIXES = ("/accounts/logout", "/admin/", "/static/", "/media/", "/i18n/")


def links(page: Page, base_url: str) -> list[str]:
    """Same-site addresses of the page's links, without fragment, in document order."""
    host = urlparse(base_url).netloc
    found: list[str] = []
    for href in page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map(link => link.getAttribute('href'))"
    ):
        address = urldefrag(urljoin(page.url, href)).url
        parsed = urlparse(address)
        if parsed.scheme not in ("http", "https") or parsed.netloc != host:
            continue
        if parsed.path.startswith(SKIPPED_PREFIXES):
            continue
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if path not in found:
            found.append(path)
    return found
