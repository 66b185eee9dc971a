"""The texts an answer carries: the bench compresses them alone, as a floor no encoding of the whole answer can go
below without leaving information out."""

from __future__ import annotations


def distinct_texts(document: object, longer_than: int = 40) -> bytes:
    """Return the answer's distinct texts longer than `longer_than` characters (summaries, reasons, quotes, titles),
    once each, one per line: what no encoding of the answer can leave out without leaving information out."""
    found: dict[str, None] = {}  # in order of first appearance, each once

    def walk(value: object) -> None:
        if isinstance(value, str) and len(value) > longer_than:
            found[value] = None
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    return "\n".join(found).encode()
