"""Every word the embeds and the explorer show exists in English and German, and the language is chosen right."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.policy import DEPENDS_ON_ORDER, Treatment, Verdict
from app.serving.languages import accepted, region
from app.web.wording import CATALOG_DIR, LANGS, Words, catalog, choose_lang

WEB = Path(__file__).resolve().parents[2] / "app" / "web"


def used_keys() -> set[str]:
    """Return the message keys the templates, the Python modules and the web component name literally."""
    found: set[str] = set()
    sources = [*WEB.glob("templates/*.html"), *WEB.glob("*.py"), WEB / "static" / "trainwatch.js"]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r"""\bt\(\s*["'`]([a-z_]+\.[a-z0-9_.-]+)["'`]""", text))
    return found


def test_every_language_has_every_key_and_no_empty_text() -> None:
    files = sorted(p.stem for p in CATALOG_DIR.glob("*.json"))
    assert files == sorted(LANGS)
    keys = {lang: set(catalog(lang)) for lang in LANGS}
    for lang in LANGS:
        assert keys[lang] == keys["en"], f"{lang}: missing {keys['en'] - keys[lang]}, extra {keys[lang] - keys['en']}"
        assert all(text.strip() for text in catalog(lang).values())


def test_placeholders_match_between_languages() -> None:
    for key, text in catalog("en").items():
        names = set(re.findall(r"\{(\w+)\}", text))
        for lang in LANGS:
            assert set(re.findall(r"\{(\w+)\}", catalog(lang)[key])) == names, (lang, key)


def test_every_key_the_code_uses_exists() -> None:
    keys = used_keys()
    assert len(keys) > 40  # the scan finds the literal keys
    assert keys - set(catalog("en")) == set()


def test_keys_built_from_data_exist() -> None:
    """Verdicts, depends_on names, treatments and the contract's categories are looked up by name."""
    en = catalog("en")
    for verdict in Verdict:
        assert f"verdict.{verdict.value}" in en
        assert f"short.{verdict.value}" in en
    for name in (*DEPENDS_ON_ORDER, "opted_in", "opted_in_on"):
        assert f"depends.{name}" in en
    for treatment in Treatment:
        assert f"treatment.{treatment.value}" in en
    contract = [
        "public-posts",
        "public-comments",
        "public-media",
        "profile-info",
        "private-content",
        "private-messages",
        "group-content",
        "ai-interactions",
        "usage-data",
    ]
    assert [k.removeprefix("category.") for k in en if k.startswith("category.")] == contract


def test_seeded_categories_have_names_in_every_language(client) -> None:
    categories = [c["id"] for c in client.get("/v1/data-categories").json()["items"]]
    for lang in LANGS:
        assert all(f"category.{cid}" in catalog(lang) for cid in categories)


def test_the_component_offline_words_equal_the_catalogs() -> None:
    source = (WEB / "static" / "trainwatch.js").read_text(encoding="utf-8")
    block = source[
        source.index("const OFFLINE = {") + len("const OFFLINE = ") : source.index("};", source.index("const OFFLINE"))
        + 1
    ]
    offline = json.loads(re.sub(r"(\w+): \{", r'"\1": {', re.sub(r",\s*}", "}", block)))
    for lang in LANGS:
        assert set(offline) == set(LANGS)
        for key, text in offline[lang].items():
            assert catalog(lang)[key] == text


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", ["de-DE", "de", "en"]),
        ("en;q=0.5, de-AT", ["de-AT", "en"]),
        ("fr;q=0, en", ["en"]),
        ("", []),
        (None, []),
    ],
)
def test_accept_language_is_read_by_quality(header: str | None, tags: list[str]) -> None:
    assert accepted(header) == tags


def test_language_and_region_choice() -> None:
    assert choose_lang("de", "en-US") == ("de", False)
    assert choose_lang(None, "fr-FR, de;q=0.5") == ("de", True)
    assert choose_lang(None, None) == ("en", True)  # another header could choose another language
    assert choose_lang("xx", "fr") == ("en", True)
    assert region("de-AT,de;q=0.9") == "AT"
    assert region("de, en-GB;q=0.5") == "GB"
    assert region("de") is None


def test_days_and_places_are_written_in_the_language() -> None:
    assert Words("de").day("2025-05-26") == "26. Mai 2025"
    assert Words("en").day("2025-05-26") == "May 26, 2025"
    assert Words("de").place("DE") == "Deutschland"
    assert Words("de").place(None) == "weltweit"
    assert Words("de")("optout.days_left", days=12) == "Noch 12 Tage"
