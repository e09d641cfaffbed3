"""Support directory: grid nearest-k and gazetteer name search against brute-force scans.

    python bench/directory.py [--places 100000] [--queries 2000] [--scans 200]

Synthetic places (seeded) around Hải Phòng's communes and over its bounding box, a few in
other cities, a People's Committee at every commune's centre and one city-wide place (no
position); the real gazetteer. Product and baseline are timed alternately, query by query,
so a noisy machine slows both alike. The slow scans run on the first --scans queries only.
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz import fuzz

from bot.services.directory import gazetteer as gz
from bot.services.directory.geo import haversine_km
from bot.services.directory.store import (
    COMMITTEE,
    MAX_RESULTS,
    OUTSIDE_KM,
    SERVICE_KM,
    Directory,
    Entry,
)
from dialogs.directory import Page, PlaceView, Service
from dialogs.text import fold

BOX = (20.5, 21.1, 106.0, 107.1)  # lat min, lat max, lon min, lon max
FAR_PLACES = [(21.03, 105.85), (16.05, 108.2), (10.78, 106.7), (22.82, 104.98)]  # HN ĐN HCM HG
FAR_QUERIES = {"Phnom Penh": (11.56, 104.92), "Kuala Lumpur": (3.14, 101.7), "London": (51.5, -0.1)}
RARE, EMPTY = Service.LOAN.value, Service.JOB.value  # 10 places (1 in HCM) + 1 city-wide / none
COMMON = [s.value for s in Service if s.value not in (RARE, EMPTY)]
KINDS = ["new, marks", "new, bare", "old+district, marks", "old+district, bare", "typo", "nothing"]
NONSENSE = ["qrz", "vokt", "xumb", "zelp"]
COLUMNS = "{:<33}{:>5} {:>9} {:>9} {:>6} {:>9} {:>9} {:>8} {:>8} {:>9}"
HEADER = ("operation", "n", "p50", "p99", "base n", "base p50", "base p99", "x p50", "x p99")
BASELINES = f"""Baselines: one pass of haversine over every place, then the rules in plain Python.
  near: nothing if no place is within {OUTSIDE_KM:g} km (outside); no service: the nearest; a
  service: those offering it within {SERVICE_KM:g} km by distance, then city-wide ones; none:
  the nearest committees. in_ward: the same from the commune's centre, its own places first.
  heapq.nsmallest(MAX_RESULTS={MAX_RESULTS}), first page of 10. resolve: the whole cleaned
  query against every gazetteer name (no n-grams), fuzz.token_sort_ratio in a plain loop.
x = baseline / product. agree: same page (places/committees/outside), total, ids, order and
  distances (resolve: same wards).
"""
Fn = Callable[[Any], Any]


class Row(NamedTuple):
    """A place as the baselines scan it (no position: city-wide)."""

    lat: float | None
    lon: float | None
    services: tuple[str, ...]
    ward: str
    id: int
    committee: bool


class Answer(NamedTuple):
    """A first page as the table compares it: product and baseline reduced to the same shape."""

    kind: str  # "places"; "committees": nothing near offers the service; "outside"
    total: int
    places: list[tuple[float | None, int]]


@dataclass
class Run:
    """Per-query times in ns, and (product, baseline) answers for the paired queries."""

    product: list[int] = field(default_factory=list)
    baseline: list[int] = field(default_factory=list)
    pairs: list[tuple[Any, Any]] = field(default_factory=list)


def make_entries(n: int, gaz: gz.Gazetteer, rng: random.Random) -> list[Entry]:
    """n places: two in each far city, then alternately near a commune centre or anywhere."""
    wards, entries = list(gaz.wards.values()), []
    for i in range(n):
        code, (lat, lon) = "", FAR_PLACES[i % len(FAR_PLACES)]
        if i < 2 * len(FAR_PLACES):
            lat, lon = lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05)
        elif i % 2:
            ward = rng.choice(wards)
            code, lat, lon = ward.code, ward.lat or 0, ward.lon or 0
            lat, lon = lat + rng.gauss(0, 0.02), lon + rng.gauss(0, 0.02)
        else:
            lat, lon = rng.uniform(*BOX[:2]), rng.uniform(*BOX[2:])
        services = rng.sample(COMMON, rng.randint(1, 3)) + ([RARE] if i % (n // 10) == 2 else [])
        view = PlaceView(f"p{i}", f"Nơi {i}", f"Place {i}", tuple(services), lat=lat, lon=lon)
        entries.append(Entry(view, code, "place"))
    return entries


def add_fixed(entries: list[Entry], gaz: gz.Gazetteer) -> list[Entry]:
    """The committees at the commune centres, as seeded, so the fallback and the "outside"
    test meet real data; one city-wide place offering RARE, listed after the near ones."""
    for ward in gaz.wards.values():
        key, report = f"{COMMITTEE}{ward.code}", (Service.REPORT.value,)
        view = PlaceView(key, ward.name, ward.name, report, lat=ward.lat, lon=ward.lon)
        entries.append(Entry(view, ward.code, "place"))
    entries.append(Entry(PlaceView("citywide", "Quỹ", "Fund", (RARE,)), "", "agency"))
    return entries


def measure(rows: list[Row], lat: float, lon: float) -> list[float]:
    """The one pass: each place's distance from the point (inf without a position). Plain
    floats: lists of tuples holding rows woke the garbage collector and made the scan 5x slower."""
    return [
        math.inf if r.lat is None or r.lon is None else haversine_km(lat, lon, r.lat, r.lon)
        for r in rows
    ]


def scan_ranked(
    rows: list[Row], dist: list[float], service: str | None, first: list[Row]
) -> list[Row]:
    """Baseline ranking. No service: first, then the nearest others. A service: first, then
    the others offering it within SERVICE_KM, nearest first, then city-wide ones offering it."""
    taken, wanted = {r.id for r in first}, MAX_RESULTS - len(first)
    if not service:
        pool = (
            (d, r.id, r)
            for d, r in zip(dist, rows, strict=True)
            if d < math.inf and r.id not in taken
        )
        return first + [r for *_, r in heapq.nsmallest(wanted, pool)]
    pool = (
        (d, r.id, r)
        for d, r in zip(dist, rows, strict=True)
        if d <= SERVICE_KM and service in r.services and r.id not in taken
    )
    citywide = [r for r in rows if r.lat is None and service in r.services]
    return (first + [r for *_, r in heapq.nsmallest(wanted, pool)] + citywide)[:MAX_RESULTS]


def scan_page(
    rows: list[Row], dist: list[float], lat: float, lon: float, service: str | None,
    first: list[Row],
) -> Answer:  # fmt: skip
    """Baseline search from a point; a service nothing near offers: the nearest committees."""
    service = service if service in set(Service) else None
    kind, ranked = "places", scan_ranked(rows, dist, service, first)
    if service and not ranked:
        committees = ((d, r.id, r) for d, r in zip(dist, rows, strict=True) if r.committee)
        ranked = [r for d, _, r in heapq.nsmallest(MAX_RESULTS, committees) if d < math.inf]
        kind = "committees"
    return Answer(kind, len(ranked), [page_pair(lat, lon, r) for r in ranked[:10]])


def page_pair(lat: float, lon: float, r: Row) -> tuple[float | None, int]:
    """(distance, id) as a page shows it: no distance for a city-wide place."""
    return (None if r.lat is None else haversine_km(lat, lon, r.lat, r.lon or 0), r.id)


def scan_near(rows: list[Row], lat: float, lon: float, service: str | None) -> Answer:
    """Baseline near(): farther than OUTSIDE_KM from every place with a position, the point is
    outside the area and gets no places; else the search from it."""
    dist = measure(rows, lat, lon)
    if OUTSIDE_KM < min(dist, default=0.0) < math.inf:  # no place with a position: not outside
        return Answer("outside", 0, [])
    return scan_page(rows, dist, lat, lon, service, [])


def scan_in_ward(rows: list[Row], code: str, lat: float, lon: float, service: str | None) -> Answer:
    """Baseline in_ward(): the commune's own places (offering the service) first, by id; no
    "outside" test, as a commune's centre is inside by definition."""
    own = [r for r in rows if r.ward == code and r.lat is not None]
    own = [r for r in own if not service or service in r.services]
    return scan_page(rows, measure(rows, lat, lon), lat, lon, service, own)


def scan_resolve(gaz: gz.Gazetteer, text: str) -> list[str]:
    """Baseline: the whole cleaned query against every name, fuzz.token_sort_ratio in a loop."""
    query = " ".join(gz.clean_query(text))
    best, wards = 0.0, []
    for name in gaz._names:
        score = fuzz.token_sort_ratio(query, name.text, score_cutoff=gz.MIN_SCORE)
        if score and score > best:
            best, wards = score, [name.ward]
        elif score and score == best and name.ward not in wards:
            wards.append(name.ward)
    return wards


def typo(text: str, rng: random.Random) -> str:
    """One letter substituted, dropped or doubled."""
    at = rng.choice([i for i, c in enumerate(text) if c.isalpha()])
    letter = rng.choice([c for c in "abcdeghiklmnopqrstuvxy" if c != text[at]])
    return text[:at] + rng.choice([letter, "", text[at] * 2]) + text[at + 1 :]


def name_queries(gaz: gz.Gazetteer, rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """(kind, typed text, expected ward code or "" for none), the kinds in turn."""
    longest: dict[str, gz._Name] = {}  # each old commune's name with its district
    for name in gaz._names:
        if name.typed_as and len(name.text) >= len(longest.get(name.typed_as, name).text):
            longest[name.typed_as] = name
    new, olds, queries = list(gaz.wards.values()), list(longest.values()), []
    for i in range(n):
        ward, old = rng.choice(new), rng.choice(olds)
        nonsense = " ".join(rng.choice(NONSENSE) for _ in range(rng.randint(1, 3)))
        variants = [
            (ward.name, ward.code),  # Phường Thành Đông
            (fold(ward.name), ward.code),  # phuong thanh dong
            (old.typed_as or "", old.ward),  # Xã Đại Hợp, Huyện Kiến Thụy
            (old.text, old.ward),  # dai hop kien thuy
            (typo(old.text, rng), old.ward),  # dai hpo kien thuy
            (nonsense, ""),
        ]
        queries.append((KINDS[i % len(KINDS)], *variants[i % len(KINDS)]))
    return queries


def race(product: Fn, baseline: Fn, cases: Sequence[Any], paired: int, warmup: int = 20) -> Run:
    """Time product on every case and baseline on the first `paired`, alternately."""
    for case in cases[:warmup]:
        product(case)
        baseline(case)
    run = Run()
    for k, case in enumerate(cases):
        t0 = time.perf_counter_ns()
        got = product(case)
        run.product.append(time.perf_counter_ns() - t0)
        if k < paired:
            t0 = time.perf_counter_ns()
            want = baseline(case)
            run.baseline.append(time.perf_counter_ns() - t0)
            run.pairs.append((got, want))
    return run


def ids(page: Page, index: dict[str, int]) -> Answer:
    """A page as the baselines answer: its kind, total and (distance, id) pairs."""
    kind = "outside" if page.outside else "committees" if page.fallback else "places"
    return Answer(kind, page.total, [(v.distance_km, index[v.key]) for v in page.places])


def fmt(ns: float) -> str:
    """A duration with a readable unit."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.0f} ns"


def row(op: str, run: Run) -> None:
    """One line of the table; agree = product's answer equals the baseline's."""
    (p50, p99), (b50, b99) = (
        (statistics.median(xs), statistics.quantiles(xs, n=100, method="inclusive")[98])
        for xs in (run.product, run.baseline)
    )
    agree = f"{sum(g == w for g, w in run.pairs)}/{len(run.pairs)}"
    times = [fmt(p50), fmt(p99), len(run.baseline), fmt(b50), fmt(b99)]
    ratios = [f"{b50 / p50:.1f}x", f"{b99 / p99:.1f}x"]
    print(COLUMNS.format(op, len(run.product), *times, *ratios, agree))


def name_accuracy(queries: list[tuple[str, str, str]], run: Run) -> None:
    """Per kind of query: is the expected ward among the answers (none for nonsense)?"""
    print("\nresolve: is the expected ward among the answers (none expected for nonsense)?")
    print(f"{'kind':<22}{'n':>5}{'product':>9}{'baseline':>9}   product misses (first 2)")
    for kind in KINDS:
        mine = [(q, p) for q, p in zip(queries, run.pairs, strict=True) if q[0] == kind]
        ok = [[q[2] in a if q[2] else not a for a in p] for q, p in mine]
        misses = [f"{q[1]!r} -> {p[0]}" for (q, p), o in zip(mine, ok, strict=True) if not o[0]]
        print(
            f"{kind:<22}{len(mine):>5}{sum(o[0] for o in ok) / len(mine):>9.0%}"
            f"{sum(o[1] for o in ok) / len(mine):>9.0%}   {'; '.join(misses[:2])}"
        )


def main() -> None:
    """Build, time, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--scans", type=int, default=200, help="queries the slow scans run on")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    rng, gaz = random.Random(args.seed), gz.gazetteer_for("HP")
    entries = add_fixed(make_entries(args.places, gaz, rng), gaz)
    index = {e.view.key: i for i, e in enumerate(entries)}
    rows = [
        Row(e.view.lat, e.view.lon, e.view.services, e.ward_code, i, e.view.key[:5] == COMMITTEE)
        for i, e in enumerate(entries)
        if e.kind != "hotline"
    ]
    builds = []
    for _ in range(3):
        t0 = time.perf_counter_ns()
        directory = Directory(gaz, entries)
        builds.append(time.perf_counter_ns() - t0)
    tracemalloc.start()
    traced = Directory(gaz, entries)  # the entries exist already: what is new is the index
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del traced

    points = [(rng.uniform(*BOX[:2]), rng.uniform(*BOX[2:])) for _ in range(args.queries)]
    names = name_queries(gaz, rng, args.queries)
    wards = [w[0].code for _, text, _ in names if (w := directory.resolve(text))]

    def near(q: tuple) -> Answer:
        return ids(directory.near(q[0], q[1], q[2], 0, 10), index)

    def scan(q: tuple) -> Answer:
        return scan_near(rows, *q)

    def resolve(q: tuple) -> list[str]:
        return [w.code for w in directory.resolve(q[1])]

    def in_ward(q: tuple) -> Answer:
        return ids(directory.in_ward(q[0], q[1], 0, 10), index)

    def scan_ward(q: tuple) -> Answer:
        ward = gaz.wards[q[0]]
        return scan_in_ward(rows, q[0], ward.lat or 0, ward.lon or 0, q[1])

    print(
        f"{args.places} places, seed {args.seed}; index build (Directory.load): "
        f"p50 {fmt(statistics.median(builds))} of 3, {memory / 2**20:.1f} MiB "
        f"({memory / args.places:.0f} B a place, tracemalloc)"
    )
    print(BASELINES)
    print(COLUMNS.format(*HEADER, "agree"))
    row("near, nearest 10", race(near, scan, [(*p, None) for p in points], args.scans))
    services = [(*p, rng.choice(COMMON)) for p in points]
    row("near, service filter", race(near, scan, services, args.scans))
    for label, service in ((f"rare service ({RARE}: 10+1)", RARE), (f"no place ({EMPTY})", EMPTY)):
        cases = [(*p, service) for p in points[: args.scans]]
        row(f"near, {label}", race(near, scan, cases, args.scans))
    for city, point in FAR_QUERIES.items():
        row(f"near, from {city} (x3)", race(near, scan, [(*point, None)] * 3, 3, warmup=1))
    by_name = race(resolve, lambda q: scan_resolve(gaz, q[1]), names, len(names))
    row(f"resolve ({len(gaz._names)} names)", by_name)
    row("in_ward, resolved ward", race(in_ward, scan_ward, [(w, None) for w in wards], args.scans))
    by_service = [(w, rng.choice(COMMON)) for w in wards]
    row("in_ward, service filter", race(in_ward, scan_ward, by_service, args.scans))
    name_accuracy(names, by_name)


if __name__ == "__main__":
    main()
