"""Distances and a grid index, so the nearest places are found without scanning them all."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable

EARTH_KM = 6371.0088
KM_PER_DEGREE = 111.195
FAR_CELLS = 40
"""Beyond this many cells outside the data (about 200 km), a plain scan is cheaper than rings."""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


class GridIndex:
    """Points bucketed in square cells of `cell` degrees; nearest-k searches ring by ring."""

    def __init__(self, cell: float = 0.05) -> None:
        self.cell = cell
        self.cells: defaultdict[tuple[int, int], list[tuple[float, float, int]]] = defaultdict(list)
        self.bounds = [0, 0, 0, 0]

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / self.cell), math.floor(lon / self.cell)

    def add(self, ident: int, lat: float, lon: float) -> None:
        """Index one point."""
        i, j = self._key(lat, lon)
        if not self.cells:
            self.bounds = [i, i, j, j]
        b = self.bounds
        self.bounds = [min(b[0], i), max(b[1], i), min(b[2], j), max(b[3], j)]
        self.cells[(i, j)].append((lat, lon, ident))

    def __len__(self) -> int:
        return sum(len(v) for v in self.cells.values())

    def _ring(self, i: int, j: int, r: int) -> list[tuple[int, int]]:
        """The cells at Chebyshev distance r from (i, j) that lie within the data's bounds."""
        b0, b1, b2, b3 = self.bounds
        cells = []
        jlo, jhi = max(j - r, b2), min(j + r, b3)
        for ii in (i - r, i + r) if r else (i,):
            if b0 <= ii <= b1:
                cells.extend((ii, jj) for jj in range(jlo, jhi + 1))
        if r:
            ilo, ihi = max(i - r + 1, b0), min(i + r - 1, b1)
            for jj in (j - r, j + r):
                if b2 <= jj <= b3:
                    cells.extend((ii, jj) for ii in range(ilo, ihi + 1))
        return cells

    def _scan(
        self, lat: float, lon: float, k: int, accept: Callable[[int], bool] | None
    ) -> list[tuple[float, int]]:
        """Every point: for a query far outside the data, where rings would only add cost."""
        found = (
            (haversine_km(lat, lon, plat, plon), ident)
            for points in self.cells.values()
            for plat, plon, ident in points
            if accept is None or accept(ident)
        )
        return heapq.nsmallest(k, found)

    def nearest(
        self, lat: float, lon: float, k: int, accept: Callable[[int], bool] | None = None,
        within: float = math.inf,
    ) -> list[tuple[float, int]]:  # fmt: skip
        """Up to k (distance_km, id) pairs, nearest first, none farther than `within` km."""
        if not self.cells or k <= 0:
            return []
        i, j = self._key(lat, lon)
        b = self.bounds
        start = max(0, b[0] - i, i - b[1], b[2] - j, j - b[3])  # rings before hold no data
        if start > FAR_CELLS:
            return [(d, x) for d, x in self._scan(lat, lon, k, accept) if d <= within]
        reach = max(abs(i - b[0]), abs(i - b[1]), abs(j - b[2]), abs(j - b[3]))
        # The narrowest a cell can be here, so a ring's nearest point is never overestimated.
        narrowest = max(0.05, math.cos(math.radians(min(89.0, abs(lat) + (start + 1) * self.cell))))
        cell_km = self.cell * KM_PER_DEGREE * narrowest
        best: list[tuple[float, int]] = []  # a max-heap of the k best, by negated distance
        for r in range(start, reach + 1):
            if (r - 1) * cell_km > within or (len(best) == k and (r - 1) * cell_km > -best[0][0]):
                break
            for cell in self._ring(i, j, r):
                for plat, plon, ident in self.cells.get(cell, ()):
                    if accept is not None and not accept(ident):
                        continue
                    d = haversine_km(lat, lon, plat, plon)
                    if len(best) < k:
                        heapq.heappush(best, (-d, ident))
                    elif d < -best[0][0]:
                        heapq.heapreplace(best, (-d, ident))
        return sorted((-d, ident) for d, ident in best if -d <= within)
