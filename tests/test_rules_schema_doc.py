"""rules/SCHEMA.md documents every check type, every parameter and every pack/scorecard key."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from qa_service.domain.checks import check_types
from qa_service.domain.checks.params import PackSettings, Window
from qa_service.domain.rulepack import Dimension, PackSpec, RuleSpec, Scorecard, ScoreItem
from tests.rules_helpers import check, transcript

SCHEMA = (Path(__file__).resolve().parents[1] / "rules" / "SCHEMA.md").read_text("utf-8")


def field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def nested_models(model: type[BaseModel], seen: set[type] | None = None) -> list[type[BaseModel]]:
    """The model and every model its fields contain, however deeply."""
    seen = seen if seen is not None else set()
    if model in seen:
        return []
    seen.add(model)
    found = [model]
    for info in model.model_fields.values():
        for arg in _flatten(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                found += nested_models(arg, seen)
    return found


def _flatten(annotation) -> list:
    args = typing.get_args(annotation)
    return [annotation] + [a for arg in args for a in _flatten(arg)]


def section(name: str) -> str:
    match = re.search(rf"^### `{re.escape(name)}`\n(.*?)(?=^### |\Z)", SCHEMA, re.M | re.S)
    assert match, f"rules/SCHEMA.md has no '### `{name}`' section"
    return match.group(1)


@pytest.mark.parametrize("name", sorted(check_types()))
def test_every_check_type_and_parameter_is_documented(name: str) -> None:
    text = section(name)
    for model in nested_models(check_types()[name].params):
        for field in field_names(model):
            assert f"`{field}`" in text, f"{name}: parameter {field!r} is not in its section"


@pytest.mark.parametrize(
    "model", [PackSpec, RuleSpec, PackSettings, Window, Scorecard, Dimension, ScoreItem]
)
def test_every_pack_and_scorecard_key_is_documented(model: type[BaseModel]) -> None:
    for field in field_names(model):
        assert re.search(rf"^\| `{field}` \|", SCHEMA, re.M), f"{model.__name__}.{field}"


def test_every_metric_is_documented() -> None:
    metrics = check(transcript(("agent", "您好"), ("customer", "你好")), "zh-default").metrics
    for key in metrics:
        assert f"`{key}`" in SCHEMA, f"metric {key!r} is not in rules/SCHEMA.md"
