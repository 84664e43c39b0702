"""Labelled cases for rule packs: a QA team tests its rules the way programmers test code.

A cases file (YAML or JSON) holds ``cases:``, each a transcript and what the pack must make
of it::

    cases:
      - name: greeting said with an ASR error
        turns:                      # or  file: stored-result.json (relative to this file)
          - agent: 你好，请问有什么可以帮您？
          - customer: 我想查一下账单。
        expect:
          findings: [complaint]      # rule ids or categories that must be found
          no_findings: [greeting-missing]
          score_min: 90
          critical_failed: false
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qa_service.analysis.inspect import InspectionOutcome, run
from qa_service.analysis.packs import read_yaml
from qa_service.domain.results import CallResult
from qa_service.domain.rulepack import Problem, RulePack, RulePackError
from qa_service.domain.transcript import Transcript, Utterance, sort_timeline
from qa_service.domain.vocabulary import Speaker
from qa_service.engines.registry import Engines

# Turns written without times get this much speech each, with a short gap between.
TURN_S = 3.0
GAP_S = 0.5


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: list[str] = Field(default_factory=list)
    no_findings: list[str] = Field(default_factory=list)
    score_min: float | None = Field(None, ge=0, le=100)
    score_max: float | None = Field(None, ge=0, le=100)
    critical_failed: bool | None = None


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    language: str | None = None
    channels: dict[str, str] = Field(default_factory=dict)
    turns: list[dict[str, Any]] | None = None
    file: str | None = None
    expect: Expect

    @model_validator(mode="after")
    def _one_source(self) -> Case:
        if (self.turns is None) == (self.file is None):
            raise ValueError("a case has either 'turns' or 'file'")
        return self


class CasesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cases: list[Case] = Field(min_length=1)


@dataclass
class CaseResult:
    name: str
    failures: list[str] = field(default_factory=list)
    outcome: InspectionOutcome | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


def load_cases(path: Path) -> list[Case]:
    doc = read_yaml(path)
    try:
        return CasesFile.model_validate(doc.data).cases
    except ValidationError as exc:
        problems = [doc.locate(Problem(tuple(err["loc"]), err["msg"])) for err in exc.errors()]
        raise RulePackError(problems) from None


def case_transcript(case: Case, base_dir: Path) -> Transcript:
    if case.file is not None:
        path = (base_dir / case.file).resolve()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RulePackError(f"case {case.name!r}: cannot read {path}: {exc}") from None
        return CallResult.from_dict(data).transcript
    assert case.turns is not None
    utterances = [_turn(case.name, k, turn) for k, turn in enumerate(case.turns)]
    _fill_times(utterances)
    end = max((u.end for u in utterances), default=0.0)
    return Transcript(sort_timeline(utterances), case.language, end + GAP_S, dict(case.channels))


def _turn(case: str, k: int, turn: dict[str, Any]) -> Utterance:
    """``{agent: text}`` shorthand, or a full utterance with role, text, start, end."""
    if len(turn) == 1 and next(iter(turn)) in tuple(Speaker):
        role, text = next(iter(turn.items()))
        return Utterance(role=role, start=-1.0, end=-1.0, text=str(text))
    try:
        return Utterance.from_dict({"start": -1.0, "end": -1.0, **turn})
    except (KeyError, TypeError, ValueError) as exc:
        raise RulePackError(f"case {case!r}: turn {k} needs role and text ({exc})") from None


def _fill_times(utterances: list[Utterance]) -> None:
    clock = 0.0
    for utt in utterances:
        if utt.start < 0:
            utt.start, utt.end = clock + GAP_S, clock + GAP_S + TURN_S
        clock = max(clock, utt.end)


def check_case(case: Case, outcome: InspectionOutcome) -> list[str]:
    found = {f.rule_id for f in outcome.findings} | {f.category for f in outcome.findings}
    failures = [
        f"expected a {name!r} finding" for name in case.expect.findings if name not in found
    ]
    failures += [
        f"unexpected {name!r} finding" for name in case.expect.no_findings if name in found
    ]
    total = outcome.score.total or 0.0
    if case.expect.score_min is not None and total < case.expect.score_min:
        failures.append(f"score {total} is below {case.expect.score_min}")
    if case.expect.score_max is not None and total > case.expect.score_max:
        failures.append(f"score {total} is above {case.expect.score_max}")
    expected_critical = case.expect.critical_failed
    if expected_critical is not None and outcome.score.critical_failed != expected_critical:
        failures.append(f"critical_failed is {outcome.score.critical_failed}")
    return failures


def run_cases(pack: RulePack, path: Path, engines: Engines) -> list[CaseResult]:
    results = []
    for case in load_cases(path):
        outcome = run(case_transcript(case, path.parent), pack, engines)
        results.append(CaseResult(case.name, check_case(case, outcome), outcome))
    return results
