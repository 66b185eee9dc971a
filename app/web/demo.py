"""The demo page's examples: each embed as live HTML and as the snippet to copy (the same text)."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from app.web.wording import Words


def examples(base: str, t: Words) -> dict[str, Any]:
    """Return the web component, card and badge examples for a server reachable at `base`."""
    shields_url = quote(f"{base}/v1/platforms/instagram/shields.json?category=public-posts&country=DE", safe="")
    base = escape(base)  # it goes into attributes as it is (from TRAINWATCH_PUBLIC_URL, or the Host header)
    script = f'<script type="module" src="{base}/embed/v1/trainwatch.js"></script>'
    elements = [
        (
            None,
            f'<trainwatch-answer platform="instagram" category="public-posts" country="DE" lang="{t.lang}">'
            "</trainwatch-answer>",
        ),
        (
            t("demo.example_dark"),
            '<trainwatch-answer platform="facebook" category="public-media" country="FR" '
            'lang="de" theme="dark"></trainwatch-answer>',
        ),
        (
            t("demo.example_conditional"),
            f'<trainwatch-answer platform="linkedin" category="public-posts" lang="{t.lang}"></trainwatch-answer>',
        ),
    ]
    components = [{"title": title, "html": element, "snippet": f"{script}\n{element}"} for title, element in elements]
    card_src = f"{base}/embed/v1/platforms/instagram?category=public-posts&amp;country=DE&amp;lang={t.lang}"
    card = (
        f'<iframe src="{card_src}" title="{escape(t("demo.card_title", platform="Instagram"))}" '
        'width="100%" height="330" data-trainwatch></iframe>'
    )
    badge_src = f"{base}/v1/platforms/instagram/badge.svg?category=public-posts&amp;country=DE&amp;lang={t.lang}"
    alt = escape(t("demo.badge_alt", platform="Instagram"))
    badge = f'<img src="{badge_src}" alt="{alt}">'
    shields = f'<img src="https://img.shields.io/endpoint?url={shields_url}" alt="{alt}">'
    return {
        "components": components,
        "card": {"html": card, "snippet": f"{script}\n{card}"},
        "badge": {"html": badge, "snippet": f"{badge}\n{shields}"},
    }
