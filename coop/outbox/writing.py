"""A notice's bytes for SMTP, exactly as Django writes them, at a fraction of the cost.

Django builds each message as a tree of `email.mime` objects and writes it through the `email`
package's generator: every header goes through `email.header.Header` (twice for the subject
and the sender's name), and every multipart message compiles a regular expression to check
its boundary. That is about half a millisecond of CPU a message, most of what a sender spends
on one. A notice always has the same shape (one recipient; a text part and, when it has one,
an HTML part; UTF-8; the same headers in the same order), so `NoticeWriter` writes it directly:

- what every copy of a batch shares is computed once per batch, by the same functions Django
  uses: the From line, the folded Content-Type line of a multipart message, the subjects
  (one per notice, usually: kept per batch);
- per copy only what is the recipient's: To, Subject, Date, Message-ID, Content-Language, the
  boundary and the two bodies, with their line ends made CRLF.

A header value is written as it is only where the `email` package's folding leaves it
unchanged (printable ASCII, short enough for one line); a non-ASCII subject is cut into
encoded words in one pass, where `email.header.Header` measures every prefix; any other goes
through Django's own path (`forbid_multi_line_headers`, then the compat32 policy's folding). A copy
that Django would write another way (a line of more than 998 octets, quoted-printable; no text
body) is written by Django itself. tests/coop/test_outbox_writing.py checks, byte for byte,
that both write the same message.
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from email import base64mime, policy, quoprimime
from email.charset import SHORTEST, Charset
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    to_email: str
    language: str
    subject: str
    body_text: str
    body_html: str
    attempts: int
    message_id: str = ""  # given when the row is first claimed, kept for every later try


class UnsendableMessage(ValueError):
    """The notice cannot be written as a message (a line break in a header, a bad address)."""


@dataclass(frozen=True, slots=True)
class Rendered:
    envelope_to: str
    data: bytes


def notice_message(row: Claimed, message_id: str) -> EmailMultiAlternatives:
    """The row as a Django message: its text, and its HTML as an alternative."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_email],
        headers={
            "Message-ID": message_id,
            "Auto-Submitted": "auto-generated",
            "Content-Language": row.language,
        },
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def render(row: Claimed, message_id: str) -> Rendered:
    """The message as Django writes it for SMTP DATA (before dot-stuffing), and its envelope
    recipient: what `NoticeWriter` writes faster, and what it hands the unusual copies to."""
    message = notice_message(row, message_id)
    try:
        # Django's messages take a line separator (its MIMEMixin), which the stubs do not know.
        data = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
        envelope_to = sanitize_address(row.to_email, message.encoding or settings.DEFAULT_CHARSET)
    except ValueError as exc:  # BadHeaderError, bad address: nothing was sent
        raise UnsendableMessage(str(exc)) from exc
    return Rendered(envelope_to=parseaddr(envelope_to)[1] or envelope_to, data=data)


CRLF = "\r\n"
# The policy Django's messages are written with (BytesGenerator, compat32, CRLF line ends).
_POLICY = policy.compat32.clone(linesep=CRLF)
# A line of at most this many characters is left as it is by the folding.
_FOLD_WIDTH = 78
# Body line ends, as the generator finds them (email.generator.NLCRE).
_LINE_END = re.compile(r"\r\n|\r|\n")
# An address written alike in the To header, the envelope and by `sanitize_address`: a
# dot-atom local part and an ASCII domain of labels of 1 to 63 characters.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
)
# The generator's boundaries: 15 "=", a random number of 19 digits, "==".
_BOUNDARY_WIDTH = len(repr(sys.maxsize - 1))
_SAMPLE_BOUNDARY = "=" * 15 + "0" * _BOUNDARY_WIDTH + "=="


def _stays_as_is(name: str, value: str) -> bool:
    """Whether the folding writes `Name: value` unchanged (checked against the `email`
    package in the tests)."""
    return len(name) + 2 + len(value) <= _FOLD_WIDTH and value.isascii() and value.isprintable()


def _folded(name: str, value: str) -> bytes:
    """The header line as Django writes it (raises BadHeaderError, a ValueError, for a line
    break in the value)."""
    name, value = forbid_multi_line_headers(name, value, settings.DEFAULT_CHARSET)
    return _POLICY.fold_binary(name, value)


def _header(name: str, value: str) -> bytes:
    if _stays_as_is(name, value):
        return f"{name}: {value}{CRLF}".encode("ascii")
    return _folded(name, value)


# RFC 2047 encoded words as `email.header.Header` cuts a UTF-8 header: a word (with its 12
# characters of "=?utf-8?b?...?=") fills at most the 78 characters of the first line, then 77
# (after the continuation space), and the encoding is the shorter of base64 and Q for the whole.
_WORD_CHROME = len("utf-8") + 7
_HEADER_WIDTH = 78  # email.header.MAXLINELEN, the default width of `Header`
_WORD_WIDTHS = (_HEADER_WIDTH - _WORD_CHROME, _HEADER_WIDTH - 1 - _WORD_CHROME)
_SHORTEST = Charset("utf-8").header_encoding == SHORTEST


def _encoded_subject(subject: str) -> bytes | None:
    """The Subject line of a non-ASCII subject as Django writes it (`Header(subject, "utf-8")`
    encoded, then folded), in one pass where `Header` measures every prefix; None for what is
    left to Django (an empty subject, characters that break or cannot be written)."""
    if not subject or subject.isascii() or not subject.isprintable() or not _SHORTEST:
        return None
    try:
        data = subject.encode("utf-8")
    except UnicodeEncodeError:
        return None
    base64 = base64mime.header_length(data) < quoprimime.header_length(data)
    words: list[str] = []
    chunk: list[str] = []
    size = 0  # octets so far (base64) or encoded length so far (Q)
    width = _WORD_WIDTHS[0]
    for char in subject:
        octets = char.encode("utf-8")
        grown = size + (len(octets) if base64 else quoprimime.header_length(octets))
        length = -(-grown // 3) * 4 if base64 else grown
        if length > width and chunk:
            words.append("".join(chunk))
            chunk, grown, width = [], grown - size, _WORD_WIDTHS[1]
        chunk.append(char)
        size = grown
    words.append("".join(chunk))
    encode = base64mime.header_encode if base64 else quoprimime.header_encode
    encoded = [encode(word.encode("utf-8"), charset="utf-8") for word in words]
    # The folding puts the first word after "Subject: " if the line stays within 78
    # characters, else on a line of its own; every other word on a line of its own.
    first = "" if len("Subject: ") + len(encoded[0]) <= _FOLD_WIDTH else CRLF
    lines = f"{CRLF} ".join(encoded)
    return f"Subject: {first}{' ' if first else ''}{lines}{CRLF}".encode("ascii")


def _body(content: str) -> tuple[bytes, str] | None:
    """The body with CRLF line ends and its transfer encoding, or None where Django would
    write it in quoted-printable (a line longer than RFC 5322 allows)."""
    if any(
        len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for line in content.splitlines()
    ):
        return None
    encoding = "7bit" if content.isascii() else "8bit"
    return _LINE_END.sub(CRLF, content).encode("utf-8"), encoding


def _part_headers(subtype: str, encoding: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}'
        f"MIME-Version: 1.0{CRLF}"
        f"Content-Transfer-Encoding: {encoding}{CRLF}"
    ).encode("ascii")


class NoticeWriter:
    """Writes the copies of one batch (see the module's documentation)."""

    def __init__(self) -> None:
        # Written here in UTF-8 only; Django writes them in any other charset.
        self._utf8 = settings.DEFAULT_CHARSET.lower() == "utf-8"
        self._from = b""
        if self._utf8:
            try:
                self._from = _folded("From", settings.DEFAULT_FROM_EMAIL)
            except ValueError:  # a sender Django refuses: each copy fails as Django fails it
                self._utf8 = False
        before, _sample, after = _POLICY.fold_binary(
            "Content-Type", f'multipart/alternative; boundary="{_SAMPLE_BOUNDARY}"'
        ).partition(_SAMPLE_BOUNDARY.encode("ascii"))
        self._multipart = (before, after)
        self._subjects: dict[str, bytes] = {}
        # A boundary is no secret: like the `email` package, draw it from a plain generator.
        self._random = random.Random()  # noqa: S311

    def _subject(self, subject: str) -> bytes:
        line = self._subjects.get(subject)
        if line is None:
            # Django always passes the subject through `Header` first, which the folding of a
            # short ASCII one leaves unchanged too.
            if _stays_as_is("Subject", subject):
                line = f"Subject: {subject}{CRLF}".encode("ascii")
            else:
                line = _encoded_subject(subject) or _folded("Subject", subject)
            self._subjects[subject] = line
        return line

    def _boundary(self, *contents: bytes) -> str:
        while True:
            token = self._random.randrange(sys.maxsize)
            boundary = f"{'=' * 15}{token:0{_BOUNDARY_WIDTH}d}=="
            marker = boundary.encode("ascii")
            if not any(marker in content for content in contents):
                return boundary

    def render(self, row: Claimed, message_id: str) -> Rendered:
        """The copy as SMTP DATA carries it (before dot-stuffing), and its envelope recipient.

        Raises UnsendableMessage when it cannot be written (a line break in a header, a bad
        address): nothing is sent.
        """
        try:
            return self._render(row, message_id)
        except ValueError as exc:  # BadHeaderError, a bad address, a lone surrogate
            raise UnsendableMessage(str(exc)) from exc

    def _render(self, row: Claimed, message_id: str) -> Rendered:
        to_email = row.to_email
        plain_address = _PLAIN_ADDRESS.fullmatch(to_email) is not None
        text = _body(row.body_text) if row.body_text else None
        html = _body(row.body_html) if row.body_html else None
        if not (self._utf8 and plain_address) or text is None or (row.body_html and html is None):
            return render(row, message_id)
        headers = b"".join(
            (
                self._subject(row.subject),
                self._from,
                _header("To", to_email),
                f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}{CRLF}".encode("ascii"),
                _header("Message-ID", message_id),
                b"Auto-Submitted: auto-generated\r\n",
                _header("Content-Language", row.language),
            )
        )
        text_body, text_encoding = text
        if html is None:
            data = b"".join((_part_headers("plain", text_encoding), headers, b"\r\n", text_body))
            return Rendered(envelope_to=to_email, data=data)
        html_body, html_encoding = html
        boundary = self._boundary(text_body, html_body)
        delimiter = f"--{boundary}".encode("ascii")
        before, after = self._multipart
        data = b"".join(
            (
                before,
                delimiter[2:],
                after,
                b"MIME-Version: 1.0\r\n",
                headers,
                b"\r\n",
                delimiter,
                b"\r\n",
                _part_headers("plain", text_encoding),
                b"\r\n",
                text_body,
                b"\r\n",
                delimiter,
                b"\r\n",
                _part_headers("html", html_encoding),
                b"\r\n",
                html_body,
                b"\r\n",
                delimiter,
                b"--\r\n",
            )
        )
        return Rendered(envelope_to=to_email, data=data)
