"""The words the embeds and the explorer show, in English and German, from the catalogs in app/web/i18n/."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date

from app.policy.wording import DEFAULT_LANGUAGE
from app.serving.languages import LANGUAGES, from_header

LANGS = LANGUAGES
DEFAULT_LANG = DEFAULT_LANGUAGE
CATALOG_DIR = Path(__file__).resolve().parent / "i18n"


@cache
def catalog(lang: str) -> dict[str, str]:
    """Return one language's catalog: message key -> text with {named} placeholders."""
    messages: dict[str, str] = json.loads((CATALOG_DIR / f"{lang}.json").read_text(encoding="utf-8"))
    return messages


def choose_lang(param: str | None, accept_language: str | None) -> tuple[str, bool]:
    """Return the page's language and whether the header chose it (pages then Vary); a bad `lang` is ignored."""
    if param is not None and param.strip().lower() in LANGS:
        return param.strip().lower(), False
    return from_header(accept_language), True


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
