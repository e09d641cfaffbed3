"""The directory as CSV: a validated, all-or-nothing import, and an export that re-imports as is."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.directory.csv_rules import (
    COLUMNS,
    ImportReport,
    Progress,
    RowError,
    counted,
    parse_rows,
)
from bot.services.directory.gazetteer import PROVINCES, Gazetteer, gazetteer_for
from db.directory import Places

__all__ = ["COLUMNS", "ImportReport", "RowError", "count_rows", "export_csv", "import_csv",
           "parse_rows", "to_cell"]  # fmt: skip


def count_rows(path: str | Path) -> int:
    """Data rows in a file, to size a progress bar; a rough count for a broken file."""
    text = Path(path).read_bytes().decode("utf-8-sig", errors="replace")
    count = 0
    try:
        for fields in csv.reader(io.StringIO(text, newline="")):
            count += any(f.strip() for f in fields)
    except csv.Error:
        pass
    return max(count - 1, 0)


async def import_csv(
    sessions: async_sessionmaker[AsyncSession],
    path: str | Path,
    now: datetime,
    progress: Progress | None = None,
    *,
    gazetteer: Gazetteer | None = None,
    province: str = "HP",
    timezone: str = "Asia/Ho_Chi_Minh",
) -> ImportReport:
    """Check the whole file, then write it in one transaction; with any error, write nothing.

    `progress(n)` is told of rows checked, then of rows written (twice the row count in all).
    """
    data = await asyncio.to_thread(Path(path).read_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ImportReport(0, 0, 0, [RowError(line, None, "not UTF-8 text: save as CSV UTF-8")])
    rows, errors = parse_rows(
        io.StringIO(text, newline=""),
        (gazetteer or gazetteer_for(province)).wards,
        today=now.astimezone(ZoneInfo(timezone)).date(),
        province_code=PROVINCES[province][0],
        progress=progress,
    )
    if errors:
        return ImportReport(0, 0, 0, errors)
    async with sessions() as session, session.begin():
        created, updated = await Places(session).upsert(counted(rows, progress), now)
    return ImportReport(created, updated, len(rows) - created - updated)


def to_cell(value: object) -> str:
    """A value as written in the CSV (the form parse_rows reads back to the same value)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)


async def export_csv(sessions: async_sessionmaker[AsyncSession], out: TextIO) -> int:
    """Write every entry in key order, in COLUMNS; returns how many."""
    async with sessions() as session:
        places = await Places(session).all()
    writer = csv.writer(out)  # CRLF: a lone CR in a value then gets quoted too
    writer.writerow(COLUMNS)
    for place in places:
        writer.writerow([to_cell(getattr(place, column)) for column in COLUMNS])
    return len(places)
