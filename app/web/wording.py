"""The words the embeds and the explorer show, in English and German, from the catalogs in app/web/i18n/."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date

LANGS = ("en", "de")
DEFAULT_LANG = "en"
CATALOG_DIR = Path(__file__).resolve().parent / "i18n"
_TAG = re.compile(r"([A-Za-z]{1,8})(?:-([A-Za-z0-9]{1,8}))*")


@cache
def catalog(lang: str) -> dict[str, str]:
    """Return one language's catalog: message key -> text with {named} placeholders."""
    return json.loads((CATALOG_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def accepted(header: str | None) -> list[str]:
    """Return the language tags of an Accept-Language header, most preferred first (q=0 dropped)."""
    tags: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            tags.append((-quality, index, tag.strip()))
    return [tag for *_, tag in sorted(tags)]


def choose_lang(param: str | None, accept_language: str | None) -> tuple[str, bool]:
    """Return the language to answer in and whether the Accept-Language header chose it (so responses Vary)."""
    if param is not None and param.strip().lower() in LANGS:
        return param.strip().lower(), False
    for tag in accepted(accept_language):
        primary = tag.split("-")[0].lower()
        if primary in LANGS:
            return primary, True
    return DEFAULT_LANG, accept_language is not None


def region(accept_language: str | None) -> str | None:
    """Return the region of the most preferred Accept-Language tag that names one (de-AT -> AT), or None."""
    for tag in accepted(accept_language):
        for part in tag.split("-")[1:]:
            if len(part) == 2 and part.isalpha():
                return part.upper()
    return None


@cache
def _territories(lang: str) -> dict[str, str]:
    """Return Babel's (CLDR's) names of countries and regions in the language."""
    return dict(Locale(lang).territories)


class Words:
    """Look up and fill messages of one language; a missing key is a bug, so it raises KeyError."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.messages = catalog(self.lang)

    def __call__(self, key: str, **params: object) -> str:
        text = self.messages[key]
        return text.format(**params) if params else text

    def day(self, day: date | str | None) -> str:
        """Return a day written out the way the language writes dates (29 November 2026 / 29. November 2026)."""
        if day is None:
            return ""
        return format_date(date.fromisoformat(day) if isinstance(day, str) else day, "long", locale=self.lang)

    def place(self, code: str | None) -> str:
        """Return the name of a country or group in this language (GLOBAL: worldwide)."""
        if code is None or code == "GLOBAL":
            return self("place.worldwide")
        return _territories(self.lang).get(code) or code

    def category(self, category_id: str) -> str:
        """Return a data category's name in this language."""
        return self.messages.get(f"category.{category_id}", category_id)
