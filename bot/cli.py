"""The `hotline` command line."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from bot.errors import SetupError
from bot.startup import load_settings, open_app

SETUP_FAILED = 2


class Hotline(click.Group):
    """Every command: a setting to fix is one sentence on stderr and status 2, no traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SetupError as error:
            sentence = " ".join(str(error).split())
            if error.setting and error.setting not in sentence:
                sentence += f" ({error.setting})"
            click.echo(f"error: {sentence}", err=True)
            sys.exit(SETUP_FAILED)


@click.group(cls=Hotline)
@click.option("-v", "--verbose", is_flag=True, help="Log at debug level.")
def main(verbose: bool) -> None:
    """Hotline assistant for people returning from trafficking, relatives and caseworkers."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@main.command()
def serve() -> None:
    """Run the web app, the configured channels and their senders."""
    from bot.serve import serve as run_serve

    asyncio.run(run_serve(load_settings()))


@main.command()
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None, help="Language hint.")
@click.option("--user", default="local", show_default=True, help="Who is talking (resumable).")
def chat(lang: str | None, user: str) -> None:
    """Talk to the assistant in the terminal, with the same flows as every channel."""
    from bot.channels.terminal import run

    settings = load_settings()
    log_to_file(settings.var_dir / "hotline.log")

    async def go() -> None:
        app = await open_app(settings)
        try:
            await run(app, user, lang)
        finally:
            await app.close()

    try:
        asyncio.run(go())
    except KeyboardInterrupt:  # Ctrl-C while starting: leave quietly, as at the prompt
        click.echo("")


def log_to_file(path: Path) -> None:
    """The chat's screen is the conversation: the log goes to a private file instead."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().handlers[:] = [handler]


@main.group()
def db() -> None:
    """Database tasks."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations (serve and chat do this too)."""
    from bot.app import configure_keys
    from bot.startup import database_url, probe
    from db.migrate import upgrade

    settings = load_settings()
    asyncio.run(probe(database_url(settings.db_url)))
    configure_keys(settings)  # migrations encrypt existing rows
    asyncio.run(upgrade(settings.db_url))
    click.echo("database is up to date")


@db.command("reencrypt")
def db_reencrypt() -> None:
    """Rewrite all encrypted data with the first of HOTLINE_SECRET_KEYS (key rotation)."""
    from bot.app import reencrypt_database

    count = asyncio.run(reencrypt_database(load_settings()))
    click.echo(f"{count} rows re-encrypted with the first key; older keys may now be removed")


@main.group()
def flows() -> None:
    """Flow definitions."""


@flows.command("check")
def flows_check() -> None:
    """Load and check every flow and its message ids."""
    from dialogs.content import Content

    content = Content.load()
    click.echo(f"{content.declaration.id}: {len(content.declaration.steps)} steps, ok")


@flows.command("chart")
def flows_chart() -> None:
    """Print a Mermaid chart of the self-declaration flow."""
    from dialogs.content import Content
    from dialogs.mermaid import chart

    click.echo(chart(Content.load().declaration))


@main.group()
def directory() -> None:
    """The support directory: CSV import and export."""


@directory.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def directory_import(file: Path) -> None:
    """Check and load a CSV file, all or nothing.

    Every row is checked first; with any error, nothing changes and each error is listed
    with its line. Otherwise all rows are written in one transaction (see docs/directory-csv.md).
    """
    from bot.services.conversation import utcnow
    from bot.services.directory.csv_io import ImportReport, count_rows, import_csv

    settings = load_settings()

    async def go() -> ImportReport:
        app = await open_app(settings)
        try:
            sessions = app.conversations.sessions
            length = max(2 * count_rows(file), 1)
            with click.progressbar(length=length, label="Importing", file=sys.stderr) as bar:
                report = await import_csv(
                    sessions, file, utcnow(), bar.update, gazetteer=app.directory.gazetteer,
                    province=settings.province_code, timezone=settings.timezone,
                )  # fmt: skip
            if not report.errors:
                await app.directory.reload(sessions)
            return report
        finally:
            await app.close()

    report = asyncio.run(go())
    if report.errors:
        for error in report.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(report.errors)} error(s): nothing was changed", err=True)
        sys.exit(1)
    click.echo(f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged")


@directory.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--bom", is_flag=True, help="Start with a UTF-8 BOM, for Excel.")
def directory_export(file: Path | None, bom: bool) -> None:
    """Write the directory as CSV to FILE, or to standard output."""
    from bot.services.directory.csv_io import export_csv

    async def go() -> int:
        app = await open_app(load_settings())
        try:
            if file is None:
                sys.stdout.write("\ufeff" if bom else "")
                return await export_csv(app.conversations.sessions, sys.stdout)
            with file.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
                return await export_csv(app.conversations.sessions, out)
        finally:
            await app.close()

    count = asyncio.run(go())
    if file is not None:
        click.echo(f"{count} entries written to {file}", err=True)


def _read_password() -> str:
    """From standard input when it is not a terminal (scripts); else typed twice, hidden."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@main.group()
def caseworker() -> None:
    """Console accounts."""


@caseworker.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["caseworker", "supervisor", "admin"]), required=True)
@click.option("--team", default="city", show_default=True, help="Team code (see `team add`).")
@click.option("--locale", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def caseworker_add(username: str, role: str, team: str, locale: str) -> None:
    """Create a console account; the password comes from standard input or a prompt."""
    from bot.services.conversation import utcnow
    from db.accounts import AccountError, Accounts

    password = _read_password()

    async def go() -> None:
        app = await open_app(load_settings())
        try:
            async with app.conversations.sessions() as session, session.begin():
                await Accounts(session).add_caseworker(
                    username, password, role, team, locale, utcnow()
                )
        finally:
            await app.close()

    try:
        asyncio.run(go())
    except AccountError as refused:
        raise SetupError(str(refused)) from None
    click.echo(f"{role} {username.strip()} added to team {team}")


@main.group()
def team() -> None:
    """Caseworker teams and the communes they answer for."""


@team.command("add")
@click.argument("code")
@click.argument("name")
@click.argument("wards", nargs=-1)
def team_add(code: str, name: str, wards: tuple[str, ...]) -> None:
    """Create (or rename) a team answering for these communes (new 2025 commune codes)."""
    from db.accounts import AccountError, Accounts

    async def go() -> None:
        app = await open_app(load_settings())
        try:
            unknown = [w for w in wards if app.directory.ward(w) is None]
            if unknown:
                raise AccountError(
                    f"unknown commune code(s) {', '.join(unknown)}: use the new (2025) codes"
                )
            async with app.conversations.sessions() as session, session.begin():
                await Accounts(session).add_team(code, name, list(wards))
        finally:
            await app.close()

    try:
        asyncio.run(go())
    except AccountError as refused:
        raise SetupError(str(refused)) from None
    click.echo(f"team {code.strip().lower()} answers for {len(wards)} commune(s)")
