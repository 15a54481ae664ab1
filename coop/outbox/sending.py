"""Sending the outbox: at most once, in batches over one connection, with retries.

A sender takes a PostgreSQL session-level advisory lock on a fresh random claim token, claims
the due rows in one statement (FOR UPDATE SKIP LOCKED), and hands them to one connection in id
order. Before a message is complete (the line with a single dot that ends it is sent), every
earlier row of the claim has been committed with its outcome: sent, back in the queue, failed
or interrupted. So of the rows of a claim still "sending", only the lowest may have reached the
server: that is what recovery relies on.

The commit of a row as sent runs on a second database connection, in a helper thread, while
the next message is prepared and transmitted up to, not including, its final dot: until that
line the server delivers nothing. The sender waits for the commit before it sends that line.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from coop.models import NoticeDelivery
from coop.outbox import mime
from coop.outbox.transport import (
    Claimed,
    MaybeSent,
    NotSent,
    Refused,
    SenderRefused,
    Transport,
)

logger = logging.getLogger(__name__)

Status = NoticeDelivery.Status

# A batch reconnects at most this many times after the server closed the connection.
MAX_RECONNECTS = 3
# Rows put back after a connection failure wait this long (the task retries with backoff too).
CONNECTION_RETRY_SECONDS = 30


class OutboxConnectionError(Exception):
    """The mail server could not be reached or kept dropping the connection.

    The rows of the batch that were not handed over are back in the queue; the Celery task
    retries with backoff.
    """


class OutboxClaimLost(Exception):
    """Recovery took over our claim (it found our lock gone): the sender stopped at once."""


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0
    released: int = 0
    batches: int = 0

    def __iadd__(self, other: SendReport) -> SendReport:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def retry_delay(attempts: int) -> timedelta:
    """Wait before retrying a row refused `attempts` times: base, 2 x base, 4 x base... capped."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds)


# --- The rows ---------------------------------------------------------------------------------

_CLAIM_SQL = """
WITH due AS MATERIALIZED (
    SELECT id FROM coop_noticedelivery
    WHERE status = 'pending' AND channel = 'email' AND next_attempt_at <= %(now)s
    ORDER BY id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE coop_noticedelivery AS d
SET status = 'sending', claim_token = %(token)s, claimed_at = %(now)s,
    attempts = d.attempts + 1
FROM due
WHERE d.id = due.id
RETURNING d.id, d.to_email, d.language, d.subject, d.body_text, d.body_html, d.attempts
"""

_MARK_SENT_SQL = """
UPDATE coop_noticedelivery SET status = 'sent', sent_at = %s, message_id = %s, last_error = ''
WHERE id = %s AND claim_token = %s AND status = 'sending'
"""

_MARK_SQL = """
UPDATE coop_noticedelivery SET status = %s, next_attempt_at = %s, last_error = %s
WHERE id = %s AND claim_token = %s AND status = 'sending'
"""

# Rows never handed to the server: back in the queue, the attempt not counted against them.
_RELEASE_SQL = """
UPDATE coop_noticedelivery
SET status = 'pending', attempts = GREATEST(attempts - 1, 0), next_attempt_at = %s,
    last_error = %s
WHERE claim_token = %s AND status = 'sending' AND id = ANY(%s)
"""


def _update_claimed(sql: str, params: Sequence[Any], *, row_id: int, token: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != 1:
            raise OutboxClaimLost(f"claim {token:x} lost at row {row_id}")


def _mark_sent_in_thread(row_id: int, token: int, message_id: str) -> None:
    _update_claimed(
        _MARK_SENT_SQL, [timezone.now(), message_id, row_id, token], row_id=row_id, token=token
    )


def _close_thread_connection() -> None:
    connection.close()  # the helper thread's own connection


class _Marker:
    """The helper thread that commits rows as sent, with its own database connection.

    One serves every batch of a sending run, so that its connection is opened once.
    """

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None

    def submit(self, row_id: int, token: int, message_id: str) -> Future[None]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-mark")
        return self._executor.submit(_mark_sent_in_thread, row_id, token, message_id)

    def __enter__(self) -> _Marker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._executor is not None:
            try:
                self._executor.submit(_close_thread_connection).result()
            finally:
                self._executor.shutdown(wait=True)
                self._executor = None


@dataclass
class _Batch:
    token: int
    rows: list[Claimed]
    marker: _Marker
    report: SendReport = field(default_factory=SendReport)
    _sent_mark: Future[None] | None = None

    def _update(self, sql: str, params: Sequence[Any], row: Claimed) -> None:
        self.settle()
        _update_claimed(sql, params, row_id=row.id, token=self.token)

    def mark_sent(self, row: Claimed, message_id: str) -> None:
        """Commit the row as sent, on the helper thread; `settle` waits for it."""
        self.settle()
        self._sent_mark = self.marker.submit(row.id, self.token, message_id)

    def settle(self) -> None:
        """Wait until the last row handed over is committed as sent (raises if it was not)."""
        if self._sent_mark is not None:
            pending, self._sent_mark = self._sent_mark, None
            pending.result()
            self.report.sent += 1

    def shut_down(self) -> None:
        """Wait for the last commit. On the way out of an error, its failure is only logged."""
        try:
            self.settle()
        except Exception:
            logger.warning(
                "Outbox claim %x: committing the last row failed", self.token, exc_info=True
            )

    def mark_refused(self, row: Claimed, exc: Refused) -> None:
        error = gettext("The server refused this message: %(reply)s") % {"reply": exc}
        if exc.permanent or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            self.mark_failed(row, error)
            return
        next_attempt = timezone.now() + retry_delay(row.attempts)
        self._update(_MARK_SQL, [Status.PENDING, next_attempt, error, row.id, self.token], row)
        self.report.retrying += 1

    def mark_failed(self, row: Claimed, error: str) -> None:
        self._update(_MARK_SQL, [Status.FAILED, timezone.now(), error, row.id, self.token], row)
        self.report.failed += 1

    def mark_interrupted(self, row: Claimed, error: str) -> None:
        params = [Status.INTERRUPTED, timezone.now(), error, row.id, self.token]
        self._update(_MARK_SQL, params, row)
        self.report.interrupted += 1

    def release(self, rows: Sequence[Claimed], error: str) -> None:
        self.settle()
        if not rows:
            return
        next_attempt = timezone.now() + timedelta(seconds=CONNECTION_RETRY_SECONDS)
        with connection.cursor() as cursor:
            cursor.execute(_RELEASE_SQL, [next_attempt, error, self.token, [r.id for r in rows]])
            self.report.released += cursor.rowcount


def _send_claimed(batch: _Batch) -> None:
    """Hand the claimed rows to one connection, in id order, recording each outcome."""
    transport = Transport(get_connection(fail_silently=False))
    rows = batch.rows
    try:
        transport.open()
    except NotSent as exc:
        batch.release(rows, gettext("Could not reach the mail server: %(error)s") % {"error": exc})
        raise OutboxConnectionError(str(exc)) from exc
    reconnects = 0
    index = 0
    try:
        while index < len(rows):
            row = rows[index]
            message_id = transport.message_id(row)
            try:
                transport.transmit(row, message_id, before_commit=batch.settle)
            except mime.UnsendableMessage as exc:
                batch.mark_failed(
                    row, gettext("This message cannot be built: %(error)s") % {"error": exc}
                )
            except Refused as exc:
                batch.mark_refused(row, exc)
            except SenderRefused as exc:  # a configuration or quota matter: the copies wait
                batch.release(
                    rows[index:],
                    gettext("The mail server refused the sender address: %(reply)s")
                    % {"reply": exc},
                )
                raise OutboxConnectionError(str(exc)) from exc
            except (NotSent, MaybeSent) as exc:
                if isinstance(exc, MaybeSent):
                    batch.mark_interrupted(
                        row,
                        gettext(
                            "The connection to the mail server was lost while this message was "
                            "being sent: it may have been delivered. Check with the recipient "
                            "before sending it again. (%(error)s)"
                        )
                        % {"error": exc},
                    )
                    index += 1
                reconnects += 1
                try:
                    if reconnects > MAX_RECONNECTS:
                        raise NotSent(str(exc)) from exc
                    transport.reopen()
                except NotSent as down:
                    batch.release(
                        rows[index:],
                        gettext("The mail server connection was lost: %(error)s") % {"error": down},
                    )
                    raise OutboxConnectionError(str(down)) from down
                continue
            else:
                batch.mark_sent(row, message_id)
            index += 1
        batch.settle()
    finally:
        try:
            batch.shut_down()
        finally:
            transport.close()


# --- Batches ----------------------------------------------------------------------------------


def _acquire_claim_lock() -> int:
    with connection.cursor() as cursor:
        while True:
            token = secrets.randbits(63)
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [token])
            if cursor.fetchone()[0]:
                return token


def _release_claim_lock(token: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [token])
    except Exception:
        # The session is gone, and its locks with it.
        logger.warning("Could not release outbox claim lock %x", token, exc_info=True)


def outbox_send_batch(*, batch_size: int | None = None) -> SendReport:
    """Claim up to `batch_size` due e-mail rows and send them over one connection.

    Runs in autocommit, never inside a transaction: each row's outcome is committed before the
    next message is complete. Raises OutboxConnectionError when the server cannot be reached;
    the rows not handed over are then back in the queue.
    """
    with _Marker() as marker:
        return _send_batch(batch_size or settings.OUTBOX_BATCH_SIZE, marker)


def outbox_send_due(*, batch_size: int | None = None) -> SendReport:
    """Send batch after batch until no row is due (other senders may be working too)."""
    limit = batch_size or settings.OUTBOX_BATCH_SIZE
    total = SendReport()
    with _Marker() as marker:
        while True:
            report = _send_batch(limit, marker)
            total += report
            if report.claimed < limit:
                return total


def _send_batch(limit: int, marker: _Marker) -> SendReport:
    if not transaction.get_autocommit():
        raise RuntimeError("the outbox commits row by row: send it outside a transaction")
    token = _acquire_claim_lock()
    batch = _Batch(token=token, rows=[], marker=marker)
    try:
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, {"now": timezone.now(), "limit": limit, "token": token})
            claimed = (Claimed(*values) for values in cursor.fetchall())
            batch.rows = sorted(claimed, key=lambda row: row.id)
        batch.report.claimed = len(batch.rows)
        if batch.rows:
            batch.report.batches = 1
            _send_claimed(batch)
    finally:
        _release_claim_lock(token)
        if batch.rows:
            summary = ", ".join(f"{k}={v}" for k, v in batch.report.as_dict().items())
            logger.info("Outbox batch %x: %s", token, summary)
    return batch.report
