# ruff: noqa: E402
"""Reminders: `hotline serve` firing 10,000 due reminders out of 100,000, against a SELECT.

`python bench/reminders.py [--pending 100000 --due 10000]`; bench/README.md says what is
measured. Each `hotline serve` and the baseline run in child processes, so peaks are theirs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.app import build_app
from bot.settings import Settings
from db.lookup import chat_key
from db.models import (
    REMINDER_PENDING,
    REMINDER_SENT,
    VISIT,
    Appointment,
    Consent,
    Contact,
    ContactPrefs,
    OutboxItem,
    Reminder,
)
from db.session import make_engine, make_sessionmaker
from tests.support import free_port

CHUNK = 5000


def peak_kib(pid: int) -> int:
    """The process's peak resident set (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def midday_zone() -> str:
    """A fixed-offset zone where it is about noon, so every reminder is inside safe hours."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


async def populate(settings: Settings, pending: int, due: int) -> float:
    """due people each with a reminder due now; the rest due over the next 30 days."""
    app = await build_app(settings)
    now, started = datetime.now(UTC), time.perf_counter()
    try:
        async with app.conversations.sessions() as session, session.begin():
            appt = Appointment(
                kind=VISIT, starts_at=now, next_at=now, created_at=now, updated_at=now
            )
            session.add(appt)
            await session.flush()
            contacts: list[int] = []
            for first in range(0, due, CHUNK):
                rows = [
                    {"channel": "telegram", "chat_key": chat_key("telegram", str(n)),
                     "chat_id": str(n), "created_at": now, "last_seen_at": now, "urgent": False}
                    for n in range(first, min(due, first + CHUNK))
                ]  # fmt: skip
                contacts += list(await session.scalars(insert(Contact).returning(Contact.id), rows))
            await session.execute(
                insert(Consent),
                [{"contact_id": c, "purpose": "contact", "granted": True, "recorded_at": now}
                 for c in contacts],
            )  # fmt: skip
            await session.execute(
                insert(ContactPrefs),
                [{"contact_id": c, "safe_hours": "any", "updated_at": now} for c in contacts],
            )
            for first in range(0, pending, CHUNK):
                rows = []
                for n in range(first, min(pending, first + CHUNK)):
                    later = timedelta(minutes=1 + n) if n >= due else -timedelta(minutes=1)
                    rows.append(
                        {"kind": "person", "appointment_id": appt.id,
                         "contact_id": contacts[n % len(contacts)],
                         "occurrence_at": now + timedelta(days=31), "lead_minutes": 1440,
                         "due_at": now + later, "status": REMINDER_PENDING, "created_at": now}
                    )  # fmt: skip
                await session.execute(insert(Reminder), rows)
    finally:
        await app.close()
    return time.perf_counter() - started


async def select_due(url: str) -> tuple[int, float]:
    """The baseline: a plain SELECT of the same due rows, as the ticker's claim finds them."""
    engine = make_engine(url, read_only=True)
    try:
        started = time.perf_counter()
        async with make_sessionmaker(engine)() as session:
            rows = list(
                await session.scalars(
                    select(Reminder)
                    .where(Reminder.status == REMINDER_PENDING)
                    .where(Reminder.due_at <= datetime.now(UTC))
                    .order_by(Reminder.due_at, Reminder.id)
                )
            )
        return len(rows), time.perf_counter() - started
    finally:
        await engine.dispose()


async def counts(url: str) -> tuple[int, int]:
    """(reminders sent, outbox items queued), read without taking SQLite's write lock."""
    engine = make_engine(url, read_only=True)
    try:
        async with make_sessionmaker(engine)() as session:
            sent = await session.scalar(
                select(func.count()).select_from(Reminder).where(Reminder.status == REMINDER_SENT)
            )
            queued = await session.scalar(select(func.count()).select_from(OutboxItem))
        return int(sent or 0), int(queued or 0)
    finally:
        await engine.dispose()


async def serve(settings: Settings, folder: Path, processes: int, due: int) -> dict[str, float]:
    """Start the processes together; time to the first and to the last fired reminder."""
    assert settings.secret_keys is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env |= {
        "HOTLINE_DATABASE_URL": settings.db_url,
        "HOTLINE_SECRET_KEYS": settings.secret_keys.get_secret_value(),
        "HOTLINE_TIMEZONE": midday_zone(),
        "PYTHONPATH": str(ROOT),
    }
    started, procs = time.perf_counter(), []
    for n in range(processes):
        var = folder / f"serve{n}"
        var.mkdir()
        procs.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "serve",
                cwd=var,
                env=env | {"HOTLINE_VAR_DIR": str(var), "HOTLINE_PORT": str(free_port())},
                stdout=asyncio.subprocess.DEVNULL,
                stderr=(var / "stderr.log").open("wb"),
            )
        )
    first = last = 0.0
    queued = 0
    try:
        while True:
            sent, queued = await counts(settings.db_url)
            elapsed = time.perf_counter() - started
            if sent and not first:
                first = elapsed
            if sent >= due:
                last = elapsed
                break
            assert all(p.returncode is None for p in procs), "a process died"
            assert elapsed < 1800, f"only {sent} of {due} fired in 30 minutes"
            await asyncio.sleep(0.2)
        peak = max(peak_kib(p.pid) for p in procs)
    finally:
        for proc in procs:
            proc.terminate()
        await asyncio.gather(*(p.wait() for p in procs))
    return {"first": first, "steady": last, "peak": peak / 1024, "queued": queued}


async def fresh_postgres(server: str) -> str:
    """A throwaway database on the server, as the tests make one."""
    url = make_url(server)
    name = f"hotline_bench_{uuid4().hex[:12]}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


async def baseline(url: str) -> tuple[int, float, float]:
    """The SELECT in a child process of its own: rows, seconds, peak MiB."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--select", url, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await proc.communicate()
    rows, seconds, peak = out.decode().split()
    return int(rows), float(seconds), float(peak)


async def scenario(backend: str, processes: int, pending: int, due: int, folder: Path) -> None:
    """One database, populated; the baseline SELECT, then the serve processes fire."""
    server = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "")
    url = (
        f"sqlite+aiosqlite:///{folder / 'hotline.sqlite3'}"
        if backend == "sqlite"
        else await fresh_postgres(server)
    )
    settings = Settings(
        var_dir=folder / "var", database_url=url,
        secret_keys=SecretStr(Fernet.generate_key().decode()), _env_file=None,  # type: ignore[call-arg]
    )  # fmt: skip
    filled = await populate(settings, pending, due)
    rows, select_s, select_peak = await baseline(url)
    run = await serve(settings, folder, processes, due)
    rate = due / max(1e-9, run["steady"] - run["first"])
    select_rate = rows / select_s
    print(
        f"{backend:10} {processes}p | populate {filled:6.1f} s | SELECT {rows} rows "
        f"{select_s:6.3f} s ({select_rate:9.0f}/s, peak {select_peak:5.0f} MiB) | "
        f"first fired {run['first']:5.1f} s, steady {run['steady']:6.1f} s after start | "
        f"claim+fire {rate:6.0f}/s ({run['queued']:.0f} outbox items) | "
        f"peak {run['peak']:5.0f} MiB | ratios: throughput {rate / select_rate:.4f} of the "
        f"SELECT's, steady {run['steady'] / select_s:6.0f}× its time, "
        f"memory {run['peak'] / select_peak:.2f}×",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args()
    backends = ["sqlite", *(["postgresql"] if os.environ.get("HOTLINE_TEST_POSTGRES_URL") else [])]
    for backend in backends:
        for processes in (1, 2):
            with tempfile.TemporaryDirectory() as folder:
                await scenario(backend, processes, args.pending, args.due, Path(folder))


def select_child(url: str) -> None:
    """The baseline process: one SELECT of the due rows; prints rows, seconds, peak MiB."""
    rows, seconds = asyncio.run(select_due(url))
    print(rows, f"{seconds:.6f}", f"{peak_kib(os.getpid()) / 1024:.1f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--select"]:
        select_child(sys.argv[2])
    else:
        asyncio.run(main())
