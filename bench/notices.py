"""Benchmark: 10,000 notices through the outbox and a real Celery worker, against raw smtplib.

Both send to the same loopback SMTP server (aiosmtpd, in a process of its own). The baseline
sends the same messages, already rendered to bytes, over one smtplib connection. The app
enqueues the 10,000 copies (one INSERT), a Celery worker (as in Procfile.dev: prefork, 2
processes) claims and sends them in batches, committing each row as sent. Rounds alternate,
the median of each side is kept. Prints one line:

    notices: ratio=R target=0.5

R = app throughput / raw throughput. Exits non-zero if any recipient received a message twice
(or none). Runs on a database of its own (voliere_bench), created and dropped here.

Last measured on the 2-core development machine, shared with other work: 0.52, 0.53 and 0.60
at a load of 2.8 to 5.4 (app 550-980 msg/s, raw 1,160-1,650). With each message built through
Django's `EmailMultiAlternatives` it was 0.26 at a load of 4.2 to 5.4; the batch's
`NoticeWriter` (coop/outbox/writing.py) now writes the same bytes for about 0.05 ms of CPU a
message instead of 0.55 to 0.9, and the helper thread commits rows as sent through one
prepared statement. What is left is mostly waiting: four SMTP round trips a message, as raw
smtplib, and the commit of each row before the next message's final dot.

    DJANGO_SETTINGS_MODULE=coop.settings.test .venv/bin/python bench/notices.py
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from kit import database_url, delete_queue, free_port

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "voliere_bench"
COUNT = int(os.environ.get("BENCH_NOTICES", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TARGET = 0.5


# --- The SMTP sink (run as `notices.py --sink PORT FILE`) -------------------------------------


def run_sink(port: int, record: Path) -> None:
    """Accept every message; write one line per recipient; stop on SIGTERM."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    out = record.open("w", encoding="utf-8")

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            for recipient in envelope.rcpt_tos:
                out.write(recipient + "\n")
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("sink ready", flush=True)
    stop.wait()
    controller.stop()
    out.close()


# --- The benchmark ----------------------------------------------------------------------------


def recreate_database(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit((*urlsplit(url)[:2], "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit((*urlsplit(url)[:2], "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_for(predicate, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"notices: timed out waiting for {what}")
        time.sleep(interval)


def start_sink(port: int, record: Path) -> subprocess.Popen:
    sink = subprocess.Popen(
        [sys.executable, __file__, "--sink", str(port), str(record)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None
    if sink.stdout.readline().strip() != "sink ready":
        raise SystemExit("notices: the SMTP sink did not start")
    return sink


def start_worker(env: dict[str, str], queue: str, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "coop",
        "worker",
        "--loglevel=WARNING",
        "--pool=prefork",
        "--concurrency=2",
        "--queues",
        queue,
        "--hostname",
        f"bench-{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log.open("wb") as out:
        worker = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return worker


def main() -> int:
    url = database_url(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.test")
    queue = f"voliere-bench-{uuid.uuid4().hex[:10]}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    port = free_port()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    sys.path.insert(0, str(BASE_DIR))
    workdir = BASE_DIR / "var" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    record = workdir / "notices-received.txt"
    worker_log = workdir / "notices-worker.log"

    recreate_database(url, BENCH_DB)
    sink = worker = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)

        from django.conf import settings
        from django.core.mail import EmailMultiAlternatives
        from django.db import connection

        from coop.celery import app as celery_app
        from coop.models import NoticeDelivery
        from coop.outbox import DeliveryDraft, notice_enqueue

        sink = start_sink(port, record)
        env = {**os.environ, "LOG_LEVEL": "WARNING"}
        worker = start_worker(env, queue, worker_log)
        wait_for(
            lambda: bool(
                celery_app.control.ping(
                    destination=[f"bench-{queue}@{socket.gethostname()}"], timeout=0.5
                )
            ),
            timeout=60,
            what="the Celery worker",
        )

        def drafts(tag: str) -> list[DeliveryDraft]:
            return [
                DeliveryDraft(
                    recipient_key=f"member:{i}",
                    to_email=f"{tag}-{i}@bench.invalid",
                    subject=f"Convocation à l'assemblée générale du 12 juin ({i})",
                    body_text=(
                        f"Bonjour membre {i},\n\nL'assemblée générale ordinaire se tiendra "
                        "le 12 juin à 18 h, salle des fêtes.\n\nOrdre du jour :\n"
                        "1. Rapport de gestion\n2. Approbation des comptes\n"
                        "3. Affectation du résultat\n\nCordialement,\nLe conseil\n"
                    ),
                    body_html=(
                        f"<p>Bonjour membre {i},</p><p>L'assemblée générale ordinaire se "
                        "tiendra le 12 juin à 18 h, salle des fêtes.</p><ol><li>Rapport de "
                        "gestion</li><li>Approbation des comptes</li><li>Affectation du "
                        "résultat</li></ol><p>Cordialement,<br>Le conseil</p>"
                    ),
                )
                for i in range(COUNT)
            ]

        def raw_round(tag: str) -> float:
            messages = []
            for draft in drafts(tag):
                message = EmailMultiAlternatives(
                    draft.subject, draft.body_text, settings.DEFAULT_FROM_EMAIL, [draft.to_email]
                )
                message.attach_alternative(draft.body_html, "text/html")
                messages.append((draft.to_email, message.message().as_bytes(linesep="\r\n")))
            start = time.perf_counter()
            smtp = smtplib.SMTP("127.0.0.1", port)
            for to_email, data in messages:
                smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [to_email], data)
            smtp.quit()
            return COUNT / (time.perf_counter() - start)

        def app_round(tag: str) -> float:
            copies = drafts(tag)
            start = time.perf_counter()
            notice_enqueue(kind="bench", reference=tag, deliveries=copies)
            # This database holds the benchmark's rows only; both queries use a small partial
            # index, so that watching costs the app next to nothing.
            waiting = NoticeDelivery.objects.filter(status="pending", channel="email")
            sending = NoticeDelivery.objects.filter(status="sending")
            wait_for(
                lambda: not waiting.exists() and not sending.exists(),
                timeout=600,
                what=f"{tag} to be sent",
            )
            elapsed = time.perf_counter() - start
            connection.close()
            return COUNT / elapsed

        raw, app = [], []
        for round_number in range(ROUNDS):
            sides = [("raw", raw_round, raw), ("app", app_round, app)]
            if round_number % 2:
                sides.reverse()
            for name, run, results in sides:
                results.append(run(f"{name}{round_number}"))

        problems = NoticeDelivery.objects.exclude(status="sent").count()
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        if sink is not None:
            sink.terminate()
            sink.wait(timeout=30)
        delete_queue(queue)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        drop_database(url, BENCH_DB)

    received = Counter(record.read_text(encoding="utf-8").split())
    expected = {
        f"{side}{r}-{i}@bench.invalid"
        for side in ("raw", "app")
        for r in range(ROUNDS)
        for i in range(COUNT)
    }
    duplicates = sum(1 for n in received.values() if n > 1)
    missing = len(expected - set(received))
    ratio = statistics.median(app) / statistics.median(raw)
    print(f"notices: ratio={ratio:.2f} target={TARGET}")
    if os.environ.get("BENCH_VERBOSE"):
        print(f"  raw msg/s: {[round(x) for x in raw]}  app msg/s: {[round(x) for x in app]}")
    record.unlink()
    if duplicates or missing or problems:
        print(
            f"notices: FAILED {duplicates} duplicated, {missing} missing, "
            f"{problems} not marked sent",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sink", nargs=2, metavar=("PORT", "FILE"))
    arguments = parser.parse_args()
    if arguments.sink:
        run_sink(int(arguments.sink[0]), Path(arguments.sink[1]))
        sys.exit(0)
    sys.exit(main())
