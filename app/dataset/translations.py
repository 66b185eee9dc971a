"""Read the rules' summaries in other languages (translations-*.yaml) without loading the whole dataset."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .checks import DatasetError
from .schema import TranslationRecord
from .yamlio import parse

PATTERN = "translations-*.yaml"


def read_translations(folder: Path) -> dict[tuple[str, str], TranslationRecord]:
    """Return (rule id, language) -> translation from the folder's translation files; raise DatasetError if bad.

    Only the records' own fields are checked here; `load_dataset` also checks that each names a known rule.
    """
    found: dict[tuple[str, str], TranslationRecord] = {}
    problems: list[str] = []
    for path in sorted(folder.glob(PATTERN)):
        data, _ = parse(path.read_text(encoding="utf-8"))
        for index, item in enumerate((data or {}).get("translations") or []):
            try:
                record = TranslationRecord.model_validate(item)
            except ValidationError as exc:
                problems.append(f"{path}: translations[{index}]: {exc.errors()[0]['msg']}")
                continue
            found[(record.rule, record.lang)] = record
    if problems:
        raise DatasetError(problems)
    return found


def summary_in(
    translations: dict[tuple[str, str], TranslationRecord], rule_id: str, english: str, lang: str
) -> str | None:
    """Return the rule's summary in the language, or None when there is none or it translates an older text."""
    found = translations.get((rule_id, lang))
    return found.summary if found is not None and found.en == english else None
