"""Choosing and making the compressed variants of answers."""

import gzip

import brotli
import pytest

from app.serving.caching import etag_matches
from app.serving.encoding import choose, compress, variant_etag


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, None),
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("br", "br"),
        ("gzip, br", "br"),  # equal weights: brotli is smaller
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("br;q=0, gzip;q=0", None),
        ("br;q=0", None),
        ("*", "br"),
        ("*;q=0, gzip", "gzip"),
        ("deflate, zstd", None),
        ("GZIP", "gzip"),
        ("br;q=bogus, gzip", "gzip"),
        (" br ; q=0.8 , gzip ; q=0.9 ", "gzip"),
        # Weights that are not qvalues (RFC 9110 section 12.4.2) drop their entry, as in Accept-Language.
        ("gzip;q=2, br;q=0.5", "br"),
        ("br;q=NaN, gzip;q=0.1", "gzip"),
        ("gzip;q=-1", None),
        ("*;q=0.5, gzip;q=1.5", "br"),
        ("gzip;Q=0.5", "gzip"),
    ],
)
def test_the_encoding_follows_the_clients_weights(header, chosen):
    assert choose(header) == chosen


def test_variants_decode_to_the_same_bytes_and_are_reproducible():
    body = b'{"decisions":[' + b'{"verdict":"used"},' * 200 + b"{}]}"
    assert brotli.decompress(compress(body, "br")) == body
    assert gzip.decompress(compress(body, "gzip")) == body
    gzipped = compress(body, "gzip")
    assert gzipped == compress(body, "gzip")
    # No timestamp in the gzip header (MTIME, bytes 4-7, RFC 1952): two calls in one second match even with one.
    assert gzipped[:2] == b"\x1f\x8b" and gzipped[4:8] == b"\x00\x00\x00\x00"


def test_an_etag_of_any_variant_revalidates_every_variant():
    plain = '"r7-0123456789abcdef"'
    br, gz = variant_etag(plain, "br"), variant_etag(plain, "gzip")
    assert br == '"r7-0123456789abcdef-br"'
    for held in (plain, br, gz, f"W/{br}"):
        for current in (plain, br, gz):
            assert etag_matches(held, current)
    assert not etag_matches('"r8-0123456789abcdef-br"', plain)
