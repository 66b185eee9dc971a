"""The engine's phrases are data; the wording catalogs turn every one of them into a sentence in every language."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from app.policy import LateObjection, Phrase
from app.policy.model import phrase
from app.policy.wording import CATALOGS, ENGLISH, Wording, languages

POLICY = Path(__file__).resolve().parents[2] / "app" / "policy"


def emitted_codes() -> set[str]:
    """Return every phrase code the engine's modules can emit."""
    codes: set[str] = set()
    for path in POLICY.glob("*.py"):
        codes.update(re.findall(r'phrase\(\s*"([a-z_.]+)"', path.read_text()))
    codes.update(f"late.{kind.value}" for kind in LateObjection)  # built from the rule's late_objection
    return codes


def test_the_engine_emits_phrases_the_catalogs_know():
    codes = emitted_codes()
    assert len(codes) > 40
    for lang, catalog in CATALOGS.items():
        assert codes - set(catalog) == set(), lang


def test_every_language_has_every_key():
    keys = set(CATALOGS["en"])
    for lang in languages():
        assert set(CATALOGS[lang]) == keys, lang


def test_nested_phrases_and_dates_are_worded():
    deadline = phrase("in_time.deadline", day=date(2025, 5, 26))
    got = ENGLISH(phrase("reason.in_time_keeps_out", in_time=deadline, passed_before=date(2025, 9, 1)))
    assert got == (
        "An objection made by 2025-05-26 keeps all of your content out; that deadline passed before 2025-09-01."
    )


def test_rule_summaries_come_from_the_translations_given():
    summary = phrase("rule.summary", rule="r1", text="Used.")
    assert ENGLISH(summary) == "Used."
    assert Wording("en", {"r1": "Benutzt."})(summary) == "Benutzt."


def test_an_unknown_code_is_an_error_not_a_silent_blank():
    with pytest.raises(KeyError):
        ENGLISH(Phrase("no.such.code"))
