"""Errors that the person running the service must fix, told in one sentence."""

from __future__ import annotations


class SetupError(Exception):
    """A setting to fix: the CLI prints the sentence and the setting, and exits with status 2."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting
