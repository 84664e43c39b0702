"""The sampler's maths: quotas, allocation over strata, weights, reproducibility."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from qa_service.domain.sampling import (
    DEFAULT_RISK_WEIGHTS,
    SampleCandidate,
    SamplingOptions,
    agent_target,
    allocate,
    assign_reviewers,
    call_weight,
    draw_sample,
    parse_oversample,
    uniform,
)
from qa_service.errors import InputError


@pytest.mark.parametrize(
    ("rate", "population", "low", "high", "expected"),
    [
        (0.3, 10, 0, None, 3),
        (0.3, 1, 0, None, 0),  # 0.3 rounds to 0 ...
        (0.3, 1, 1, None, 1),  # ... unless a minimum asks for one
        (0.15, 10, 0, None, 2),  # 1.5 rounds half up, despite 0.15 * 10 < 1.5 in binary
        (0.25, 10, 0, None, 3),  # 2.5 -> 3
        (0.05, 10, 0, None, 1),
        (0.3, 100, 0, 20, 20),  # the maximum caps 30
        (0.3, 3, 5, None, 3),  # a minimum above the population takes everything
        (1.0, 7, 0, None, 7),
        (0.0, 7, 2, None, 2),
        (0.5, 0, 3, None, 0),
        (0.3, 50, 2, 4, 4),
    ],
)
def test_agent_target(rate, population, low, high, expected):
    options = SamplingOptions(rate=rate, min_per_agent=low, max_per_agent=high)
    assert agent_target(population, options) == expected


@pytest.mark.parametrize(
    ("target", "sizes", "expected"),
    [
        (5, {"a": 6, "b": 3, "c": 1}, {"a": 3, "b": 2, "c": 0}),  # b, c tie: larger wins
        (3, {"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 1}),
        (2, {"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 1, "c": 0}),  # full tie: by name
        (0, {"a": 4, "b": 2}, {"a": 0, "b": 0}),
        (10, {"a": 7, "b": 3}, {"a": 7, "b": 3}),
        (4, {"x": 5, "y": 5, "z": 10}, {"x": 1, "y": 1, "z": 2}),
        (3, {"x": 2, "y": 9}, {"x": 1, "y": 2}),  # 0.545 vs 2.455: remainders .545 > .455
    ],
)
def test_allocate_largest_remainder(target, sizes, expected):
    assert allocate(target, sizes) == expected
    assert sum(allocate(target, sizes).values()) == target


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("critical,complaint", {"critical": 4.0, "complaint": 3.0}),
        ("critical=5, short=1.5", {"critical": 5.0, "short": 1.5}),
        ("", {}),
        (None, {}),
        ("negative,silence,short", {"negative": 2.0, "silence": 2.0, "short": 2.0}),
    ],
)
def test_parse_oversample(text, expected):
    assert parse_oversample(text) == expected


@pytest.mark.parametrize("text", ["angry", "critical=x", "critical=5,bogus=2"])
def test_parse_oversample_rejects(text):
    with pytest.raises(InputError):
        parse_oversample(text)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rate": 1.5},
        {"rate": -0.1},
        {"min_per_agent": -1},
        {"min_per_agent": 5, "max_per_agent": 3},
        {"by": ("agent",)},
        {"oversample": {"angry": 2.0}},
        {"oversample": {"critical": 0.0}},
        {"short_ratio": 1.2},
    ],
)
def test_options_rejects(kwargs):
    with pytest.raises(InputError):
        SamplingOptions(**kwargs)


def test_options_round_trip():
    options = SamplingOptions(
        rate=0.2,
        min_per_agent=2,
        max_per_agent=9,
        by=("queue",),
        oversample={"short": 2.5, "critical": 4.0},
        seed=77,
        short_ratio=0.3,
    )
    assert SamplingOptions.from_dict(options.to_dict()) == options


@pytest.mark.parametrize(
    ("risks", "expected"),
    [
        (set(), 1.0),
        ({"critical"}, 4.0),
        ({"critical", "complaint"}, 4.0),  # the largest flag, not the product
        ({"negative", "short"}, 2.0),
        ({"silence"}, 1.0),  # not oversampled in this plan
    ],
)
def test_call_weight(risks, expected):
    weights = {k: DEFAULT_RISK_WEIGHTS[k] for k in ("critical", "complaint", "negative", "short")}
    assert call_weight(risks, weights) == expected


def test_uniform_is_fixed_by_seed_and_call():
    assert uniform(1, "c1") == uniform(1, "c1")
    assert uniform(1, "c1") != uniform(2, "c1")
    values = [uniform(3, f"c{i}") for i in range(2000)]
    assert all(0.0 < v < 1.0 for v in values)
    assert abs(sum(values) / len(values) - 0.5) < 0.03


def _population(seed: int = 0) -> list[SampleCandidate]:
    """Six agents with 3..60 calls over three queues, some calls risky."""
    rng = random.Random(seed)
    calls = []
    for a, n in enumerate([3, 8, 15, 24, 40, 60]):
        for i in range(n):
            queue = rng.choice(["billing", "billing", "tech", "sales"])
            risks = frozenset(r for r in ("critical", "complaint", "short") if rng.random() < 0.1)
            calls.append(SampleCandidate(f"a{a}-{i}", f"agent{a}", queue, "inbound", risks))
    return calls


def test_draw_meets_quotas_and_strata():
    calls = _population()
    options = SamplingOptions(rate=0.3, min_per_agent=2, max_per_agent=15, by=("queue",), seed=5)
    result = draw_sample(calls, options)
    drawn = Counter(s.agent_id for s in result.selected)
    sizes = Counter(c.agent_id for c in calls)
    for quota in result.quotas:
        assert drawn[quota.agent_id] == quota.target == agent_target(sizes[quota.agent_id], options)
        by_queue = Counter(c.queue for c in calls if c.agent_id == quota.agent_id)
        assert {k: v[0] for k, v in quota.strata.items()} == dict(by_queue)
        assert {k: v[1] for k, v in quota.strata.items()} == allocate(quota.target, by_queue)
        picked = Counter(s.stratum for s in result.selected if s.agent_id == quota.agent_id)
        assert {k: v for k, v in picked.items() if v} == {
            k: v[1] for k, v in quota.strata.items() if v[1]
        }
    assert drawn == {"agent0": 2, "agent1": 2, "agent2": 5, "agent3": 7, "agent4": 12, "agent5": 15}
    assert result.population == len(calls)


def test_draw_is_reproducible_and_order_free():
    calls = _population()
    options = SamplingOptions(rate=0.3, by=("queue",), oversample=parse_oversample("critical"))
    first = draw_sample(calls, options)
    shuffled = calls[:]
    random.Random(9).shuffle(shuffled)
    again = draw_sample(shuffled, options)
    assert [s.call_id for s in again.selected] == [s.call_id for s in first.selected]
    assert again.selection_digest == first.selection_digest
    assert again.population_digest == first.population_digest
    other = draw_sample(calls, SamplingOptions(rate=0.3, by=("queue",), seed=1))
    assert other.selection_digest != first.selection_digest


def test_raising_the_rate_only_adds_calls():
    calls = _population()
    low = {s.call_id for s in draw_sample(calls, SamplingOptions(rate=0.2, seed=3)).selected}
    high = {s.call_id for s in draw_sample(calls, SamplingOptions(rate=0.4, seed=3)).selected}
    assert low < high


def test_plain_sampling_is_uniform_over_seeds():
    calls = [SampleCandidate(f"c{i}", "agent", "q") for i in range(20)]
    hits: Counter[str] = Counter()
    seeds = 400
    for seed in range(seeds):
        hits.update(s.call_id for s in draw_sample(calls, SamplingOptions(0.3, seed=seed)).selected)
    # Each call's inclusion rate is 6/20; 0.1 is over 4 standard deviations at 400 draws.
    assert all(abs(hits[c.call_id] / seeds - 0.3) < 0.1 for c in calls)


def test_oversampling_favours_risky_calls():
    calls = [
        SampleCandidate(f"c{i}", "agent", "q", risks=frozenset({"critical"} if i < 10 else ()))
        for i in range(100)
    ]
    plain = risky = 0
    for seed in range(50):
        options = SamplingOptions(rate=0.1, seed=seed, oversample={"critical": 4.0})
        chosen = [s for s in draw_sample(calls, options).selected]
        risky += sum(1 for s in chosen if "critical" in s.risks)
        plain += sum(1 for s in chosen if not s.risks)
    # 10% of the population is risky; with weight 4 they are about a third of the sample.
    assert risky / (risky + plain) > 0.25
    unweighted = sum(
        1
        for seed in range(50)
        for s in draw_sample(calls, SamplingOptions(rate=0.1, seed=seed)).selected
        if s.risks
    )
    assert unweighted / 500 < 0.16


def test_duplicate_candidates_are_refused():
    call = SampleCandidate("c1", "a")
    with pytest.raises(InputError, match="twice"):
        draw_sample([call, call], SamplingOptions())


@pytest.mark.parametrize(
    ("calls", "reviewers", "load", "expected"),
    [
        (["1", "2", "3", "4"], ["r1", "r2"], None, {"r1": 2, "r2": 2}),
        (["1", "2", "3"], ["r1", "r2"], {"r1": 3}, {"r1": 0, "r2": 3}),
        (["1", "2", "3", "4", "5"], ["r1", "r2", "r3"], {"r3": 1}, {"r1": 2, "r2": 2, "r3": 1}),
    ],
)
def test_assign_reviewers_balances_load(calls, reviewers, load, expected):
    assigned = assign_reviewers(calls, reviewers, load)
    counts = Counter(assigned.values())
    assert {r: counts.get(r, 0) for r in reviewers} == expected
    assert set(assigned) == set(calls)


def test_assign_reviewers_needs_someone():
    with pytest.raises(InputError):
        assign_reviewers(["1"], [])
