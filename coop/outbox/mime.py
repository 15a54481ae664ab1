"""Notice e-mails rendered straight to the bytes SMTP carries.

The sender builds thousands of messages a minute; `EmailMessage.message()` spends most of its
time in the generic machinery of the `email` package (header registry, folding, generator).
A notice is always the same shape (one recipient, a text part and maybe an HTML part, UTF-8),
so it is written out directly here, with the same encodings Django chooses: 7bit or 8bit
bodies, quoted-printable when a line exceeds the 998-octet limit of RFC 5322, RFC 2047 encoded
words for non-ASCII headers, punycode for international domains.
"""

from __future__ import annotations

import binascii
import itertools
import secrets
from dataclasses import dataclass
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail.message import sanitize_address

LINE_LIMIT = 998  # octets, RFC 5322 section 2.1.1
CRLF = "\r\n"
_NOT_IN_PLAIN_ADDRESS = frozenset(' <>()[],;:"\\\r\n\t')


class UnsendableMessage(ValueError):
    """The notice cannot be written as a message (a line break in a header, a bad address)."""


@dataclass(frozen=True, slots=True)
class Sender:
    """What every message of a batch shares, computed once: the From, and a random prefix for
    the MIME boundaries (no content can contain it by chance)."""

    header: str
    envelope: str
    boundary_prefix: str

    @classmethod
    def from_settings(cls) -> Sender:
        sender = settings.DEFAULT_FROM_EMAIL
        return cls(
            header=sanitize_address(sender, "utf-8"),
            envelope=parseaddr(sender)[1],
            boundary_prefix=f"voliere_{secrets.token_hex(16)}",
        )


_boundary_counter = itertools.count().__next__


@dataclass(frozen=True, slots=True)
class Rendered:
    envelope_to: str
    data: bytes


# RFC 2047: a line holding encoded words is at most 76 characters; a word "=?utf-8?b?...?="
# spends 12 of them besides its base64, which carries 3 octets per 4 characters.
_ENCODED_LINE = 76
_WORD_OVERHEAD = len("=?utf-8?b??=")


def _octets_per_word(room: int) -> int:
    return (room - _WORD_OVERHEAD) // 4 * 3


def header_value(value: str, name: str) -> str:
    """A header value as it goes on the wire: ASCII as is, anything else as encoded words,
    one per line, never splitting a character."""
    if "\n" in value or "\r" in value:
        raise UnsendableMessage(f"the {name} header cannot contain a line break")
    if value.isascii() and len(name) + len(value) < LINE_LIMIT - 2:
        return value
    budget = _octets_per_word(_ENCODED_LINE - len(name) - 2)  # the first line has "Name: "
    words: list[str] = []
    chunk = bytearray()
    for char in value:
        octets = char.encode("utf-8", "surrogateescape")
        if len(chunk) + len(octets) > budget:
            words.append(_encoded_word(chunk))
            chunk.clear()
            budget = _octets_per_word(_ENCODED_LINE - 1)  # later lines start with a space
        chunk += octets
    words.append(_encoded_word(chunk))
    return (CRLF + " ").join(words)


def _encoded_word(octets: bytes | bytearray) -> str:
    return f"=?utf-8?b?{binascii.b2a_base64(octets, newline=False).decode('ascii')}?="


def address(addr: str) -> str:
    """One recipient's address for the To header and the envelope (punycode domain)."""
    if addr.isascii() and not _NOT_IN_PLAIN_ADDRESS.intersection(addr):
        return addr
    try:
        return sanitize_address(addr, "utf-8")
    except ValueError as exc:
        raise UnsendableMessage(str(exc)) from exc


def _part(content: str, subtype: str) -> str:
    """A text part: its headers, a blank line, its body with CRLF line ends."""
    lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    too_long = max(map(len, lines)) * 4 > LINE_LIMIT and any(
        len(line.encode("utf-8", "surrogateescape")) > LINE_LIMIT for line in lines
    )
    if too_long:
        data = "\n".join(lines).encode("utf-8", "surrogateescape")
        body = binascii.b2a_qp(data, istext=True).decode("ascii").replace("\n", CRLF)
        encoding = "quoted-printable"
    else:
        body = CRLF.join(lines)
        encoding = "7bit" if body.isascii() else "8bit"
    # The line end before the next boundary belongs to the boundary: add one.
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}{body}{CRLF}"
    )


def render(
    *,
    sender: Sender,
    to_email: str,
    subject: str,
    body_text: str,
    body_html: str,
    message_id: str,
    language: str,
) -> Rendered:
    """The whole message, ready for SMTP DATA (before dot-stuffing)."""
    to = address(to_email)
    headers = (
        f"From: {sender.header}{CRLF}"
        f"To: {to}{CRLF}"
        f"Subject: {header_value(subject, 'Subject')}{CRLF}"
        f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}{CRLF}"
        f"Message-ID: {header_value(message_id, 'Message-ID')}{CRLF}"
        f"Auto-Submitted: auto-generated{CRLF}"
        f"Content-Language: {header_value(language, 'Content-Language')}{CRLF}"
        f"MIME-Version: 1.0{CRLF}"
    )
    if body_html:
        boundary = f"=_{sender.boundary_prefix}_{_boundary_counter()}"
        text = (
            f'{headers}Content-Type: multipart/alternative; boundary="{boundary}"{CRLF}{CRLF}'
            f"--{boundary}{CRLF}{_part(body_text, 'plain')}"
            f"--{boundary}{CRLF}{_part(body_html, 'html')}"
            f"--{boundary}--{CRLF}"
        )
    else:
        text = headers + _part(body_text, "plain")
    envelope_to = parseaddr(to)[1] if "<" in to else to
    return Rendered(envelope_to=envelope_to, data=text.encode("utf-8", "surrogateescape"))
