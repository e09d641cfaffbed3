"""Supervisors' figures, counted from plain coarse columns (never decrypted); small counts hidden.

Small-cell suppression: a count from 1 to 4 is shown as "<5" (nobody to identify in 0). Counts
that would give a hidden one back by subtraction (from a total, or from another table that adds
up to the same total) are hidden too, shown as "—": see protect().
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Declaration, HandoffRequest

SMALL = 5
SUPPRESSED = "<5"
HIDDEN = "—"
"""A count (5 or more) or a total not shown, because it would reveal a "<5" by subtraction."""
NOT_SAID = ""
"""The row of declarations (or cases) that do not say: no commune, return mode skipped."""
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""Months are the people's months (HOTLINE_TIMEZONE's default); the database stores UTC."""
DECLARATIONS, CASES = "declarations", "cases"
COMMUNE, MONTH, RETURN_MODE, NEEDS = "commune", "month", "return_mode", "needs"
MAX_CODE = 32


def coarse_columns(answers: Mapping[str, Any], now: datetime) -> dict[str, str | None]:
    """The declaration's unencrypted copies: commune code, month, return mode, needs.

    Only option values and the resolved commune code: never anything a person typed.
    """
    address = answers.get("address")
    ward = address.get("ward_code") if isinstance(address, dict) else None
    how = answers.get("return_how")
    needs = answers.get("needs")
    picked = [str(n) for n in needs if str(n).isidentifier()] if isinstance(needs, list) else []
    return {
        "ward_code": str(ward)[:8] if ward else None,
        "month": month_of(now),
        "return_mode": how[:MAX_CODE] if isinstance(how, str) and how.isidentifier() else None,
        "needs": ",".join(dict.fromkeys(picked))[:300] or None,
    }


def month_of(moment: datetime) -> str:
    """ "YYYY-MM" in Vietnam's time."""
    return moment.astimezone(ZONE).strftime("%Y-%m")


def shown(count: int) -> str:
    """A count as it may be displayed."""
    return SUPPRESSED if 0 < count < SMALL else str(count)


def is_hidden(count: int) -> bool:
    return 0 < count < SMALL


@dataclass(frozen=True)
class Row:
    """One line of a table: its key (a commune code, a month, an option value) and counts."""

    key: str
    counts: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One table as displayed; total is None where rows do not add up (needs)."""

    name: str
    measures: tuple[str, ...]
    rows: tuple[Row, ...]
    total: tuple[str, ...] | None


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard shows, already suppressed: nothing raw leaves this module."""

    tables: tuple[Table, ...]
    declarations: str
    cases: str
    answered: str
    median_response: timedelta | None
    """None when fewer than SMALL cases were answered."""

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


@dataclass(frozen=True)
class _Case:
    ward: str
    month: str
    response: timedelta | None


async def figures(session: AsyncSession) -> Figures:
    """Count declarations and cases from their plain columns only."""
    rows = (
        await session.execute(
            select(
                Declaration.contact_id, Declaration.ward_code, Declaration.month,
                Declaration.created_at, Declaration.return_mode, Declaration.needs,
            ).order_by(Declaration.created_at, Declaration.id)
        )
    ).all()  # fmt: skip
    ward_of: dict[int, str] = {}
    by_ward, by_month, by_mode, by_need = (Counter[str]() for _ in range(4))
    for contact_id, ward, month, created, mode, needs in rows:
        by_ward[ward or NOT_SAID] += 1
        by_month[month or month_of(created)] += 1
        by_mode[mode or NOT_SAID] += 1
        by_need.update((needs or "").split(",") if needs else ())
        if contact_id is not None and ward:
            ward_of[contact_id] = ward  # the latest declaration's commune is the person's
    cases = [
        _Case(
            ward_of.get(contact_id, NOT_SAID) if contact_id is not None else NOT_SAID,
            month_of(created),
            first - created if first is not None else None,
        )
        for contact_id, created, first in await session.execute(
            select(
                HandoffRequest.contact_id, HandoffRequest.created_at,
                HandoffRequest.first_response_at,
            )
        )
    ]  # fmt: skip
    return build(len(rows), by_ward, by_month, by_mode, by_need, cases)


def build(
    declared: int,
    by_ward: Counter[str],
    by_month: Counter[str],
    by_mode: Counter[str],
    by_need: Counter[str],
    cases: list[_Case],
) -> Figures:
    """Apply the suppression rules to raw counts."""
    case_ward = Counter(c.ward for c in cases)
    case_month = Counter(c.month for c in cases)
    (d_ward, d_month, d_mode), decl_total = protect([by_ward, by_month, by_mode], declared)
    (c_ward, c_month), case_total = protect([case_ward, case_month], len(cases))
    needs = {k: shown(n) for k, n in by_need.items()}
    if decl_total != HIDDEN:  # "asked for shelter" also tells how many did not
        needs |= {k: HIDDEN for k, n in by_need.items() if is_hidden(declared - n)}
    both = (DECLARATIONS, CASES)
    tables = (
        _table(COMMUNE, both, [d_ward, c_ward], (decl_total, case_total)),
        _table(MONTH, both, [d_month, c_month], (decl_total, case_total), newest_first=True),
        _table(RETURN_MODE, (DECLARATIONS,), [d_mode], (decl_total,)),
        _table(NEEDS, (DECLARATIONS,), [needs], None),
    )
    times = [c.response for c in cases if c.response is not None]
    # The answered count would give the unanswered one back from a shown case total.
    answered = shown(len(times))
    if not is_hidden(len(times)) and case_total != HIDDEN and is_hidden(len(cases) - len(times)):
        answered = HIDDEN
    median = None
    if len(times) >= SMALL:
        median = timedelta(seconds=statistics.median(t.total_seconds() for t in times))
    return Figures(tables, decl_total, case_total, answered, median)


def protect(parts: list[Counter[str]], total: int) -> tuple[list[dict[str, str]], str]:
    """Each table of one measure as displayed, and its total.

    Every table adds up to the total, so any of them gives it: a table's hidden counts are
    judged as if the total were known. Where the total would narrow a "<5" (a single one is
    the total minus the rest), the smallest shown counts are hidden too ("—", each at least
    5). If even that cannot keep a small count from being worked out, the total is hidden,
    with one count in every table, so that no table gives it back.
    """
    tables = [{k: shown(n) for k, n in part.items()} for part in parts]
    if total < SMALL:
        return tables, shown(total)
    cornered = False
    for part, cells in zip(parts, tables, strict=True):
        while not _unnarrowed(part, cells):
            if not _hide_smallest(part, cells):
                cornered = not _unpinned(part, cells) or cornered
                break
    if not cornered:
        return tables, shown(total)
    for part, cells in zip(parts, tables, strict=True):
        if not any(c in (SUPPRESSED, HIDDEN) for c in cells.values()):
            _hide_smallest(part, cells)
    return tables, HIDDEN


def _bounds(part: Counter[str], cells: dict[str, str]) -> tuple[int, int] | None:
    """What one "<5" of a table can be once its total is known; None if it has none."""
    small = [k for k, c in cells.items() if c == SUPPRESSED]
    if not small:
        return None
    other = [k for k, c in cells.items() if c == HIDDEN]
    hidden_sum = sum(part[k] for k in small + other)
    m, r = len(small), len(other)
    low = 1 if r else max(1, hidden_sum - 4 * (m - 1))
    high = min(4, hidden_sum - (m - 1) - 5 * r)
    return low, high


def _unnarrowed(part: Counter[str], cells: dict[str, str]) -> bool:
    bounds = _bounds(part, cells)
    return bounds is None or bounds == (1, 4)


def _unpinned(part: Counter[str], cells: dict[str, str]) -> bool:
    bounds = _bounds(part, cells)
    return bounds is None or bounds[0] < bounds[1]


def _hide_smallest(part: Counter[str], cells: dict[str, str]) -> bool:
    """Hide the smallest count still shown (not 0); False if there is none."""
    shown_now = sorted((part[k], k) for k, c in cells.items() if c.isdigit() and part[k] > 0)
    if not shown_now:
        return False
    cells[shown_now[0][1]] = HIDDEN
    return True


def _table(
    name: str,
    measures: tuple[str, ...],
    cells: list[dict[str, str]],
    total: tuple[str, ...] | None,
    newest_first: bool = False,
) -> Table:
    keys = sorted({k for c in cells for k in c}, reverse=newest_first)
    if NOT_SAID in keys:  # "not said" last
        keys = [k for k in keys if k != NOT_SAID] + [NOT_SAID]
    rows = tuple(Row(k, tuple(c.get(k, "0") for c in cells)) for k in keys)
    return Table(name, measures, rows, total)


def as_number(cell: str) -> int | None:
    """A displayed count as a number for a chart; None for a hidden one."""
    return int(cell) if cell.isdigit() else None


def to_csv(figs: Figures, label: Callable[[str, str], str], heading: Callable[[str], str]) -> str:
    """The same tables as CSV: table, key, label, then one column per measure, "<5" kept."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([heading("table"), heading("key"), heading("label"),
                     heading(DECLARATIONS), heading(CASES)])  # fmt: skip
    for table in figs.tables:
        for row in table.rows:
            writer.writerow(_safe([table.name, row.key, label(table.name, row.key),
                                   *_by_measure(table, row.counts)]))  # fmt: skip
        if table.total is not None:
            writer.writerow(_safe([table.name, "", heading("total"),
                                   *_by_measure(table, table.total)]))  # fmt: skip
    return out.getvalue()


def _by_measure(table: Table, counts: Iterable[str]) -> list[str]:
    values = dict(zip(table.measures, counts, strict=True))
    return [values.get(DECLARATIONS, ""), values.get(CASES, "")]


def _safe(cells: list[str]) -> list[str]:
    """No cell a spreadsheet would run as a formula."""
    return ["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in cells]
