"""The processes of the production check (bin/prod_check.py): the stack it starts (gunicorn,
a Celery worker, Caddy) and stops, commands it runs, free ports."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from prod_check_http import (
    CheckFailed,
    expect,
)

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Stack:
    work: Path
    services: list[Service] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Service:
        log = self.work / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                args,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its children
            )
        service = Service(name, process, log)
        self.services.append(service)
        return service

    def stop_all(self) -> None:
        for service in reversed(self.services):
            if service.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for service in reversed(self.services):
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait(timeout=10)
        self.services.clear()

    def show_logs(self) -> None:
        for service in self.services:
            lines = service.log.read_text(errors="replace").splitlines()[-25:]
            print(f"--- last lines of {service.name} ({service.log}) ---", file=sys.stderr)
            print("\n".join(lines), file=sys.stderr)

    def assert_running(self) -> None:
        for service in self.services:
            code = service.process.poll()
            expect(code is None, f"{service.name} stopped (exit status {code}): see its log")


def run(args: list[str], env: dict[str, str], what: str, timeout: int = 600) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise CheckFailed(
            f"{what} failed (exit status {result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result.stdout + result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
