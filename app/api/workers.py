"""Several worker processes, each listening on a socket of its own (SO_REUSEPORT), under uvicorn's supervisor.

With one socket shared by all workers, whichever worker wakes first accepts every connection waiting: wrk's 16
keep-alive connections landed 0/16 on two workers in 2 of 10 tries (each try a fresh set of connections), so one
worker idled while the other served everyone. With a socket each, the kernel spreads new connections over the
workers by a hash of their addresses, and a balanced split is the rule.
"""

from __future__ import annotations

import logging
import socket
import sys

from uvicorn import Config
from uvicorn.supervisors import Multiprocess

logger = logging.getLogger("uvicorn.error")


def own_sockets_supported() -> bool:
    """Return whether the kernel spreads connections over sockets sharing a port (Linux's SO_REUSEPORT)."""
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def cannot_listen(host: str, port: int, exc: OSError) -> str:
    """Return the message for a port that could not be bound."""
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def shared_port_socket(host: str, port: int) -> socket.socket:
    """Return a TCP socket bound to host and port that other such sockets may bind too (not yet listening)."""
    return port_socket(host, port, shared=True)


def port_socket(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """Return a TCP socket bound to host and port (port 0: one the system picks), not yet listening."""
    sock = socket.socket(family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class OwnSocketWorkers(Multiprocess):
    """uvicorn's supervisor (restarts, signals, health checks), each worker started with a new socket on the port."""

    def __init__(self, config: Config, port_socket: socket.socket) -> None:
        # The supervisor's own socket only holds the port (bound, never listening, so the kernel sends it nothing);
        # with port 0 its port is the one every worker binds.
        self.host, self.port = port_socket.getsockname()[:2]
        self.failure: str | None = None  # why a worker could not get a socket: the supervisor then stops
        self._handed: list[socket.socket] = []  # the parent's handles of sockets handed to workers since started
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        """Return a new socket for the worker about to start (uvicorn's supervisor reads this once per worker)."""
        try:
            sock = shared_port_socket(self.host, self.port)
        except OSError as exc:  # another program took the port while no worker listened on it
            self.failure = cannot_listen(self.host, self.port, exc)
            logger.error("%s; stopping", self.failure)
            self.should_exit.set()
            return []  # this worker serves nothing and is stopped with the others at once
        self._handed.append(sock)
        return [sock]

    @sockets.setter
    def sockets(self, value: list[socket.socket]) -> None:
        pass  # Multiprocess.__init__ stores the shared socket it was given: there is none here

    def keep_subprocess_alive(self) -> None:
        """Close the parent's handles of the sockets of workers started since, then check the workers as uvicorn
        does: a worker that exits must take its socket out of the port's group, or connections would wait on it."""
        self._close_handed()
        super().keep_subprocess_alive()

    def run(self) -> None:
        """Supervise until told to stop, then close what the parent still holds."""
        try:
            super().run()
        finally:
            self._close_handed()

    def _close_handed(self) -> None:
        # Each was handed over when its worker started (the spawn passes the descriptor at once), so the worker
        # keeps its own copy open.
        while self._handed:
            self._handed.pop().close()
