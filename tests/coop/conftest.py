"""Fixtures for the outbox: a loopback SMTP server, and real Celery worker processes.

The SMTP server (aiosmtpd, in a thread of the test process) records every message it accepts,
and can refuse some recipients, hang up during DATA, or answer slowly. Workers are real
`celery -A coop worker` processes on the pytest database and a queue of their own; tests that
start one need committed rows, hence `transactional_db`.
"""

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from coop.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_until(
    predicate: Callable[[], Any], *, timeout: float, interval: float = 0.1, what: str = ""
) -> Any:
    """Poll `predicate` until it returns something true; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    recipient: str
    message_id: str
    session: int
    at: float
    content: bytes


@dataclass
class SinkHandler:
    """aiosmtpd handler: records accepted messages; refuses, hangs up or dawdles on demand."""

    received: list[Received] = field(default_factory=list)
    # recipient address -> SMTP reply to RCPT, e.g. "451 4.7.1 Try again later"
    refuse: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    # recipients whose message is received, then the connection dropped before the reply
    hang_up_after_data: set[str] = field(default_factory=set)
    delay: float = 0.0
    # SMTP reply to every MAIL FROM, e.g. "530 5.7.0 Authentication required"
    refuse_sender: str = ""

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address)
        if reply:
            self.refused.append(address)
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        headers = BytesHeaderParser().parsebytes(envelope.content)
        for recipient in envelope.rcpt_tos:
            self.received.append(
                Received(
                    recipient=recipient,
                    message_id=str(headers["Message-ID"]),
                    session=id(session),
                    at=time.monotonic(),
                    content=envelope.content,
                )
            )
        if self.hang_up_after_data & set(envelope.rcpt_tos):
            server.transport.abort()
        return "250 Message accepted for delivery"

    # What tests look at
    def recipients(self) -> Counter[str]:
        return Counter(message.recipient for message in self.received)

    def sessions(self) -> Counter[int]:
        return Counter(message.session for message in self.received)


@dataclass
class SmtpSink:
    host: str
    port: int
    handler: SinkHandler

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    handler = SinkHandler()
    port = free_port()
    # aiosmtpd logs every SMTP command: thousands of records that slow the server down.
    mail_log = logging.getLogger("mail.log")
    level = mail_log.level
    mail_log.setLevel(logging.WARNING)
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield SmtpSink(host="127.0.0.1", port=port, handler=handler)
    finally:
        controller.stop()
        mail_log.setLevel(level)


@pytest.fixture
def smtp_settings(settings, smtp_sink: SmtpSink) -> SmtpSink:
    """This process sends through the real SMTP backend to the loopback server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_sink.host
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_sink


@pytest.fixture
def celery_queue() -> Iterator[str]:
    """A queue of this test's own: no other worker takes its tasks, it takes no one else's."""
    name = f"voliere-test-{uuid.uuid4().hex[:12]}"
    # Start from fresh broker connections: another test may have closed the app's pools.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = name
    try:
        yield name
    finally:
        celery_app.conf.task_default_queue = previous
        delete_queue(settings.CELERY_BROKER_URL, name)


def delete_queue(broker_url: str, name: str) -> None:
    """Remove a Redis queue and what kombu keeps about it (its name is unique to one test)."""
    client = redis.Redis.from_url(broker_url)
    try:
        keys = [*client.scan_iter(match=f"{name}*"), *client.scan_iter(match=f"_kombu.*.{name}")]
        if keys:
            client.delete(*keys)
        # Messages a killed worker held unacknowledged would be restored into it in an hour.
        for tag, payload in client.hscan_iter("unacked"):
            if name.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


def worker_database_url() -> str:
    """The pytest database (test_...), for the worker processes."""
    params = connection.settings_dict
    credentials = quote(params["USER"] or "", safe="")
    if params.get("PASSWORD"):
        credentials += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(params['NAME'], safe='')}"


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a machine that dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def celery_workers(
    transactional_db, smtp_sink: SmtpSink, celery_queue: str, tmp_path: Path
) -> Iterator[Callable[..., list[Worker]]]:
    """Start real Celery workers on the test database, sending to the loopback SMTP server.

    `celery_workers("w1", "w2", batch_size=50)` starts them side by side and returns once
    every one is ready; they are killed at the end of the test.
    """
    started: list[Worker] = []

    def launch(name: str, *, concurrency: int, batch_size: int) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "coop.settings.test",
            "DATABASE_URL": worker_database_url(),
            "EMAIL_URL": smtp_sink.url,
            "EMAIL_TIMEOUT": "10",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_DEFAULT_QUEUE": celery_queue,
            "OUTBOX_BATCH_SIZE": str(batch_size),
            "OUTBOX_MAX_ATTEMPTS": str(settings.OUTBOX_MAX_ATTEMPTS),
            "OUTBOX_RETRY_BASE_SECONDS": str(settings.OUTBOX_RETRY_BASE_SECONDS),
        }
        log_path = tmp_path / f"worker-{name}.log"
        command = [
            CELERY,
            "-A",
            "coop",
            "worker",
            "--loglevel=INFO",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--queues",
            celery_queue,
            "--hostname",
            f"{name}-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(name=name, process=process, log_path=log_path)
        started.append(worker)
        return worker

    def start(*names: str, concurrency: int = 1, batch_size: int = 200) -> list[Worker]:
        workers = [launch(name, concurrency=concurrency, batch_size=batch_size) for name in names]

        def ready() -> bool:
            for worker in workers:
                if worker.process.poll() is not None:
                    pytest.fail(
                        f"worker {worker.name} exited with {worker.process.returncode}:\n"
                        f"{worker.log()}"
                    )
            return all(" ready." in worker.log() for worker in workers)

        wait_until(ready, timeout=90, what=f"workers {names} to be ready")
        return workers

    yield start
    for worker in started:
        worker.kill()
