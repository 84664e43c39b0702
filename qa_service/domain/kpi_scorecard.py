"""The balanced scorecard over KPIs: a composite score, tiers, ranking and trends.

Each component KPI is mapped to 0-100 linearly between a ``worst`` and a ``best`` value
(``best`` below ``worst`` for a KPI where lower is better) and clamped; the composite is the
weighted mean of the components an entity has values for. Weights, bounds and tier
thresholds are configuration, not code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from qa_service.domain.kpi import KPI_BY_ID, kpi_def
from qa_service.errors import InputError


@dataclass(frozen=True, slots=True)
class Component:
    kpi: str
    weight: float
    worst: float
    best: float

    def normalise(self, value: float) -> float:
        share = (value - self.worst) / (self.best - self.worst)
        return 100.0 * min(1.0, max(0.0, share))


DEFAULT_COMPONENTS: tuple[Component, ...] = (
    Component("qa_score", 0.30, worst=60.0, best=95.0),
    Component("compliance_rate", 0.20, worst=0.80, best=1.0),
    Component("fcr_rate", 0.15, worst=0.50, best=0.90),
    Component("csat", 0.10, worst=3.0, best=4.8),
    Component("complaint_rate", 0.10, worst=0.20, best=0.0),
    Component("negative_rate", 0.05, worst=0.40, best=0.05),
    Component("recovery_rate", 0.05, worst=0.20, best=0.80),
    Component("overturn_rate", 0.05, worst=0.50, best=0.0),
)
# An entity needs values for at least this share of the total weight to get a composite.
MIN_WEIGHT_SHARE = 0.5
# Weights are relative; a bound keeps their sum finite.
MAX_WEIGHT = 1000.0


def parse_weights(
    text: str | None, components: Sequence[Component] = DEFAULT_COMPONENTS
) -> tuple[Component, ...]:
    """``qa_score=0.4,fcr_rate=0.3``: new weights for named components; 0 drops one.

    Components not named keep their default weight.
    """
    weights = {c.kpi: c.weight for c in components}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in weights:
            known = ", ".join(weights)
            raise InputError(f"cannot read weight {part.strip()!r}: use NAME=WEIGHT with {known}")
        try:
            weights[name] = float(value)
        except ValueError:
            raise InputError(f"weight of {name!r} is not a number: {value!r}") from None
        if not 0 <= weights[name] <= MAX_WEIGHT:  # NaN fails this too
            raise InputError(f"weight of {name!r} must be between 0 and {MAX_WEIGHT:g}")
    chosen = tuple(
        Component(c.kpi, weights[c.kpi], c.worst, c.best) for c in components if weights[c.kpi] > 0
    )
    if not chosen:
        raise InputError("every composite weight is 0: keep at least one component")
    check_components(chosen)
    return chosen


def composite_score(
    values: Mapping[str, float | None],
    components: Sequence[Component] = DEFAULT_COMPONENTS,
    min_weight_share: float = MIN_WEIGHT_SHARE,
) -> float | None:
    """Weighted mean of the normalised components present in ``values``."""
    total = sum(c.weight for c in components)
    present = [(c, values.get(c.kpi)) for c in components]
    present = [(c, v) for c, v in present if v is not None]
    weight = sum(c.weight for c, _ in present)
    if not total or weight < min_weight_share * total:
        return None
    return round(sum(c.normalise(v) * c.weight for c, v in present) / weight, 1)


def parse_tiers(text: str) -> tuple[tuple[str, float], ...]:
    """``A:85,B:70,C:55,D:0``: a tier name and the lowest composite that reaches it.

    The default tiers are a setting (``Settings.kpi_tiers``), not written here.
    """
    tiers: list[tuple[str, float]] = []
    for part in text.split(","):
        name, sep, value = part.partition(":")
        try:
            if not sep or not name.strip():
                raise ValueError
            lowest = float(value)
            if not 0 <= lowest <= 100:  # a composite is 0-100; NaN and inf fail too
                raise ValueError
            tiers.append((name.strip(), lowest))
        except ValueError:
            raise InputError(
                f"cannot read tier {part.strip()!r}: use NAME:MIN_SCORE (0-100)"
            ) from None
    return tuple(sorted(tiers, key=lambda t: -t[1]))


def tier_of(score: float | None, tiers: Sequence[tuple[str, float]]) -> str | None:
    if score is None:
        return None
    for name, lowest in tiers:
        if score >= lowest:
            return name
    return None


def rank(values: Mapping[str, float | None], higher_is_better: bool = True) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4): equal values share a rank; None is not ranked."""
    scored = [(k, v) for k, v in values.items() if v is not None]
    scored.sort(key=lambda kv: (-kv[1] if higher_is_better else kv[1], kv[0]))
    ranks: dict[str, int] = {}
    for position, (key, value) in enumerate(scored, start=1):
        previous = scored[position - 2] if position > 1 else None
        ranks[key] = ranks[previous[0]] if previous and previous[1] == value else position
    return ranks


@dataclass(frozen=True, slots=True)
class Trend:
    first: float | None
    last: float | None
    delta: float | None  # last - the value before it
    slope: float | None  # least-squares change per period over the whole series
    direction: Literal["up", "down", "flat"] | None
    improving: bool | None


def trend(kpi_id: str, series: Sequence[float | None], flat_tolerance: float = 0.01) -> Trend:
    """How a KPI moved over consecutive periods (oldest first; None where there was no data).

    ``flat_tolerance``: a slope smaller than this share of the series' mean magnitude
    counts as flat.
    """
    points = [(i, v) for i, v in enumerate(series) if v is not None]
    if not points:
        return Trend(None, None, None, None, None, None)
    first, last = points[0][1], points[-1][1]
    delta = round(last - points[-2][1], 4) if len(points) > 1 else None
    if len(points) < 2:
        return Trend(first, last, delta, None, None, None)
    mean_x = sum(i for i, _ in points) / len(points)
    mean_y = sum(v for _, v in points) / len(points)
    sxx = sum((i - mean_x) ** 2 for i, _ in points)
    slope = sum((i - mean_x) * (v - mean_y) for i, v in points) / sxx
    scale = sum(abs(v) for _, v in points) / len(points)
    if math.isclose(slope, 0.0, abs_tol=flat_tolerance * scale if scale else 1e-12):
        direction: Literal["up", "down", "flat"] = "flat"
    else:
        direction = "up" if slope > 0 else "down"
    better = kpi_def(kpi_id).higher_is_better
    improving = None if better is None or direction == "flat" else (direction == "up") == better
    return Trend(first, last, delta, round(slope, 4), direction, improving)


def check_components(components: Sequence[Component]) -> None:
    for c in components:
        if c.kpi not in KPI_BY_ID:
            raise InputError(f"composite component {c.kpi!r} is not a KPI")
        if c.best == c.worst:
            raise InputError(f"composite component {c.kpi!r} has best == worst")
