"""What a running job uses: progress reports, a heartbeat, and a folder for its files.

Progress and the heartbeat are written by a thread of the worker with a database connection
of its own, in autocommit: they are seen by the progress page at once, even while the job
itself holds a long transaction (an import writes everything in one), and they stop when
the worker dies, which is how the sweep recognises a job left by a dead worker.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone

from coop.models import Job

logger = logging.getLogger(__name__)

# How often, at most, the progress of a job is written (seconds).
PROGRESS_INTERVAL = 1.0


class JobWork:
    """Given to a job's function: `progress(...)` to report, `output(name)` for its file."""

    def __init__(self, job: Job, *, heartbeat_seconds: float) -> None:
        self.job = job
        self.folder = Path(tempfile.mkdtemp(prefix=f"voliere-job-{job.pk}-"))
        self._heartbeat_seconds = heartbeat_seconds
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"job-heartbeat-{job.pk}", daemon=True
        )

    # --- what the job calls

    def progress(
        self, done: int | None = None, *, total: int | None = None, message: str | None = None
    ) -> None:
        """Report how far the work is (`done` of `total`) and, if given, the current step."""
        changes: dict[str, Any] = {}
        if done is not None:
            changes["progress_done"] = done
        if total is not None:
            changes["progress_total"] = total
        if message is not None:
            changes["message"] = message[: Job._meta.get_field("message").max_length]
        with self._lock:
            self._pending.update(changes)
        for name, value in changes.items():
            setattr(self.job, name, value)

    def output(self, name: str) -> Path:
        """A path in the job's own temporary folder, for a file it writes."""
        return self.folder / name

    # --- the heartbeat thread

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the heartbeat, after writing the last progress reported."""
        self._stop.set()
        self._thread.join()

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _beat(self) -> None:
        last_beat = timezone.now()
        try:
            while True:
                stopping = self._stop.wait(PROGRESS_INTERVAL)
                with self._lock:
                    changes, self._pending = self._pending, {}
                now = timezone.now()
                due = (now - last_beat).total_seconds() >= self._heartbeat_seconds
                if changes or due:
                    try:
                        Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(
                            heartbeat_at=now, **changes
                        )
                    except DatabaseError:
                        # The database is out of reach for now: try again at the next beat.
                        logger.warning("Job %s: progress not written", self.job.pk, exc_info=True)
                        connection.close()
                        with self._lock:
                            self._pending = {**changes, **self._pending}
                    else:
                        last_beat = now
                if stopping:
                    return
        finally:
            connection.close()  # this thread's own connection
