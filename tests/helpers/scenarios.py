"""Scenarios the tests share: the shipped scenario folder, the tiny centres and the Erlang A
contract as a planner writes them in YAML, and one builder for a single 101 line on one pool."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

#: the repository (scenarios/, sweeps/, targets/ are under it)
REPO_ROOT = Path(__file__).resolve().parents[2]
#: the shipped scenarios
SCENARIOS = REPO_ROOT / "scenarios"

#: a tiny two-line centre for a day: an emergency pool and a blended one (the CLI tests' centre)
TINY_CENTRE = """\
name: tiny
horizon: {start: 2018-03-05, days: 1}
demand:
  "999": {rate_per_hour: 3}
  "101": {rate_per_hour: 5}
handling:
  "999": {handle_time: {dist: exponential, mean_s: 240}, patience: {dist: exponential, mean_s: 60}}
  "101": {handle_time: {dist: lognormal, mean_s: 300, cv: 0.6}, service_level_s: 30}
pools:
  - {name: emergency, skills: ["999"], staffing: {flat: 1}}
  - {name: blended, skills: ["999", "101"], staffing: {flat: 2}}
"""

#: a tiny one-line centre for two days: the 101 line on three operators (the loader's centre)
TINY_101 = """\
name: tiny
horizon: {days: 2}
demand:
  "101": {rate_per_hour: 5}
handling:
  "101":
    handle_time: {dist: exponential, mean_s: 300}
    patience: {dist: exponential, mean_s: 180}
pools:
  - {name: all, skills: ["101"], staffing: {flat: 3}}
"""

#: the Erlang A contract scenario, kept exactly as the planner writes it
CONTRACT = """\
name: erlang-a-check
horizon: {days: 30, warmup_hours: 24}
demand:
  "101": {rate_per_hour: 114}
handling:
  "101": {handle_time: {dist: exponential, mean_s: 300}, patience: {dist: exponential, mean_s: 180}, service_level_s: 20}
pools:
  - {name: all, skills: ["101"], staffing: {flat: 50}}
"""  # noqa: E501


def write(path: Path, text: str) -> Path:
    """Write ``text`` (dedented) to ``path``, making its folder, and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as YAML (keys in the order given) to ``path`` and return the path."""
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def one_line_101(
    *,
    name: str = "one-line",
    rate_per_hour: float,
    handle_s: float = 300.0,
    patience_s: float | None = None,
    operators: int,
    days: float,
    warmup_hours: float | None = None,
    start: str | None = None,
    scale: float | None = None,
    service_level_s: float | None = None,
    handle_time: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A stationary 101 line served by one pool, ``all``, as a scenario mapping.

    Handle times are exponential with mean ``handle_s`` unless ``handle_time`` gives the
    distribution; patience is exponential with mean ``patience_s`` (none when ``None``). The
    optional fields are written only when given, so the mapping is what a planner would write.
    """
    horizon: dict[str, Any] = {}
    if start is not None:
        horizon["start"] = start
    horizon["days"] = days
    if warmup_hours is not None:
        horizon["warmup_hours"] = warmup_hours
    handling: dict[str, Any] = {
        "handle_time": handle_time or {"dist": "exponential", "mean_s": handle_s},
    }
    if patience_s is not None:
        handling["patience"] = {"dist": "exponential", "mean_s": patience_s}
    if service_level_s is not None:
        handling["service_level_s"] = service_level_s
    staffing: dict[str, Any] = {"flat": operators}
    if scale is not None:
        staffing["scale"] = scale
    return {
        "name": name,
        "horizon": horizon,
        "demand": {"101": {"rate_per_hour": rate_per_hour}},
        "handling": {"101": handling},
        "pools": [{"name": "all", "skills": ["101"], "staffing": staffing}],
    }
