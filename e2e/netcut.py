"""A TCP relay in front of the site that the field walk (e2e/fieldkit_walk.py) can cut: the browser talks
to the relay's port, and `cut()` closes every open connection and refuses new ones until `restore()`.

Chromium's offline emulation (Playwright's set_offline) is kept too, for navigator.onLine and the
`online` event, but whether it also stops the service worker's own requests differs between versions;
the relay makes "no signal" true for every request the browser makes, whoever makes it.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading


class _Handler(socketserver.BaseRequestHandler):
    server: Relay

    def handle(self) -> None:
        if self.server.is_cut:
            return  # accepted and closed at once: the browser sees a connection reset
        try:
            upstream = socket.create_connection(self.server.target, timeout=10)
        except OSError:
            return
        upstream.settimeout(None)
        pair = (self.request, upstream)
        self.server.track(pair)
        try:
            pump = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
            pump.start()
            _pump(self.request, upstream)
            pump.join(timeout=5)
        finally:
            self.server.untrack(pair)


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


class Relay(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: tuple[str, int]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.target = target
        self.is_cut = False
        self._open: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def track(self, pair) -> None:
        with self._lock:
            self._open.add(pair)

    def untrack(self, pair) -> None:
        with self._lock:
            self._open.discard(pair)
        for s in pair:
            s.close()

    def cut(self) -> None:
        """No signal: every open connection closed, new ones refused."""
        self.is_cut = True
        with self._lock:
            pairs = list(self._open)
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self.is_cut = False

    def close(self) -> None:
        self.cut()
        self.shutdown()
        self.server_close()
