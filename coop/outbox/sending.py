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

Each row gets its Message-ID when it is first claimed, stored with it: every later try of the
same copy carries the same one. A copy that may have been delivered (the connection was lost
after its final dot) is sent again automatically, at least once in all (see `row_in_doubt`).

A database error in the middle of a batch (a connection killed, a failover) stops the batch at
once, before any further message is completed; the sender then settles its own claim on a
fresh connection, knowing exactly what it handed over: the copy the server accepted whose
commit failed is recorded as sent, the copies never handed over go back in the queue. It
raises OutboxDatabaseError, which the Celery task retries within seconds.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from coop.models import NoticeDelivery
from coop.outbox.outcomes import (
    OutboxClaimLost,
    OutboxConnectionError,
    OutboxDatabaseError,
    SendReport,
    retry_delay,
    row_in_doubt,
)
from coop.outbox.transport import (
    Claimed,
    MaybeSent,
    NotSent,
    Refused,
    SenderRefused,
    Transport,
    UnsendableMessage,
    sender_domain,
)
from coop.prepared import prepared_cursor

logger = logging.getLogger(__name__)

Status = NoticeDelivery.Status

# A batch reconnects at most this many times after the server closed the connection.
MAX_RECONNECTS = 3
# Rows put back after a connection failure wait this long (the task retries with backoff too).
CONNECTION_RETRY_SECONDS = 30
# Rows put back after a database error: the task retries within seconds.
DATABASE_RETRY_SECONDS = 5
# What a lost or failing database connection raises.
DATABASE_ERRORS = (OperationalError, InterfaceError)


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
    attempts = d.attempts + 1,
    message_id = CASE WHEN d.message_id = '' THEN
        '<' || replace(gen_random_uuid()::text, '-', '') || '.notice' || d.id || '@'
        || %(domain)s || '>'
    ELSE d.message_id END
FROM due
WHERE d.id = due.id
RETURNING d.id, d.to_email, d.language, d.subject, d.body_text, d.body_html, d.attempts,
    d.message_id
"""

_MARK_SENT_SQL = """
UPDATE coop_noticedelivery SET status = 'sent', sent_at = %s, message_id = %s, last_error = ''
WHERE id = %s AND claim_token = %s AND status = 'sending'
"""

_MARK_SQL = """
UPDATE coop_noticedelivery SET status = %s, next_attempt_at = %s, last_error = %s
WHERE id = %s AND claim_token = %s AND status = 'sending'
"""

# A copy that may have been delivered: sent again (resends + 1) or left interrupted.
_IN_DOUBT_SQL = """
UPDATE coop_noticedelivery
SET status = %s, next_attempt_at = %s, last_error = %s, resends = resends + %s
WHERE id = %s AND claim_token = %s AND status = 'sending'
"""

# Rows never handed to the server: back in the queue, the attempt not counted against them.
_RELEASE_SQL = """
UPDATE coop_noticedelivery
SET status = 'pending', attempts = GREATEST(attempts - 1, 0), next_attempt_at = %s,
    last_error = %s
WHERE claim_token = %s AND status = 'sending' AND id = ANY(%s)
"""

# After a database error: every row of the claim still "sending" was never handed over.
_RELEASE_ALL_SQL = """
UPDATE coop_noticedelivery
SET status = 'pending', attempts = GREATEST(attempts - 1, 0), next_attempt_at = %s,
    last_error = %s
WHERE claim_token = %s AND status = 'sending'
"""


def _update_claimed(sql: str, params: Sequence[Any], *, row_id: int, token: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount != 1:
            raise OutboxClaimLost(f"claim {token:x} lost at row {row_id}")


# The helper thread's cursor on its own connection, kept for the thread's life.
_marker_state = threading.local()


def _mark_sent_in_thread(row_id: int, token: int, message_id: str) -> None:
    """Commit one row as sent (autocommit), on the helper thread's connection.

    One cursor serves the thread's whole run, with the statement prepared on the server once
    (coop.prepared): per row, only the parameters travel and nothing is parsed or planned
    again. Errors are Django's, as through any Django cursor.
    """
    cursor = getattr(_marker_state, "cursor", None)
    if cursor is None:
        cursor = _marker_state.cursor = prepared_cursor()
    cursor.execute(_MARK_SENT_SQL, [timezone.now(), message_id, row_id, token])
    if cursor.rowcount != 1:
        raise OutboxClaimLost(f"claim {token:x} lost at row {row_id}")


def _close_thread_connection() -> None:
    _marker_state.cursor = None
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
            except Exception:  # a connection the database already dropped
                logger.info("Closing the outbox marker's connection failed", exc_info=True)
            finally:
                self._executor.shutdown(wait=True)
                self._executor = None


@dataclass
class _Batch:
    token: int
    rows: list[Claimed]
    marker: _Marker
    report: SendReport = field(default_factory=SendReport)
    # After a database error: the copy the server accepted whose commit as sent failed, and
    # the copy that may have been delivered whose outcome could not be written.
    unconfirmed: tuple[Claimed, str] | None = None
    in_doubt: tuple[Claimed, str] | None = None
    _sent_mark: Future[None] | None = None
    _sent_row: tuple[Claimed, str] | None = None

    def _update(self, sql: str, params: Sequence[Any], row: Claimed) -> None:
        self.settle()
        _update_claimed(sql, params, row_id=row.id, token=self.token)

    def mark_sent(self, row: Claimed, message_id: str) -> None:
        """Commit the row as sent, on the helper thread; `settle` waits for it."""
        self.settle()
        self._sent_row = (row, message_id)
        self._sent_mark = self.marker.submit(row.id, self.token, message_id)

    def settle(self) -> None:
        """Wait until the last row handed over is committed as sent (raises if it was not)."""
        if self._sent_mark is not None:
            pending, self._sent_mark = self._sent_mark, None
            handed, self._sent_row = self._sent_row, None
            try:
                pending.result()
            except DATABASE_ERRORS:
                self.unconfirmed = handed  # the server accepted it: it is sent
                raise
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

    def mark_in_doubt(self, row: Claimed, cause: str) -> None:
        """The copy may have been delivered: sent again, or left interrupted (`row_in_doubt`)."""
        self.in_doubt = (row, cause)
        outcome = row_in_doubt(attempts=row.attempts, cause=cause)
        params = [
            outcome.status,
            outcome.next_attempt_at,
            outcome.error,
            int(outcome.resend),
            row.id,
            self.token,
        ]
        self._update(_IN_DOUBT_SQL, params, row)
        self.in_doubt = None
        if outcome.resend:
            self.report.resending += 1
        else:
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
            except UnsendableMessage as exc:
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
                    batch.mark_in_doubt(
                        row,
                        gettext(
                            "The connection to the mail server was lost while this message was "
                            "being sent (%(error)s)."
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


def _domain() -> str:
    """The domain of the Message-IDs: that of the sender's address."""
    return sender_domain()


_SETTLE_SENT_SQL = """
UPDATE coop_noticedelivery SET status = 'sent', sent_at = %s, message_id = %s, last_error = ''
WHERE id = %s AND claim_token = %s AND status = 'sending'
"""


def _settle_after_database_error(batch: _Batch, error: BaseException) -> None:
    """Settle our own claim after a database error, on a working connection if there is one.

    Exactly what was handed over is known here: the copy the server accepted whose commit
    failed is sent; a copy that may have been delivered follows `row_in_doubt`; every other
    row still "sending" was never handed over (a message is completed only after the previous
    row's commit) and goes back in the queue. If the database is still unreachable, the
    recovery sweep settles the claim within a minute (its rule is coarser: the lowest row
    still "sending" is treated as in doubt).
    """
    if connection.connection is not None and not connection.is_usable():
        connection.close()  # the broken session; a new one is opened below
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Wait for a recovery in progress on this claim, and keep the next one out.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [batch.token])
            if batch.unconfirmed is not None:
                row, message_id = batch.unconfirmed
                cursor.execute(_SETTLE_SENT_SQL, [timezone.now(), message_id, row.id, batch.token])
                batch.report.sent += cursor.rowcount
            if batch.in_doubt is not None:
                row, cause = batch.in_doubt
                outcome = row_in_doubt(attempts=row.attempts, cause=cause)
                cursor.execute(
                    _IN_DOUBT_SQL,
                    [
                        outcome.status,
                        outcome.next_attempt_at,
                        outcome.error,
                        int(outcome.resend),
                        row.id,
                        batch.token,
                    ],
                )
            cursor.execute(
                _RELEASE_ALL_SQL,
                [
                    timezone.now() + timedelta(seconds=DATABASE_RETRY_SECONDS),
                    gettext("The database connection was lost during the batch: %(error)s")
                    % {"error": f"{error.__class__.__name__}"},
                    batch.token,
                ],
            )
            batch.report.released += cursor.rowcount
    except DATABASE_ERRORS:
        logger.warning(
            "Outbox claim %x: the database is still unreachable; the recovery sweep will "
            "settle the claim",
            batch.token,
            exc_info=True,
        )


def outbox_send_batch(*, batch_size: int | None = None) -> SendReport:
    """Claim up to `batch_size` due e-mail rows and send them over one connection.

    Runs in autocommit, never inside a transaction: each row's outcome is committed before the
    next message is complete. Raises OutboxConnectionError when the server cannot be reached,
    OutboxDatabaseError when the database failed; the rows not handed over are then back in
    the queue.
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
    try:
        token = _acquire_claim_lock()
    except DATABASE_ERRORS as exc:
        raise OutboxDatabaseError(f"{exc.__class__.__name__}: {exc}") from exc
    batch = _Batch(token=token, rows=[], marker=marker)
    try:
        params = {"now": timezone.now(), "limit": limit, "token": token, "domain": _domain()}
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, params)
            claimed = (Claimed(*values) for values in cursor.fetchall())
            batch.rows = sorted(claimed, key=lambda row: row.id)
        batch.report.claimed = len(batch.rows)
        if batch.rows:
            batch.report.batches = 1
            _send_claimed(batch)
    except DATABASE_ERRORS as exc:
        logger.warning(
            "Outbox claim %x: database error in the middle of the batch (%s: %s)",
            token,
            exc.__class__.__name__,
            exc,
        )
        _settle_after_database_error(batch, exc)
        raise OutboxDatabaseError(f"{exc.__class__.__name__}: {exc}") from exc
    finally:
        _release_claim_lock(token)
        if batch.rows:
            summary = ", ".join(f"{k}={v}" for k, v in batch.report.as_dict().items())
            logger.info("Outbox batch %x: %s", token, summary)
    return batch.report
