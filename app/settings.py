"""Service settings, read once from TRAINWATCH_* environment variables, each checked before anything uses it."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'trainwatch.db'}"

DAY_SECONDS = 86_400
# Beyond about 100 years a cut-off date (today minus the days) leaves the calendar and every answer would fail.
MAX_DAYS = 36_500
# Waits, timeouts and intervals: finite, above zero, at most a day (threads cannot wait much longer than that).
Seconds = Annotated[float, Field(gt=0, le=DAY_SECONDS, allow_inf_nan=False)]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_ALIASES = {"WARN": "WARNING", "FATAL": "CRITICAL"}  # the standard library's own spellings
# One Content-Security-Policy source (`*`, `'self'`, `https://a.example`): printable ASCII, and no `;` or `,`,
# which would end the directive or the policy and let the value add directives of its own.
CSP_SOURCE = re.compile(r"[!-+\--:<-~]+")
# An origin as browsers send it in the Origin header: scheme://host[:port], no path.
ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#\s\\@]+")
CONTACT_URL = re.compile(r"(https?://|mailto:)[!-~]+")
# The service's public address: http(s)://host[:port] and an optional path of URL characters (no quotes or angle
# brackets: it lands in HTML attributes), no user, query or fragment.
PUBLIC_URL = re.compile(
    r"(?i:https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?(/[A-Za-z0-9._~!$&()*+,;=:@%/-]*)?"
)


def _csp_source(value: str) -> str:
    if not CSP_SOURCE.fullmatch(value):
        raise ValueError(
            "not a CSP source: give * , 'self', 'none' or an origin such as https://a.example "
            "(printable ASCII, no spaces, ';' or ',')"
        )
    return value


def _origin(value: str) -> str:
    if value not in ("*", "null") and not ORIGIN.fullmatch(value):
        raise ValueError("not an origin: give scheme://host[:port] with no path (e.g. https://a.example), or *")
    return value


def _public_url(value: str | None) -> str | None:
    if value is None or value == "":
        return None  # unset: URLs follow each request's Host header
    if not PUBLIC_URL.fullmatch(value):
        raise ValueError(
            "not a public URL: give http(s)://host[:port] and an optional path, with no user, query or fragment "
            "(e.g. https://trainwatch.example)"
        )
    scheme, rest = value.split("://", 1)
    return f"{scheme.lower()}://{rest}".rstrip("/")


def _network(value: str) -> str:
    try:
        ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValueError("not an IP address or network (e.g. 10.0.0.0/8 or ::1)") from None
    return value.strip()


def _rate_limit(value: str) -> str:
    from limits import parse_many  # here: only the server needs the package

    try:
        items = parse_many(value)
    except ValueError as exc:
        raise ValueError(f'{exc}: give an amount per period, e.g. "600/minute" or "10 per second"') from None
    if len(items) != 1:
        raise ValueError('give one limit (e.g. "600/minute"): only the first of several would be enforced')
    if items[0].amount < 1:
        raise ValueError("the amount must be at least 1 (TRAINWATCH_RATE_LIMITS=false turns the limits off)")
    return value


class Settings(BaseSettings):
    """One flat settings class; every field can be set as TRAINWATCH_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TRAINWATCH_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    cors_origins: list[Annotated[str, AfterValidator(_origin)]] = ["*"]
    # Origins allowed to frame the iframe card (CSP frame-ancestors); "*" lets any site embed it.
    embed_origins: list[Annotated[str, AfterValidator(_csp_source)]] = ["*"]
    # Where the service is reached (https://trainwatch.example): the base of the absolute URLs in feeds, the card and
    # the demo page. Unset, they follow each request's Host header and those responses vary by it.
    public_url: Annotated[str | None, AfterValidator(_public_url)] = None
    # How often a worker asks the database whether another process changed the data; 0: never (one process only).
    revision_check_seconds: float = Field(default=1.0, ge=0, le=DAY_SECONDS, allow_inf_nan=False)
    max_body_bytes: int = Field(default=2_000_000, ge=1)
    # Bound of each worker's cache of finished answers (bytes of answer bodies kept); 0 keeps none.
    answer_cache_mb: int = Field(default=64, ge=0)
    # Serve the decision route from a pure ASGI layer before FastAPI's routing (same answers, less overhead).
    fast_path: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Let FastAPI emit OpenTelemetry spans and metrics to the providers configured in the process.
    telemetry: bool = False
    # Rate limits per client (verified API key, else IP) and route class, as `limits` strings ("600/minute").
    # A batch counts each of its checks as a decision.
    rate_limits: bool = True
    rate_limit_decisions: Annotated[str, AfterValidator(_rate_limit)] = "6000/minute"
    rate_limit_catalog: Annotated[str, AfterValidator(_rate_limit)] = "1200/minute"
    rate_limit_writes: Annotated[str, AfterValidator(_rate_limit)] = "120/minute"
    rate_limit_auth_failures: Annotated[str, AfterValidator(_rate_limit)] = "20/minute"
    # An IPv6 client counts as its network of this prefix: 64, the least a subscriber is given; 128 counts each
    # address apart (for hosts that give clients single addresses out of one shared /64).
    rate_limit_ipv6_prefix: int = Field(default=64, ge=32, le=128)
    # Where rate-limit counts live: unset keeps them in each worker's memory; redis://host:port/db shares them.
    redis_url: str | None = None
    # Who may read /metrics (addresses or networks); everyone else gets 404.
    metrics_allow: list[Annotated[str, AfterValidator(_network)]] = ["127.0.0.1/32", "::1/128"]
    # Which sites may frame the embeds (CSP frame-ancestors); every other page may be framed by no one.
    embed_frame_ancestors: str = "*"
    # Seconds a database statement may run, and a connection may take to open, before the request gets 503.
    # At least a millisecond: PostgreSQL takes milliseconds, and 0 there means no timeout at all.
    db_statement_timeout: float = Field(default=5.0, ge=0.001, le=DAY_SECONDS, allow_inf_nan=False)
    db_connect_timeout: Seconds = 2.0
    # A request to a route that uses the database gets 503 after this many seconds (a hung database), and at most
    # db_request_slots such requests wait at once, so they never take every thread.
    db_request_timeout: Seconds = 30.0
    db_request_slots: int = Field(default=16, ge=1)
    # Batches computed at once per worker, off the event loop (each up to 1000 checks).
    batch_threads: int = Field(default=2, ge=1)
    # `trainwatch start` (the container's command) migrates and seeds before serving unless this is false.
    auto_migrate: bool = True
    # Webhooks (docs/webhooks.md): run the deliverer inside `serve` (one process delivers, whatever the workers).
    webhooks_deliver: bool = True
    # Allow receivers on loopback, private and link-local addresses (tests, private deployments).
    webhooks_allow_private: bool = False
    webhooks_poll_seconds: Seconds = 1.0
    # 0: one attempt, no retries.
    webhooks_retry_hours: float = Field(default=24.0, ge=0, le=MAX_DAYS * 24, allow_inf_nan=False)
    webhooks_disable_after: int = Field(default=3, ge=1)  # failed deliveries in a row before a subscription is disabled
    webhooks_timeout_seconds: Seconds = 10.0
    # Subscriptions one webhooks key may hold: each write queues a delivery for every matching one.
    webhooks_max_per_key: int = Field(default=100, ge=1, le=100_000)
    # Days a delivery that ended (delivered or failed) stays listed; then it goes, with any event nobody else awaits.
    webhooks_keep_days: int = Field(default=30, ge=1, le=MAX_DAYS)
    # Answers are stale when the rule's last review is older than this many days.
    review_max_days: int = Field(default=365, ge=1, le=MAX_DAYS)
    # `sources check`: at most this many requests a second to one host (0: no pause), this many fetches at once, and
    # how long and how often to try (waits double: 1, 2, 4... s); the contact URL (the operator's, e.g. a repository
    # or a mailto: page) goes into the User-Agent so site owners can reach whoever runs the checks.
    check_rate_per_host: float = Field(default=1.0, ge=0, allow_inf_nan=False)
    check_concurrency: int = Field(default=4, ge=1)
    check_timeout_seconds: Seconds = 20.0
    check_retries: int = Field(default=2, ge=0, le=10)
    check_contact_url: str = ""

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> Any:
        """Read a level in any case ("warning"); anything else is refused by the Literal, which names the levels."""
        if isinstance(value, str):
            name = value.strip().upper()
            name = LOG_ALIASES.get(name, name)
            if name in LOG_LEVELS:
                return name
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        """Build the storage the rate limiter will use (no connection is made), so a URL it cannot use stops here."""
        if value is None or not value.strip():
            return None  # empty: as unset, counts in each worker's memory
        from limits.aio.storage import RedisClusterStorage, RedisSentinelStorage, RedisStorage
        from limits.errors import ConfigurationError
        from limits.storage import storage_from_string

        schemes = [
            scheme.removeprefix("async+")
            for storage in (RedisStorage, RedisClusterStorage, RedisSentinelStorage)
            for scheme in storage.STORAGE_SCHEME or ()
            if scheme.startswith("async+redis")
        ]
        if value.partition("://")[0] not in schemes or "://" not in value:
            raise ValueError(f"not a Redis URL: it must start with {', '.join(s + '://' for s in schemes)}")
        try:
            # As app/api/ratelimit.py builds it.
            storage_from_string(f"async+{value}", implementation="redispy")
        except (ConfigurationError, ValueError, TypeError) as exc:
            raise ValueError(f"not a usable Redis URL: {exc}") from None
        return value

    @field_validator("embed_frame_ancestors")
    @classmethod
    def _frame_ancestors(cls, value: str) -> str:
        """Check each space-separated source of the frame-ancestors directive."""
        sources = value.split()
        if not sources:
            raise ValueError("give at least one source: * (any site), 'none' (no site) or origins")
        for source in sources:
            _csp_source(source)
        return " ".join(sources)

    @field_validator("check_contact_url")
    @classmethod
    def _contact_url(cls, value: str) -> str:
        """Refuse what would break the User-Agent header or give site owners no way to reach anyone."""
        if value and not CONTACT_URL.fullmatch(value):
            raise ValueError("not a contact URL: give an http(s):// or mailto: URL (printable ASCII, no spaces)")
        return value


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
