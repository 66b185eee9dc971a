"""The `trainwatch sources` and `trainwatch review` commands: check the sources, list and record reviews."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import typer

from app.settings import Settings, get_settings

if TYPE_CHECKING:
    from app.store.reviews import QueueItem
    from app.watch.check import Result

sources_cli = typer.Typer(help="Watch the cited sources for changes.", no_args_is_help=True)
review_cli = typer.Typer(
    help="The review queue: rules whose sources changed since they were last checked.", no_args_is_help=True
)
# Outcomes that --fail-on-change counts as a change (an unreachable page may be a passing network fault).
CHANGES = {"changed", "quote-missing", "moved", "gone"}
VERSION = "0.1.0"


def politeness(settings: Settings) -> Any:
    """Return the crawler's politeness from the settings: User-Agent with a contact URL, pace, limits."""
    from app.watch.crawler import Politeness

    return Politeness(
        user_agent=user_agent(settings),
        rate_per_host=settings.check_rate_per_host,
        concurrency=settings.check_concurrency,
        timeout=settings.check_timeout_seconds,
        retries=settings.check_retries,
    )


def user_agent(settings: Settings) -> str:
    """Return the User-Agent: the service, its version and the operator's contact URL."""
    contact = f"+{settings.check_contact_url}; " if settings.check_contact_url else ""
    return f"Trainwatch/{VERSION} ({contact}policy source checker)"


def run_checks(
    engine: Any,
    settings: Settings,
    *,
    source_ids: Sequence[str] | None = None,
    platform_id: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Any = None,
    progress: Callable[[int], Callable[[Any], None]] | None = None,
) -> tuple[list[Result], int]:
    """Check the chosen sources and record the results; return them with the dataset revision after the write."""
    from sqlmodel import Session

    from app.store import checks
    from app.watch.check import check_sources
    from app.watch.crawler import Crawler

    with Session(engine) as session:
        wanted = chosen_sources(session, source_ids, platform_id)
        targets = checks.targets(session, wanted)

    async def go() -> list[Result]:
        async with Crawler(politeness(settings), clock=clock, transport=transport) as crawler:
            return await check_sources(targets, crawler, progress(len(targets)) if progress else None)

    started = datetime.now(UTC)
    results = asyncio.run(go())
    with Session(engine) as session:
        revision = checks.record_checks(session, results, at=started, actor="sources-check")
    return results, revision


def chosen_sources(session: Any, source_ids: Sequence[str] | None, platform_id: str | None) -> set[str] | None:
    """Return the ids of the sources to check (None: all), or raise LookupError saying why one cannot be."""
    from sqlmodel import col, select

    from app.store import checks
    from app.store.models import Platform, Source

    # A typo must fail, never pass as "checked 0 sources" (a CI job with --fail-on-change would then pass).
    if platform_id is not None and session.get(Platform, platform_id) is None:
        raise LookupError(f"no platform {platform_id!r}")
    named = set(source_ids or ())
    known = set(session.exec(select(Source.id).where(col(Source.id).in_(sorted(named)))).all()) if named else set()
    problems = [f"no source {', '.join(sorted(named - known))}"] if named - known else []
    cited = checks.platform_source_ids(session, platform_id) if platform_id is not None else None
    uncited = sorted(known - cited) if cited is not None else []
    if uncited:
        which = f"source {uncited[0]} is" if len(uncited) == 1 else f"sources {', '.join(uncited)} are"
        problems.append(f"{which} not cited by platform {platform_id!r}")
    if problems:
        raise LookupError("; ".join(problems))
    return named or cited


def _bar(enabled: bool) -> tuple[Any, Callable[[int], Callable[[Any], None]] | None]:
    """Return a rich progress bar on a terminal (stderr), and the callback that advances it."""
    if not enabled:
        return None, None
    from rich.progress import Progress

    bar = Progress(transient=True)

    def start(total: int) -> Callable[[Any], None]:
        task = bar.add_task("checking sources", total=total)
        return lambda _result: bar.advance(task)

    return bar, start


def result_json(result: Any) -> dict[str, Any]:
    """Return one source's check as the JSON object `--json` prints."""
    f = result.fetched
    return {
        "id": result.target.source_id,
        "outcome": result.outcome.value,
        "url": result.target.url,
        "status": f.status,
        "final_url": f.final_url,
        "redirects": [list(hop) for hop in f.redirects],
        "quotes": result.quotes,
        "text_changed": result.text_changed,
        "finding": result.finding,
        "archived_url": result.target.archived_url,
        "gone_without_archive": result.gone_without_archive,
        "error": f.error,
    }


@sources_cli.command("check")
def check_command(
    source: Annotated[list[str] | None, typer.Option("--source", help="Check only this source (repeatable).")] = None,
    platform: Annotated[str | None, typer.Option(help="Check only the sources this platform's records cite.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per source, one per line.")] = False,
    fail_on_change: Annotated[
        bool, typer.Option(help="Exit 1 if a source changed, moved, went or lost a quote.")
    ] = False,
) -> None:
    """Fetch every cited source (politely), compare it with the last check and record the outcome."""
    from app.cli import database_errors, engine, fail

    settings = get_settings()
    if not settings.check_contact_url:
        typer.echo(
            "warning: TRAINWATCH_CHECK_CONTACT_URL is not set; the User-Agent gives site owners no way to reach you",
            err=True,
        )
    bar, start = _bar(sys.stderr.isatty() and not as_json)

    def run() -> tuple[list[Result], int]:
        try:
            if bar is None:
                return run_checks(engine(), settings, source_ids=source, platform_id=platform, progress=start)
            with bar:
                return run_checks(engine(), settings, source_ids=source, platform_id=platform, progress=start)
        except LookupError as exc:
            fail(str(exc))
            raise

    results, revision = database_errors(run)()
    counts = Counter(r.outcome.value for r in results)
    for r in results:
        if as_json:
            typer.echo(json.dumps(result_json(r), ensure_ascii=False))
        elif r.outcome.value != "ok":
            detail = r.fetched.error or (r.fetched.final_url if r.outcome.value == "moved" else r.fetched.status)
            typer.echo(f"{r.target.source_id}\t{r.outcome.value}\t{r.target.url}\t{detail or ''}")
    order = ("ok", "changed", "quote-missing", "moved", "gone", "unreachable")
    unarchived = [r.target.source_id for r in results if r.gone_without_archive]
    summary = (
        f"checked {len(results)} sources: "
        + ", ".join(f"{counts[o]} {o}" for o in order)
        + f"; dataset revision {revision}"
        + (f"; gone with no archived copy: {', '.join(unarchived)}" if unarchived else "")
    )
    typer.echo(summary, err=as_json)
    if fail_on_change and any(r.outcome.value in CHANGES for r in results):
        raise typer.Exit(1)


@review_cli.command("list")
def review_list(
    rule: Annotated[list[str] | None, typer.Option("--rule", help="Only this rule (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per rule, one per line.")] = False,
) -> None:
    """List the rules to review, with each flagged source, its outcome and the diff of its text."""
    from sqlmodel import Session

    from app.cli import database_errors, engine, fail
    from app.store.models import Rule
    from app.store.reviews import queue

    def run() -> list[QueueItem]:
        with Session(engine()) as session:
            unknown = [r for r in dict.fromkeys(rule or ()) if session.get(Rule, r) is None]
            if unknown:
                fail(f"no rule {', '.join(repr(r) for r in unknown)}")
            return queue(session, rule or None)

    items = database_errors(run)()
    for item in items:
        reviewed = item.reviewed_on.isoformat() if item.reviewed_on else None
        if as_json:
            typer.echo(
                json.dumps({"rule": item.rule_id, "reviewed_on": reviewed, "sources": item.sources}, ensure_ascii=False)
            )
            continue
        typer.echo(f"rule {item.rule_id} (last reviewed {reviewed or 'never'})")
        for s in item.sources:
            typer.echo(
                f"  source {s['source']}: {s['outcome']} on {s['checked_at'][:10]} {s['url']}"
                + (f" -> {s['final_url']}" if s["outcome"] == "moved" else "")
            )
            for line in (s["diff"] or "(no text to compare)").splitlines():
                typer.echo(f"    {line}")
    typer.echo(f"{len(items)} rules need review", err=as_json)


@review_cli.command("record")
def review_record(
    rule: Annotated[str, typer.Argument(help="The rule's id.")],
    outcome: Annotated[str, typer.Option(help="confirmed (still right) or changed (corrected to match).")],
    note: Annotated[str | None, typer.Option(help="What was checked or changed.")] = None,
) -> None:
    """Record that you checked a rule against its sources; it leaves the queue and its answers are fresh again."""
    from sqlmodel import Session

    from app.cli import database_errors, engine, fail
    from app.store.errors import NotFound
    from app.store.reviews import REVIEW_OUTCOMES, record_review

    if outcome not in REVIEW_OUTCOMES:
        fail(f"--outcome must be one of {', '.join(REVIEW_OUTCOMES)}, not {outcome!r}")

    def run() -> int:
        with Session(engine()) as session:
            try:
                return record_review(session, rule, outcome, note, at=datetime.now(UTC), actor="cli")[1].revision
            except NotFound as exc:
                fail(exc.detail)
                raise

    revision = database_errors(run)()
    typer.echo(f"review of {rule} recorded ({outcome}); dataset revision {revision}")
