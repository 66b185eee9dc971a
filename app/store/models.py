"""SQLModel tables: the dataset, its change log, the revision counter and API keys."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.store import db  # noqa: F401  (applies the naming convention before tables are declared)


def _fk(target: str, *, nullable: bool = False, ondelete: str | None = None) -> Any:
    """Return a string foreign-key field to target ("table.column")."""
    return Field(sa_column=Column(String, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True))


class Platform(SQLModel, table=True):
    """A service whose users' content may be used for AI training."""

    __tablename__ = "platform"
    id: str = Field(primary_key=True)
    name: str
    operator: str = Field(index=True)
    website: str | None = None
    privacy_policy_url: str | None = None
    version: int = 1


class DataCategory(SQLModel, table=True):
    """A kind of user data, such as public posts or private messages."""

    __tablename__ = "data_category"
    id: str = Field(primary_key=True)
    name: str
    description: str = ""
    version: int = 1


class Jurisdiction(SQLModel, table=True):
    """A country, a group of countries, or GLOBAL."""

    __tablename__ = "jurisdiction"
    code: str = Field(primary_key=True)
    name: str
    kind: str  # country | group | global
    version: int = 1


class JurisdictionMember(SQLModel, table=True):
    """Membership of a country in a group such as EU or EEA."""

    __tablename__ = "jurisdiction_member"
    group_code: str = Field(foreign_key="jurisdiction.code", primary_key=True, ondelete="CASCADE")
    country_code: str = Field(foreign_key="jurisdiction.code", primary_key=True, index=True)


class Source(SQLModel, table=True):
    """A published document that rules and deadlines cite."""

    __tablename__ = "source"
    id: str = Field(primary_key=True)
    url: str
    title: str
    publisher: str
    published_on: str | None = None  # YYYY-MM-DD, or YYYY-MM / YYYY where the source gives no day
    retrieved_on: date
    kind: str = "secondary"  # primary | secondary | aggregator
    quote: str | None = None
    via: str | None = None
    archived_url: str | None = None  # a web-archive copy, for when the original is gone
    version: int = 1


class Deadline(SQLModel, table=True):
    """A dated event users must act by, or that changes what happens to their data."""

    __tablename__ = "deadline"
    id: str = Field(primary_key=True)
    platform_id: str = _fk("platform.id")
    jurisdiction_code: str = _fk("jurisdiction.code")
    kind: str
    on: date = Field(index=True)
    summary: str
    after: str | None = None
    replaces_id: str | None = _fk("deadline.id", nullable=True)
    version: int = 1


class Rule(SQLModel, table=True):
    """What happens to one platform's category of content in one jurisdiction for a span of days."""

    __tablename__ = "rule"
    id: str = Field(primary_key=True)
    platform_id: str = _fk("platform.id")
    category_id: str = _fk("data_category.id")
    jurisdiction_code: str = _fk("jurisdiction.code")
    treatment: str  # used | not_used | opt_out | opt_in | unknown
    used_by: str = "platform"  # platform | third-parties: who trains on the content under this rule
    effective_from: date | None = None
    effective_until: date | None = None  # inclusive
    posted_from: date | None = None
    posted_until: date | None = None
    min_age: int | None = None
    under_age: str = "not_used"  # what the rule says of accounts younger than min_age: not_used | unknown
    not_opted_in: str = "not_used"  # what an opt-in rule says of users who did not switch it on: not_used | unknown
    legal_basis: str | None = None
    opt_out_method: str | None = None  # None: the rule has no opt-out
    opt_out_url: str | None = None
    opt_out_deadline_id: str | None = _fk("deadline.id", nullable=True)
    late_objection: str | None = None  # covers_later_posts | stops_future_training | no_effect
    after_deadline: str | None = None
    objection_before_start: str | None = None  # keeps_all_out (also None: rows stored before migration 0007) | late
    summary: str
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reviewed_on: date | None = None  # None: the newest retrieved_on of the rule's sources
    version: int = 1


class RuleSource(SQLModel, table=True):
    """A source cited by a rule, in citation order, with the words of it that support the rule."""

    __tablename__ = "rule_source"
    rule_id: str = Field(foreign_key="rule.id", primary_key=True, ondelete="CASCADE")
    source_id: str = Field(foreign_key="source.id", primary_key=True, index=True)
    position: int = 0
    quote: str | None = None  # exact words of the source that support this rule (checked against the page)
    location: str | None = None  # where in the source: section, paragraph (the record's `where`)


class DeadlineSource(SQLModel, table=True):
    """A source cited by a deadline, in citation order, with the words of it that support the deadline."""

    __tablename__ = "deadline_source"
    deadline_id: str = Field(foreign_key="deadline.id", primary_key=True, ondelete="CASCADE")
    source_id: str = Field(foreign_key="source.id", primary_key=True, index=True)
    position: int = 0
    quote: str | None = None
    location: str | None = None


class SourceCheck(SQLModel, table=True):
    """One fetch of a source by `sources check`: what came back and how it compares with the last one."""

    __tablename__ = "source_check"
    # No foreign key: the history of an address outlives the source record, and a check never locks one.
    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(index=True)
    checked_at: datetime = Field(index=True)
    url: str
    status: int | None = None  # HTTP status of the last response; None when nothing came back
    final_url: str | None = None
    redirects: list[list[Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str  # ok | changed | quote-missing | moved | gone | unreachable
    # A new finding that needs review: a changed text, or moved / gone / quote-missing where the last check
    # that reached the page said otherwise (so a page that stays gone does not come back after its review).
    finding: bool = False
    text_hash: str | None = None  # SHA-256 of the normalised main text
    quotes: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    text: bytes | None = Field(default=None, sa_column=Column(LargeBinary))  # zlib; only when the text changed
    error: str | None = None


class RuleReview(SQLModel, table=True):
    """A person's check of a rule against its sources: confirmed as it is, or changed to match them."""

    __tablename__ = "rule_review"
    id: int | None = Field(default=None, primary_key=True)
    rule_id: str = Field(index=True)  # no foreign key: reviews are history, kept if the rule goes
    reviewed_at: datetime
    outcome: str  # confirmed | changed
    note: str | None = None
    actor: str


class DatasetRevision(SQLModel, table=True):
    """The single row counting writes; readers compare it to know when to reload."""

    __tablename__ = "dataset_revision"
    id: int = Field(default=1, primary_key=True)
    revision: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))  # 64-bit: never wraps
    updated_at: datetime


class Change(SQLModel, table=True):
    """One entry of the append-only log of every write to the dataset."""

    __tablename__ = "change"
    __table_args__ = (UniqueConstraint("revision", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    revision: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    seq: int = 0  # order of the change within its revision
    at: datetime
    resource: str
    resource_id: str
    operation: str  # create | update | delete
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    actor: str


class SeededRecord(SQLModel, table=True):
    """The value a record had when `seed` last wrote it, to tell seed updates from API edits."""

    __tablename__ = "seeded_record"
    resource: str = Field(primary_key=True)
    resource_id: str = Field(primary_key=True)
    value: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class ApiKey(SQLModel, table=True):
    """A bearer key for writes; only its SHA-256 hash is stored."""

    __tablename__ = "api_key"
    id: str = Field(primary_key=True)  # short public id, shown by `keys list`
    name: str = ""
    scope: str  # read | write
    key_hash: str = Field(unique=True)
    created_at: datetime
    revoked_at: datetime | None = None


from app.store import webhook_models  # noqa: E402, F401  (the webhook tables share this metadata)
