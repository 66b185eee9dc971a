"""Each response leaves in one write: the joined-writes transport and the uvicorn protocol that uses it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.api.one_write import FLUSH_BYTES, JoinedWrites, OneWriteHttpTools
from app.main import create_app
from tests.conftest import make_settings
from tests.web.browser import serve


class Socket:
    """A stand-in for the socket's transport: records each write, in order."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False
        self.paused = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True
        self.aborted = True

    def write_eof(self) -> None:
        self.writes.append(b"<eof>")

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False


def _joined() -> tuple[Socket, JoinedWrites]:
    """Return a stand-in socket and the joined-writes transport over it (inside a running event loop)."""
    sock = Socket()
    return sock, JoinedWrites(sock, asyncio.get_running_loop())  # type: ignore[arg-type]


async def _turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def test_writes_of_one_turn_leave_as_one_write_at_its_end():
    async def scenario() -> None:
        sock, joined = _joined()
        joined.write(b"head ")
        joined.write(b"body")
        assert sock.writes == []  # held until the turn ends
        await _turns(1)
        assert sock.writes == [b"head body"]
        joined.write(b"next")
        await _turns(1)
        assert sock.writes == [b"head body", b"next"]

    asyncio.run(scenario())


def test_close_sends_what_is_held_first():
    async def scenario() -> None:
        sock, joined = _joined()
        joined.write(b"last words")
        joined.close()
        assert sock.writes == [b"last words"] and sock.closed
        await _turns()  # the scheduled flush finds nothing held and writes nothing after close
        assert sock.writes == [b"last words"]

    asyncio.run(scenario())


def test_a_long_stream_is_not_held_past_the_flush_size():
    async def scenario() -> None:
        sock, joined = _joined()
        chunk = b"x" * (FLUSH_BYTES // 4)
        for _ in range(9):
            joined.write(chunk)
        assert [len(w) for w in sock.writes] == [FLUSH_BYTES, FLUSH_BYTES]  # sent at once as the size is reached
        await _turns(1)
        assert b"".join(sock.writes) == chunk * 9

    asyncio.run(scenario())


def test_a_large_piece_goes_out_at_once_after_what_is_held():
    async def scenario() -> None:
        sock, joined = _joined()
        body = b"y" * FLUSH_BYTES
        joined.write(b"head")
        joined.write(body)
        assert sock.writes == [b"head", body]  # in order, the body not copied into a joined buffer

    asyncio.run(scenario())


def test_a_buffer_changed_after_it_was_written_sends_what_was_written():
    async def scenario() -> None:
        sock, joined = _joined()
        buffer = bytearray(b"first")
        joined.write(buffer)
        joined.writelines([memoryview(b" second"), b" third"])
        buffer[:] = b"XXXXX"
        await _turns(1)
        assert sock.writes == [b"first second third"]

    asyncio.run(scenario())


def test_ending_the_output_sends_what_is_held_first_and_abort_drops_it():
    async def scenario() -> None:
        sock, joined = _joined()
        joined.write(b"last")
        joined.write_eof()
        assert sock.writes == [b"last", b"<eof>"]
        joined.write(b"never sent")
        joined.abort()
        await _turns()
        assert sock.writes == [b"last", b"<eof>"] and sock.aborted

    asyncio.run(scenario())


def test_the_clients_end_of_input_sends_what_is_held_before_the_transport_closes():
    async def scenario() -> list[bytes]:
        protocol, sock = _connection(OneWriteHttpTools)
        protocol.transport.write(b"a finished answer")
        protocol.eof_received()  # the transport closes itself next (eof_received returned None)
        sock.close()
        await _turns()
        return sock.writes

    assert asyncio.run(scenario()) == [b"a finished answer"]


def test_nothing_is_written_to_a_connection_the_client_closed():
    async def scenario() -> None:
        sock, joined = _joined()
        joined.write(b"too late")
        sock.closed = True
        await _turns(1)
        assert sock.writes == [] and joined.is_closing()
        assert joined.get_extra_info("peername") == ("127.0.0.1", 50000)  # the rest is the socket transport's own

    asyncio.run(scenario())


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/stream":  # a body sent in parts, a turn of the loop apart
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
            await asyncio.sleep(0)
        await send({"type": "http.response.body", "body": b""})
        return
    body = b"answer for " + path.encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _connection(protocol_class: type[HttpToolsProtocol]) -> tuple[HttpToolsProtocol, Socket]:
    config = uvicorn.Config(_app, log_level="warning", server_header=False, date_header=False)
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={}, _loop=asyncio.get_running_loop())
    sock = Socket()
    protocol.connection_made(sock)  # type: ignore[arg-type]
    return protocol, sock


def _exchange(protocol_class: type[HttpToolsProtocol], request: bytes) -> list[bytes]:
    async def scenario() -> list[bytes]:
        protocol, sock = _connection(protocol_class)
        protocol.data_received(request)
        await _turns(20)
        protocol.connection_lost(None)
        return sock.writes

    return asyncio.run(scenario())


def test_a_response_leaves_in_one_write_where_uvicorn_makes_two():
    request = b"GET /a HTTP/1.1\r\nhost: x\r\n\r\n"
    plain = _exchange(HttpToolsProtocol, request)
    joined = _exchange(OneWriteHttpTools, request)
    assert len(plain) == 2  # what the joined writes save: the head and the body apart
    assert joined == [b"".join(plain)]
    assert joined[0].startswith(b"HTTP/1.1 200 OK\r\n") and joined[0].endswith(b"\r\n\r\nanswer for /a")


def test_pipelined_requests_are_answered_in_order_and_head_has_no_body():
    request = b"GET /a HTTP/1.1\r\nhost: x\r\n\r\nHEAD /b HTTP/1.1\r\nhost: x\r\n\r\nGET /c HTTP/1.1\r\nhost: x\r\n\r\n"
    plain = b"".join(_exchange(HttpToolsProtocol, request))
    joined = b"".join(_exchange(OneWriteHttpTools, request))
    assert joined == plain
    assert joined.count(b"HTTP/1.1 200 OK") == 3
    assert b"answer for /a" in joined and b"answer for /b" not in joined and joined.endswith(b"answer for /c")


def test_a_streamed_body_arrives_whole_and_in_order():
    request = b"GET /stream HTTP/1.1\r\nhost: x\r\n\r\n"
    plain = b"".join(_exchange(HttpToolsProtocol, request))
    joined = _exchange(OneWriteHttpTools, request)
    assert b"".join(joined) == plain
    assert b"one " in plain and plain.endswith(b"0\r\n\r\n")
    assert len(joined) > 1  # parts a turn apart are not held for the whole stream


def test_connection_close_sends_the_answer_before_closing():
    async def scenario() -> tuple[list[bytes], bool]:
        protocol, sock = _connection(OneWriteHttpTools)
        protocol.data_received(b"GET /a HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        await _turns(20)
        return sock.writes, sock.closed

    writes, closed = asyncio.run(scenario())
    assert closed and len(writes) == 1 and writes[0].endswith(b"answer for /a")


def _read_response(conn: socket.socket, buffer: bytes, *, head_only: bool = False) -> tuple[bytes, bytes, bytes]:
    """Read one response with a Content-Length (none follows the head of a HEAD answer); return its head, its body
    and what followed it."""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        assert chunk, f"the server closed the connection after {buffer!r}"
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    if head_only:
        return head, b"", rest
    while len(rest) < length:
        rest += conn.recv(65536)
    return head, rest[:length], rest[length:]


@pytest.mark.parametrize("pipelined", [1, 3])
def test_the_service_answers_through_the_protocol_over_a_real_socket(client, shared_seeded_url, pipelined):
    """The app as `trainwatch serve` runs it: a decision, a body past the flush size, pipelined requests."""
    server, port = serve(create_app(make_settings(shared_seeded_url)), 0)  # its own app: the server runs its lifespan
    try:
        paths = [
            "/v1/platforms/instagram/ai-training?category=public-posts&country=DE&as_of=2025-09-01",
            "/openapi.json",
        ]
        expected = [client.get(path).content for path in paths]
        assert len(expected[1]) > FLUSH_BYTES  # the spec is larger than what the transport holds back
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            for _ in range(2):  # keep-alive: the connection is reused
                request = b"".join(f"GET {path} HTTP/1.1\r\nhost: x\r\n\r\n".encode() for path in paths) * pipelined
                conn.sendall(request)
                rest = b""
                for n in range(len(paths) * pipelined):
                    head, body, rest = _read_response(conn, rest)
                    assert head.startswith(b"HTTP/1.1 200 OK"), head
                    assert body == expected[n % len(paths)]
                assert rest == b""
    finally:
        server.should_exit = True


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /healthz?x=" + b"a" * 70_000 + b" HTTP/1.1\r\nhost: x\r\n\r\n",  # past what the parser reads of a URL
        b"GET /healthz HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS handshake sent to the plain HTTP port
    ],
    ids=["long-url", "malformed-header", "tls"],
)
def test_a_request_that_cannot_be_parsed_is_a_problem_json_400_with_the_api_headers(shared_seeded_url, request_bytes):
    server, port = serve(create_app(make_settings(shared_seeded_url)), 0)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(request_bytes)
            answer = b""
            while chunk := conn.recv(65536):  # the server closes the connection after it
                answer += chunk
    finally:
        server.should_exit = True
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    assert lines[0] == "HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["content-length"]) == len(body)
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "deny"
    assert headers["cache-control"] == "no-store" and headers["connection"] == "close"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    problem = json.loads(body)
    assert problem["status"] == 400 and problem["title"] == "Bad Request"
    assert "could not be read as HTTP/1.1" in problem["detail"]


def _raw(port: int, request: bytes, *, close: bool = True) -> bytes:
    """Send raw bytes and return everything the server sends until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


@pytest.fixture
def raw_port(shared_seeded_url):
    server, port = serve(create_app(make_settings(shared_seeded_url)), 0)
    yield port
    server.should_exit = True


def _get(headers: bytes) -> bytes:
    return b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n" + headers + b"\r\n"


@pytest.mark.parametrize(
    "headers",
    [
        b"x-big: " + b"a" * 66_000 + b"\r\n",  # one header past the limit
        b"".join(b"x-%d: %s\r\n" % (n, b"b" * 1000) for n in range(70)),  # many, past it together
        b"x-big: " + b"a" * 2_000_000 + b"\r\n",  # far past it: arrives in many chunks
    ],
    ids=["one", "many", "huge"],
)
def test_headers_past_64_kib_are_a_problem_json_431(raw_port, headers):
    answer = _raw(raw_port, _get(headers))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), head
    assert b"content-type: application/problem+json" in head and b"x-content-type-options: nosniff" in head
    assert json.loads(body)["detail"] == "The request's headers are longer than 65,536 bytes in all."


def test_a_head_that_never_ends_is_refused_once_it_passes_the_unfinished_limit(raw_port):
    with socket.create_connection(("127.0.0.1", raw_port), timeout=10) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ")
        answer = b""
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):  # refused while sending
            for _ in range(100):  # up to 1.6 MB of one header value, never finished
                conn.sendall(b"a" * 16_384)
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:100]


def test_headers_under_the_limit_and_large_bodies_are_read(raw_port):
    assert _raw(raw_port, _get(b"x-big: " + b"a" * 65_000 + b"\r\n")).startswith(b"HTTP/1.1 200 OK")
    # Bodies far past the head's limit, each sent with its head in one go and three in a row on one connection.
    checks = {"checks": [{"platform": "instagram", "category": "public-posts", "country": "DE"}]}
    body = json.dumps(checks).encode() + b" " * 1_500_000
    post = b"POST /v1/ai-training/checks HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
    one = post + b"content-length: %d\r\n\r\n" % len(body) + body
    answer = _raw(raw_port, one * 2 + one.replace(b"host: x\r\n", b"host: x\r\nconnection: close\r\n"))
    assert answer.count(b"HTTP/1.1 200 OK") == 3 and b" 431 " not in answer


@pytest.mark.parametrize(
    "path",
    [
        "/v1/platforms/instagram/ai-training?category=public-posts&country=DE&as_of=2025-09-01",  # the fast path
        "/v1/platforms/instagram/ai-training?category=public-posts&country=DE&as_of=2025-09-01&age=30",  # the route
        "/healthz",
        "/v1/platforms",
        "/v1/deadlines.ics",
        "/platforms/instagram?lang=en",
    ],
)
def test_head_through_the_server_keeps_the_connection_and_logs_no_error(
    shared_seeded_url, path, caplog: pytest.LogCaptureFixture
):
    """uvicorn decides from the request's scope that no body follows a HEAD answer's head: the edge must leave it so."""
    server, port = serve(create_app(make_settings(shared_seeded_url)), 0)
    uvicorn_log = logging.getLogger("uvicorn")  # uvicorn's loggers do not pass their records on to the root's
    uvicorn_log.addHandler(caplog.handler)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            for method in ("HEAD", "GET", "HEAD"):  # one keep-alive connection
                conn.sendall(f"{method} {path} HTTP/1.1\r\nhost: x\r\n\r\n".encode())
                head, body, rest = _read_response(conn, b"", head_only=method == "HEAD")
                assert head.startswith(b"HTTP/1.1 200 OK"), head
                assert rest == b""
                if method == "GET":
                    assert body
    finally:
        server.should_exit = True
        uvicorn_log.removeHandler(caplog.handler)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


UVICORN_ON_HEADER = """    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))
"""
UVICORN_ON_MESSAGE_COMPLETE = """    def on_message_complete(self) -> None:
        if (self.parser.should_upgrade() and self._should_upgrade()) or self.cycle.response_complete:
            return
        self.cycle.more_body = False
        self.cycle.message_event.set()
"""


def test_the_copied_uvicorn_callbacks_are_still_uvicorns():
    """OneWriteHttpTools copies two of uvicorn's parser callbacks instead of calling them: if uvicorn changes them,
    this fails, so that the copies are brought up to date."""
    import inspect

    assert inspect.getsource(HttpToolsProtocol.on_header) == UVICORN_ON_HEADER
    assert inspect.getsource(HttpToolsProtocol.on_message_complete) == UVICORN_ON_MESSAGE_COMPLETE
    ours = inspect.getsource(OneWriteHttpTools.on_header)
    assert UVICORN_ON_HEADER.split("\n", 1)[1] in ours
    assert UVICORN_ON_MESSAGE_COMPLETE.split("\n", 1)[1] in inspect.getsource(OneWriteHttpTools.on_message_complete)
