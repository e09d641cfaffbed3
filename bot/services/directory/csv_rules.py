"""Rules for directory CSV rows: every row is accepted or refused with its line and reason."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import String

from db.directory import FIELDS
from db.models import Place
from dialogs.directory import Service
from dialogs.text import clean

COLUMNS = FIELDS
"""The header, in this order on export; any order is accepted on import."""
KINDS = ("place", "agency", "hotline")
PRECISIONS = ("exact", "ward_centre")
TRUE, FALSE = ("true", "yes", "1"), ("false", "no", "0", "")
BOUNDS = {"lat": (8.0, 24.0), "lon": (102.0, 110.0)}
"""Vietnam, roughly: enough to catch swapped or mistyped coordinates."""
LENGTHS: dict[str, int] = {
    c.name: c.type.length
    for c in Place.__table__.columns
    if isinstance(c.type, String) and c.type.length
}
KEY = re.compile(r"[a-z0-9][a-z0-9._-]*")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
PHONE = re.compile(r"[0-9 .+()-]+")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PROGRESS_EVERY = 100

Progress = Callable[[int], Any]
T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    """Why a row (or the file) was refused; `line` is the physical line where the row starts."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportReport:
    """What an import did; with any error it did nothing."""

    created: int
    updated: int
    unchanged: int
    errors: list[RowError] = field(default_factory=list)


class _Invalid(ValueError):
    """One field's value is refused; the message is shown to the person importing."""


class _Unreadable(Exception):
    """The CSV itself cannot be read further (an unclosed quote, a huge field)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _shown(value: str, limit: int = 40) -> str:
    """A value quoted for a message, cut short: a wrong cell may be huge."""
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def _services(value: str) -> str:
    codes = list(dict.fromkeys(re.split(r"[\s,]+", value.lower()) if value else []))
    known = [s.value for s in Service]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise _Invalid(f"unknown service {_shown(unknown[0])} (known: {', '.join(known)})")
    if not codes:
        raise _Invalid("at least one service is required")
    return " ".join(codes)


def _coordinate(column: str) -> Callable[[str], float | None]:
    def parse(value: str) -> float | None:
        if not value:
            return None
        if not NUMBER.fullmatch(value):
            hint = " (use a dot as the decimal separator)" if "," in value else ""
            raise _Invalid(f"not a number{hint}")
        number, (low, high) = float(value), BOUNDS[column]
        if not (math.isfinite(number) and low <= number <= high):
            raise _Invalid(f"{_shown(value)} is outside Vietnam ({low:g} to {high:g})")
        return number

    return parse


RETIRED = frozenset({"18001567"})
"""Numbers that must never be published again."""


def _phones(value: str) -> str:
    phones = [p.strip() for p in value.split(";") if p.strip()]
    for phone in phones:
        if not PHONE.fullmatch(phone):
            raise _Invalid(f"phone {_shown(phone)} may hold only digits, spaces, dots, +, - and ()")
        if not 3 <= sum(c.isdigit() for c in phone) <= 20:
            raise _Invalid(f"phone {_shown(phone)} must have 3 to 20 digits")
        if "".join(c for c in phone if c.isdigit()) in RETIRED:
            raise _Invalid(f"{_shown(phone)} is no longer in use (111 replaced it in 2017)")
    return "; ".join(phones)


def _choice(options: tuple[str, ...], empty: str | None = None) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.lower() or (empty or "")
        if value not in options:
            raise _Invalid(f"must be one of {', '.join(options)}")
        return value

    return parse


def _verified(value: str) -> bool:
    if value.lower() not in TRUE + FALSE:
        raise _Invalid("must be true or false (yes/no, 1/0 also work)")
    return value.lower() in TRUE


def _required(value: str) -> str:
    if not value:
        raise _Invalid("required")
    return value


def _key(value: str) -> str:
    if not KEY.fullmatch(_required(value)):
        raise _Invalid(
            "use lower-case letters, digits, '-', '_' and '.', starting with a letter or digit"
        )
    return value


class _RowParser:
    """Checks rows against the province's communes, the date and each other (unique keys)."""

    def __init__(self, wards: Container[str], today: date, province_code: str) -> None:
        self.wards, self.today, self.province_code = wards, today, province_code
        self.first_line: dict[str, int] = {}
        self.parsers: dict[str, Callable[[str], Any]] = {
            "key": _key, "kind": _choice(KINDS), "name_vi": _required, "name_en": _required,
            "services": _services, "ward_code": self._ward, "province": self._province,
            "lat": _coordinate("lat"), "lon": _coordinate("lon"),
            "precision": _choice(PRECISIONS, empty="exact"), "phones": _phones,
            "verified_on": self._date, "verified": _verified,
        }  # fmt: skip

    def _ward(self, value: str) -> str:
        if value and value not in self.wards:
            raise _Invalid(f"unknown ward code {_shown(value)} (not a commune of this province)")
        return value

    def _province(self, value: str) -> str:
        if value and self.province_code and value != self.province_code:
            raise _Invalid(f"must be {self.province_code} (this province) or empty")
        return value

    def _date(self, value: str) -> date | None:
        if not value:
            return None
        try:
            day = date.fromisoformat(value) if ISO_DATE.fullmatch(value) else None
        except ValueError:
            day = None
        if day is None:
            raise _Invalid("not a date: write it as YYYY-MM-DD")
        if day > self.today:
            raise _Invalid(f"{_shown(value)} is in the future")
        return day

    def parse(self, line: int, raw: dict[str, str]) -> tuple[dict[str, Any] | None, list[RowError]]:
        """One row's values, or the reasons it is refused."""
        row: dict[str, Any] = {}
        errors: list[RowError] = []

        def refuse(column: str, message: str) -> None:
            errors.append(RowError(line, column, message))

        for column in COLUMNS:
            text = clean(raw[column])
            if any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
                refuse(column, "contains a control character")
            elif column in LENGTHS and len(text) > LENGTHS[column]:
                refuse(column, f"longer than {LENGTHS[column]} characters")
            else:
                try:
                    row[column] = self.parsers.get(column, str)(text)
                except _Invalid as exc:
                    refuse(column, str(exc))
        if "key" in row:
            first = self.first_line.setdefault(row["key"], line)
            if first != line:
                refuse("key", f"duplicate key {row['key']!r}, first used on line {first}")
        if "lat" in row and "lon" in row:
            lat, lon = row["lat"], row["lon"]
            if (lat is None) != (lon is None):
                refuse(
                    "lat" if lat is None else "lon", "lat and lon go together: give both or none"
                )
            elif row.get("kind") == "place" and lat is None:
                refuse("lat", "a place needs coordinates (lat and lon)")
            elif row.get("kind") == "hotline" and lat is not None:
                refuse("lat", "a hotline has no coordinates: leave lat and lon empty")
        if row.get("precision") == "ward_centre" and row.get("ward_code") == "":
            refuse("precision", "ward_centre needs a ward_code")
        if row.get("ward_code") and row.get("province") == "":
            row["province"] = self.province_code
        if row.get("verified") and not (row.get("verified_on") and row.get("source")):
            refuse("verified", "verified needs verified_on (the date) and source (who checked)")
        return (None, errors) if errors else (row, [])


def _records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields); blank records skipped."""

    def text() -> Iterator[str]:
        first = True
        for piece in lines:
            yield piece.removeprefix("\ufeff") if first else piece
            first = False

    reader = csv.reader(text(), strict=True)
    end = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            if "unexpected end of data" in message:
                message = "a quoted field is never closed"
            raise _Unreadable(end + 1, f"not readable as CSV: {message}") from exc
        except UnicodeDecodeError as exc:
            raise _Unreadable(end + 1, "not UTF-8 text: save the file as CSV UTF-8") from exc
        if any(f.strip() for f in fields):
            yield end + 1, fields
        end = reader.line_num


def counted(items: Iterable[T], progress: Progress | None) -> Iterator[T]:
    """Pass items through, telling progress how many went by, in steps."""
    pending = 0
    for item in items:
        yield item
        pending += 1
        if progress is not None and pending == PROGRESS_EVERY:
            progress(pending)
            pending = 0
    if progress is not None and pending:
        progress(pending)


def _header(line: int, fields: list[str]) -> tuple[list[str], list[RowError]]:
    names = [clean(f).lower() for f in fields]
    if len(names) == 1 and ";" in names[0]:
        message = "columns are separated by ';': save the file as CSV UTF-8 (comma delimited)"
        return names, [RowError(line, None, message)]
    errors = []
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        errors.append(RowError(line, None, f"missing columns: {', '.join(missing)}"))
    for i, name in enumerate(names):
        if not name:
            errors.append(RowError(line, None, f"field {i + 1} has no column name"))
        elif name not in COLUMNS:
            errors.append(RowError(line, None, f"unknown column {_shown(name)}"))
        elif names.index(name) != i:
            errors.append(RowError(line, name, "column appears twice"))
    return names, errors


def parse_rows(
    lines: Iterable[str],
    known_wards: Container[str],
    *,
    today: date | None = None,
    province_code: str = "",
    progress: Progress | None = None,
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Every row checked: the accepted rows (ready for Places.upsert) and the refused ones' errors.

    `lines` come from a file opened with newline="" (or any iterable of lines); a leading BOM
    is dropped. `province_code` (post-2025, e.g. "31") fills in the province of rows that
    name a ward. Never raises on content: anything unreadable becomes a RowError.
    """
    checker = _RowParser(known_wards, today or date.today(), province_code)
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    records = _records(lines)
    try:
        first = next(records, None)
        if first is None:
            return [], [RowError(1, None, f"empty file: the first line names the columns: "
                                          f"{','.join(COLUMNS)}")]  # fmt: skip
        names, errors = _header(*first)
        if errors:
            return [], errors
        for line, fields in counted(records, progress):
            if len(fields) != len(names):
                message = f"{len(fields)} fields where the header has {len(names)}"
                errors.append(RowError(line, None, message + " (a comma missing or too many?)"))
                continue
            row, refused = checker.parse(line, dict(zip(names, fields, strict=True)))
            errors.extend(refused)
            if row is not None:
                rows.append(row)
    except _Unreadable as exc:
        errors.append(RowError(exc.line, None, exc.message))
    return rows, errors
