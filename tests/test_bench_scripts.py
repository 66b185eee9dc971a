"""The bench's wrk scripts, run by wrk against a server that records what arrives: each request as the script means
it, the Host header included, in turn, and formatted before wrk's clock starts (not as it is sent)."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bench_code import bench_module

wrk_scripts = bench_module("wrk_scripts")

Seen = dict[str, Any]


class Recorder:
    """An HTTP/1.1 server on a free local port that answers 200 to everything and records each request."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.seen: list[Seen] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        # wrk closes or resets its connections, mid-request or not, when its time is up: that ends the recording.
        with conn, contextlib.suppress(ConnectionError):
            self._record(conn)

    def _record(self, conn: socket.socket) -> None:
        stream = conn.makefile("rb")
        while line := stream.readline():
            method, path, _ = line.decode().split(" ")
            headers = {}
            while field := stream.readline().decode().rstrip("\r\n"):
                name, _, value = field.partition(": ")
                headers[name.lower()] = value
            length = int(headers.get("content-length", 0))
            body = stream.read(length)
            if len(body) < length:  # closed mid-body
                return
            self.seen.append({"method": method, "path": path, "headers": headers, "body": body.decode()})
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    if shutil.which("wrk") is None:
        pytest.fail("the bench's scripts are tested with wrk (Debian: apt-get install wrk); it is not on PATH")
    server = Recorder()
    yield server
    server.close()


# Loads a script with wrk.format watched: called once init has returned (as the request is sent, which is what made
# wrk stall), it gives a request for this path instead, which no expected sequence holds.
LATE = "/formatted-while-sending"
WATCH = """
dofile(%s)
local format, built, ready = wrk.format, init, false
wrk.format = function(...)
  if ready then return format('GET', '%s') end
  return format(...)
end
init = function(args)
  built(args)
  ready = true
end
"""


def run_wrk(server: Recorder, script: Path, path: str = "/") -> list[Seen]:
    """Run wrk with one connection for a moment, the script's formatting watched, and return what the server saw."""
    watched = script.with_name(f"watched-{script.name}")
    watched.write_text(WATCH % (json.dumps(str(script)), LATE))
    args = ["wrk", "-t1", "-c1", "-d1s", "-s", str(watched), f"http://127.0.0.1:{server.port}{path}"]
    subprocess.run(args, check=True, capture_output=True, timeout=30)
    assert len(server.seen) > 10, "wrk sent almost nothing"
    return server.seen


def in_turn(seen: list[Any], expected: list[Any]) -> None:
    """Assert that what arrived is the expected list in turn, round and round, from wherever it started (wrk asks the
    script for one request before its clock starts, to check it)."""
    assert seen[0] in expected, f"{seen[0]!r} was not among the script's requests"
    start = expected.index(seen[0])
    assert seen == [expected[(start + k) % len(expected)] for k in range(len(seen))]


def test_paths_are_requested_in_turn_with_the_host_header(recorder: Recorder, tmp_path: Path) -> None:
    paths = [f"/v1/platforms/p{n}/ai-training?category=c&as_of=2025-01-0{n}" for n in range(1, 6)]
    seen = run_wrk(recorder, wrk_scripts.lua_paths(paths, tmp_path / "paths.lua"))
    in_turn([s["path"] for s in seen], paths)
    assert {s["method"] for s in seen} == {"GET"}
    # Formatted in wrk's init, after wrk.init has set it: a request formatted when the script loads has no Host.
    assert {s["headers"].get("host") for s in seen} == {f"127.0.0.1:{recorder.port}"}


def test_batches_are_posted_in_turn_to_the_url_path(recorder: Recorder, tmp_path: Path) -> None:
    batches = [[{"platform": "p", "category": f"c{n}"}] for n in range(3)]
    script = wrk_scripts.lua_batches(batches, tmp_path / "batches.lua")
    seen = run_wrk(recorder, script, "/v1/ai-training/checks")
    in_turn([json.loads(s["body"]) for s in seen], [{"checks": b} for b in batches])
    assert {(s["method"], s["path"], s["headers"]["content-type"]) for s in seen} == {
        ("POST", "/v1/ai-training/checks", "application/json")
    }
    assert {s["headers"].get("host") for s in seen} == {f"127.0.0.1:{recorder.port}"}


def test_mixed_sends_every_nth_request_as_a_write_with_notes_of_its_own(recorder: Recorder, tmp_path: Path) -> None:
    paths = [f"/read/{n}" for n in range(1, 301)]
    script = wrk_scripts.lua_mixed(paths, "/v1/rules/r1", "secret", 3, tmp_path / "mixed.lua")
    seen = run_wrk(recorder, script)
    expected = [
        ("PATCH", "/v1/rules/r1", json.dumps({"notes": [f"mixed {k}"]}, separators=(",", ":")))
        if k % 3 == 0
        else ("GET", f"/read/{k}", "")
        for k in range(1, 301)
    ]
    in_turn([(s["method"], s["path"], s["body"]) for s in seen], expected)
    writes = [s for s in seen if s["method"] == "PATCH"]
    assert writes, "no write was sent"
    assert {(w["headers"]["authorization"], w["headers"]["content-type"]) for w in writes} == {
        ("Bearer secret", "application/json")
    }
    assert {s["headers"].get("host") for s in seen} == {f"127.0.0.1:{recorder.port}"}
