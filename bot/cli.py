"""The `hotline` command line."""

from __future__ import annotations

import asyncio
import logging

import click

from bot.settings import Settings


@click.group()
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

    asyncio.run(run_serve(Settings()))


@main.command()
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None, help="Language hint.")
@click.option("--user", default="local", show_default=True, help="Who is talking (resumable).")
def chat(lang: str | None, user: str) -> None:
    """Talk to the assistant in the terminal, with the same flows as every channel."""
    from bot.app import build_app
    from bot.channels.terminal import run

    async def go() -> None:
        app = await build_app(Settings())
        try:
            await run(app, user, lang)
        finally:
            await app.close()

    asyncio.run(go())


@main.group()
def db() -> None:
    """Database tasks."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations (serve and chat do this too)."""
    from db.migrate import upgrade

    settings = Settings()
    asyncio.run(upgrade(settings.db_url))
    click.echo("database is up to date")


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
