"""German rule summaries: a separate dataset file, checked against the rules it translates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.dataset import DatasetError, load_dataset
from app.dataset.translations import read_translations, summary_in

DATA = Path(__file__).resolve().parents[2] / "app" / "data"


def eu_operators_rules(dataset) -> list:
    """Return the rules of every operator with a rule for the EU, the EEA or an EU country."""
    eu = next(j for j in dataset.jurisdictions if j.code == "EU")
    european = {"EU", "EEA", *eu.members}
    operator = {p.id: p.operator for p in dataset.platforms}
    active = {operator[r.platform] for r in dataset.rules if r.jurisdiction in european}
    return [r for r in dataset.rules if operator[r.platform] in active]


def test_every_rule_of_an_operator_active_in_the_eu_has_a_current_german_summary() -> None:
    dataset = load_dataset(DATA)
    translations = read_translations(DATA)
    rules = eu_operators_rules(dataset)
    assert len(rules) > 100
    missing = [r.id for r in rules if summary_in(translations, r.id, r.summary, "de") is None]
    assert missing == [], "rules without a German summary that translates their current English one"
    assert {t.lang for t in dataset.translations} == {"de"}


def test_german_summaries_keep_the_verdict_word() -> None:
    """A cheap guard on accuracy: the German opens with the verdict the English opens with."""
    openers = {"Used:": "Genutzt:", "Not used:": "Nicht genutzt:", "Unknown:": "Unbekannt:", "Disputed:": "Umstritten:"}
    for record in read_translations(DATA).values():
        for english, german in openers.items():
            if record.en.startswith(english):
                assert record.summary.startswith(german), record.rule


def folder_with(tmp_path: Path, translations: str) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("vocabulary.yaml", "meta.yaml"):
        shutil.copy(DATA / name, folder / name)
    (folder / "translations-de.yaml").write_text(translations, encoding="utf-8")
    return folder


def test_a_translation_of_an_unknown_rule_is_an_error_naming_file_and_field(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        "translations:\n  - rule: instagram-eea-public-postz\n    lang: de\n    en: Used.\n    summary: Genutzt.\n",
    )
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    (message,) = caught.value.errors
    assert message.startswith(f"{folder / 'translations-de.yaml'}: translations[0].rule: unknown rule ")
    assert "(line 2)" in message


def test_a_second_translation_and_an_unknown_language_are_errors(tmp_path: Path) -> None:
    rule = load_dataset(DATA).rules[0].id
    text = (
        f"translations:\n  - {{rule: {rule}, lang: de, en: a, summary: b}}\n"
        f"  - {{rule: {rule}, lang: de, en: a, summary: c}}\n  - {{rule: {rule}, lang: fr, en: a, summary: d}}\n"
    )
    folder = folder_with(tmp_path, text)
    with pytest.raises(DatasetError) as caught:
        load_dataset(folder)
    text_of = "\n".join(caught.value.errors)
    assert f'translations[1].rule: a second de translation of rule "{rule}"' in text_of
    assert "translations[2].lang:" in text_of


def test_a_translation_of_an_older_english_text_is_not_used() -> None:
    translations = read_translations(DATA)
    (rule_id, lang), record = next(iter(translations.items()))
    assert summary_in(translations, rule_id, record.en, lang) == record.summary
    assert summary_in(translations, rule_id, record.en + " Changed.", lang) is None
    assert summary_in(translations, "no-such-rule", record.en, lang) is None
