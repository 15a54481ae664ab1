"""One connection to the mail server that tells apart how a message failed.

With the SMTP backend the sender speaks the protocol itself (MAIL, RCPT, DATA, the content,
then the line with a single dot that completes the message). A failure before that dot means
the message was not delivered: a server drops a transaction the client did not complete
(RFC 5321, 3.8). A connection lost after the dot, before the server's answer, means it may have
been. Other backends (files, console, memory: development and tests) get the same Django
message through `send_messages`, and any failure there counts as "may have been sent".

Every message is Django's `EmailMultiAlternatives` (text, and HTML when the notice has one).
With SMTP its bytes are those `message().as_bytes()` writes, as Django's SMTP backend does,
written by the batch's `NoticeWriter` (coop/outbox/writing.py), which computes what the
copies share once and writes the same bytes several times faster.
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
from collections.abc import Callable
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend

from coop.outbox.writing import (
    Claimed,
    NoticeWriter,
    UnsendableMessage,
    notice_message,
)

logger = logging.getLogger(__name__)

# SMTP "dot-stuffing": a line of the content that starts with a dot gets a second one.
_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


def sender_domain() -> str:
    """The domain of the sender's address, for the Message-IDs."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "voliere.invalid"


class Refused(Exception):
    """The server answered and refused this message: it was not delivered."""

    def __init__(self, code: int, text: str):
        self.code = code
        self.text = text
        super().__init__(f"{code} {text}")

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600


class SenderRefused(Exception):
    """The server refused our sender address (MAIL FROM): nothing to do with the recipients."""


class NotSent(Exception):
    """The connection failed before the message was handed over: it was not delivered."""


class MaybeSent(Exception):
    """The connection failed while the message was being handed over: it may be delivered."""


def _smtp_text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class Transport:
    """One connection of the configured e-mail backend (see the module's documentation)."""

    def __init__(self, backend: BaseEmailBackend):
        self.backend = backend
        self.smtp = isinstance(backend, SmtpEmailBackend)
        self.envelope_from = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        self.domain = sender_domain()
        self.writer = NoticeWriter()

    def open(self) -> None:
        try:
            self.backend.open()
            if self.smtp and self.backend.connection is not None:
                # The final dot goes alone, after a pause: without this, Nagle's algorithm holds
                # it back until the server acknowledges the content (up to 40 ms, per message).
                sock = self.backend.connection.sock
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:  # smtplib.SMTPException is an OSError
            raise NotSent(f"{exc.__class__.__name__}: {exc}") from exc

    def close(self) -> None:
        try:
            self.backend.close()
        except OSError:
            logger.info("Closing the mail server connection failed", exc_info=True)
            if self.smtp:
                self.backend.connection = None

    def reopen(self) -> None:
        self.close()
        self.open()

    def message_id(self, row: Claimed) -> str:
        """The row's own Message-ID: every try of one copy carries the same."""
        return row.message_id or make_msgid(idstring=f"notice{row.id}", domain=self.domain)

    def transmit(self, row: Claimed, message_id: str, before_commit: Callable[[], None]) -> None:
        """Hand one row to the server.

        `before_commit` runs at the last moment when nothing is delivered yet: with SMTP, once
        the content is transmitted but before the line with a single dot that ends it. A server
        that loses the connection before that dot cancels the transaction (RFC 5321, 3.8).
        """
        if not self.smtp:
            before_commit()
            self._send_django_message(row, message_id)
            return
        rendered = self.writer.render(row, message_id)
        smtp: smtplib.SMTP | None = self.backend.connection
        if smtp is None:
            raise NotSent("not connected")
        try:
            smtp.ehlo_or_helo_if_needed()
            size = f" SIZE={len(rendered.data)}" if smtp.has_extn("size") else ""
            # smtplib.SMTP.mail() and rcpt(), without re-parsing addresses checked already.
            smtp.putcmd("mail", f"FROM:<{self.envelope_from}>{size}")
            code, reply = smtp.getreply()
            if code != 250:
                try:
                    self._refuse(smtp, code, reply)
                except Refused as refused:
                    raise SenderRefused(str(refused)) from refused
            smtp.putcmd("rcpt", f"TO:<{rendered.envelope_to}>")
            code, reply = smtp.getreply()
            if code not in (250, 251):
                self._refuse(smtp, code, reply)
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                self._refuse(smtp, code, reply)
            smtp.send(_DOT_AT_LINE_START.sub(b"..", rendered.data))
        except (Refused, SenderRefused, NotSent):
            raise
        except OSError as exc:
            raise NotSent(f"{exc.__class__.__name__}: {exc}") from exc
        try:
            before_commit()
        except BaseException:
            smtp.close()  # hang up without the final dot: the server drops the message
            raise
        # From here on the server may accept the message even if we never hear it say so.
        try:
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
        except OSError as exc:
            raise MaybeSent(f"{exc.__class__.__name__}: {exc}") from exc
        if code != 250:
            self._refuse(smtp, code, reply)

    def _send_django_message(self, row: Claimed, message_id: str) -> None:
        message = notice_message(row, message_id)
        try:
            message.message()
        except ValueError as exc:  # BadHeaderError, bad address: nothing was sent
            raise UnsendableMessage(str(exc)) from exc
        try:
            self.backend.send_messages([message])
        except Exception as exc:
            raise MaybeSent(f"{exc.__class__.__name__}: {exc}") from exc

    @staticmethod
    def _refuse(smtp: smtplib.SMTP, code: int, reply: bytes | str) -> None:
        text = _smtp_text(reply)
        if code == 421 or code < 0:  # the server is closing the connection
            smtp.close()
            raise NotSent(f"{code} {text}")
        try:
            smtp.rset()
        except OSError as exc:
            raise Refused(code, text) from exc
        raise Refused(code, text)
