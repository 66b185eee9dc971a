"""The curated dataset: its record schema, loading from YAML with every problem reported, and a canonical dump."""

from .checks import DatasetError, Issue, Origin, check_dataset, format_issue, validate_dataset
from .dump import dump_dataset
from .files import describe_error, load_dataset, parse_dataset
from .schema import (
    SECTIONS,
    CategoryRecord,
    Dataset,
    DeadlineRecord,
    JurisdictionRecord,
    OptOutRecord,
    PlatformRecord,
    RuleRecord,
    SourceKind,
    SourceRecord,
)

__all__ = [
    "SECTIONS",
    "CategoryRecord",
    "Dataset",
    "DatasetError",
    "DeadlineRecord",
    "Issue",
    "JurisdictionRecord",
    "OptOutRecord",
    "Origin",
    "PlatformRecord",
    "RuleRecord",
    "SourceKind",
    "SourceRecord",
    "check_dataset",
    "describe_error",
    "dump_dataset",
    "format_issue",
    "load_dataset",
    "parse_dataset",
    "validate_dataset",
]
