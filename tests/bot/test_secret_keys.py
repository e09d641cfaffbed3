"""Keys: a shared database server needs HOTLINE_SECRET_KEYS; the embedded SQLite file does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import build_app
from bot.errors import SetupError
from bot.settings import Settings
from tests.support import FakeClock


async def test_postgresql_without_keys_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/never_reached",
        secret_keys=SecretStr(""),
        _env_file=None,  # type: ignore[call-arg]
    )
    with pytest.raises(SetupError, match="HOTLINE_SECRET_KEYS must be set") as caught:
        await build_app(settings, FakeClock())
    assert caught.value.setting == "HOTLINE_SECRET_KEYS"
    assert "." in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "var" / "secret.key").exists(), "no key file of its own"


async def test_embedded_sqlite_without_keys_generates_its_key_file(tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path / "var",
        database_url="",
        secret_keys=SecretStr(""),
        _env_file=None,  # type: ignore[call-arg]
    )
    app = await build_app(settings, FakeClock())
    await app.close()
    assert (tmp_path / "var" / "secret.key").is_file()
