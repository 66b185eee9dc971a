"""Write a dataset as one deterministic YAML document that load_dataset reads back to the same records."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from .schema import EXTRA_SECTIONS, SECTIONS, Dataset
from .yamlio import Loader

# Fields whose values are days (or a published month or year); always quoted, so every YAML reader sees text.
_DATE_FIELDS = {
    "published_on",
    "retrieved_on",
    "reviewed_on",
    "on",
    "effective_from",
    "effective_until",
    "posted_from",
    "posted_until",
}
# Short lists of codes read best on one line (citations, with their quotes, do not).
_FLOW_FIELDS = {"members"}


class _Quoted(str):
    """Text always written in single quotes."""


class _Flow(list[Any]):
    """A list written on one line."""


class _Dumper(yaml.SafeDumper):
    """A safe dumper that indents nested lists and never folds long lines."""

    # Quote any text that either YAML 1.1 readers or our 1.2 loader would read as something else ("NO", "1.5e3").
    yaml_implicit_resolvers = {
        first: yaml.SafeDumper.yaml_implicit_resolvers.get(first, []) + Loader.yaml_implicit_resolvers.get(first, [])
        for first in {*yaml.SafeDumper.yaml_implicit_resolvers, *Loader.yaml_implicit_resolvers}
    }

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list items under their key, as people write them by hand."""
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # YAML readers turn the rarer line breaks (CR, NEL, LS, PS) into newlines or spaces unless they are escaped,
    # which only double quotes do. Other text with line breaks is clearer as a literal block; PyYAML falls back to
    # quotes where a block cannot hold the text exactly.
    if any(c in value for c in "\r\x85\u2028\u2029\ufeff"):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(_Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="'"))
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", list(v), flow_style=True))


def dump_dataset(dataset: Dataset) -> str:
    """Return the dataset as YAML: every section, records sorted by id, every field in order, nulls written out."""
    canonical = dataset.canonical()
    parts = []
    # The extra sections (translations) are written only when there are any: the database stores none.
    for kind in [*SECTIONS, *(kind for kind in EXTRA_SECTIONS if getattr(canonical, kind))]:
        records = [_mark(record.model_dump(mode="json")) for record in getattr(canonical, kind)]
        # width: an unbounded line never folds, so long text survives byte for byte; the key order is the model's.
        parts.append(
            yaml.dump(
                {kind: records},
                Dumper=_Dumper,
                allow_unicode=True,
                sort_keys=False,
                default_flow_style=False,
                width=float("inf"),
                indent=2,
            )
        )
    return "\n".join(parts)  # a blank line between sections


def _mark(fields: dict[str, Any]) -> dict[str, Any]:
    """Wrap dates and id lists so the representers give them their fixed style."""
    marked: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, dict):
            value = _mark(value)
        elif name in _DATE_FIELDS and isinstance(value, str | date):
            value = _Quoted(value if isinstance(value, str) else value.isoformat())
        elif name in _FLOW_FIELDS and isinstance(value, list):
            value = _Flow(value)
        marked[name] = value
    return marked
