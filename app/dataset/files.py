"""Load a dataset from a YAML file or a folder of them, collecting every problem before giving up."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .checks import DatasetError, Issue, check_dataset, format_issue, path_text
from .schema import EXTRA_SECTIONS, SECTIONS, Dataset, Record
from .types import show
from .yamlio import Loc, line_of, parse, syntax_error

READABLE = {**SECTIONS, **EXTRA_SECTIONS}  # what a file may hold

# Messages for pydantic's own error types; our validators already word theirs for people.
_MESSAGES = {
    "missing": "required field missing",
    "extra_forbidden": "unknown field",
    "string_type": "expected text, got {input}",
    "int_type": "expected a whole number, got {input}",
    "list_type": "expected a list, got {input}",
    "model_type": "expected a mapping of fields, got {input}",
    "enum": "{input} is not one of {expected}",
    "greater_than_equal": "{input} is below the minimum {ge}",
    "less_than_equal": "{input} is above the maximum {le}",
}


def load_dataset(path: Path | str, *, curated: bool = True) -> Dataset:
    """Read a dataset file, or every *.yaml file of a folder in name order; raise DatasetError on any problem.

    `curated` (the bundled dataset, `python -m app.dataset`) holds each decided rule to the quoted support the
    bundled data needs; without it (`trainwatch import`) a file is held to what the API accepts, so an export loads
    again (app/dataset/checks.py).
    """
    path = Path(path)
    reader = _Reader(curated=curated)
    if _is(path, stat.S_ISDIR):
        _read_folder(reader, path)
    elif _is(path, stat.S_ISREG):
        reader.read(path)
    else:
        reader.fail(str(path), _not_a_file(path, "file or folder"))
    return reader.finish(str(path))


def _read_folder(reader: _Reader, path: Path) -> None:
    """Read every *.yaml file of a folder in name order; a *.yaml or *.yml entry that is not read is a problem."""
    try:
        names = sorted(p.name for p in path.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        reader.fail(str(path), f"cannot read the folder: {exc.strerror or exc}")
        return
    files = []
    for name in names:
        entry = path / name
        if not name.endswith((".yaml", ".yml")):
            continue  # other files (notes, FORMAT.md) and folders are not data
        if not _is(entry, stat.S_ISREG):  # a broken link or a folder named like a dataset file: data would be skipped
            reader.fail(str(entry), _not_a_file(entry, "file"))
        elif name.endswith(".yml"):
            reader.fail(str(entry), "dataset files end in .yaml; rename it so it is read")
        else:
            files.append(entry)
    if not any(name.endswith(".yaml") for name in names):
        reader.fail(str(path), "no *.yaml files in this folder")
    for entry in files:
        reader.read(entry)


def _is(path: Path, kind: Callable[[int], bool]) -> bool:
    """Return whether a path (its link followed) is of a kind; False where it cannot be looked at."""
    try:
        return kind(path.stat().st_mode)
    except OSError:  # missing, a broken link or a loop, no permission: _not_a_file says which
        return False


def _not_a_file(path: Path, wanted: str) -> str:
    """Say why a path that is not a regular file (or a folder, where one may be given) cannot be read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not path.is_symlink():
            return f"no such {wanted}"
        try:
            target = f" to {os.readlink(path)}"
        except OSError:
            target = ""
        return f"a broken symbolic link{target}: its target does not exist"
    except OSError as exc:  # a loop of links, a folder that may not be searched
        return f"cannot read: {exc.strerror or exc}"
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ]
    kind = next((text for test, text in kinds if test(mode)), "something else")
    return f"not a regular {wanted} but {kind}" + ("; sub-folders are not read" if stat.S_ISDIR(mode) else "")


def parse_dataset(text: str, *, label: str = "<text>", curated: bool = True) -> Dataset:
    """Parse one dataset document from text, such as an export; raise DatasetError on any problem (`curated` as in
    load_dataset)."""
    reader = _Reader(curated=curated)
    reader.add(label, text)
    return reader.finish(label)


@dataclass
class _Reader:
    """Accumulate records, their origins and problems across the files of one dataset."""

    records: dict[str, list[Record]] = field(default_factory=lambda: {kind: [] for kind in READABLE})
    origin: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    lines: dict[str, dict[Loc, int]] = field(default_factory=dict)
    broken: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) of records that failed validation
    unreadable: bool = False  # some file could not be parsed, so cross-record checks would only add noise
    problems: list[tuple[int, int, str]] = field(default_factory=list)  # (file order, line, message)
    files: list[str] = field(default_factory=list)
    curated: bool = True  # the bundled dataset's standard of support for decided rules (check_dataset)

    def error(self, label: str, line: int | None, message: str, *, cite_line: bool = True) -> None:
        """Record a problem in a file, to be reported in file and line order."""
        self._put(label, line, f"{label}: {message}", cite_line=cite_line)

    def fail(self, label: str, message: str) -> None:
        """Record that part of the dataset could not be read at all."""
        self.error(label, None, message)
        self.unreadable = True

    def _put(self, label: str, line: int | None, text: str, *, cite_line: bool = True) -> None:
        if label not in self.files:
            self.files.append(label)
        if line and cite_line:
            text += f" (line {line})"
        self.problems.append((self.files.index(label), line or 0, text))

    def read(self, path: Path) -> None:
        """Read one file."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.fail(str(path), f"cannot read: {exc}")
            return
        self.add(str(path), text)

    def add(self, label: str, text: str) -> None:
        """Parse one document and validate each record on its own, so one bad record hides no other."""
        if label not in self.files:
            self.files.append(label)
        try:
            data, lines = parse(text)
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
            self.error(label, line, syntax_error(exc), cite_line=False)  # the message gives line and column
            self.unreadable = True
            return
        self.lines[label] = lines
        if data is None:
            return
        if not isinstance(data, dict):
            self.error(label, 1, f"expected a mapping with keys {', '.join(READABLE)}, got {show(data)}")
            self.unreadable = True
            return
        for kind, items in data.items():
            if kind not in READABLE:
                expected = ", ".join(READABLE)
                self.error(label, lines.get((kind,)), f"{kind}: unknown section (expected one of {expected})")
            elif items is not None and not isinstance(items, list):
                self.error(label, lines.get((kind,)), f"{kind}: expected a list of records, got {show(items)}")
            else:
                for index, item in enumerate(items or []):
                    self._record(label, kind, index, item)

    def _record(self, label: str, kind: str, index: int, item: Any) -> None:
        model, key = READABLE[kind]
        try:
            record = model.model_validate(item)
        except ValidationError as exc:
            if isinstance(item, dict) and isinstance(item.get(key), str):
                self.broken.add((kind, item[key].strip()))
            for err in exc.errors():
                loc = (kind, index, *err["loc"])
                self.error(label, line_of(self.lines[label], loc), f"{path_text(loc)}: {describe_error(err)}")
            return
        self.origin[(kind, len(self.records[kind]))] = (label, index)
        self.records[kind].append(record)

    def finish(self, label: str) -> Dataset:
        """Run the cross-record checks and return the dataset, or raise every problem found."""
        dataset = Dataset.model_construct(**self.records)  # type: ignore[arg-type]  # checked just below
        for issue in [] if self.unreadable else check_dataset(dataset, curated=self.curated):
            # A reference to a record that failed its own checks is not a second problem.
            if issue.missing is None or issue.missing not in self.broken:
                self._issue(label, issue)
        if self.problems:
            raise DatasetError([message for *_, message in sorted(self.problems)])
        return dataset

    def _issue(self, label: str, issue: Issue) -> None:
        if len(issue.loc) < 2:
            self.error(label, None, format_issue(issue))
            return
        file, index = self.origin[(issue.loc[0], issue.loc[1])]  # type: ignore[index]
        line = line_of(self.lines[file], (issue.loc[0], index, *issue.loc[2:]))
        self._put(file, line, format_issue(issue, self.origin))


def describe_error(err: Any) -> str:
    """Word one of pydantic's ValidationError.errors() for someone editing the record (the API can reuse it)."""
    template = _MESSAGES.get(err["type"])
    if template is None:
        return str(err["msg"])
    return template.format(input=show(err.get("input")), **err.get("ctx", {}))
