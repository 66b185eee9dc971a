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
