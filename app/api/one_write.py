"""uvicorn's httptools protocol, writing each response's head and body to the socket in one send.

uvicorn writes a response's status line and headers as soon as the app sends `http.response.start`, and the body
in a second write: two send() calls and two TCP segments per answer, the larger part of the server's cost for a
cached decision (py-spy under `make bench` (c): 20 % of the event loop's time in those two writes). Here the writes
of one event-loop turn are joined and sent once at its end, so a response sent in one go leaves in one send().

A request that cannot be read as HTTP/1.1 never reaches the app: uvicorn answers it 400 in text/plain. Here that
answer is problem+json with the headers every API answer carries, like every other error of the service.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.api.security import API_ANSWER_HEADERS
from app.serving.problems import PROBLEM_JSON, Problem, problem_bytes

ONE_WRITE_PROTOCOL = f"{__name__}:OneWriteHttpTools"  # uvicorn's `http` setting (an import string)
FLUSH_BYTES = 64 * 1024  # held writes beyond this go out at once: a long stream must not pile up in memory


class JoinedWrites:
    """A transport that holds what is written during one event-loop turn and sends it as one write at the end."""

    __slots__ = ("_transport", "_loop", "_held", "_size")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] | None = None
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Hold the data until the end of this turn of the event loop; a large piece goes out at once."""
        if type(data) is not bytes:  # a buffer its owner may change before the turn ends
            data = bytes(data)
        if len(data) >= FLUSH_BYTES:  # joining would copy it, for no syscall worth saving
            self.flush()
            self._transport.write(data)
            return
        if self._held is None:
            self._held = [data]
            self._size = len(data)
            self._loop.call_soon(self.flush)
        else:
            self._held.append(data)
            self._size += len(data)
            if self._size >= FLUSH_BYTES:
                self.flush()

    def writelines(self, pieces: Iterable[bytes | bytearray | memoryview]) -> None:
        """Hold each piece, in order."""
        for piece in pieces:
            self.write(piece)

    def flush(self) -> None:
        """Send what is held, in order, as one write."""
        held, self._held = self._held, None
        if not held or self._transport.is_closing():  # the client went away: uvicorn drops its writes too
            return
        self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def write_eof(self) -> None:
        """Send what is held, then end the output."""
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        """Send what is held, then close."""
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        """Drop what is held and close at once."""
        self._held = None
        self._transport.abort()

    def is_closing(self) -> bool:
        """Return whether the socket's transport is closing (asked after every response)."""
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        # Everything else (reading, flow control, the peer's address) is the socket's own transport.
        return getattr(self._transport, name)


# A request's headers (names and values) may take this much before the request is refused with 431; a head the
# parser is still reading past UNFINISHED_HEAD_BYTES is refused too, as the parser keeps a header whole in memory
# before it hands it over.
MAX_HEADER_BYTES = 64 * 1024
UNFINISHED_HEAD_BYTES = 4 * MAX_HEADER_BYTES
LINGER_SECONDS = 2.0  # how long a refused connection reads and drops what the client still sends
TOO_LARGE = f"The request's headers are longer than {MAX_HEADER_BYTES:,} bytes in all."


class HeadersTooLarge(Exception):
    """Raised from a parser callback: the parser stops, and the request is answered 431."""


UNREADABLE = (
    "The request could not be read as HTTP/1.1: its request line or headers are malformed (a method this server does "
    "not know, say), or its URL is longer than the server reads (up to about 65,000 characters)."
)


def _refusal(status: int, detail: str) -> bytes:
    """Return a whole problem+json response, but for its status line and uvicorn's default headers."""
    body = problem_bytes(Problem(status, detail))
    head = [
        b"content-type: " + PROBLEM_JSON.encode() + b"\r\n",
        b"content-length: %d\r\n" % len(body),
        b"cache-control: no-store\r\n",
        *(name + b": " + value + b"\r\n" for name, value in API_ANSWER_HEADERS),
        b"connection: close\r\n\r\n",
    ]
    return b"".join(head) + body


_UNREADABLE = _refusal(400, UNREADABLE)
_TOO_LARGE = _refusal(431, TOO_LARGE)
_TOO_LARGE_STATUS = b"HTTP/1.1 431 Request Header Fields Too Large\r\n"


class OneWriteHttpTools(HttpToolsProtocol):
    """HttpToolsProtocol whose responses leave in one write per event-loop turn, and which refuses a request it
    cannot read, or whose headers are too long, in problem+json."""

    _header_bytes = 0  # the current request's header names and values so far
    _unfinished = 0  # bytes received while a request's head is unfinished
    _head_began_here = False  # the data being parsed ended a request: its bytes are not the next head's
    _refused = False  # a refusal was sent: the connection only drains until it closes

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Set up the connection as uvicorn does, then write through JoinedWrites."""
        super().connection_made(transport)
        # Flow control (FlowControl, pause_writing) stays on the socket's transport, as uvicorn set it up.
        self.transport = JoinedWrites(transport, self.loop)  # type: ignore[assignment]

    def eof_received(self) -> None:
        """Send what is held before the transport closes itself on the client's end of input."""
        self.transport.flush()  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        """Parse as uvicorn does; refuse a head the parser is still reading past UNFINISHED_HEAD_BYTES.

        Whole chunks (256 KiB at most) are counted, from the first that holds none of an earlier request, so a body
        sent with its head is never counted; on_header counts the headers themselves exactly.
        """
        if self._refused:  # answered already: what follows is dropped until the client or the linger ends
            return
        super().data_received(data)
        cycle = self.cycle
        # uvicorn gives each request a new scope when it begins and its cycle that scope once its head is read.
        if cycle is not None and cycle.scope is self.scope:  # no head unfinished: a body, an answer or nothing
            self._unfinished = 0
            self._head_began_here = False
            return
        if self._head_began_here:  # the data held the end of a request: only what follows it counts, from here on
            self._head_began_here = False
            self._unfinished = 0
            return
        if self.transport.is_closing():
            return
        self._unfinished += len(data)
        if self._unfinished > UNFINISHED_HEAD_BYTES:
            self._refuse(_TOO_LARGE_STATUS, _TOO_LARGE)

    # The two callbacks below are uvicorn's own (httptools_impl.py, uvicorn 0.54.0), copied rather than called
    # through super(): each call per header and per request cost 5 % of the instructions of a bare answer
    # (callgrind). tests/api/test_one_write.py fails when uvicorn's change, so that the copies are looked at again.

    def on_header(self, name: bytes, value: bytes) -> None:
        """Keep a header as uvicorn does, unless the request's headers are past MAX_HEADER_BYTES."""
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > MAX_HEADER_BYTES:
            raise HeadersTooLarge  # the parser fails with it, and uvicorn calls send_400_response
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def on_message_complete(self) -> None:
        """End the request as uvicorn does; the next request's headers and head are counted from here."""
        self._header_bytes = 0
        self._head_began_here = True
        if (self.parser.should_upgrade() and self._should_upgrade()) or self.cycle.response_complete:
            return
        self.cycle.more_body = False
        self.cycle.message_event.set()

    def send_400_response(self, msg: str) -> None:
        """Answer a request that cannot be parsed with problem+json (uvicorn's own is text/plain), then close."""
        if self._header_bytes > MAX_HEADER_BYTES:
            self._refuse(_TOO_LARGE_STATUS, _TOO_LARGE)
            return
        self._refuse(STATUS_LINE[400], _UNREADABLE)

    def _refuse(self, status_line: bytes, rest: bytes) -> None:
        """Send the refusal, end the output, and drop what the client still sends for a while before closing: a
        socket closed with unread input sends a reset, which can destroy the answer before the client reads it."""
        default = b"".join(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers)
        self.transport.write(status_line + default + rest)
        self._refused = True
        self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
