"""Turn the engine's phrases (codes and parameters) into sentences, one message catalog per language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..model import Phrase
from . import en

# A catalog maps each phrase code to a function of the phrase's parameters and the wording that renders nested ones.
Catalog = Mapping[str, Callable[[Mapping[str, Any], "Wording"], str]]
CATALOGS: dict[str, Catalog] = {"en": en.CATALOG}
DEFAULT_LANGUAGE = "en"


class Wording:
    """Render phrases in one language; `summaries` holds the dataset's translated rule summaries by rule id."""

    __slots__ = ("catalog", "lang", "summaries")

    def __init__(self, lang: str = DEFAULT_LANGUAGE, summaries: Mapping[str, str] | None = None) -> None:
        self.lang = lang
        self.catalog = CATALOGS[lang]
        self.summaries = summaries or {}

    def __call__(self, value: Any) -> str:
        """Return a phrase as text in this language; any other value as its plain text (dates in ISO form)."""
        if type(value) is Phrase:
            return self.catalog[value[0]](value[1], self)
        return str(value)

    def rule_summary(self, rule_id: str, text: str) -> str:
        """Return a rule's summary in this language, falling back to the dataset's text."""
        return self.summaries.get(rule_id, text)


ENGLISH = Wording()


def languages() -> tuple[str, ...]:
    """Return the codes of the languages with a catalog."""
    return tuple(CATALOGS)
