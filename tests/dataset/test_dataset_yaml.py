"""YAML as people write it: unquoted dates, Norway, the key `on`, syntax errors and line numbers."""

from __future__ import annotations

from datetime import date

import pytest

from app.dataset import DatasetError, dump_dataset, load_dataset, parse_dataset

VOCABULARY = """\
categories:
  - {id: public-posts, name: Public posts, description: Posts published publicly.}
jurisdictions:
  - {code: GLOBAL, name: Worldwide, kind: global}
  - {code: NO, name: Norway, kind: country}
  - {code: IS, name: Iceland, kind: country}
  - {code: EEA, name: European Economic Area, kind: group, members: [IS, NO]}
platforms:
  - {id: facebook, name: Facebook, operator: Meta Platforms}
sources:
  - id: M1
    url: https://about.fb.com/news/
    title: yes
    publisher: on
    published_on: 2025
    retrieved_on: 2026-11-26
    kind: primary
deadlines:
  - id: meta-eea-objection-2025
    platform: facebook
    jurisdiction: EEA
    kind: objection-deadline
    on: 2025-05-26
    summary: Object by this day.
    sources: [M1]
rules:
  - id: facebook-eea-public-posts-2025
    platform: facebook
    category: public-posts
    jurisdiction: EEA
    treatment: used
    effective_from: 2025-05-27
    effective_until: '2025-12-31'
    min_age: 18
    summary: Used.
    sources:
      - {id: M1, quote: "we will begin training"}
"""


def _line(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_yaml_1_1_traps_read_as_text(write) -> None:
    dataset = load_dataset(write("vocabulary.yaml", VOCABULARY))
    assert [j.code for j in dataset.jurisdictions] == ["GLOBAL", "NO", "IS", "EEA"]
    assert dataset.jurisdictions[3].members == ["IS", "NO"]
    assert dataset.deadlines[0].on == date(2025, 5, 26)
    source = dataset.sources[0]
    assert (source.title, source.publisher, source.published_on) == ("yes", "on", "2025")


def test_unquoted_and_quoted_dates_both_load(write) -> None:
    rule = load_dataset(write("data.yaml", VOCABULARY)).rules[0]
    assert (rule.effective_from, rule.effective_until) == (date(2025, 5, 27), date(2025, 12, 31))


def test_unquoted_impossible_date_is_a_field_error_with_its_line(write, load_errors) -> None:
    text = VOCABULARY.replace("effective_from: 2025-05-27", "effective_from: 2025-13-01")
    errors = load_errors(write("data.yaml", text))
    line = _line(text, "    effective_from: 2025-13-01")
    assert errors == [f'data.yaml: rules[0].effective_from: "2025-13-01" is not a date (line {line})']


def test_date_with_time_is_refused(write, load_errors) -> None:
    text = VOCABULARY.replace("on: 2025-05-26", "on: 2025-05-26T10:00:00Z")
    assert load_errors(write("data.yaml", text))[0].startswith(
        'data.yaml: deadlines[0].on: "2025-05-26T10:00:00Z" is not a date (expected YYYY-MM-DD)'
    )


def test_octal_looking_number_is_not_silently_converted(write, load_errors) -> None:
    text = VOCABULARY.replace("min_age: 18", "min_age: 018")
    assert load_errors(write("data.yaml", text))[0].startswith("data.yaml: rules[0].min_age: expected a whole number")


def test_syntax_error_names_line_and_column(write, load_errors) -> None:
    text = VOCABULARY.replace("    summary: Used.", "    summary: Used: [yes")
    errors = load_errors(write("data.yaml", text))
    assert len(errors) == 1
    line = _line(text, "    summary: Used: [yes")
    assert len(errors) == 1  # the wording after the place depends on whether PyYAML uses libyaml
    assert errors[0].startswith(f"data.yaml: YAML error at line {line}, column 18: mapping values are not allowed")


def test_tab_indentation_is_a_syntax_error(write, load_errors) -> None:
    errors = load_errors(write("data.yaml", "rules:\n\t- id: x\n"))
    assert errors[0].startswith("data.yaml: YAML error at line 2, column 1:")


def test_key_given_twice_is_an_error(write, load_errors) -> None:
    text = VOCABULARY.replace("    summary: Used.", "    summary: Used.\n    summary: Not used.")
    line = _line(text, "    summary: Not used.")
    assert load_errors(write("data.yaml", text)) == [
        f"data.yaml: YAML error at line {line}, column 5: duplicate key 'summary'"
    ]


def test_error_lines_point_at_the_field(write, load_errors) -> None:
    text = VOCABULARY.replace("    min_age: 18", "    min_age: 18\n    colour: red")
    assert load_errors(write("data.yaml", text)) == [
        f"data.yaml: rules[0].colour: unknown field (line {_line(text, '    colour: red')})"
    ]


def test_errors_come_in_line_order(write, load_errors) -> None:
    text = VOCABULARY.replace("treatment: used", "treatment: maybe").replace("kind: primary", "kind: blog")
    errors = load_errors(write("data.yaml", text))
    assert [e.split(":")[1].strip() for e in errors] == ["sources[0].kind", "rules[0].treatment"]


def test_anchors_and_aliases_work(write) -> None:
    anchored = "    sources: &meta\n      - {id: M1, quote: ok}\nrules:"
    text = VOCABULARY.replace("    sources: [M1]\nrules:", anchored).replace(
        '    sources:\n      - {id: M1, quote: "we will begin training"}', "    sources: *meta"
    )
    assert load_dataset(write("data.yaml", text)).rules[0].sources[0].quote == "ok"


def test_empty_file_is_an_empty_part(write) -> None:
    write("data/b.yaml", "# nothing here yet\n")
    assert len(load_dataset(write("data/a.yaml", VOCABULARY).parent).rules) == 1


def test_top_level_must_be_a_mapping(write, load_errors) -> None:
    assert load_errors(write("data.yaml", "- rules\n")) == [
        "data.yaml: expected a mapping with keys categories, jurisdictions, platforms, sources, deadlines, rules, "
        "translations, "
        "got a list (line 1)"
    ]


def test_parse_dataset_names_its_label() -> None:
    dataset = parse_dataset(VOCABULARY, label="upload")
    assert parse_dataset(dump_dataset(dataset)) == dataset.canonical()
    with pytest.raises(DatasetError) as caught:
        parse_dataset("rules: [1]", label="upload")
    assert "upload: rules[0]: expected a mapping of fields, got 1 (line 1)" in caught.value.errors


def test_nested_aliases_do_not_blow_up(write, load_errors) -> None:
    # A "billion laughs" document: nine levels of nine aliases would expand to 9**9 strings if anything walked it.
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    text = "x-anchors:\n" + "\n".join(f"  {level}" for level in levels) + "\nrules:\n  - {id: r, notes: *a8}\n"
    errors = load_errors(write("data.yaml", text))
    assert any(e.startswith("data.yaml: x-anchors: unknown section") for e in errors)
    assert "data.yaml: rules[0].notes[0]: expected text, got a list (line 12)" in errors
