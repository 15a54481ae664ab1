"""Fault injection without touching the shared servers.

- `closed_redis_url()`: a Redis URL on a loopback port nobody listens on (connection refused).
- `TcpRelay`: a TCP relay in front of a real server (the shared Redis) that a test cuts and
  restores, as a network outage would, while the server itself keeps running for everyone
  else; or that accepts connections and never answers (a hung server).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

from tests.coop.conftest import free_port


def closed_redis_url(db: int = 0) -> str:
    return f"redis://127.0.0.1:{free_port()}/{db}"


class TcpRelay:
    """Listens on a loopback port and relays every connection to `target` (host, port).

    `cut()` closes the listener and every relayed connection (new ones are refused);
    `restore()` listens again on the same port. With `hang=True` connections are accepted and
    never answered.
    """

    def __init__(self, target: tuple[str, int], *, hang: bool = False):
        self.target = target
        self.hang = hang
        self.port = free_port()
        self.accepted = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @classmethod
    def to_url(cls, url: str, **kwargs: bool) -> TcpRelay:
        parts = urlsplit(url)
        return cls((parts.hostname or "127.0.0.1", parts.port or 6379), **kwargs)

    def url_for(self, url: str) -> str:
        """`url` (the real server's) with this relay's address instead."""
        parts = urlsplit(url)
        netloc = f"127.0.0.1:{self.port}"
        if "@" in parts.netloc:
            netloc = parts.netloc.rpartition("@")[0] + "@" + netloc
        return urlunsplit(parts._replace(netloc=netloc))

    def start(self) -> TcpRelay:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self._listener = listener
        self._stopping.clear()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    restore = start

    def cut(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    stop = cut

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                self._sockets.add(client)
            if self.hang:
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.add(upstream)
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        try:
            while not self._stopping.is_set():
                for key, _events in selector.select(timeout=0.1):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()
