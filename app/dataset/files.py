"""Load a dataset from a YAML file or a folder of them, collecting every problem before giving up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .checks import DatasetError, Issue, check_dataset, format_issue, path_text
from .schema import SECTIONS, Dataset, Record
from .types import show
from .yamlio import Loc, line_of, parse, syntax_error

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


def load_dataset(path: Path | str) -> Dataset:
    """Read a dataset file, or every *.yaml file of a folder in name order; raise DatasetError on any problem."""
    path = Path(path)
    reader = _Reader()
    if path.is_dir():
        names = sorted(p.name for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        for name in names:
            if name.endswith(".yml"):
                reader.fail(str(path / name), "dataset files end in .yaml; rename it so it is read")
        names = [name for name in names if name.endswith(".yaml")]
        if not names:
            reader.fail(str(path), "no *.yaml files in this folder")
        for name in names:
            reader.read(path / name)
    elif path.is_file():
        reader.read(path)
    else:
        reader.fail(str(path), "no such file or folder")
    return reader.finish(str(path))


def parse_dataset(text: str, *, label: str = "<text>") -> Dataset:
    """Parse one dataset document from text, such as an uploaded export; raise DatasetError on any problem."""
    reader = _Reader()
    reader.add(label, text)
    return reader.finish(label)


@dataclass
class _Reader:
    """Accumulate records, their origins and problems across the files of one dataset."""

    records: dict[str, list[Record]] = field(default_factory=lambda: {kind: [] for kind in SECTIONS})
    origin: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    lines: dict[str, dict[Loc, int]] = field(default_factory=dict)
    broken: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) of records that failed validation
    unreadable: bool = False  # some file could not be parsed, so cross-record checks would only add noise
    problems: list[tuple[int, int, str]] = field(default_factory=list)  # (file order, line, message)
    files: list[str] = field(default_factory=list)

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
            self.error(label, 1, f"expected a mapping with keys {', '.join(SECTIONS)}, got {show(data)}")
            self.unreadable = True
            return
        for kind, items in data.items():
            if kind not in SECTIONS:
                expected = ", ".join(SECTIONS)
                self.error(label, lines.get((kind,)), f"{kind}: unknown section (expected one of {expected})")
            elif items is not None and not isinstance(items, list):
                self.error(label, lines.get((kind,)), f"{kind}: expected a list of records, got {show(items)}")
            else:
                for index, item in enumerate(items or []):
                    self._record(label, kind, index, item)

    def _record(self, label: str, kind: str, index: int, item: Any) -> None:
        model, key = SECTIONS[kind]
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
        for issue in [] if self.unreadable else check_dataset(dataset):
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
