"""Validators and partial dates: accepted forms, refusals, and properties over any input."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.dates import (
    age_on,
    earliest,
    format_partial_date,
    latest,
    parse_partial_date,
)
from dialogs.validators import (
    MAX_TEXT,
    Invalid,
    check_text,
    is_dont_know,
    parse_id_number,
    parse_phone,
)

TODAY = date(2026, 11, 29)
# No example database: tests must not leave files behind in the working tree.
quick = settings(database=None, max_examples=300, deadline=None)


def nfd(text: str) -> str:
    """Decomposed form, as some Vietnamese keyboards send it."""
    return unicodedata.normalize("NFD", text)


# --- free text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hải   Phòng \n", "Hải Phòng"),
        (nfd("Thủy Nguyên"), "Thủy Nguyên"),
        ("a\x00b", "ab"),
        ("x" * MAX_TEXT, "x" * MAX_TEXT),
    ],
)
def test_check_text_accepts(raw: str, expected: str) -> None:
    assert check_text(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "\u200b", "\x00"])
def test_check_text_refuses_empty(raw: str) -> None:
    assert check_text(raw) == Invalid("error.text_empty")


def test_check_text_refuses_too_long() -> None:
    assert check_text("x" * (MAX_TEXT + 1)) == Invalid("error.text_too_long", {"max": MAX_TEXT})
    assert check_text("abcdef", max_len=5) == Invalid("error.text_too_long", {"max": 5})
    # Length is counted after cleaning: NFD marks and extra spaces do not count.
    assert check_text(nfd("ữ") * 5 + "     ", max_len=5) == "ữ" * 5


# --- phone -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("091-234-5678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("(+84) 912345678", "+84912345678"),
        ("+84 0912 345 678", "+84912345678"),
        ("0084 912 345 678", "+84912345678"),
        ("０９１２３４５６７８", "+84912345678"),
        ("0312345678", "+84312345678"),
        ("0512345678", "+84512345678"),
        ("0712345678", "+84712345678"),
        ("0812345678", "+84812345678"),
        ("024 3825 1234", "+842438251234"),
        ("0225 3 123 456", "+842253123456"),
        ("(0225) 3123456", "+842253123456"),
        ("+84912345678", "+84912345678"),
    ],
)
def test_parse_phone_accepts(raw: str, expected: str) -> None:
    assert parse_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "0912 345 67a",
        "091234567",  # too short
        "09123456789",  # too long for a mobile
        "0612345678",  # no such prefix
        "0112345678",
        "0412345678",
        "0243825123",  # landline one digit short
        "912345678",  # no leading 0
        "+1 555 123 4567",  # foreign
        "+86 138 0013 8000",
        "0912+345678",
        "++84912345678",
        "84 0912",
    ],
)
def test_parse_phone_refuses(raw: str) -> None:
    assert parse_phone(raw) == Invalid("error.phone")


# --- ID numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("001234567890", "001234567890"),
        ("001 234 567 890", "001234567890"),
        ("001.234.567.890", "001234567890"),
        ("123456789", "123456789"),
        ("123 456 789", "123456789"),
    ],
)
def test_parse_id_number_accepts(raw: str, expected: str) -> None:
    assert parse_id_number(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "12345678", "1234567890", "0012345678901", "00123456789a", "12..", ".123456789"]
)
def test_parse_id_number_refuses(raw: str) -> None:
    assert parse_id_number(raw) == Invalid("error.id_number")


# --- don't know ------------------------------------------------------------------------

DONT_KNOW = [
    "không nhớ", "khong nho", "ko nhớ", "k nhớ", "không biết", "ko biet", "chịu", "không rõ",
    "don't remember", "dont remember", "don't know", "dont know", "not sure", "?",
    "tôi không nhớ", "I don't remember", "I don’t know.", "Em không nhớ ngày ạ",
    "KHONG NHO", "  không   nhớ rõ  ", "???",
]  # fmt: skip


@pytest.mark.parametrize("raw", DONT_KNOW)
def test_is_dont_know(raw: str) -> None:
    assert is_dont_know(raw)
    assert is_dont_know(nfd(raw))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "không",
        "k",
        "nhớ",
        "tôi không nhớ đường về nhà",
        "chịu khó làm việc",
        "I don't know where my passport is",
        "5/2024",
        "khong nho?? nhung o Quang Chau",
    ],
)
def test_is_not_dont_know(raw: str) -> None:
    assert not is_dont_know(raw)


# --- partial dates ---------------------------------------------------------------------

ACCEPTED_DATES = [
    ("03/05/2024", {"y": 2024, "m": 5, "d": 3}),
    ("3/5/2024", {"y": 2024, "m": 5, "d": 3}),
    ("3-5-2024", {"y": 2024, "m": 5, "d": 3}),
    ("3.5.2024", {"y": 2024, "m": 5, "d": 3}),
    ("3 5 2024", {"y": 2024, "m": 5, "d": 3}),
    ("03052024", {"y": 2024, "m": 5, "d": 3}),
    ("2024-05-03", {"y": 2024, "m": 5, "d": 3}),
    ("ngày 3 tháng 5 năm 2024", {"y": 2024, "m": 5, "d": 3}),
    ("3 tháng 5, 2024", {"y": 2024, "m": 5, "d": 3}),
    ("29/02/2024", {"y": 2024, "m": 2, "d": 29}),
    ("3 May 2024", {"y": 2024, "m": 5, "d": 3}),
    ("May 3, 2024", {"y": 2024, "m": 5, "d": 3}),
    ("05/2024", {"y": 2024, "m": 5}),
    ("5/2024", {"y": 2024, "m": 5}),
    ("5-2024", {"y": 2024, "m": 5}),
    ("tháng 5 năm 2024", {"y": 2024, "m": 5}),
    ("thang 5 nam 2024", {"y": 2024, "m": 5}),
    ("thang 5/2024", {"y": 2024, "m": 5}),
    ("tháng năm 2024", {"y": 2024, "m": 5}),
    ("tháng mười một 2025", {"y": 2025, "m": 11}),
    ("May 2024", {"y": 2024, "m": 5}),
    ("11/2026", {"y": 2026, "m": 11}),
    ("2024", {"y": 2024}),
    ("năm 2019", {"y": 2019}),
    ("khoảng năm 2019", {"y": 2019}),
    ("1900", {"y": 1900}),
    ("29/11/2026", {"y": 2026, "m": 11, "d": 29}),
    ("không nhớ", {"unknown": True}),
    ("ko biet", {"unknown": True}),
    ("?", {"unknown": True}),
]


@pytest.mark.parametrize(("raw", "expected"), ACCEPTED_DATES)
def test_parse_partial_date_accepts(raw: str, expected: dict[str, int | bool]) -> None:
    assert parse_partial_date(raw, TODAY) == expected
    assert parse_partial_date(nfd(raw), TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "msgid"),
    [
        ("", "error.date"),
        ("hôm qua", "error.date"),
        ("3/5/24", "error.date"),  # two-digit year: ambiguous
        ("5/24", "error.date"),
        ("năm 24", "error.date"),
        ("31/02/2024", "error.date"),
        ("29/02/2023", "error.date"),
        ("0/2024", "error.date"),
        ("13/2024", "error.date"),
        ("32/1/2024", "error.date"),
        ("tháng 5", "error.date"),  # no year
        ("ngày 3 năm 2024", "error.date"),  # a day without a month
        ("5 2024 3", "error.date"),
        ("2024 2025", "error.date"),
        ("30/11/2026", "error.date_future"),
        ("12/2026", "error.date_future"),
        ("2027", "error.date_future"),
        ("1899", "error.date_too_old"),
        ("31/12/1899", "error.date_too_old"),
    ],
)
def test_parse_partial_date_refuses(raw: str, msgid: str) -> None:
    assert parse_partial_date(raw, TODAY) == Invalid(msgid)


def test_nfd_month_year_parses_like_nfc() -> None:
    raw = "tháng 5 năm 2024"
    assert parse_partial_date(unicodedata.normalize("NFD", raw), TODAY) == {"y": 2024, "m": 5}


@pytest.mark.parametrize(
    ("value", "first", "last"),
    [
        ({"y": 2024, "m": 5, "d": 3}, date(2024, 5, 3), date(2024, 5, 3)),
        ({"y": 2024, "m": 2}, date(2024, 2, 1), date(2024, 2, 29)),
        ({"y": 2023, "m": 2}, date(2023, 2, 1), date(2023, 2, 28)),
        ({"y": 2019}, date(2019, 1, 1), date(2019, 12, 31)),
        ({"unknown": True}, None, None),
    ],
)
def test_earliest_latest(value: dict[str, int | bool], first: date, last: date) -> None:
    assert earliest(value) == first
    assert latest(value) == last


@pytest.mark.parametrize(
    ("value", "ages"),
    [
        ({"y": 2008, "m": 11, "d": 29}, (18, 18)),
        ({"y": 2008, "m": 11, "d": 30}, (17, 17)),
        ({"y": 2008, "m": 12}, (17, 17)),
        ({"y": 2008, "m": 11}, (17, 18)),
        ({"y": 2008}, (17, 18)),
        ({"y": 2026}, (0, 0)),
        ({"unknown": True}, None),
    ],
)
def test_age_on(value: dict[str, int | bool], ages: tuple[int, int] | None) -> None:
    assert age_on(value, TODAY) == ages


@pytest.mark.parametrize("value", [{}, {"m": 5}, {"y": 2024, "d": 3}, {"y": "2024"}, {"y": True}])
def test_malformed_stored_value_raises(value: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        earliest(value)


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        ({"y": 2024, "m": 5, "d": 3}, "03/05/2024", "3 May 2024"),
        ({"y": 2024, "m": 5}, "tháng 5/2024", "May 2024"),
        ({"y": 2024}, "2024", "2024"),
        ({"unknown": True}, "", ""),
    ],
)
def test_format_partial_date(value: dict[str, int | bool], vi: str, en: str) -> None:
    assert format_partial_date(value, "vi") == vi
    assert format_partial_date(value, "en") == en


@pytest.mark.parametrize(("raw", "value"), [r for r in ACCEPTED_DATES if "unknown" not in r[1]])
def test_formatted_date_parses_back(raw: str, value: dict[str, int | bool]) -> None:
    assert parse_partial_date(format_partial_date(value, "vi"), TODAY) == value
    assert parse_partial_date(format_partial_date(value, "en"), TODAY) == value


# --- properties ------------------------------------------------------------------------


@quick
@given(st.text())
def test_no_validator_raises(raw: str) -> None:
    assert isinstance(check_text(raw), str | Invalid)
    assert isinstance(parse_phone(raw), str | Invalid)
    assert isinstance(parse_id_number(raw), str | Invalid)
    assert isinstance(is_dont_know(raw), bool)
    assert isinstance(parse_partial_date(raw, TODAY), dict | Invalid)


_DATE_ALPHABET = st.sampled_from([*"0123456789/-. ,?", "tháng ", "năm ", "ngày ", "May "])


@quick
@given(st.lists(_DATE_ALPHABET, max_size=20).map("".join))
def test_date_like_input_never_raises(raw: str) -> None:
    result = parse_partial_date(raw, TODAY)
    if isinstance(result, dict) and "unknown" not in result:
        first = earliest(result)
        assert first is not None
        assert date(1900, 1, 1) <= first <= TODAY


_PHONE_SEPARATOR = st.sampled_from(["", "", " ", ".", "-"])
_PHONE_PREFIX = st.sampled_from(["0", "+84", "84", "+84 ", "(+84) ", "0084", "+84 0", "+1", ""])
_PHONE_BODY = st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=1, max_size=5)


@st.composite
def phone_like(draw: st.DrawFn) -> str:
    """Strings shaped like phone numbers, many of them valid."""
    groups = draw(_PHONE_BODY)
    return draw(_PHONE_PREFIX) + draw(_PHONE_SEPARATOR).join(groups)


@quick
@given(st.one_of(phone_like(), st.text()))
def test_accepted_phone_round_trips(raw: str) -> None:
    parsed = parse_phone(raw)
    if isinstance(parsed, str):
        assert parsed.startswith("+84")
        assert parse_phone(parsed) == parsed


@quick
@given(st.sampled_from("35789"), st.text("0123456789", min_size=8, max_size=8))
def test_every_mobile_number_is_accepted(prefix: str, rest: str) -> None:
    assert parse_phone(f"0{prefix}{rest}") == f"+84{prefix}{rest}"


@quick
@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
def test_past_date_round_trips(day: date) -> None:
    value = {"y": day.year, "m": day.month, "d": day.day}
    assert parse_partial_date(f"{day.day:02d}/{day.month:02d}/{day.year:04d}", TODAY) == value
    assert parse_partial_date(f"{day.day}-{day.month}-{day.year}", TODAY) == value
    assert parse_partial_date(format_partial_date(value, "vi"), TODAY) == value
    assert parse_partial_date(format_partial_date(value, "en"), TODAY) == value


@quick
@given(st.dates(min_value=TODAY + timedelta(days=1), max_value=date(9999, 12, 31)))
def test_future_date_is_refused(day: date) -> None:
    future = Invalid("error.date_future")
    assert parse_partial_date(f"{day.day:02d}/{day.month:02d}/{day.year:04d}", TODAY) == future
    if (day.year, day.month) > (TODAY.year, TODAY.month):
        assert parse_partial_date(f"{day.month}/{day.year}", TODAY) == future
    if day.year > TODAY.year:
        assert parse_partial_date(str(day.year), TODAY) == future


@quick
@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY), st.integers(0, 2))
def test_age_range_contains_the_true_age(born: date, precision: int) -> None:
    value: dict[str, int | bool] = {"y": born.year, "m": born.month, "d": born.day}
    for key in ("d", "m")[:precision]:
        del value[key]
    ages = age_on(value, TODAY)
    assert ages is not None
    true_age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
    assert ages[0] <= true_age <= ages[1]
    assert ages[1] - ages[0] <= 1
