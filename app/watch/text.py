"""The main text of a fetched page, its hash, its compressed form, and whether a quote still appears in it."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

import trafilatura

# Typographic quotes, apostrophes and dashes a page may use where the dataset's quote has plain ones (or back).
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_SPACE = re.compile(r"\s+")
# A quote shortened with an ellipsis must still match: each part must appear, in order.
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026|\[\u2026\]|\[\.\.\.\])\s*")


def main_text(body: str, content_type: str | None) -> str:
    """Return the page's main text: boilerplate, scripts and markup removed for HTML, plain text kept as is."""
    if content_type is not None and "html" not in content_type and content_type.startswith("text/"):
        return normalise_space(body)
    extracted = trafilatura.extract(
        body, include_comments=False, include_tables=True, favor_precision=True, deduplicate=False, with_metadata=False
    )
    return (extracted or "").strip()


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace (non-breaking spaces included) into one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def fold(text: str) -> str:
    """Return text in the form quotes are compared in: NFKC, plain quotes and dashes, single spaces, case folded."""
    return normalise_space(unicodedata.normalize("NFKC", text).translate(_FOLD)).casefold()


def quote_found(quote: str, text: str) -> bool:
    """Return whether a quote appears in the text, ignoring whitespace, case and typographic quotes."""
    # Quote marks and apostrophes are dropped on both sides: a dataset quote may mark words the page does not, or
    # the reverse, and single and double marks are used for the same thing.
    haystack = _unquoted(fold(text))
    position = 0
    for part in (p.strip() for p in _ELLIPSIS.split(_unquoted(fold(quote)))):
        if not part:
            continue
        found = haystack.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _unquoted(text: str) -> str:
    return text.replace('"', "").replace("'", "")


def text_hash(text: str) -> str:
    """Return the SHA-256 of the main text with whitespace normalised, so reflowed lines do not count."""
    return hashlib.sha256(normalise_space(text).encode()).hexdigest()


def compress(text: str) -> bytes:
    """Return the text compressed for the check history."""
    return zlib.compress(text.encode(), 9)


def decompress(data: bytes) -> str:
    """Return the text of compress()."""
    return zlib.decompress(data).decode()
