"""`hotline team add` and `hotline caseworker add`, as an administrator's script runs them."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select

from bot.app import build_app
from bot.settings import Settings
from db.accounts import Accounts
from db.models import Caseworker, TeamCommune
from tests.bot.test_cli_errors import hotline

WARD = "10510"
"""A 2025 commune code of Hải Phòng."""


async def test_accounts_and_teams_from_a_script(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    env = {"secret_keys": key, "var_dir": str(tmp_path / "var")}
    team = hotline(tmp_path, "team", "add", "north", "Nhóm phía Bắc", WARD, **env)
    assert team.returncode == 0, team.stderr
    added = hotline(
        tmp_path, "caseworker", "add", "lan", "--role", "caseworker", "--team", "north",
        "--locale", "en", stdin="một mật khẩu dài\n", **env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "một mật khẩu dài" not in added.stdout + added.stderr

    settings = Settings(
        var_dir=tmp_path / "var", secret_keys=SecretStr(key),
        _env_file=None,  # type: ignore[call-arg]
    )  # fmt: skip
    app = await build_app(settings)
    try:
        async with app.conversations.sessions() as session:
            row = await session.scalar(select(Caseworker))
            commune = await session.get(TeamCommune, WARD)
            login = await Accounts(session).check_login("lan", "một mật khẩu dài")
            wrong = await Accounts(session).check_login("lan", "một mật khẩu khác")
    finally:
        await app.close()
    assert row is not None and (row.username, row.role, row.team, row.locale) == (
        "lan", "caseworker", "north", "en",
    )  # fmt: skip
    assert row.password_hash.startswith("$argon2id$")
    assert commune is not None and commune.team_code == "north"
    assert login.account is not None and wrong.account is None


def test_refusals_are_one_line_with_status_2(tmp_path: Path) -> None:
    env = {"secret_keys": Fernet.generate_key().decode(), "var_dir": str(tmp_path / "var")}
    cases = [
        (("team", "add", "north", "Bắc", "99999"), "", "99999"),
        (("caseworker", "add", "lan", "--role", "caseworker"), "ngắn\n", "at least 10"),
        (("caseworker", "add", "lan", "--role", "admin", "--team", "nope"), "đủ dài rồi đó\n",
         "no team 'nope'"),
    ]  # fmt: skip
    for args, stdin, words in cases:
        done = hotline(tmp_path, *args, stdin=stdin, **env)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, done.stderr
        assert lines[0].startswith("error: ") and words in lines[0]
        assert "Traceback" not in done.stderr
    ok = hotline(tmp_path, "caseworker", "add", "lan", "--role", "admin", stdin="đủ dài rồi đó\n",
                 **env)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    again = hotline(tmp_path, "caseworker", "add", "lan", "--role", "admin",
                    stdin="đủ dài rồi đó\n", **env)  # fmt: skip
    assert again.returncode == 2 and "taken" in again.stderr
