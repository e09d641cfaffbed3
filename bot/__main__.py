"""Lets `python -m bot` work like the `hotline` command."""

from bot.cli import main

main()
