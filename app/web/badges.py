"""The flat SVG badge and the shields.io endpoint document for one platform's answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from app.web.wording import Words

# Colours with white text at a contrast of at least 4.5:1; the message words, never the colour, carry the answer.
COLOURS = {
    "used": "#b42318",
    "not_used": "#067647",
    "conditional": "#a15c07",
    "unknown": "#555e6b",
    "varies": "#475467",
}
SHIELDS_COLOURS = {
    "used": "red",
    "not_used": "green",
    "conditional": "orange",
    "unknown": "lightgrey",
    "varies": "blue",
}
LABEL_COLOUR = "#344054"


def message(
    decisions: Sequence[dict[str, Any]], words: Words, unknown_off: Callable[[], bool] = lambda: False
) -> tuple[str, str]:
    """Return the badge's message and its colour key for the decisions of one answer; `unknown_off` says, asked only
    for an answer that turns on the opt-in alone, whether a user who did not opt in is unknown rather than not used."""
    verdicts = {d["verdict"] for d in decisions}
    if not verdicts:  # a platform with no rule in any category: nothing is known, nothing differs
        return words("short.unknown"), "unknown"
    if len(verdicts) != 1:
        return words("badge.varies"), "varies"
    (verdict,) = verdicts
    if verdict == "conditional":
        depends = set().union(*(d["depends_on"] for d in decisions))
        # Age and posting day only refine an objection rule (minors excluded, late objections); country does not.
        if "objected" in depends and not depends - {"objected", "objected_on", "posted_on", "age"}:
            return words("badge.unless_objected"), verdict
        if depends and depends <= {"opted_in", "opted_in_on"}:
            return words("badge.if_opted_in" if unknown_off() else "badge.unless_opted_in"), verdict
    return words(f"short.{verdict}"), verdict


def shields(label: str, text: str, colour: str) -> dict[str, Any]:
    """Return the shields.io endpoint document (schemaVersion 1)."""
    return {"schemaVersion": 1, "label": label, "message": text, "color": SHIELDS_COLOURS[colour]}


def _width(text: str) -> int:
    """Return the approximate width of text in 11px Verdana, as shields.io lays out its badges."""
    narrow, wide = set("fijlrt.,:;'!|() "), set("mwMW@")
    return round(sum(3.5 if c in narrow else 10 if c in wide else 7 for c in text)) + 10


def svg(label: str, text: str, colour: str) -> str:
    """Return a flat badge: the label on grey, the message on the verdict's colour, with an accessible title."""
    left, right = _width(label), _width(text)
    total = left + right
    title = escape(f"{label}: {text}")
    label_x, text_x = left / 2, left + right / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        f'<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{COLOURS[colour]}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{label_x}" y="14">{escape(label)}</text><text x="{text_x}" y="14">{escape(text)}</text></g>'
        f"</svg>"
    )
