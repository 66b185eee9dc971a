"""Compress the large answers routes send whole (catalog lists, the dataset, the spec, pages): br or gzip.

Decision answers carry their own compressed variants (serving/answers.py) and pass through untouched. The rest are
compressed here as they leave, with each encoding's own strong ETag, as the decision answers have, and the bytes
are kept by a digest of what they compress, so a list or the dataset that many clients poll is compressed once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.serving.caching import held_tag
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
# Set in a request's scope by a route that chose its encoding itself (the decision route, as the fast path does):
# its answers, 304s included, leave as the route made them.
SELF_ENCODED = "trainwatch.self_encoded"
THREAD_BYTES = 256 * 1024  # compressing the dataset takes tens of ms: off the event loop, other answers go on
# Threads of their own, two at most: a client asking for many large answers at once waits for these, and does not
# take the threads the routes run in.
_THREADS = anyio.CapacityLimiter(2)
KEPT_BYTES = 16 * 2**20  # compressed bodies kept, by digest of the body: the large ones clients and browsers poll
_kept: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()  # least recently used first
_kept_size = 0
_keeping = threading.Lock()  # large bodies are compressed in worker threads, beside the event loop


def compressed(body: bytes, encoding: str, keep: bool = True) -> bytes:
    """Return the body compressed, from the bodies kept when it was compressed before; `keep`: keep it for the next
    request (an answer that is never asked for twice, such as a write's, would only push out those that are)."""
    global _kept_size
    if not keep:
        return compress(body, encoding, fast=True)  # made for one answer only: the fast settings
    key = (encoding, hashlib.blake2b(body, digest_size=16).digest())
    with _keeping:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    found = compress(body, encoding)
    with _keeping:
        if key in _kept or len(found) > KEPT_BYTES:  # another thread kept it meanwhile, or it can never fit
            return found
        while _kept and _kept_size + len(found) > KEPT_BYTES:  # the least recently used go first
            _kept_size -= len(_kept.popitem(last=False)[1])
        _kept[key] = found
        _kept_size += len(found)
    return found


def forget() -> None:
    """Drop every kept body (tests start from none)."""
    global _kept_size
    with _keeping:
        _kept.clear()
        _kept_size = 0


def _reusable(headers: list[tuple[bytes, bytes]]) -> bool:
    """Return whether an answer is one clients ask for again: it has an ETag, or a cache may keep it (the docs'
    scripts), and it is not a key's own (no-store, private)."""
    cache_control = (_header(headers, b"cache-control") or b"").lower()
    if b"no-store" in cache_control or b"private" in cache_control:
        return False
    return _header(headers, b"etag") is not None or b"max-age" in cache_control or b"public" in cache_control


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
        if_none_match = next((value for name, value in scope["headers"] if name == b"if-none-match"), None)
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
            if scope.get(SELF_ENCODED):
                pass
            elif start["status"] == 304:
                start = _not_modified(start, if_none_match)
            elif not message.get("more_body", False) and _eligible(start, body):
                start, message = await _compressed(start, body, encoding)
            await send(start)
            await send(message)

        await self.app(scope, receive, send_compressed)


async def _compressed(start: Message, body: bytes, encoding: str | None) -> tuple[Message, Message]:
    """Return the start and body of an eligible answer: with Vary always, encoded when the client accepts it."""
    headers = _with_vary(list(start.get("headers", [])))
    if encoding is not None:
        keep = _reusable(headers)
        if len(body) >= THREAD_BYTES:
            body = await anyio.to_thread.run_sync(compressed, body, encoding, keep, limiter=_THREADS)
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


def _not_modified(start: Message, if_none_match: bytes | None) -> Message:
    """Return a 304 as the 200 would have been sent: naming the copy the client holds, in whichever encoding it holds
    it (RFC 9111 section 4.3.4: its cache updates the stored response with that tag), and saying it varies by
    Accept-Encoding, as a 200 of this answer may (RFC 9110 section 15.4.5)."""
    headers = list(start.get("headers", []))
    etag = _header(headers, b"etag")
    if etag is None:
        return start
    held = held_tag(if_none_match.decode("latin-1") if if_none_match is not None else None, etag.decode("latin-1"))
    if held is not None and held.encode("latin-1") != etag:
        headers = [(name, held.encode("latin-1") if name.lower() == b"etag" else value) for name, value in headers]
    return {**start, "headers": _with_vary(headers)}
