"""A folder of files is one dataset: references cross files, and errors name the file and its own index."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.dataset import Dataset, load_dataset
from app.dataset.__main__ import main


def _split(data) -> dict[str, dict]:
    """Spread the base dataset over a vocabulary file and one file per operator, as app/data does."""

    def of(platform: str, kind: str) -> list[dict]:
        return [r for r in data[kind] if r.get("platform", r.get("id")) == platform]

    return {
        "vocabulary.yaml": {k: data[k] for k in ("categories", "jurisdictions", "sources")},
        "meta.yaml": {
            "platforms": of("facebook", "platforms"),
            "deadlines": data["deadlines"],
            "rules": of("facebook", "rules"),
        },
        "x.yaml": {"platforms": of("x", "platforms"), "rules": of("x", "rules")},
    }


@pytest.fixture
def folder(base, write) -> tuple[Path, dict[str, dict]]:
    files = _split(base)
    for name, content in files.items():
        write(f"data/{name}", content)
    return Path("data"), files


def test_folder_with_cross_file_references_loads(base, folder) -> None:
    path, _ = folder
    dataset = load_dataset(path)
    assert dataset.canonical() == Dataset.model_validate(base).canonical()
    # Files are read in name order: meta.yaml's rules come before x.yaml's.
    assert [r.platform for r in dataset.rules] == ["facebook", "facebook", "facebook", "x", "x"]


def test_error_names_the_file_and_its_local_index(folder, write, load_errors) -> None:
    path, files = folder
    files["x.yaml"]["rules"][1]["platform"] = "twiter"
    write("data/x.yaml", files["x.yaml"])
    errors = load_errors(path)
    assert len(errors) == 1
    assert errors[0].startswith('data/x.yaml: rules[1].platform: unknown platform "twiter" (line ')


def test_duplicate_across_files_says_where_the_first_is(folder, write, load_errors) -> None:
    path, files = folder
    files["x.yaml"]["platforms"].append(files["meta.yaml"]["platforms"][0])
    write("data/x.yaml", files["x.yaml"])
    assert [e.split(" (line")[0] for e in load_errors(path)] == [
        'data/x.yaml: platforms[1].id: duplicate platform id "facebook" (first at data/meta.yaml: platforms[0])'
    ]


def test_overlap_across_files(folder, write, load_errors) -> None:
    path, files = folder
    moved = dict(files["meta.yaml"]["rules"][0], id="facebook-eea-public-posts-copy")
    write("data/zz.yaml", {"rules": [moved]})
    assert [e.split(" (line")[0] for e in load_errors(path)] == [
        'data/zz.yaml: rules[0]: overlaps rule "facebook-eea-public-posts-2025" '
        "(same platform, category and jurisdiction, overlapping dates)"
    ]


def test_errors_in_several_files_come_in_file_order(folder, write, load_errors) -> None:
    path, files = folder
    files["x.yaml"]["rules"][0]["colour"] = "red"
    files["meta.yaml"]["rules"][0]["colour"] = "red"
    write("data/x.yaml", files["x.yaml"])
    write("data/meta.yaml", files["meta.yaml"])
    assert [e.split(":")[0] for e in load_errors(path)] == ["data/meta.yaml", "data/x.yaml"]


def test_a_broken_file_does_not_hide_errors_in_others(folder, write, load_errors) -> None:
    path, files = folder
    write("data/meta.yaml", "rules: [\n")
    files["x.yaml"]["rules"][0]["colour"] = "red"
    write("data/x.yaml", files["x.yaml"])
    errors = load_errors(path)
    assert [e.split(":")[0] for e in errors] == ["data/meta.yaml", "data/x.yaml"]
    assert "YAML error at line" in errors[0]


def test_other_files_are_ignored_but_yml_is_reported(folder, write, load_errors) -> None:
    path, _ = folder
    write("data/FORMAT.md", "# not data\n")
    write("data/.meta.yaml.swp", "junk")
    load_dataset(path)
    write("data/extra.yml", "rules: []\n")
    assert load_errors(path) == ["data/extra.yml: dataset files end in .yaml; rename it so it is read"]


def test_missing_and_empty_paths(write, load_errors) -> None:
    assert load_errors(Path("nowhere")) == ["nowhere: no such file or folder"]
    write("empty/README.md", "nothing")
    assert load_errors(Path("empty")) == ["empty: no *.yaml files in this folder"]


def test_absolute_path_gives_absolute_names(folder, write, load_errors) -> None:
    path, files = folder
    files["x.yaml"]["rules"][0]["colour"] = "red"
    write("data/x.yaml", files["x.yaml"])
    absolute = path.resolve()
    assert load_errors(absolute)[0].startswith(f"{absolute / 'x.yaml'}: rules[0].colour: unknown field")


def test_command_line_check(folder, write, capsys) -> None:
    path, files = folder
    assert main([str(path)]) == 0
    assert capsys.readouterr().out.startswith("data: ok (2 categories, 6 jurisdictions, 2 platforms, ")
    files["x.yaml"]["rules"][0]["colour"] = "red"
    write("data/x.yaml", files["x.yaml"])
    assert main([str(path)]) == 1
    assert capsys.readouterr().err.startswith("data/x.yaml: rules[0].colour: unknown field")
