"""The dataset that ships in app/data, and the example in its FORMAT.md, load without a single problem."""

from __future__ import annotations

import re
from pathlib import Path

import app
from app.dataset import DatasetError, dump_dataset, load_dataset, parse_dataset

DATA = Path(app.__file__).parent / "data"


def test_bundled_dataset_has_no_errors() -> None:
    try:
        dataset = load_dataset(DATA)
    except DatasetError as exc:
        raise AssertionError("\n".join(exc.errors)) from None
    assert dataset.platforms and dataset.rules
    assert parse_dataset(dump_dataset(dataset)) == dataset.canonical()


def test_format_example_is_a_valid_dataset() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", (DATA / "FORMAT.md").read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1
    dataset = parse_dataset(blocks[0], label="FORMAT.md example")
    assert len(dataset.rules) == 2


DATE_LINE = re.compile(r"^(effective|last updated|updated|published)\b[^.]{0,40}\d{4}\.?$", re.IGNORECASE)


def test_no_decided_rule_rests_on_a_date_line() -> None:
    """A quote such as "Effective as of July 15, 2025" dates a text; it proves no verdict, so a decided rule must not
    count it among its citations unless `where` says what it supports."""
    dataset = load_dataset(DATA)
    dated = [
        (rule.id, citation.id)
        for rule in dataset.rules
        if rule.treatment != "unknown"
        for citation in rule.sources
        if citation.quote and DATE_LINE.match(citation.quote.strip()) and not citation.where
    ]
    assert dated == []
