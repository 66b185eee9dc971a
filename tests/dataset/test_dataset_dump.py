"""dump_dataset writes canonical YAML that loads back to the same records and dumps to the same bytes."""

from __future__ import annotations

import random

import pytest
import yaml
from pydantic import ValidationError

from app.dataset import Dataset, dump_dataset, load_dataset, parse_dataset


def _round_trip(dataset: Dataset) -> str:
    text = dump_dataset(dataset)
    again = parse_dataset(text)
    assert again == dataset.canonical()
    assert dump_dataset(again) == text
    return text


def test_round_trip_through_a_file(base, write) -> None:
    dataset = Dataset.model_validate(base)
    text = _round_trip(dataset)
    loaded = load_dataset(write("export.yaml", text))
    assert loaded == dataset.canonical()
    assert dump_dataset(loaded) == text


def test_canonical_dataset_round_trips_exactly(base) -> None:
    dataset = Dataset.model_validate(base).canonical()
    assert parse_dataset(dump_dataset(dataset)) == dataset


def test_records_sorted_by_id_whatever_the_input_order(base) -> None:
    shuffled = {kind: list(reversed(records)) for kind, records in base.items()}
    text = dump_dataset(Dataset.model_validate(shuffled))
    assert text == dump_dataset(Dataset.model_validate(base))
    dumped = yaml.safe_load(text)
    assert [s["id"] for s in dumped["sources"]] == ["M1", "M17", "X1"]
    assert [j["code"] for j in dumped["jurisdictions"]] == ["DE", "EEA", "EU", "FR", "GLOBAL", "NO"]


def test_layout_is_fixed(base) -> None:
    text = dump_dataset(Dataset.model_validate(base))
    assert text.startswith("categories:\n  - id: private-messages\n    name: Private messages\n")
    assert list(yaml.safe_load(text)) == ["categories", "jurisdictions", "platforms", "sources", "deadlines", "rules"]
    assert "\n\njurisdictions:\n" in text  # a blank line between sections
    assert "    'on': '2025-05-26'\n" in text  # dates always in single quotes, whatever YAML would infer
    assert "    published_on: '2024'\n" in text and "    published_on: '2025-04'\n" in text
    assert "    effective_until: null\n" in text and "    notes: []\n" in text  # nulls and defaults written out
    assert "    used_by: platform\n" in text and "    under_age: not_used\n" in text
    assert "    members: [DE, FR, 'NO']\n" in text
    # Citations are block mappings, each with its quote and place.
    assert (
        "    sources:\n      - id: M1\n        quote: we will begin training our AI at Meta using public content\n"
        "        where: null\n      - id: M17\n        quote: null\n        where: null\n"
    ) in text
    assert "Ein Widerspruch am 27. Mai oder später" in text  # unicode kept as is


def test_any_yaml_reader_sees_the_same_text(base) -> None:
    # Standard YAML 1.1 readers get every value as text too (dates stay text for the schema to parse).
    dumped = yaml.safe_load(dump_dataset(Dataset.model_validate(base)))
    assert Dataset.model_validate(dumped) == Dataset.model_validate(base).canonical()
    assert next(j for j in dumped["jurisdictions"] if j["name"] == "Norway")["code"] == "NO"


def test_long_and_multi_line_text_survives(base) -> None:
    long = " ".join(f"word{i}: #{i} - 'quoted' \"double\"" for i in range(400))
    base["rules"][0]["summary"] = long
    base["rules"][0]["notes"] = ["first line\nsecond line\n\n  indented after a blank", "trailing spaces  \nhere"]
    base["sources"][0]["quote"] = "Ça coûte 5 €; 日本語; emoji 🙂"
    text = _round_trip(Dataset.model_validate(base))
    assert any("word0" in line and "word399" in line for line in text.splitlines())  # one line, never folded
    assert "      - |-\n        first line\n        second line\n" in text


# Characters and words that trip YAML writers: indicators, odd line breaks (NEL, LS, PS, CR), controls, a BOM,
# and words YAML 1.1 or 1.2 would read as something other than text.
_ALPHABET = [
    *"abcXYZ019 -:#'\"\\,[]{}&*!|>%@`?~=<.\t\n",
    "é",
    "ß",
    "€",
    "日",
    "🙂",
    "\u2028",
    "\u2029",
    "\x85",
    "\xa0",
    "\ufeff",
    "\r",
    "\x00",
    "\x07",
    "\x1b",
    "\ud7ff",
    "\ue000",
    " \n",
    "\n\n",
    "\t\n",
    "\n ",
    "yes",
    "NO",
    "null",
    "~",
    "0o7",
    "1.5e3",
    "2025-05-27",
    "0x1F",
    ".inf",
    "- ",
    ": ",
    " #",
]


# Controls other than tab and newline are refused in text (PostgreSQL cannot store NUL): not round-tripped.
_ALPHABET = [c for c in _ALPHABET if c not in ("\r", "\x00", "\x07", "\x1b", "\x85")]


def test_control_characters_are_refused_in_text(base) -> None:
    for bad in ("a\x00b", "bell\x07", "esc\x1b[0m", "cr\rlf", "n\x85el", "del\x7f"):
        base["rules"][1]["summary"] = bad
        with pytest.raises(ValidationError, match="control characters"):
            Dataset.model_validate(base)


def test_random_text_round_trips(base) -> None:
    rng = random.Random(20251126)
    for _ in range(100):

        def text() -> str:
            while True:
                value = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 40))).strip()
                if value:
                    return value

        base["rules"][1]["summary"] = text()
        base["rules"][1]["notes"] = [text() for _ in range(rng.randint(0, 8))]
        base["sources"][1]["quote"] = text()
        base["platforms"][0]["name"] = text()
        _round_trip(Dataset.model_validate(base))
