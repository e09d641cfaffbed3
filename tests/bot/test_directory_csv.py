"""The directory as CSV: export and re-import, all-or-nothing imports, errors by line, the CLI."""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App
from bot.cli import main
from bot.services.directory.csv_io import (
    COLUMNS,
    RowError,
    export_csv,
    import_csv,
    parse_rows,
    to_cell,
)
from db.directory import Places
from db.models import Place
from tests.support import FakeClock

SEEDED = 124
WARD = "11533"  # Phường Hoà Bình, Hải Phòng
TODAY = date(2026, 12, 1)


def entry(**values: str) -> dict[str, str]:
    """An invented but valid place; keyword arguments replace its cells."""
    return {
        "key": "test-nha-tam-lanh", "kind": "place", "name_vi": "Nhà tạm lánh Thử Nghiệm",
        "name_en": "Test Shelter", "services": "shelter", "address": "Số 0, đường Thử Nghiệm",
        "ward_code": WARD, "province": "31", "lat": "20.94", "lon": "106.69",
        "precision": "exact", "phones": "", "hours": "", "languages": "vi", "source": "test",
        "verified_on": "", "verified": "false",
    } | values  # fmt: skip


def csv_text(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def parse(text: str) -> tuple[list[dict[str, Any]], list[RowError]]:
    return parse_rows(io.StringIO(text, newline=""), {WARD}, today=TODAY, province_code="31")


async def exported(app: App) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    await export_csv(app.conversations.sessions, out)
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


async def place(app: App, key: str) -> Place | None:
    async with app.conversations.sessions() as session:
        found: Place | None = await session.scalar(select(Place).where(Place.key == key))
        return found


async def count(app: App) -> int:
    async with app.conversations.sessions() as session:
        return await Places(session).count()


async def test_an_export_reimports_unchanged(app: App, clock: FakeClock, tmp_path: Path) -> None:
    path = tmp_path / "directory.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        assert await export_csv(app.conversations.sessions, out) == SEEDED
    assert path.read_text("utf-8").splitlines()[0] == ",".join(COLUMNS)

    report = await import_csv(app.conversations.sessions, path, clock())
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, SEEDED, [])
    again = await import_csv(app.conversations.sessions, path, clock())
    assert (again.created, again.updated, again.unchanged) == (0, 0, SEEDED)
    assert await count(app) == SEEDED


async def test_a_new_place_and_a_changed_phone(app: App, clock: FakeClock, tmp_path: Path) -> None:
    union = next(r for r in await exported(app) if r["key"] == "hp-hoi-phu-nu")
    union["phones"] = "+84 000 000 000;  (000) 111-222 "
    new = entry(services="shelter, medical,shelter", name_vi="Nhà  tạm la\u0301nh Thử")
    path = tmp_path / "changes.csv"
    path.write_text(csv_text([union, new]), "utf-8")
    steps: list[int] = []

    report = await import_csv(app.conversations.sessions, path, clock(), steps.append)

    assert (report.created, report.updated, report.unchanged, report.errors) == (1, 1, 0, [])
    assert sum(steps) == 4, "two rows checked, two written"
    assert await count(app) == SEEDED + 1
    changed = await place(app, "hp-hoi-phu-nu")
    assert changed is not None and changed.phones == "+84 000 000 000; (000) 111-222"
    created = await place(app, "test-nha-tam-lanh")
    assert created is not None and created.services == "shelter medical"
    assert created.name_vi == "Nhà tạm lánh Thử", "NFC, spaces collapsed"
    assert created.lat == 20.94 and created.province == "31"
    assert created.updated_at == clock()


async def test_errors_by_line_change_nothing(app: App, clock: FakeClock, tmp_path: Path) -> None:
    text = csv_text([
        entry(key="a-good-one"),                                  # line 2
        entry(key="b", lat="abc", services="report flying"),      # line 3
        entry(key="c", kind="hotline"),                           # line 4
        entry(key="a-good-one", phones="12"),                     # line 5
    ]) + "d,place,Tên,Name,report\r\n"  # fmt: skip
    path = tmp_path / "bad.csv"
    path.write_text(text, "utf-8")

    report = await import_csv(app.conversations.sessions, path, clock())

    assert [str(e) for e in report.errors] == [
        "line 3, column services: unknown service 'flying' (known: report, shelter, medical, "
        "psychological, legal, schooling, job, loan, hotline)",
        "line 3, column lat: not a number",
        "line 4, column lat: a hotline has no coordinates: leave lat and lon empty",
        "line 5, column phones: phone '12' must have 3 to 20 digits",
        "line 5, column key: duplicate key 'a-good-one', first used on line 2",
        "line 6: 5 fields where the header has 17 (a comma missing or too many?)",
    ]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert await count(app) == SEEDED
    assert await place(app, "a-good-one") is None
    hotline = await place(app, "hotline-111")
    assert hotline is not None and hotline.phones == "111"


async def test_a_missing_column_is_named(app: App, clock: FakeClock, tmp_path: Path) -> None:
    columns = (*(c for c in COLUMNS if c not in ("lat", "phones")), "fax")
    path = tmp_path / "short.csv"
    path.write_text(csv_text([entry()], columns), "utf-8")

    report = await import_csv(app.conversations.sessions, path, clock())

    assert [str(e) for e in report.errors] == [
        "line 1: missing columns: lat, phones",
        "line 1: unknown column 'fax'",
    ]
    assert await count(app) == SEEDED


async def test_a_bom_as_excel_writes_it(app: App, clock: FakeClock, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(csv_text([entry()]), "utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfkey,")

    report = await import_csv(app.conversations.sessions, path, clock())

    assert (report.created, report.errors) == (1, [])


async def test_not_utf8_is_refused_with_its_line(
    app: App, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.csv"
    text = csv_text([entry(name_vi="Trạm Thử"), entry(key="x", name_vi="Hà Noi")])
    path.write_bytes(text.encode("utf-8").replace("à".encode(), "à".encode("latin-1")))

    report = await import_csv(app.conversations.sessions, path, clock())

    assert [str(e) for e in report.errors] == ["line 3: not UTF-8 text: save as CSV UTF-8"]


def test_quoted_multiline_fields_keep_line_numbers() -> None:
    text = csv_text([
        entry(key="two-lines", address="Số 0\nđường Thử"),                 # lines 2-3
        entry(key="three-lines", hours="7-11\n13-17\nT7", services="x"),   # lines 4-6
        entry(key="after", lat="91"),                                      # line 7
    ])  # fmt: skip

    rows, errors = parse(text)

    assert [str(e) for e in errors] == [
        "line 4, column services: unknown service 'x' (known: report, shelter, medical, "
        "psychological, legal, schooling, job, loan, hotline)",
        "line 7, column lat: '91' is outside Vietnam (8 to 24)",
    ]
    assert [r["address"] for r in rows] == ["Số 0 đường Thử"]


def test_an_unclosed_quote_is_reported_where_its_row_starts() -> None:
    text = csv_text([entry(key="one")]) + 'two,place,"Tên\nName\n'
    assert [str(e) for e in parse(text)[1]] == [
        "line 3: not readable as CSV: a quoted field is never closed"
    ]


def test_the_documented_example_is_valid() -> None:
    page = (Path(__file__).parents[2] / "docs" / "directory-csv.md").read_text("utf-8")
    example = page.split("```csv\n")[1].split("```")[0]
    rows, errors = parse(example)
    assert errors == []
    assert [r["key"] for r in rows] == ["hotline-111", "vi-du-nha-tam-lanh", "vi-du-hoi"]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"key": ""}, "key", "required"),
        ({"key": "Bad Key"}, "key", "use lower-case letters"),
        ({"key": "k" * 65}, "key", "longer than 64 characters"),
        ({"kind": "shop"}, "kind", "must be one of place, agency, hotline"),
        ({"name_en": " "}, "name_en", "required"),
        ({"name_vi": "x" * 201}, "name_vi", "longer than 200 characters"),
        ({"services": ""}, "services", "at least one service"),
        ({"lat": "20,94"}, "lat", "use a dot as the decimal separator"),
        ({"lon": "nan"}, "lon", "not a number"),
        ({"lon": "120"}, "lon", "outside Vietnam (102 to 110)"),
        ({"lon": ""}, "lon", "lat and lon go together"),
        ({"lat": "", "lon": ""}, "lat", "a place needs coordinates"),
        ({"ward_code": "99999"}, "ward_code", "unknown ward code '99999'"),
        ({"province": "01"}, "province", "must be 31 (this province) or empty"),
        ({"phones": "0900 abc"}, "phones", "may hold only digits"),
        ({"phones": "1" * 21}, "phones", "3 to 20 digits"),
        ({"verified": "maybe"}, "verified", "must be true or false"),
        ({"verified_on": "20/11/2026"}, "verified_on", "YYYY-MM-DD"),
        ({"verified_on": "2026-02-30"}, "verified_on", "YYYY-MM-DD"),
        ({"verified_on": "2026-12-02"}, "verified_on", "in the future"),
        ({"precision": "roughly"}, "precision", "must be one of exact, ward_centre"),
        ({"precision": "ward_centre", "ward_code": ""}, "precision", "needs a ward_code"),
        ({"hours": "7\x00-17"}, "hours", "control character"),
        ({"phones": "1800 1567"}, "phones", "no longer in use"),
        ({"verified": "true", "verified_on": ""}, "verified", "needs verified_on"),
        ({"verified": "true", "source": ""}, "verified", "needs verified_on"),
    ],
)
def test_each_rule(cells: dict[str, str], column: str, message: str) -> None:
    rows, errors = parse(csv_text([entry(**cells)]))
    assert rows == []
    assert [(e.line, e.column) for e in errors] == [(2, column)]
    assert message in errors[0].message


def test_defaults_and_normal_forms() -> None:
    nfd = "Nha\u0300 ta\u0323m la\u0301nh"
    rows, errors = parse(csv_text([
        entry(name_vi=f"  {nfd}  ", precision="", verified="YES", verified_on="2026-11-20",
              kind="Agency", lat="", lon="", ward_code="", province=""),
        entry(key="hotline-000", kind="hotline", lat="", lon="", ward_code="", province="",
              phones="111;113", services="HOTLINE"),
        entry(key="in-a-ward", province=""),
    ]))  # fmt: skip
    assert errors == []
    agency, hotline, in_ward = rows
    assert agency["name_vi"] == "Nhà tạm lánh" and agency["precision"] == "exact"
    assert agency["verified"] is True and agency["verified_on"] == date(2026, 11, 20)
    assert agency["kind"] == "agency" and agency["lat"] is None
    assert hotline["phones"] == "111; 113" and hotline["services"] == "hotline"
    assert in_ward["province"] == "31", "a ward's row gets the province filled in"
    assert set(agency) == set(COLUMNS)


@hypothesis.settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_accepted_or_refused(text: str) -> None:
    rows, errors = parse(text)
    assert all(set(r) == set(COLUMNS) for r in rows)
    assert all(e.line >= 1 and e.message for e in errors)


@hypothesis.settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), min_size=len(COLUMNS), max_size=len(COLUMNS))))
def test_every_row_is_accepted_or_refused(cells: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(cells)

    rows, errors = parse(out.getvalue())

    present = sum(any(c.strip() for c in row) for row in cells)
    assert len(rows) + len({e.line for e in errors}) == present


@hypothesis.settings(max_examples=100, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "key": st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True),
            "name_vi": st.text(min_size=1, max_size=50),
            "lat": st.floats(8, 24).map(repr),
            "phones": st.from_regex(r"\+?[0-9][0-9 ().-]{2,15}[0-9]", fullmatch=True),
        }
    )
)
def test_what_passes_once_passes_unchanged(cells: dict[str, str]) -> None:
    rows, errors = parse(csv_text([entry(**cells)]))
    assume(not errors)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([to_cell(rows[0][c]) for c in COLUMNS])
    again, errors = parse(out.getvalue())
    assert (again, errors) == (rows, [])


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line in a fresh working directory, with only its folder and database set."""
    for name in os.environ:
        if name.startswith("HOTLINE_") and not name.startswith("HOTLINE_TEST_"):
            monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOTLINE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    # PostgreSQL refuses to start without keys (bot.app.configure_keys).
    monkeypatch.setenv("HOTLINE_SECRET_KEYS", Fernet.generate_key().decode())
    return CliRunner()


def test_the_command_line(cli: CliRunner) -> None:
    done = cli.invoke(main, ["directory", "export", "all.csv"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert Path("all.csv").read_text("utf-8").splitlines()[0] == ",".join(COLUMNS)
    assert f"{SEEDED} entries written to all.csv" in done.stderr

    Path("bad.csv").write_text(csv_text([entry(), entry(key="x", lat="abc")]), "utf-8")
    done = cli.invoke(main, ["directory", "import", "bad.csv"], catch_exceptions=False)
    assert done.exit_code == 1
    assert "line 3, column lat: not a number" in done.stderr
    assert "1 error(s): nothing was changed" in done.stderr

    Path("good.csv").write_text(csv_text([entry()]), "utf-8")
    done = cli.invoke(main, ["directory", "import", "good.csv"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert done.stdout == "1 created, 0 updated, 0 unchanged\n"

    done = cli.invoke(main, ["directory", "import", "all.csv"], catch_exceptions=False)
    assert done.stdout == f"0 created, 0 updated, {SEEDED} unchanged\n"

    done = cli.invoke(main, ["directory", "export", "--bom"], catch_exceptions=False)
    lines = done.stdout.splitlines()
    assert lines[0] == "\ufeff" + ",".join(COLUMNS)
    assert len(lines) == SEEDED + 2
    assert any(line.startswith("test-nha-tam-lanh,place,") for line in lines)
