"""Compress the large answers routes send whole (catalog lists, the dataset, the spec, pages): br or gzip.

Decision answers carry their own compressed variants (serving/answers.py) and pass through untouched. The rest are
compressed here as they leave, with each encoding's own strong ETag, as the decision answers have, and the bytes
are kept by a digest of what they compress, so a list or the dataset that many clients poll is compressed once.
"""

from __future__ import annotations

import hashlib
import threading

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.serving.encoding import MIN_BYTES, choose, compress, variant_etag

# Text formats gain 5-10x; images other than SVG and anything already compressed gain nothing.
COMPRESSIBLE = (
    b"application/json",
    b"application/problem+json",
    b"application/yaml",
    b"application/atom+xml",
    b"text/",
    b"image/svg+xml",
)
THREAD_BYTES = 256 * 1024  # compressing the dataset takes tens of ms: off the event loop, other answers go on
KEPT_BYTES = 8 * 2**20  # compressed bodies kept, by digest of the body: the few large ones clients poll
_kept: dict[tuple[str, bytes], bytes] = {}
_kept_size = 0
_keeping = threading.Lock()  # large bodies are compressed in worker threads, beside the event loop


def compressed(body: bytes, encoding: str, keep: bool = True) -> bytes:
    """Return the body compressed, from the bodies kept when it was compressed before; `keep`: keep it for the next
    request (an answer that is never asked for twice, such as a write's, would only push out those that are)."""
    global _kept_size
    if not keep:
        return compress(body, encoding)
    key = (encoding, hashlib.blake2b(body, digest_size=16).digest())
    found = _kept.get(key)
    if found is not None:
        return found
    found = compress(body, encoding)
    with _keeping:
        while _kept and _kept_size + len(found) > KEPT_BYTES:  # the oldest go first
            _kept_size -= len(_kept.pop(next(iter(_kept))))
        if len(found) <= KEPT_BYTES:
            _kept_size += len(found) - len(_kept.get(key, b""))  # another thread may have kept it meanwhile
            _kept[key] = found
    return found


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _varies_on_encoding(headers: list[tuple[bytes, bytes]]) -> bool:
    vary = _header(headers, b"vary")
    return vary is not None and b"accept-encoding" in vary.lower()


def _eligible(start: Message, body: bytes) -> bool:
    """Return whether a whole 200 answer may be compressed: a text format, large, not encoded, not no-transform."""
    headers = start.get("headers", [])
    media_type = (_header(headers, b"content-type") or b"").lower()
    return (
        start["status"] == 200
        and len(body) >= MIN_BYTES
        and media_type.startswith(COMPRESSIBLE)
        and _header(headers, b"content-encoding") is None
        and not _varies_on_encoding(headers)  # a decision answer, already chosen by Accept-Encoding
        and b"no-transform" not in (_header(headers, b"cache-control") or b"").lower()
    )


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Return the headers with Accept-Encoding added to Vary."""
    vary = _header(headers, b"vary")
    if vary is None:
        return [*headers, (b"vary", b"Accept-Encoding")]
    return [(k, v + b", Accept-Encoding" if k.lower() == b"vary" else v) for k, v in headers]


def _strong(etag: bytes) -> bool:
    return etag.startswith(b'"')


class Compression:
    """Send a large, whole text answer compressed with the best encoding the request accepts (RFC 9110 12.5.3)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = next((value for name, value in scope["headers"] if name == b"accept-encoding"), None)
        encoding = choose(accept.decode("latin-1")) if accept is not None else None
        if_none_match = next((value for name, value in scope["headers"] if name == b"if-none-match"), b"")
        held: Message | None = None

        async def send_compressed(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                held = message  # until the body shows whether it is whole and large enough
                return
            if held is None:  # a streamed answer's later parts, or nothing held
                await send(message)
                return
            start, held = held, None
            body = message.get("body", b"")
            if start["status"] == 304 and encoding is not None:
                start = _not_modified(start, encoding, if_none_match)
            elif not message.get("more_body", False) and _eligible(start, body):
                start, message = await _compressed(start, body, encoding)
            await send(start)
            await send(message)

        await self.app(scope, receive, send_compressed)


async def _compressed(start: Message, body: bytes, encoding: str | None) -> tuple[Message, Message]:
    """Return the start and body of an eligible answer: with Vary always, encoded when the client accepts it."""
    headers = _with_vary(list(start.get("headers", [])))
    if encoding is not None:
        # Answers a cache may keep (an ETag, not no-store) are the ones asked again: only those are kept.
        keep = _header(headers, b"etag") is not None and b"no-store" not in (_header(headers, b"cache-control") or b"")
        if len(body) >= THREAD_BYTES:
            body = await anyio.to_thread.run_sync(compressed, body, encoding, keep)
        else:
            body = compressed(body, encoding, keep)
        out = []
        for name, value in headers:
            lower = name.lower()
            if lower == b"content-length":
                value = str(len(body)).encode()
            elif lower == b"etag" and _strong(value):
                value = variant_etag(value.decode("latin-1"), encoding).encode("latin-1")
            out.append((name, value))
        headers = [*out, (b"content-encoding", encoding.encode())]
    return {**start, "headers": headers}, {"type": "http.response.body", "body": body}


def _not_modified(start: Message, encoding: str, if_none_match: bytes) -> Message:
    """Return a 304 that names the variant the client holds: a 200 now would have been that encoding."""
    headers = list(start.get("headers", []))
    etag = _header(headers, b"etag")
    if etag is None or not _strong(etag):
        return start
    variant = variant_etag(etag.decode("latin-1"), encoding).encode("latin-1")
    if variant not in if_none_match:
        return start  # the client holds the plain body (a small answer, or it did not accept this encoding)
    out = [(name, variant if name.lower() == b"etag" else value) for name, value in headers]
    return {**start, "headers": _with_vary(out)}
