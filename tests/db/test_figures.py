"""The supervisors' figures: counted from plain columns, small counts shown as "<5"."""

from __future__ import annotations

from collections import Counter
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
    protect,
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

    # 11320's 2 would be 8 - 6: the 6 is hidden too ("—"), so the total can show.
    communes = {r.key: r.counts for r in figs.table(COMMUNE).rows}
    assert communes == {"11311": (HIDDEN, HIDDEN), "11320": ("<5", "<5")}
    assert figs.table(MONTH).rows[0].counts == ("8", "8")
    assert (figs.declarations, figs.cases) == ("8", "8")
    assert figs.table(COMMUNE).total == ("8", "8")
    assert {r.key: r.counts for r in figs.table(RETURN_MODE).rows} == {
        "self": (HIDDEN,), "rescued": ("<5",),
    }  # fmt: skip
    # 6 asked for legal help: so 2 did not; hidden.
    assert {r.key: r.counts for r in figs.table(NEEDS).rows} == {
        "shelter": ("8",), "legal": (HIDDEN,),
    }  # fmt: skip
    # Eight cases answered after 10, 20, 30, 40, 50, 60 (first commune), 10, 20 minutes.
    assert figs.median_response == timedelta(minutes=25)
    assert figs.answered == "8"
    text = to_csv(figs, lambda table, key: key or "?", str)
    assert "commune,11320,11320,<5,<5" in text
    assert f"commune,11311,11311,{HIDDEN},{HIDDEN}" in text
    assert ",6," not in text and ",2," not in text


def test_a_total_that_would_pin_small_counts_is_hidden_with_a_count_in_every_table() -> None:
    # Two communes of 4: a shown total of 8 would say both are 4.
    tables, total = protect([Counter(a=4, b=4), Counter(dec=8), Counter(self=5, rescued=3)], 8)
    assert total == HIDDEN
    assert tables[0] == {"a": "<5", "b": "<5"}
    assert tables[1] == {"dec": HIDDEN}, "the only month would give the total back"
    assert tables[2] == {"self": HIDDEN, "rescued": "<5"}


def test_two_small_counts_need_no_other_hidden_and_one_needs_a_neighbour() -> None:
    tables, total = protect([Counter(a=10, b=3, c=2, d=9)], 24)
    assert (tables[0], total) == ({"a": "10", "b": "<5", "c": "<5", "d": "9"}, "24")
    tables, total = protect([Counter(a=10, b=3)], 13)
    assert (tables[0], total) == ({"a": HIDDEN, "b": "<5"}, "13")
    tables, total = protect([Counter(a=3)], 3)
    assert (tables[0], total) == ({"a": "<5"}, "<5")


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
