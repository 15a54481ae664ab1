"""Running callables at the same moment, each in its own thread and database connection: the
harness of the "only once" tests."""

import threading
from collections.abc import Callable, Sequence

from django.db import connection
from django.utils import translation


def run_in_threads(targets: Sequence[Callable[[], object]], *, timeout: float = 120) -> list:
    """Start every target together (a barrier), in English; return the exceptions they raised.

    A thread still running after `timeout` seconds is reported as an error too, so a dead lock
    fails the test instead of passing it.
    """
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def wrap(target: Callable[[], object]) -> None:
        try:
            barrier.wait()
            with translation.override("en"):
                target()
        except BaseException as exc:  # collected and checked in the test thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        errors.append(TimeoutError(f"{stuck} thread(s) still running after {timeout} s"))
    return errors
