"""Service settings, read once from TRAINWATCH_* environment variables."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{REPO_ROOT / 'var' / 'trainwatch.db'}"


class Settings(BaseSettings):
    """One flat settings class; every field can be set as TRAINWATCH_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TRAINWATCH_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    cors_origins: list[str] = ["*"]
    # Origins allowed to frame the iframe card (CSP frame-ancestors); "*" lets any site embed it.
    embed_origins: list[str] = ["*"]
    # How often a worker asks the database whether another process changed the data.
    revision_check_seconds: float = 1.0
    max_body_bytes: int = 2_000_000
    # Bound of each worker's cache of finished answers (bytes of answer bodies kept).
    answer_cache_mb: int = 64
    # Serve the decision route from a pure ASGI layer before FastAPI's routing (same answers, less overhead).
    fast_path: bool = True
    log_level: str = "INFO"
    # Let FastAPI emit OpenTelemetry spans and metrics to the providers configured in the process.
    telemetry: bool = False
    # Rate limits per client (verified API key, else IP) and route class, as `limits` strings ("600/minute").
    # A batch counts each of its checks as a decision.
    rate_limits: bool = True
    rate_limit_decisions: str = "6000/minute"
    rate_limit_catalog: str = "1200/minute"
    rate_limit_writes: str = "120/minute"
    rate_limit_auth_failures: str = "20/minute"
    # Where rate-limit counts live: unset keeps them in each worker's memory; redis://host:port/db shares them.
    redis_url: str | None = None
    # Who may read /metrics (addresses or networks); everyone else gets 404.
    metrics_allow: list[str] = ["127.0.0.1/32", "::1/128"]
    # Which sites may frame the embeds (CSP frame-ancestors); every other page may be framed by no one.
    embed_frame_ancestors: str = "*"
    # Seconds a database statement may run, and a connection may take to open, before the request gets 503.
    db_statement_timeout: float = 5.0
    db_connect_timeout: float = 2.0
    # A request to a route that uses the database gets 503 after this many seconds (a hung database), and at most
    # db_request_slots such requests wait at once, so they never take every thread.
    db_request_timeout: float = 30.0
    db_request_slots: int = 16
    # Batches computed at once per worker, off the event loop (each up to 1000 checks).
    batch_threads: int = 2
    # `trainwatch start` (the container's command) migrates and seeds before serving unless this is false.
    auto_migrate: bool = True
    # Webhooks (docs/webhooks.md): run the deliverer inside `serve` (one process delivers, whatever the workers).
    webhooks_deliver: bool = True
    # Allow receivers on loopback, private and link-local addresses (tests, private deployments).
    webhooks_allow_private: bool = False
    webhooks_poll_seconds: float = 1.0
    webhooks_retry_hours: float = 24.0
    webhooks_disable_after: int = 3  # failed deliveries in a row before a subscription is disabled
    webhooks_timeout_seconds: float = 10.0
    # Days a delivery that ended (delivered or failed) stays listed; then it goes, with any event nobody else awaits.
    webhooks_keep_days: int = Field(default=30, ge=1, le=36_500)
    # Answers are stale when the rule's last review is older than this many days.
    review_max_days: int = 365
    # `sources check`: at most this many requests a second to one host, this many fetches at once, and how long
    # and how often to try; the contact URL (the operator's, e.g. a repository or a mailto: page) goes into the
    # User-Agent so site owners can reach whoever runs the checks.
    check_rate_per_host: float = 1.0
    check_concurrency: int = 4
    check_timeout_seconds: float = 20.0
    check_retries: int = 2
    check_contact_url: str = ""


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
