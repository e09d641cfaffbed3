"""Partial dates: people remember "May 2024" or "2019" more often than a full date.

Stored as JSON-able dicts: {"y": 2024, "m": 5, "d": 3}, {"y": 2024, "m": 5}, {"y": 2024}
or {"unknown": True}.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from datetime import date

from babel import Locale
from babel.dates import format_date, format_skeleton

from dialogs.text import fold
from dialogs.validators import Invalid, is_dont_know

PartialDate = dict[str, int | bool]
_Parts = tuple[int, int | None, int | None]  # year, month, day
UNKNOWN: PartialDate = {"unknown": True}
MIN_YEAR = 1900

_MAX_DATE_INPUT = 80
_TOKEN = re.compile(r"[0-9]+|[a-z]+|\S")
_SEPARATORS = frozenset("/-.,;:?!")
# Words that say which number follows: "ngày 3 tháng 5 năm 2024", "3 thg 5, 2024".
_LABELS = {"ngay": "d", "mung": "d", "mong": "d", "thang": "m", "thg": "m", "nam": "y"}
# Words that carry no date information: "khoảng năm 2019", "đầu tháng 5/2024", "in May 2024".
_FILLERS = frozenset(
    {"vao", "khoang", "tam", "dau", "giua", "cuoi", "hoi", "luc"}
    | {"in", "around", "about", "early", "mid", "late", "of", "the", "on", "st", "nd", "rd", "th"}
)
_EN_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
} | {"sept": 9}
# "tháng Năm" is May; months are also written as words, longest alternatives first.
_VI_MONTH_WORDS = {
    "muoi mot": 11, "muoi hai": 12, "mot": 1, "gieng": 1, "hai": 2, "ba": 3, "tu": 4,
    "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10, "chap": 12,
}  # fmt: skip
_VI_MONTH = re.compile(r"\b(thang|thg) (" + "|".join(_VI_MONTH_WORDS) + r")\b")


def _assign(labeled: dict[str, str], positional: list[str]) -> _Parts | None:
    """Give unlabelled numbers their role by shape and order: d/m/yyyy, m/yyyy, yyyy-m-d."""
    if len(positional) == 1 and len(positional[0]) == 8 and not labeled:
        digits = positional[0]  # 03052024, typed without separators
        return int(digits[4:]), int(digits[2:4]), int(digits[:2])
    if any(len(t) not in (1, 2, 4) for t in positional):
        return None
    years = [i for i, t in enumerate(positional) if len(t) == 4]
    smalls = [t for t in positional if len(t) <= 2]
    if len(years) + ("y" in labeled) != 1:
        return None
    year_first = False
    if years:
        if 0 < years[0] < len(positional) - 1:
            return None  # a year between day and month is no order anyone writes
        year_first = years[0] == 0 and len(positional) > 1
        labeled["y"] = positional[years[0]]
    free = [f for f in ("m", "d") if f not in labeled]
    if not year_first:
        free.reverse()  # day before month, except in yyyy-mm-dd
    if len(smalls) > len(free):
        return None
    if len(smalls) == 1 and len(free) == 2:
        free = ["m"]  # 5/2024 is a month
    labeled.update(zip(free[: len(smalls)], smalls, strict=True))
    if len(labeled["y"]) != 4 or any(len(labeled.get(f, "")) > 2 for f in ("d", "m")):
        return None
    if "d" in labeled and "m" not in labeled:
        return None
    month, day = labeled.get("m"), labeled.get("d")
    return (
        int(labeled["y"]),
        None if month is None else int(month),
        None if day is None else int(day),
    )


def _read(text: str) -> _Parts | None:
    """Folded text to (year, month, day) with None for a missing part; None if no date shape."""
    labeled: dict[str, str] = {}
    positional: list[str] = []
    pending: str | None = None
    for token in _TOKEN.findall(text):
        if token in _SEPARATORS or token in _FILLERS:
            continue
        if token.isdigit():
            if pending is None:
                positional.append(token)
            elif pending in labeled:
                return None
            else:
                labeled[pending], pending = token, None
        elif token in _LABELS and pending is None:
            pending = _LABELS[token]
        elif token in _EN_MONTHS and pending is None and "m" not in labeled:
            labeled["m"] = str(_EN_MONTHS[token])
        else:
            return None
    return None if pending is not None else _assign(labeled, positional)


def parse_partial_date(raw: str, today: date) -> PartialDate | Invalid:
    """Read a full, month-year or year-only date as people type it; refuse what it cannot be."""
    if is_dont_know(raw):
        return dict(UNKNOWN)
    text = fold(unicodedata.normalize("NFKC", raw))
    if len(text) > _MAX_DATE_INPUT:
        return Invalid("error.date")
    text = _VI_MONTH.sub(lambda m: f"{m[1]} {_VI_MONTH_WORDS[m[2]]}", text)
    parts = _read(text)
    if parts is None:
        return Invalid("error.date")
    year, month, day = parts
    if year < MIN_YEAR:
        return Invalid("error.date_too_old")
    value: PartialDate = {"y": year}
    if month is not None:
        value["m"] = month
    if day is not None:
        value["d"] = day
    try:
        first = earliest(value)
    except ValueError:  # month 13, 31/02, day 0
        return Invalid("error.date")
    if first is not None and first > today:
        return Invalid("error.date_future")
    return value


def _parts(value: Mapping[str, object]) -> _Parts | None:
    """A stored partial date as (year, month, day); None for unknown, ValueError if malformed."""
    if value.get("unknown") is True:
        return None
    fields = [value.get(key) for key in ("y", "m", "d")]
    if any(f is not None and (isinstance(f, bool) or not isinstance(f, int)) for f in fields):
        raise ValueError(f"not a partial date: {value!r}")
    year, month, day = (f if isinstance(f, int) else None for f in fields)
    if year is None or (day is not None and month is None):
        raise ValueError(f"not a partial date: {value!r}")
    # Raises ValueError for an impossible date; after this, 0 never stands for a part.
    date(year, 1 if month is None else month, 1 if day is None else day)
    return year, month, day


def earliest(value: Mapping[str, object]) -> date | None:
    """The first day the partial date can mean (None for unknown): for "after/before" checks."""
    parts = _parts(value)
    if parts is None:
        return None
    year, month, day = parts
    return date(year, month or 1, day or 1)


def latest(value: Mapping[str, object]) -> date | None:
    """The last day the partial date can mean (None for unknown): for "after/before" checks."""
    parts = _parts(value)
    if parts is None:
        return None
    year, month, day = parts
    month = month or 12
    return date(year, month, day or calendar.monthrange(year, month)[1])


def _age(born: date, on: date) -> int:
    """Whole years lived on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_on(dob_value: Mapping[str, object], today: date) -> tuple[int, int] | None:
    """Youngest and oldest possible age, to decide whether someone may be a minor."""
    first, last = earliest(dob_value), latest(dob_value)
    if first is None or last is None:
        return None
    youngest = _age(min(last, today), today)
    return max(youngest, 0), max(_age(first, today), 0)


def format_partial_date(value: Mapping[str, object], locale: str) -> str:
    """Show a partial date readably; "" for unknown (the caller shows its own words)."""
    parts = _parts(value)
    if parts is None:
        return ""
    year, month, day = parts
    if month is None:
        return str(year)
    loc = Locale.parse(locale.replace("-", "_"))
    if day is None:
        if loc.language == "vi":
            return f"tháng {month}/{year}"  # babel says "tháng 5 năm 2024"; the slash reads easier
        return str(format_skeleton("yMMMM", date(year, month, 1), locale=loc))
    pattern = {"vi": "dd/MM/y", "en": "d MMMM y"}.get(loc.language, "long")
    return str(format_date(date(year, month, day), pattern, locale=loc))
