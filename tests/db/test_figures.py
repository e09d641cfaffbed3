"""The supervisors' figures: counted from plain columns, small counts shown as "<5"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.figures import (
    COMMUNE,
    HIDDEN,
    MONTH,
    NEEDS,
    RETURN_MODE,
    coarse_columns,
    figures,
    to_csv,
)
from db.models import HandoffRequest
from db.repositories import Contacts, Declarations

NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # already 1 December in Vietnam
Sessions = async_sessionmaker[AsyncSession]


def test_coarse_columns_keep_only_codes_and_option_values() -> None:
    answers = {
        "address": {"typed": "thôn Đông", "ward_code": "11311", "ward": "Đại Hợp"},
        "return_how": "self",
        "needs": ["shelter", "legal", "shelter"],
        "full_name": "Nguyễn Thị A",
    }
    assert coarse_columns(answers, NOW) == {
        "ward_code": "11311", "month": "2026-12", "return_mode": "self",
        "needs": "shelter,legal",
    }  # fmt: skip
    typed_only = {"address": {"typed": "somewhere"}, "return_how": None, "needs": None}
    assert coarse_columns(typed_only, NOW) == {
        "ward_code": None, "month": "2026-12", "return_mode": None, "needs": None,
    }  # fmt: skip


async def _declare(
    s: AsyncSession, n: int, ward: str, mode: str, needs: str, start: int = 0
) -> None:
    for i in range(start, start + n):
        contact = await Contacts(s).get_or_create("test", f"{ward}-{i}", None, NOW)
        await Declarations(s).add(
            contact.id, f"HP-{ward[-2:]}{i:02d}", "self_declaration", {"full_name": "x"}, "HP",
            NOW, ward_code=ward, month="2026-12", return_mode=mode, needs=needs,
        )  # fmt: skip
        s.add(
            HandoffRequest(
                contact_id=contact.id, urgent=False, reason="menu", status="waiting",
                created_at=NOW, first_response_at=NOW + timedelta(minutes=10 * (i + 1)),
            )
        )  # fmt: skip


async def test_counts_below_five_are_hidden_and_so_are_totals_that_would_reveal_them(
    sessions: Sessions,
) -> None:
    async with sessions() as s, s.begin():
        await _declare(s, 6, "11311", "self", "shelter,legal")
        await _declare(s, 2, "11320", "rescued", "shelter")
    async with sessions() as s:
        figs = await figures(s)

    communes = {r.key: r.counts for r in figs.table(COMMUNE).rows}
    assert communes == {"11311": ("6", "6"), "11320": ("<5", "<5")}
    assert figs.table(MONTH).rows[0].counts == ("8", "8")
    # 8 - 6 would give the hidden 2 back: the totals are hidden everywhere.
    assert figs.declarations == figs.cases == HIDDEN
    assert figs.table(COMMUNE).total == (HIDDEN, HIDDEN)
    assert figs.table(MONTH).total == (HIDDEN, HIDDEN)
    assert {r.key: r.counts for r in figs.table(RETURN_MODE).rows} == {
        "self": ("6",), "rescued": ("<5",),
    }  # fmt: skip
    assert {r.key: r.counts for r in figs.table(NEEDS).rows} == {
        "shelter": ("8",), "legal": ("6",),
    }  # fmt: skip
    # Eight cases answered after 10, 20, 30, 40, 50, 60 (first commune), 10, 20 minutes.
    assert figs.median_response == timedelta(minutes=25)
    assert figs.answered == "8"
    text = to_csv(figs, lambda table, key: key or "?", str)
    assert "commune,11320,11320,<5,<5" in text
    assert "total" in text and f"{HIDDEN},{HIDDEN}" in text


async def test_totals_show_when_nothing_is_hidden_and_median_needs_five_cases(
    sessions: Sessions,
) -> None:
    async with sessions() as s, s.begin():
        await _declare(s, 5, "11311", "self", "job")
        await _declare(s, 5, "11320", "rescued", "")
    async with sessions() as s:
        figs = await figures(s)
    assert (figs.declarations, figs.cases) == ("10", "10")
    assert figs.table(COMMUNE).total == ("10", "10")
    assert figs.median_response is not None

    async with sessions() as s, s.begin():
        await _declare(s, 1, "11330", "other", "job", start=50)
    async with sessions() as s:
        figs = await figures(s)
    assert figs.declarations == HIDDEN
    assert ("11330", ("<5", "<5")) in [(r.key, r.counts) for r in figs.table(COMMUNE).rows]


async def test_no_data_gives_empty_tables(sessions: Sessions) -> None:
    async with sessions() as s:
        figs = await figures(s)
    assert figs.declarations == figs.cases == "0"
    assert figs.median_response is None
    assert all(not t.rows for t in figs.tables)
