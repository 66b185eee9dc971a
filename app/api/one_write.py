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


UNREADABLE = (
    "The request could not be read as HTTP/1.1: it is malformed, or its request line or headers are longer than "
    "the server reads (a URL of up to 65,000 characters is read)."
)
_UNREADABLE_BODY = problem_bytes(Problem(400, UNREADABLE))
_UNREADABLE_HEAD = b"".join(
    [
        b"content-type: " + PROBLEM_JSON.encode() + b"\r\n",
        b"content-length: %d\r\n" % len(_UNREADABLE_BODY),
        b"cache-control: no-store\r\n",
        *(name + b": " + value + b"\r\n" for name, value in API_ANSWER_HEADERS),
        b"connection: close\r\n\r\n",
    ]
)


class OneWriteHttpTools(HttpToolsProtocol):
    """HttpToolsProtocol whose responses leave in one write per event-loop turn."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Set up the connection as uvicorn does, then write through JoinedWrites."""
        super().connection_made(transport)
        # Flow control (FlowControl, pause_writing) stays on the socket's transport, as uvicorn set it up.
        self.transport = JoinedWrites(transport, self.loop)  # type: ignore[assignment]

    def eof_received(self) -> None:
        """Send what is held before the transport closes itself on the client's end of input."""
        self.transport.flush()  # type: ignore[attr-defined]

    def send_400_response(self, msg: str) -> None:
        """Answer a request that cannot be parsed with problem+json (uvicorn's own is text/plain), then close."""
        default = b"".join(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers)
        self.transport.write(STATUS_LINE[400] + default + _UNREADABLE_HEAD + _UNREADABLE_BODY)
        self.transport.close()
