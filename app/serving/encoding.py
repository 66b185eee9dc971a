"""Compressed variants of answers: brotli or gzip, chosen from Accept-Encoding, made once per answer and cached."""

from __future__ import annotations

import gzip

import brotli

from app.serving.qvalues import weight

MIN_BYTES = 1024  # smaller bodies gain little and cost a compression each; they are always sent as they are
# Quality 5 is the knee of brotli's curve on answers: 9.3x smaller than the JSON of a whole platform in ~0.3 ms;
# quality 11 saves another 12 % for 40x the time, which a never-repeated question would pay in full.
BROTLI_QUALITY = 5
BROTLI_WINDOW_BITS = 16
MAX_WINDOW_BITS = 24  # brotli's largest
GZIP_LEVEL = 6
FAST_BROTLI_QUALITY = 1
FAST_GZIP_LEVEL = 1
ENCODINGS = ("br", "gzip")  # in order of preference when a client accepts both equally
_CHOSEN: dict[str, str | None] = {}  # Accept-Encoding value -> encoding: clients send few distinct values
_CHOSEN_LIMIT = 256


def choose(accept_encoding: str | None) -> str | None:
    """Return the encoding to send for an Accept-Encoding header (None: the body as it is), per RFC 9110 12.5.3."""
    if not accept_encoding:
        return None
    found = _CHOSEN.get(accept_encoding, "")
    if found != "":
        return found
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        quality = weight(params)
        if quality is not None:  # `gzip;q=2` or `br;q=NaN` is dropped, as Accept-Language's invalid weights are
            weights[name.strip().lower()] = quality
    star = weights.get("*", 0.0)
    scored = [(weights.get(e, star), -i, e) for i, e in enumerate(ENCODINGS)]
    best = max(scored)
    chosen = best[2] if best[0] > 0 else None
    if len(_CHOSEN) >= _CHOSEN_LIMIT:
        _CHOSEN.clear()
    _CHOSEN[accept_encoding] = chosen
    return chosen


def compress(body: bytes, encoding: str, *, fast: bool = False) -> bytes:
    """Return the body compressed with one of ENCODINGS; `fast` for a body compressed once and sent once (a batch's
    5.5 MB answer: brotli quality 1 makes it 28x smaller in 4 ms, where quality 5 takes 31 ms for 42x)."""
    if encoding == "br":
        # A window as large as the body, from 64 KiB (answers are smaller) to 16 MiB, instead of 4 MiB for all: the
        # same bytes out, and each answer's working memory, freed at once, no longer leaves megabyte holes in the
        # heap; a larger body (the dataset, a batch's answer) repeats itself from afar and needs the larger window.
        window = min(MAX_WINDOW_BITS, max(BROTLI_WINDOW_BITS, (len(body) - 1).bit_length()))
        quality = FAST_BROTLI_QUALITY if fast else BROTLI_QUALITY
        return bytes(brotli.compress(body, quality=quality, lgwin=window))
    # mtime=0: the same answer compresses to the same bytes whenever and wherever it is made.
    return gzip.compress(body, compresslevel=FAST_GZIP_LEVEL if fast else GZIP_LEVEL, mtime=0)


def variant_etag(etag: str, encoding: str) -> str:
    """Return the strong ETag of an encoded variant: each content coding of a representation has its own."""
    return f'{etag[:-1]}-{encoding}"'
