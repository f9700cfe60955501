"""A TCP proxy on loopback in front of PostgreSQL, to take the database away from some processes.

The benches point the workers under test at the proxy and cut it: every connection through it is
dropped and new ones are refused (nothing listens) until it is opened again. The server itself and
everyone else using it are untouched, which matters on a machine where others run tests on it.
"""

from __future__ import annotations

import contextlib
import socket
import threading

CHUNK = 65536


class Proxy:
    """Forwards 127.0.0.1:`port` to `upstream` while open; `cut` drops and refuses everything."""

    def __init__(self, upstream: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.upstream = upstream
        self.port = _free_port()
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.listening = threading.Event()

    def open(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)  # the accept loop sees a cut within a tenth of a second
        self.listening.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening (connections are refused) and drop every connection through us."""
        self.listening.clear()
        with self.lock:
            dropped, self.sockets = self.sockets, []
        for sock in dropped:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while self.listening.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                self._pair(client)

    def _pair(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        with self.lock:
            self.sockets += [client, server]
        for source, target in ((client, server), (server, client)):
            threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(CHUNK):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
