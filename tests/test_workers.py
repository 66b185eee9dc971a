"""`trainwatch serve --workers N`: each worker listens on a socket of its own, so connections spread over them."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.bench_code import bench_module
from tests.ports import own_ports

PORTS = own_ports(22000)  # the ports this process's worker tests may bind (22000-22319 in all)
TRAINWATCH = str(Path(sys.executable).parent / "trainwatch")
listening = bench_module("listening")  # the bench waits for the workers by the same reading of /proc/net/tcp

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads sockets from /proc; SO_REUSEPORT is Linux's")


def _serve(tmp_path: Path, port: int, workers: int = 2) -> subprocess.Popen:
    # Warnings only: the output is read once the server has stopped, and a full pipe would stall the workers.
    env = {
        **os.environ,
        "TRAINWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/trainwatch.db",
        "TRAINWATCH_LOG_LEVEL": "WARNING",
    }
    command = [TRAINWATCH, "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _owners(inodes: set[int]) -> dict[int, set[int]]:
    """Return which processes hold which of these socket inodes."""
    owners: dict[int, set[int]] = {}
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        links = []
        try:
            for fd in fd_dir.iterdir():
                with contextlib.suppress(OSError):  # closed while we looked
                    links.append(os.readlink(fd))
        except OSError:  # a process gone, or not ours
            continue
        held = {int(link[8:-1]) for link in links if link.startswith("socket:[")} & inodes
        if held:
            owners[int(fd_dir.parent.name)] = held
    return owners


def _listening_workers(port: int, count: int, seconds: float = 60) -> dict[int, set[int]]:
    """Wait until `count` processes each listen on a socket of their own on the port; return them."""
    deadline = time.monotonic() + seconds
    while True:
        owners = _owners(listening.port_sockets(port, listening.LISTEN))
        one_each = all(len(inodes) == 1 for inodes in owners.values())
        if len(owners) == count and one_each and len(set().union(*owners.values())) == count:
            return owners
        if time.monotonic() > deadline:
            raise AssertionError(f"wanted {count} workers listening on sockets of their own, found {owners}")
        time.sleep(0.2)


def _answered(port: int) -> int:
    return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code


def _stop(server: subprocess.Popen) -> str:
    server.send_signal(signal.SIGTERM)
    return server.communicate(timeout=60)[0].decode()


def test_each_worker_listens_on_its_own_socket_and_connections_spread_over_them(tmp_path):
    port = PORTS[0]
    server = _serve(tmp_path, port)
    try:
        workers = _listening_workers(port, 2)
        assert server.pid not in workers  # the supervisor only holds the port: the kernel sends it nothing
        assert _answered(port) == 200
        # 32 keep-alive connections, as a load generator or a proxy's pool opens them at once: with one shared
        # socket, whichever worker woke first could take them all (0/16 in 2 of 10 tries of wrk's 16, measured).
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(32)]
        for connection in connections:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            assert response.status == 200 and response.read()
        served = _owners(listening.port_sockets(port, listening.ESTABLISHED))
        per_worker = {pid: len(served.get(pid, ())) for pid in workers}
        # Each side of a 32-way hash split: all on one worker has a chance of 2 in 2^32.
        assert sum(per_worker.values()) == 32 and min(per_worker.values()) > 0, per_worker
        for connection in connections:
            connection.close()

        # A worker that dies takes its socket with it: no new connection waits on a socket nobody accepts from.
        gone = min(workers)
        os.kill(gone, signal.SIGKILL)
        deadline = time.monotonic() + 30
        # Until its listening socket itself is gone: a dying process's descriptors may be unreadable while the socket
        # still takes connections, which it then resets (a wait on the owner ended early once under the full suite).
        while workers[gone] & listening.port_sockets(port, listening.LISTEN) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [_answered(port) for _ in range(20)] == [200] * 20
        restarted = _listening_workers(port, 2)  # the supervisor starts another on a socket of its own
        assert gone not in restarted and server.pid not in restarted
    finally:
        _stop(server)
    assert server.returncode == 0
    assert not listening.port_sockets(port, listening.LISTEN)


@pytest.mark.parametrize("workers", [1, 2])
def test_serving_on_a_port_another_program_holds_fails_with_a_clear_message(tmp_path, workers):
    port = PORTS[1]
    with socket.socket() as other:  # a program that does not share its port
        other.bind(("127.0.0.1", port))
        other.listen()
        server = _serve(tmp_path, port, workers)
        output = server.communicate(timeout=60)[0].decode()
    assert server.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in output
    assert "Traceback" not in output and "serves on" not in output


def _announced_port(server: subprocess.Popen) -> int:
    """Read the port from the line `serve` prints first ("Trainwatch serves on http://127.0.0.1:PORT/ ...")."""
    assert server.stdout is not None
    line = server.stdout.readline().decode()
    match = re.search(r"serves on http://127\.0\.0\.1:(\d+)/ - API docs at http://127\.0\.0\.1:(\d+)/docs", line)
    assert match and match[1] == match[2], line
    return int(match[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_port_0_serves_on_a_free_port_and_announces_it(tmp_path, workers):
    server = _serve(tmp_path, 0, workers)
    try:
        port = _announced_port(server)
        assert port != 0
        deadline = time.monotonic() + 60
        while True:  # the app loads after the port is bound and announced
            try:
                assert _answered(port) == 200
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        output = _stop(server)
    # One worker is uvicorn's server itself: after shutting down cleanly it raises the signal it caught again, as
    # uvicorn.run does; the supervisor of several exits 0.
    assert server.returncode == (-signal.SIGTERM if workers == 1 else 0), output
    assert "Traceback" not in output


def test_a_port_taken_while_no_worker_listens_stops_the_supervisor_with_a_clear_message(tmp_path):
    port = PORTS[2]
    server = _serve(tmp_path, port)
    workers = _listening_workers(port, 2)
    # The supervisor paused while the workers die and another program takes the port: a worker it restarted in
    # between would hold the port again (bound, not yet listening), and the test would race it (it hung once).
    os.kill(server.pid, signal.SIGSTOP)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    other = socket.socket()
    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as most servers bind
    try:
        deadline = time.monotonic() + 5
        while True:  # the workers' sockets close as the kernel reaps them, before the supervisor restarts them
            try:
                other.bind(("127.0.0.1", port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.005)
        other.listen()
        os.kill(server.pid, signal.SIGCONT)
        output = server.communicate(timeout=60)[0].decode()
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGCONT)  # never left stopped, whatever failed
        other.close()
        if server.poll() is None:
            _stop(server)
    assert server.returncode == 1, output
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in output
    assert "Traceback" not in output
