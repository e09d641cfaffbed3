"""Support directory: grid nearest-k and gazetteer name search against brute-force scans.

    python bench/directory.py [--places 100000] [--queries 2000] [--scans 200]

Synthetic places (seeded) around Hải Phòng's communes and over its bounding box, a few in
other cities; the real gazetteer. Product and baseline are timed alternately, query by query,
so a noisy machine slows both alike. The slow scans run on the first --scans queries only.
"""

from __future__ import annotations

import argparse
import heapq
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
from bot.services.directory.store import Directory, Entry
from dialogs.directory import Page, PlaceView, Service
from dialogs.text import fold

BOX = (20.5, 21.1, 106.0, 107.1)  # lat min, lat max, lon min, lon max
FAR_PLACES = [(21.03, 105.85), (16.05, 108.2), (10.78, 106.7), (22.82, 104.98)]  # HN ĐN HCM HG
FAR_QUERIES = {"Phnom Penh": (11.56, 104.92), "Kuala Lumpur": (3.14, 101.7), "London": (51.5, -0.1)}
RARE, EMPTY = Service.LOAN.value, Service.JOB.value  # offered by 10 places (one in HCM) / none
COMMON = [s.value for s in Service if s.value not in (RARE, EMPTY)]
KINDS = ["new, marks", "new, bare", "old+district, marks", "old+district, bare", "typo", "nothing"]
NONSENSE = ["qrz", "vokt", "xumb", "zelp"]
COLUMNS = "{:<33}{:>5} {:>9} {:>9} {:>6} {:>9} {:>9} {:>8} {:>8} {:>9}"
HEADER = ("operation", "n", "p50", "p99", "base n", "base p50", "base p99", "x p50", "x p99")
BASELINES = """Baselines. near: haversine to every place (those offering the service, topped up if
  fewer than 10), heapq.nsmallest(10). in_ward: one pass, the commune's own first, then the
  nearest. resolve: the whole cleaned query against every gazetteer name (no n-grams),
  fuzz.token_sort_ratio in a plain loop. Product near() ranks MAX_RESULTS=50, pages 10.
x = baseline / product. agree: same ids, order and distances (resolve: same wards).
"""
Fn = Callable[[Any], Any]


class Row(NamedTuple):
    """A place as the baselines scan it."""

    lat: float
    lon: float
    services: tuple[str, ...]
    ward: str
    id: int


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


def scan_near(rows: list[Row], lat: float, lon: float, service: str | None) -> list[tuple]:
    """Baseline: haversine to every place (offering the service), 10 smallest by heapq;
    topped up with the nearest others when fewer than 10 offer it."""
    pool = rows if service is None else [r for r in rows if service in r.services]
    best = heapq.nsmallest(10, ((haversine_km(lat, lon, r.lat, r.lon), r.id) for r in pool))
    if len(best) < 10:
        taken = {i for _, i in best}
        rest = ((haversine_km(lat, lon, r.lat, r.lon), r.id) for r in rows if r.id not in taken)
        best += heapq.nsmallest(10 - len(best), rest)
    return best


def scan_in_ward(rows: list[Row], code: str, lat: float, lon: float) -> list[tuple]:
    """Baseline: one pass over every place; the commune's own first (by id), then the nearest."""
    keys = (
        ((0, 0.0) if r.ward == code else (1, haversine_km(lat, lon, r.lat, r.lon)), r.id)
        for r in rows
    )
    best = [rows[i] for _, i in heapq.nsmallest(10, keys)]
    return [(haversine_km(lat, lon, r.lat, r.lon), r.id) for r in best]


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


def ids(page: Page) -> list[tuple]:
    """A page as (distance, id) pairs, like the baselines."""
    return [(v.distance_km, int(v.key[1:])) for v in page.places]


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
    entries = make_entries(args.places, gaz, rng)
    rows = [
        Row(e.view.lat or 0, e.view.lon or 0, e.view.services, e.ward_code, i)
        for i, e in enumerate(entries)
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

    def near(q: tuple) -> list[tuple]:
        return ids(directory.near(q[0], q[1], q[2], 0, 10))

    def scan(q: tuple) -> list[tuple]:
        return scan_near(rows, *q)

    def resolve(q: tuple) -> list[str]:
        return [w.code for w in directory.resolve(q[1])]

    def in_ward(code: str) -> list[tuple]:
        return ids(directory.in_ward(code, None, 0, 10))

    def scan_ward(code: str) -> list[tuple]:
        return scan_in_ward(rows, code, gaz.wards[code].lat or 0, gaz.wards[code].lon or 0)

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
    for label, service in ((f"rare service ({RARE}: 10)", RARE), (f"no place ({EMPTY})", EMPTY)):
        cases = [(*p, service) for p in points[: args.scans]]
        row(f"near, {label}", race(near, scan, cases, args.scans))
    for city, point in FAR_QUERIES.items():
        row(f"near, from {city} (x3)", race(near, scan, [(*point, None)] * 3, 3, warmup=1))
    by_name = race(resolve, lambda q: scan_resolve(gaz, q[1]), names, len(names))
    row(f"resolve ({len(gaz._names)} names)", by_name)
    row("in_ward, resolved ward", race(in_ward, scan_ward, wards, args.scans))
    name_accuracy(names, by_name)


if __name__ == "__main__":
    main()
