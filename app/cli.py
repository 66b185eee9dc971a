"""The `trainwatch` command: serve, deliver, migrate, seed, export, import, openapi, keys, sources and review."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import stat
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from app.cli_watch import review_cli, sources_cli
from app.settings import REPO_ROOT, Settings, get_settings
from app.store.db import DatabaseConfigError, make_engine

cli = typer.Typer(
    help="Trainwatch: is this content of mine used to train AI on this platform?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
keys_cli = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")
cli.add_typer(sources_cli, name="sources")
cli.add_typer(review_cli, name="review")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"trainwatch {version('trainwatch')}")
        raise typer.Exit()


@cli.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Trainwatch: is this content of mine used to train AI on this platform?"""


def fail(message: str) -> None:
    """Print one error line on stderr and exit with status 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def database_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn database configuration and connection failures into one line naming the setting."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DatabaseConfigError as exc:
            fail(str(exc))
        except DatabaseError as exc:  # unreachable, not migrated, not a database at all ("file is not a database")
            lines = str(exc.orig).strip().splitlines() if exc.orig is not None else []
            reason = lines[0] if lines else type(exc.orig or exc).__name__
            fail(f"TRAINWATCH_DATABASE_URL={get_settings().database_url!r}: the database cannot be used: {reason}")

    return wrapper


def engine() -> Engine:
    """Return an engine for the configured database."""
    return make_engine(get_settings().database_url)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="Port to listen on (0: one the system picks, announced).", min=0, max=65535)
    ] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes, each on a socket of its own (Linux).", min=1)] = 1,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE

    from app.api.one_write import ONE_WRITE_PROTOCOL  # here: other commands need not load uvicorn
    from app.api.workers import OwnSocketWorkers, cannot_listen, own_sockets_supported, port_socket

    try:
        make_engine(get_settings().database_url)
    except DatabaseConfigError as exc:
        fail(str(exc))
    # No `server: uvicorn` header naming the stack; the app logs every request itself, as JSON. Each response leaves
    # in one write (app/api/one_write.py).
    options = dict(
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        server_header=False,
        http=ONE_WRITE_PROTOCOL,
    )
    if workers > 1 and not own_sockets_supported():
        _announce(host, port)
        uvicorn.run("app.main:create_app", **options)  # type: ignore[arg-type]
        return
    config = uvicorn.Config("app.main:create_app", **options)  # type: ignore[arg-type]
    # The port is bound here, before the app loads: a port in use is one line, and with --port 0 the address
    # announced is the one the system picked.
    try:
        sock = port_socket(host, port, shared=workers > 1)
    except OSError as exc:
        fail(cannot_listen(host, port, exc))
    with sock:
        _announce(host, sock.getsockname()[1])
        if workers == 1:
            server = uvicorn.Server(config)
            with contextlib.suppress(KeyboardInterrupt):
                server.run(sockets=[sock])
            if not server.started:
                sys.exit(STARTUP_FAILURE)  # the app could not start: uvicorn.run's exit code for it
            return
        # Several workers: each on a socket of its own, so connections spread evenly (app/api/workers.py).
        supervisor = OwnSocketWorkers(config, sock)
        supervisor.run()
    if supervisor.failure:
        fail(supervisor.failure)


def _announce(host: str, port: int) -> None:
    """Say where the service answers (on stderr: stdout may be a pipe to a log collector)."""
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    typer.echo(
        f"Trainwatch serves on http://{shown}:{port}/ - API docs at http://{shown}:{port}/docs "
        f"(ReDoc at /redoc); stop with Ctrl+C",
        err=True,
    )


@cli.command()
def start(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="Port to listen on (0: one the system picks, announced).", min=0, max=65535)
    ] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
) -> None:
    """Migrate and seed the database (unless TRAINWATCH_AUTO_MIGRATE=false), then serve: the container's command."""
    if get_settings().auto_migrate:
        migrate()
        seed_command(path=REPO_ROOT / "app" / "data", force=False)
    else:
        typer.echo("TRAINWATCH_AUTO_MIGRATE=false: not migrating or seeding", err=True)
    serve(host=host, port=port, workers=workers)


@cli.command()
@database_errors
def deliver(
    once: Annotated[
        bool, typer.Option(help="Run one round (make due events, send due deliveries), then exit.")
    ] = False,
) -> None:
    """Deliver webhooks without serving the API (set TRAINWATCH_WEBHOOKS_DELIVER=false on the servers then)."""
    from app.delivery.deliverer import Deliverer

    deliverer = Deliverer(engine(), get_settings())
    try:
        if once:
            done = deliverer.run_once()
            typer.echo(
                f"{'delivering' if done.leader else 'another process delivers'}: {done.queued} queued, "
                f"{done.attempted} attempted, {done.delivered} delivered"
            )
            return
        typer.echo("delivering webhooks; stop with Ctrl-C", err=True)
        signal.signal(signal.SIGTERM, lambda *_: deliverer.request_stop())
        deliverer.run_forever()
    finally:
        deliverer.stop()


@cli.command()
@database_errors
def migrate() -> None:
    """Upgrade the database to the newest migration."""
    from app.store import migrate as migrations

    engine().connect().close()  # fail with one line before Alembic prints a traceback
    migrations.upgrade(get_settings().database_url)
    typer.echo(f"database at migration {migrations.head_revision()}")


@cli.command()
def openapi(
    path: Annotated[Path, typer.Argument(help="Where to write the spec.")] = REPO_ROOT / "openapi.json",
    check: Annotated[bool, typer.Option(help="Only compare; exit 1 if the file differs.")] = False,
    examples: Annotated[
        bool,
        typer.Option(help="First record the success examples from the app on a fresh copy of the bundled dataset."),
    ] = False,
) -> None:
    """Write the OpenAPI spec the app serves (or check that the file equals it)."""
    from app.openapi import render_openapi

    if examples:
        from app.api.schemas.examples import EXAMPLES_FILE, write_examples
        from app.main import create_app

        changed = write_examples(create_app)
        typer.echo(f"{'wrote' if changed else 'unchanged (the same answers):'} {EXAMPLES_FILE}")
    text = render_openapi()
    if check:
        try:
            current = path.read_text(encoding="utf-8") if path.exists() else None
        except UnicodeDecodeError:
            current = None  # not the spec, whatever it is
        except OSError as exc:
            fail(f"{path}: {exc.strerror or exc}")
        if current != text:
            fail(f"{path} differs from the spec the app serves: run `make openapi`")
        typer.echo(f"{path} is current")
        return
    write_whole(path, text)


@cli.command("seed")
@database_errors
def seed_command(
    path: Annotated[Path, typer.Option(help="Dataset file or folder.")] = REPO_ROOT / "app" / "data",
    force: Annotated[bool, typer.Option(help="Overwrite records changed through the API since the last seed.")] = False,
) -> None:
    """Load the bundled dataset, applying only what changed since the last seed."""
    from app.store.seeding import seed

    report = _dataset_errors(lambda: seed(engine(), path, force=force))
    for conflict in report.conflicts:
        typer.echo(f"conflict: {conflict}", err=True)
    typer.echo(
        f"dataset revision {report.revision}: {report.created} created, {report.updated} updated, "
        f"{report.deleted} deleted, {len(report.conflicts)} conflicts"
    )


@cli.command("import")
@database_errors
def import_command(path: Annotated[Path, typer.Argument(help="Dataset file or folder to load.")]) -> None:
    """Create or update every record in a dataset file or folder, in one transaction."""
    from app.store.seeding import import_dataset

    report = _dataset_errors(lambda: import_dataset(engine(), path))
    typer.echo(f"dataset revision {report.revision}: {report.created} created, {report.updated} updated")


@cli.command("export")
@database_errors
def export_command(path: Annotated[Path, typer.Argument(help="File to write; - for standard output.")]) -> None:
    """Write the whole dataset (no API keys, no change log) as one dataset file."""
    from app.store.seeding import export_dataset

    text = export_dataset(engine())
    if str(path) == "-":
        sys.stdout.write(text)
    else:
        write_whole(path, text)
    _importable(text, "the export" if str(path) == "-" else str(path))


def _importable(text: str, label: str) -> None:
    """Exit 1 naming each problem if an export would not import again: a record stored before the API checked what
    it now checks (a loop of replaced deadlines, say). The file is written all the same: it is the data as stored."""
    from app.dataset import DatasetError
    from app.dataset.files import parse_dataset

    try:
        parse_dataset(text, label=label, curated=False)
    except DatasetError as exc:
        fail(
            f"{label} holds what `trainwatch import` refuses; fix these records through the API, then export again:\n"
            + "\n".join(exc.errors)
        )


def write_whole(path: Path, text: str) -> None:
    """Write text (UTF-8) to a file whole or not at all and say so; a failure is one line naming the path, exit 1."""
    try:
        replace_file(path, text.encode("utf-8"))
    except OSError as exc:
        fail(f"{path}: {exc.strerror or exc}")
    typer.echo(f"wrote {path}")


def replace_file(path: Path, data: bytes) -> None:
    """Replace a file by data at once: a complete copy is written next to it, synced, then renamed over it.

    A full disk, a file-size limit or an interrupted run leaves the old file as it was (the copy is removed). A symlink
    is followed (the file it points to is replaced, the link stays); a device or a pipe (/dev/stdout, /dev/null) is
    written in place, as it cannot be replaced; a folder is refused. Raises OSError (with strerror) on any failure.
    """
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = target.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # a new file (its folder is looked at below)
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "wb") as out:
            out.write(data)
        return
    folder = target.parent
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "does not exist"
        raise FileNotFoundError(errno.ENOENT, f"the folder {folder} {reason}")
    temp = folder / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    # A new file gets the usual permissions (0666 less the umask, as open() gives), a replaced one keeps its own.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temp, stat.S_IMODE(mode))
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        folder_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)
    except OSError:
        pass  # the file is in place; some file systems cannot sync a folder


def _dataset_errors(run: Callable[[], Any]) -> Any:
    """Run a dataset load, printing each validation error on its own line and exiting 1 on any."""
    from app.dataset.checks import DatasetError
    from app.store.errors import WriteError

    try:
        return run()
    except DatasetError as exc:
        for message in exc.errors:
            typer.echo(f"error: {message}", err=True)
        fail(f"{len(exc.errors)} error(s); nothing was written")
    except WriteError as exc:
        fail(f"{exc.detail}; nothing was written")


# Control characters (tab and line breaks included), Unicode line and paragraph separators, lone surrogates (bytes
# that are not UTF-8 on the command line): a name holding one would break the lines of `keys list`, or the database.
_KEY_NAME_REFUSED = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _shown_name(name: str) -> str:
    """Return a key's name for `keys list`: `-` when empty, any character refused in new names escaped (one stored
    before names were checked)."""
    if not name:
        return "-"
    return _KEY_NAME_REFUSED.sub(lambda found: f"\\u{ord(found.group()):04x}", name)


@keys_cli.command("create")
@database_errors
def keys_create(
    scope: Annotated[str, typer.Option(help="read, write or webhooks.")] = "read",
    name: Annotated[str, typer.Option(help="Who the key is for.")] = "",
) -> None:
    """Create a key and print it alone on stdout, once; only its hash is kept."""
    from sqlmodel import Session

    from app.store.keys import create_key

    if _KEY_NAME_REFUSED.search(name):  # `keys list` prints one key a line, its fields separated by tabs
        fail(f"--name {name!r}: must not contain control characters (tabs, line breaks, NUL, ...)")
    with Session(engine()) as session:
        try:
            key, token = create_key(session, scope=scope, name=name)
        except ValueError as exc:
            fail(str(exc))
    typer.echo(f"created key {key.id} ({key.scope})", err=True)
    typer.echo(token)


@keys_cli.command("list")
@database_errors
def keys_list() -> None:
    """List keys: id, scope, name, created, revoked."""
    from sqlmodel import Session

    from app.store.keys import list_keys

    with Session(engine()) as session:
        for key in list_keys(session):
            revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-"
            typer.echo(
                f"{key.id}\t{key.scope}\t{_shown_name(key.name)}\t"
                f"{key.created_at.isoformat(timespec='seconds')}\t{revoked}"
            )


@keys_cli.command("revoke")
@database_errors
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id, as `keys list` shows it.")]) -> None:
    """Revoke a key so it no longer authorises anything."""
    from sqlmodel import Session

    from app.store.keys import revoke_key

    with Session(engine()) as session:
        if not revoke_key(session, key_id):
            fail(f"no live key with id {key_id!r}")
    typer.echo(f"revoked {key_id}")


def settings_problems(exc: ValidationError | SettingsError) -> list[str]:
    """Return one line per setting that cannot be used, naming its environment variable and the value given."""
    if isinstance(exc, SettingsError):  # a list setting whose value is not JSON: the message names its field
        field = re.search(r'field "(\w+)"', str(exc))
        name = f"TRAINWATCH_{field.group(1).upper()}" if field else "a TRAINWATCH_ list setting"
        return [f"{name} is not a JSON list (e.g. '[\"https://a.example\"]'): {exc}"]
    lines = []
    for error in exc.errors():
        setting, *inside = error["loc"]  # a list setting's error also gives the item's position
        item = f" (item {inside[0]})" if inside else ""
        lines.append(f"TRAINWATCH_{str(setting).upper()}{item}={error.get('input')!r}: {error['msg']}")
    return lines


def main() -> None:
    """Run the CLI."""
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
    except (ValidationError, SettingsError) as exc:
        # Settings are read by the first command that needs them; any other model's errors are not about them.
        if isinstance(exc, ValidationError) and exc.title != Settings.__name__:
            raise
        for line in settings_problems(exc):
            typer.echo(f"error: {line}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
