"""The directory: seed data, name resolution (new and old names), nearest search, ranking."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.services.directory.gazetteer import gazetteer_for
from bot.services.directory.geo import GridIndex, haversine_km
from db.models import Place


async def test_seed_has_hotlines_every_commune_and_agencies(app: App) -> None:
    async with app.conversations.sessions() as session:
        places = list(await session.scalars(select(Place)))
        assert await session.scalar(select(func.count()).select_from(Place)) == 124
    committees = [p for p in places if p.key.startswith("ubnd-")]
    assert len(committees) == 114
    assert all(p.lat is not None and p.precision == "ward_centre" for p in committees)
    assert not any(p.verified or p.phones for p in committees), "no invented phone or address"
    assert {p.phones for p in places if p.kind == "hotline"} == {"111", "113", "115"}
    assert not [p for p in places if "18001567" in p.phones]
    agencies = [p for p in places if p.kind == "agency"]
    assert agencies and not any(p.phones or p.address or p.verified for p in agencies)


@pytest.mark.parametrize(
    ("typed", "new"),
    [
        ("dai hop kien thuy", "Xã Kiến Hải"),
        ("xã Đại Hợp, huyện Kiến Thụy, Hải Phòng", "Xã Kiến Hải"),
        ("Dai Hopp, Kien Thuy", "Xã Kiến Hải"),
        ("thôn Đông Hưng, xã Đại Hợp, huyện Kiến Thụy", "Xã Kiến Hải"),
        ("kien hai", "Xã Kiến Hải"),
        ("Thủy Nguyên", "Phường Thủy Nguyên"),
        ("thuy nguyen", "Phường Thủy Nguyên"),
        ("cat ba", "Đặc khu Cát Hải"),
        ("Kiến Thụy, Đại Hợp", "Xã Kiến Hải"),
        ("Xã Đoàn Xá, Huyện Kiến Thụy", "Xã Kiến Hải"),
        ("an llac chi linh", "Phường Lê Đại Hành"),
        ("le chan, tp hai phong", "Phường Lê Chân"),
        ("Phường Hải Dương", "Phường Hải Dương"),
        ("Xã Tuệ Tĩnh", "Xã Tuệ Tĩnh"),
        ("xa lac phuong", "Xã Lạc Phượng"),
    ],
)
def test_names_resolve_to_the_new_commune(typed: str, new: str) -> None:
    found = gazetteer_for("HP").resolve(typed)
    assert [w.name for w in found] == [new]


def test_old_name_says_what_it_was() -> None:
    (ward,) = gazetteer_for("HP").resolve("dai hop kien thuy")
    assert ward.typed_as == "Xã Đại Hợp, Huyện Kiến Thụy"


def test_an_ambiguous_name_gives_candidates_and_nonsense_gives_none() -> None:
    candidates = gazetteer_for("HP").resolve("Đại Hợp")
    assert len(candidates) == 2
    assert {w.typed_as for w in candidates} == {
        "Xã Đại Hợp, Huyện Kiến Thụy",
        "Xã Đại Hợp, Huyện Tứ Kỳ",
    }
    assert gazetteer_for("HP").resolve("qwerty zxcv") == []
    assert gazetteer_for("HP").resolve("phường 1") == [], "a unit word and a number name nothing"
    assert gazetteer_for("HP").resolve("quận 1, tp HCM") == []
    (ward,) = gazetteer_for("HP").resolve("số nhà 12, đường Trần Phú, phường Lê Chân")
    assert ward.name == "Phường Lê Chân", "the street part is not read as a commune"
    assert gazetteer_for("HP").resolve("Hải Phòng") == []


def test_a_search_from_far_away_is_right_and_bounded() -> None:
    rng = random.Random(3)
    points = [(rng.uniform(20.5, 21.1), rng.uniform(106.0, 107.1)) for _ in range(2000)]
    grid = GridIndex()
    for i, (lat, lon) in enumerate(points):
        grid.add(i, lat, lon)
    for lat, lon in [(51.5, -0.1), (-45.0, -170.0), (11.55, 104.9), (21.03, 105.85)]:
        scan = sorted((haversine_km(lat, lon, a, b), i) for i, (a, b) in enumerate(points))[:5]
        assert grid.nearest(lat, lon, 5) == scan


def test_grid_nearest_equals_a_full_scan() -> None:
    rng = random.Random(7)
    points = [(rng.uniform(20.5, 21.1), rng.uniform(106.0, 107.1)) for _ in range(3000)]
    grid = GridIndex()
    for i, (lat, lon) in enumerate(points):
        grid.add(i, lat, lon)
    for _ in range(50):
        lat, lon = rng.uniform(20.0, 21.6), rng.uniform(105.5, 107.6)
        scan = sorted((haversine_km(lat, lon, a, b), i) for i, (a, b) in enumerate(points))[:10]
        assert grid.nearest(lat, lon, 10) == scan


def test_grid_nearest_within_a_radius_equals_a_filtered_scan() -> None:
    rng = random.Random(11)
    points = [(rng.uniform(20.5, 21.1), rng.uniform(106.0, 107.1)) for _ in range(500)]
    grid = GridIndex()
    for i, (lat, lon) in enumerate(points):
        grid.add(i, lat, lon)
    for lat, lon, within in [(20.8, 106.6, 5.0), (20.8, 106.6, 30.0), (21.03, 105.85, 25.0)]:
        scan = sorted((haversine_km(lat, lon, a, b), i) for i, (a, b) in enumerate(points))
        assert grid.nearest(lat, lon, 50, within=within) == [x for x in scan if x[0] <= within][:50]


def test_in_ward_puts_the_communes_own_committee_first(app: App) -> None:
    page = app.directory.in_ward("11749", None, 0, 5)
    assert page.places[0].name_vi == "Ủy ban nhân dân Xã Kiến Hải"
    assert page.places[0].distance_km is not None and page.places[0].distance_km < 0.01
    assert [h.phones for h in page.hotlines] == [("111",)]
    assert page.total > 5


def test_a_service_lists_only_places_offering_it(app: App) -> None:
    page = app.directory.near(20.86, 106.68, "legal", 0, 5)
    assert [p.name_vi for p in page.places] == [
        "Trung tâm Trợ giúp pháp lý nhà nước thành phố Hải Phòng"
    ]
    assert not page.fallback
    page = app.directory.near(20.86, 106.68, "report", 0, 50)
    assert all("report" in p.services for p in page.places) and page.total == 50
    near = [p.distance_km for p in page.places if p.distance_km is not None]
    assert near == sorted(near) and near[-1] <= 50


def test_a_service_nobody_offers_falls_back_to_the_nearest_committees(app: App) -> None:
    page = app.directory.near(20.86, 106.68, "medical", 0, 5)
    assert page.fallback and len(page.places) == 5
    assert all(p.key.startswith("ubnd-") for p in page.places)
    distances = [p.distance_km or 0 for p in page.places]
    assert distances == sorted(distances) and distances[0] < 5
    page = app.directory.in_ward("11749", "medical", 0, 5)
    assert page.fallback and page.places[0].name_vi == "Ủy ban nhân dân Xã Kiến Hải"


@pytest.mark.parametrize(("lat", "lon"), [(0.0, 0.0), (51.5, -0.1), (21.03, 105.85)])
def test_outside_the_area_there_are_only_the_national_hotlines(
    app: App, lat: float, lon: float
) -> None:
    page = app.directory.near(lat, lon, None, 0, 5)
    assert page.outside == "Hải Phòng" and page.places == () and page.total == 0
    assert [h.phones for h in page.hotlines] == [("111",), ("113",)]


def test_every_commune_centre_is_inside_the_area(app: App) -> None:
    for ward in app.directory.gazetteer.wards.values():
        assert ward.lat is not None and ward.lon is not None
        assert not app.directory.near(ward.lat, ward.lon, None, 0, 1).outside, ward.name
