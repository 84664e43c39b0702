"""Sampling plans: which machine-checked calls go to a human reviewer.

The machine checks every call; people review a sample. A plan takes a rate per agent
(bounded by a minimum and a maximum), splits each agent's quota over strata (queue,
direction) in proportion to their size, and inside a stratum draws calls by weighted sampling
without replacement, where risky calls (a critical failure, a complaint, a negative customer,
long silences, an unusually short call) weigh more.

Reproducible by construction: a call's random number is a hash of the plan's seed and the call
id, not a draw from a generator, so the sample does not depend on the order the store returns
calls in, and a stored plan (parameters + seed) re-derives exactly the same calls.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from qa_service.errors import InputError

RISK_FLAGS = ("critical", "complaint", "negative", "silence", "short")
RISK_DESCRIPTIONS = {
    "critical": "the scorecard failed the call on a critical item",
    "complaint": "a complaint or escalation finding",
    "negative": "a customer_negative finding (negative customer sentiment)",
    "silence": "a silence or unannounced hold finding (long silences)",
    "short": "shorter than short_ratio x the mean duration of its queue in the period",
}
# How many times as likely as a plain call a risky call is to be drawn (the largest of its flags).
DEFAULT_RISK_WEIGHTS = {
    "critical": 4.0,
    "complaint": 3.0,
    "negative": 2.0,
    "silence": 2.0,
    "short": 2.0,
}
STRATA_FIELDS = ("queue", "direction")
# Defaults of a plan, the same for the API, the queue page and the CLI.
DEFAULT_RATE = 0.3
DEFAULT_SHORT_RATIO = 0.4


@dataclass(frozen=True, slots=True)
class SampleCandidate:
    call_id: str
    agent_id: str
    queue: str | None = None
    direction: str | None = None
    risks: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SamplingOptions:
    rate: float = DEFAULT_RATE
    min_per_agent: int = 0
    max_per_agent: int | None = None
    by: tuple[str, ...] = ()
    oversample: Mapping[str, float] = field(default_factory=dict)
    seed: int = 0
    # A call shorter than this share of its queue's mean duration counts as "short".
    short_ratio: float = DEFAULT_SHORT_RATIO

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise InputError(f"sampling rate must be between 0 and 1, got {self.rate}")
        if self.min_per_agent < 0:
            raise InputError("--min-per-agent cannot be negative")
        if self.max_per_agent is not None and self.max_per_agent < self.min_per_agent:
            raise InputError(
                f"--max-per-agent ({self.max_per_agent}) is below --min-per-agent "
                f"({self.min_per_agent})"
            )
        unknown = [b for b in self.by if b not in STRATA_FIELDS]
        if unknown:
            raise InputError(f"cannot stratify by {unknown[0]!r}: use one of {STRATA_FIELDS}")
        for flag, weight in self.oversample.items():
            if flag not in RISK_FLAGS:
                raise InputError(f"unknown risk {flag!r} to oversample: use one of {RISK_FLAGS}")
            if not weight > 0:
                raise InputError(f"oversampling weight of {flag!r} must be above 0")
        if not 0.0 < self.short_ratio < 1.0:
            raise InputError("short_ratio must be between 0 and 1")

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "min_per_agent": self.min_per_agent,
            "max_per_agent": self.max_per_agent,
            "by": list(self.by),
            "oversample": dict(sorted(self.oversample.items())),
            "seed": self.seed,
            "short_ratio": self.short_ratio,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SamplingOptions:
        return cls(
            rate=float(data["rate"]),
            min_per_agent=int(data.get("min_per_agent") or 0),
            max_per_agent=None if data.get("max_per_agent") is None else int(data["max_per_agent"]),
            by=tuple(data.get("by") or ()),
            oversample={k: float(v) for k, v in (data.get("oversample") or {}).items()},
            seed=int(data.get("seed") or 0),
            short_ratio=float(data.get("short_ratio", DEFAULT_SHORT_RATIO)),
        )


@dataclass(frozen=True, slots=True)
class SampledCall:
    call_id: str
    agent_id: str
    stratum: str
    risks: frozenset[str]
    weight: float


@dataclass(frozen=True, slots=True)
class AgentQuota:
    agent_id: str
    population: int
    target: int
    strata: Mapping[str, tuple[int, int]]  # stratum -> (population, drawn)


@dataclass(frozen=True, slots=True)
class SampleResult:
    options: SamplingOptions
    selected: list[SampledCall]
    quotas: list[AgentQuota]
    population_digest: str
    selection_digest: str

    @property
    def population(self) -> int:
        return sum(q.population for q in self.quotas)


def parse_oversample(text: str | None) -> dict[str, float]:
    """``critical,complaint`` (default weights) or ``critical=5,short=1.5``."""
    weights: dict[str, float] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in RISK_FLAGS:
            raise InputError(f"unknown risk {name!r} to oversample: use one of {RISK_FLAGS}")
        try:
            weights[name] = float(value) if value else DEFAULT_RISK_WEIGHTS[name]
        except ValueError:
            raise InputError(
                f"oversampling weight of {name!r} is not a number: {value!r}"
            ) from None
    return weights


def agent_target(population: int, options: SamplingOptions) -> int:
    """Calls to draw for one agent: rate x calls rounded half up, then the bounds."""
    # The small epsilon keeps 0.15 * 10 from rounding down because of binary floats.
    target = math.floor(options.rate * population + 0.5 + 1e-9)
    target = max(target, min(options.min_per_agent, population))
    if options.max_per_agent is not None:
        target = min(target, options.max_per_agent)
    return min(target, population)


def allocate(target: int, sizes: Mapping[str, int]) -> dict[str, int]:
    """Split ``target`` over strata in proportion to their sizes (largest remainder).

    Ties in the remainder go to the larger stratum, then to the stratum name, so the split
    is deterministic.
    """
    total = sum(sizes.values())
    if total == 0 or target == 0:
        return dict.fromkeys(sizes, 0)
    # Integer arithmetic: the quota and its remainder are exact, ties are real ties.
    counts = {k: target * n // total for k, n in sizes.items()}
    remainders = {k: target * n % total for k, n in sizes.items()}
    left = target - sum(counts.values())
    order = sorted(sizes, key=lambda k: (-remainders[k], -sizes[k], k))
    for k in order[:left]:
        counts[k] += 1
    return counts


def call_weight(risks: Iterable[str], oversample: Mapping[str, float]) -> float:
    """The largest oversampling weight among the call's risks; 1 for a plain call."""
    return max((oversample[r] for r in risks if r in oversample), default=1.0)


def uniform(seed: int, call_id: str) -> float:
    """A number in (0, 1) fixed by the seed and the call id alone."""
    digest = hashlib.blake2b(f"{seed}\x1f{call_id}".encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") + 0.5) / 2.0**64


def sort_key(seed: int, call_id: str, weight: float) -> float:
    """Efraimidis-Spirakis key: the k largest keys are a weighted sample without replacement."""
    return math.log(uniform(seed, call_id)) / weight


def stratum_of(candidate: SampleCandidate, by: Sequence[str]) -> str:
    return "/".join(str(getattr(candidate, name) or "-") for name in by) or "all"


def digest(lines: Iterable[str]) -> str:
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()


def _draw_stratum(
    calls: list[SampleCandidate], count: int, options: SamplingOptions, stratum: str
) -> list[SampledCall]:
    if count <= 0:
        return []
    keyed = []
    for c in calls:
        weight = call_weight(c.risks, options.oversample)
        keyed.append((sort_key(options.seed, c.call_id, weight), c, weight))
    # The largest keys win; equal keys (practically never) go to the smaller call id.
    top = heapq.nsmallest(count, keyed, key=lambda kcw: (-kcw[0], kcw[1].call_id))
    return [SampledCall(c.call_id, c.agent_id, stratum, c.risks, w) for _k, c, w in top]


def draw_sample(candidates: Iterable[SampleCandidate], options: SamplingOptions) -> SampleResult:
    by_agent: dict[str, dict[str, list[SampleCandidate]]] = defaultdict(lambda: defaultdict(list))
    seen: set[str] = set()
    for c in candidates:
        if c.call_id in seen:
            raise InputError(f"call {c.call_id!r} appears twice among the sampling candidates")
        seen.add(c.call_id)
        by_agent[c.agent_id][stratum_of(c, options.by)].append(c)
    selected: list[SampledCall] = []
    quotas: list[AgentQuota] = []
    for agent_id in sorted(by_agent):
        strata = by_agent[agent_id]
        sizes = {k: len(v) for k, v in strata.items()}
        target = agent_target(sum(sizes.values()), options)
        counts = allocate(target, sizes)
        for stratum in sorted(strata):
            selected += _draw_stratum(strata[stratum], counts[stratum], options, stratum)
        quotas.append(
            AgentQuota(
                agent_id,
                sum(sizes.values()),
                target,
                {k: (sizes[k], counts[k]) for k in sorted(sizes)},
            )
        )
    return SampleResult(
        options=options,
        selected=selected,
        quotas=quotas,
        population_digest=digest(seen),
        selection_digest=digest(s.call_id for s in selected),
    )


def assign_reviewers(
    call_ids: Sequence[str], reviewers: Sequence[str], load: Mapping[str, int] | None = None
) -> dict[str, str]:
    """Give each call to the reviewer with the fewest calls so far (ties: by name).

    ``load`` is what each reviewer already has open, so a new plan evens out workloads
    instead of adding the same share to everyone.
    """
    if not reviewers:
        raise InputError("no reviewers to assign the sample to")
    current = {r: int((load or {}).get(r, 0)) for r in reviewers}
    assigned: dict[str, str] = {}
    for call_id in call_ids:
        reviewer = min(current, key=lambda r: (current[r], r))
        assigned[call_id] = reviewer
        current[reviewer] += 1
    return assigned
