"""A wrong setting as the person running `hotline` meets it: one sentence, the setting, status 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

PASSWORD = "s3cret-Pa55"


def hotline(cwd: Path, *args: str, stdin: str = "", **settings: str) -> subprocess.CompletedProcess:
    """`python -m bot ARGS` in a fresh folder, with only the given HOTLINE_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env |= {f"HOTLINE_{k.upper()}": v for k, v in settings.items()}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, env=env, timeout=90,
    )  # fmt: skip


def assert_setup_error(done: subprocess.CompletedProcess, setting: str, *words: str) -> str:
    """Status 2, one line on stderr that names the setting, no traceback, no password."""
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert setting in lines[0]
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in done.stdout + done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    return lines[0]


def closed_port() -> int:
    """A local port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", [["serve"], ["db", "upgrade"]])
def test_an_unreachable_database(tmp_path: Path, command: list[str]) -> None:
    url = f"postgresql+asyncpg://postgres:{PASSWORD}@127.0.0.1:{closed_port()}/hotline"
    done = hotline(tmp_path, *command, database_url=url, secret_keys=Fernet.generate_key().decode())
    line = assert_setup_error(done, "HOTLINE_DATABASE_URL", "cannot reach the database")
    assert "postgres:***@127.0.0.1" in line and line.endswith("connection refused")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"not a url {PASSWORD}", "is not a database URL"),
        (f"postgresql://postgres:{PASSWORD}@127.0.0.1/hotline", "postgresql+asyncpg://"),
        ("mysql://someone@127.0.0.1/hotline", "does not ship"),
    ],
)
def test_a_malformed_database_url(tmp_path: Path, url: str, says: str) -> None:
    done = hotline(tmp_path, "chat", database_url=url)
    assert_setup_error(done, "HOTLINE_DATABASE_URL", says)


def test_a_secret_key_that_is_not_a_key(tmp_path: Path) -> None:
    done = hotline(tmp_path, "chat", secret_keys=f"{Fernet.generate_key().decode()},{PASSWORD}")
    assert_setup_error(done, "HOTLINE_SECRET_KEYS", "entry #2 is not a valid Fernet key")


def test_a_key_that_cannot_read_the_stored_data(tmp_path: Path) -> None:
    first, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert hotline(tmp_path, "chat", stdin="1\n", secret_keys=first).returncode == 0
    done = hotline(tmp_path, "chat", stdin="1\n", secret_keys=other)
    assert_setup_error(done, "HOTLINE_SECRET_KEYS", "cannot decrypt the data already")
    assert "Xin chào" not in done.stdout, "nothing is shown before the check"
    rotated = hotline(tmp_path, "chat", stdin="", secret_keys=f"{other},{first}")
    assert rotated.returncode == 0 and "Khai báo" in rotated.stdout, "the old key still reads"


def test_a_port_that_is_not_a_number(tmp_path: Path) -> None:
    done = hotline(tmp_path, "serve", port="eighty")
    assert_setup_error(done, "HOTLINE_PORT", "valid integer")
    assert "eighty" not in done.stderr


def test_a_port_already_in_use_is_said_before_serving(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = hotline(tmp_path, "serve", port=port)
    assert_setup_error(done, "HOTLINE_PORT", f"port {port} on 127.0.0.1 is already in use")
    assert "serving on" not in done.stdout + done.stderr


def test_a_replaced_key_file(tmp_path: Path) -> None:
    assert hotline(tmp_path, "chat", stdin="1\n").returncode == 0
    key = tmp_path / "var" / "secret.key"
    key.write_text(Fernet.generate_key().decode())
    done = hotline(tmp_path, "chat", stdin="1\n")
    assert_setup_error(done, "HOTLINE_SECRET_KEYS", "the key file", "cannot decrypt")
    key.write_text("not a key")
    done = hotline(tmp_path, "chat", stdin="1\n")
    assert_setup_error(done, "HOTLINE_SECRET_KEYS", "is not a valid Fernet key")
