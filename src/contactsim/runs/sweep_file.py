"""A sweep file: a base scenario, ``reps`` and ``seed``, a ``grid`` of dotted fields to value
lists (their full product) and/or named ``variants`` (each a set of changes), an optional
``plot``, and an optional ``precision`` (targets as ``--precision`` takes them, with
``max_reps``: each point then runs in batches until its intervals are that tight, ``reps``
being the minimum). :func:`load_sweep` reads and checks every field before any run and turns
the grid and variants into the sweep's points; :mod:`contactsim.runs.sweep` runs them.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from contactsim import limits
from contactsim.analysis.kpi_names import ASA_S
from contactsim.build.loading import load_scenario
from contactsim.config.scenario import Scenario
from contactsim.config.yaml_reading import read_yaml_mapping
from contactsim.data.files import check_input_file
from contactsim.errors import ContactsimError, ScenarioError
from contactsim.runs.defaults import DEFAULT_SEED, PRECISION_MAX_REPS
from contactsim.runs.precision import Rule, check_targets, parse_targets

__all__ = ["Point", "SweepSpec", "load_sweep", "with_precision"]


@dataclass(frozen=True)
class Point:
    """One point of the sweep: a name and the ``--set`` changes that make it."""

    index: int
    name: str
    changes: dict[str, Any]

    @property
    def overrides(self) -> list[str]:
        """The changes as ``dotted.path=value`` texts."""
        # JSON is YAML: numbers, quoted text, lists and mappings all read back as given
        return [f"{key}={json.dumps(value, default=str)}" for key, value in self.changes.items()]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file."""

    source: Path
    base: Path
    reps: int
    seed: int
    points: list[Point]
    plot_scope: str | None = None
    plot_kpi: str | None = None
    text: str = ""
    #: each point's replications run in batches until this rule stops (``reps`` the minimum)
    precision: Rule | None = None

    @property
    def fingerprint(self) -> str:
        """What makes two sweeps the same sweep: the file's content and the base scenario's."""
        digest = hashlib.sha256(self.text.encode())
        digest.update(self.base.read_bytes())
        return digest.hexdigest()[:16]


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file (YAML, loaded safely): every field, before any run.

    ``plot`` (optional) is ``{scope: LINE, POOL or resolution_centre, kpi: KPI}``: the KPI must
    be a known KPI of that kind of scope, and the scope a line or pool of the base scenario.
    """
    from contactsim.analysis import kpis as registry

    source = Path(path)
    file = str(source)
    text, data = read_yaml_mapping(source, "sweep file")
    known = {"base", "reps", "seed", "grid", "variants", "plot", "precision", "max_reps"}
    for key in data:
        if key not in known:
            raise ScenarioError.single(str(key), key, f"a known field ({', '.join(sorted(known))})",
                                       file)
    if not isinstance(data.get("base"), str):
        raise ScenarioError.single("base", data.get("base"), "the base scenario's file", file)
    base = (source.parent / data["base"]).resolve()
    try:
        check_input_file(base, "scenario file", limits.MAX_YAML_BYTES)
    except ScenarioError as exc:
        raise ScenarioError.single("base", data["base"], f"{exc.problems[0].expected} ({base})",
                                   file) from None
    reps = data.get("reps", 5)
    seed = data.get("seed", DEFAULT_SEED)
    for name, value in (("reps", reps), ("seed", seed)):
        if not isinstance(value, int) or isinstance(value, bool) or value < (1 if name == "reps"
                                                                              else 0):
            raise ScenarioError.single(name, value, "a whole number" +
                                       (" >= 1" if name == "reps" else " >= 0"), file)
    grid = data.get("grid") or {}
    if not isinstance(grid, dict):
        raise ScenarioError.single("grid", grid, "dotted.field: [value, value, ...]", file)
    for key, values in grid.items():
        if not isinstance(key, str) or not key.strip():
            raise ScenarioError.single("grid", key, "dotted.field names (text) as the grid's "
                                       "keys, e.g. shrinkage or pools.blended.staffing.flat",
                                       file)
        if not isinstance(values, list) or not values:
            raise ScenarioError.single(f"grid.{key}", values,
                                       "a list of at least one value: [value, value, ...]", file)
    variants = data.get("variants") or [{"name": "", "set": {}}]
    if not isinstance(variants, list):
        raise ScenarioError.single("variants", variants, "a list of {name, set}", file)
    for index, variant in enumerate(variants):
        if not (isinstance(variant, dict) and set(variant) <= {"name", "set"}
                and isinstance(variant.get("name", ""), str)
                and isinstance(variant.get("set") or {}, dict)
                and all(isinstance(k, str) for k in (variant.get("set") or {}))):
            raise ScenarioError.single(f"variants[{index}]", variant,
                                       "{name: TEXT, set: {dotted.field: value}}", file)
    runs = math.prod(len(v) for v in grid.values()) * len(variants) * reps
    if reps > limits.MAX_REPLICATIONS or runs > limits.MAX_SWEEP_RUNS:
        raise ScenarioError.single(
            "grid", f"{runs:,} runs ({reps} replications of each point)",
            f"at most {limits.MAX_REPLICATIONS:,} replications a point and "
            f"{limits.MAX_SWEEP_RUNS:,} runs in one sweep", file)
    points: list[Point] = []
    keys = list(grid)
    for values in itertools.product(*(grid[key] for key in keys)):
        for variant in variants:
            changes = {**dict(zip(keys, values, strict=True)), **(variant.get("set") or {})}
            label = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(keys, values,
                                                                         strict=True))
            name = " / ".join(part for part in (variant.get("name", ""), label) if part)
            points.append(Point(len(points), name or "base", changes))
    plot = data.get("plot")
    plot = {} if plot is None else plot
    shape = "{scope: LINE or POOL, kpi: KPI}"
    if not isinstance(plot, dict):
        raise ScenarioError.single("plot", plot, shape, file)
    for key in plot:
        if key not in ("scope", "kpi"):
            raise ScenarioError.single(f"plot.{key}", key, f"a field of plot: {shape}", file)
    scope = plot.get("scope")
    if scope is not None and (isinstance(scope, bool) or not isinstance(scope, str | int)):
        raise ScenarioError.single("plot.scope", scope, "a line or pool name", file)
    scope = None if scope is None else str(scope)
    kpi = plot.get("kpi")
    if kpi is not None and (not isinstance(kpi, str) or kpi not in registry.KPIS):
        raise ScenarioError.single("plot.kpi", kpi,
                                   f"a KPI name, one of {', '.join(registry.KPIS)}", file)
    if scope is not None or kpi is not None:
        # the scope must be a line or pool of the base scenario (a base that does not load is
        # left to the runs, which record why), and the KPI one that kind of scope has
        try:
            scenario: Scenario | None = load_scenario(base).scenario
        except ScenarioError:
            scenario = None
        if scenario is not None:
            line_kpis = [k.name for k in (*registry.LINE_KPIS, *registry.TRIAGE_KPIS)]
            kinds: dict[str, list[str]] = {line: list(line_kpis) for line in scenario.lines}
            for line in scenario.lines:  # a line with bursts or call-backs has their KPIs too
                if scenario.demand[line].bursts is not None:
                    kinds[line] += [k.name for k in registry.BURST_KPIS]
                if scenario.handling[line].call_backs is not None:
                    kinds[line] += [k.name for k in registry.CALL_BACK_KPIS]
            for pool in scenario.pools:
                kinds.setdefault(pool.name, []).extend(k.name for k in registry.POOL_KPIS)
            if scenario.resolution_centre is not None:
                kinds.setdefault(registry.RC_SCOPE, []).extend(k.name for k in registry.RC_KPIS)
            if scope is not None and scope not in kinds:
                raise ScenarioError.single(
                    "plot.scope", scope,
                    f"a line or pool of {base.name}: one of {', '.join(kinds)}", file)
            allowed = kinds[scope] if scope is not None else line_kpis  # default: first line
            shown = kpi or ASA_S  # the plot's default KPI
            if shown not in allowed:
                where = f"{scope}" if scope is not None else "a line (the default scope)"
                default = "" if kpi else f" (the default, {shown}, is not one)"
                raise ScenarioError.single(
                    "plot.kpi", kpi,
                    f"a KPI of {where}{default}: one of {', '.join(allowed)}", file)
    spec = SweepSpec(
        source=source, base=base, reps=reps, seed=seed, points=points,
        plot_scope=scope, plot_kpi=kpi, text=text,
    )
    texts = data.get("precision")
    max_reps = data.get("max_reps")
    if texts is None:
        if max_reps is not None:
            raise ScenarioError.single("max_reps", max_reps, "max_reps only with precision "
                                       "(the most replications a point may take)", file)
        return spec
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise ScenarioError.single("precision", texts, "a list of SCOPE:KPI=HALF_WIDTH, e.g. "
                                   "['101:asa_s=5', '999:service_level=0.005', "
                                   "'101:abandon_rate=5%']", file)
    if max_reps is not None and (not isinstance(max_reps, int) or isinstance(max_reps, bool)):
        raise ScenarioError.single("max_reps", max_reps, "a whole number", file)
    return with_precision(spec, texts, max_reps, f"{file}: precision")


def with_precision(spec: SweepSpec, texts: list[str] | tuple[str, ...], max_reps: int | None,
                   where: str = "--precision") -> SweepSpec:
    """``spec`` with each point run to the precision ``texts`` ask (``--precision`` targets,
    checked against the base scenario), from ``spec.reps`` replications up to ``max_reps``
    (default :data:`~contactsim.runs.defaults.PRECISION_MAX_REPS`, or ``reps`` if more); a
    ContactsimError names ``where`` (the option or the file's field), the text and what is
    wrong."""
    targets = parse_targets(texts, where)
    try:
        base: Scenario | None = load_scenario(spec.base).scenario
    except ScenarioError:
        base = None  # a base that does not load is left to the runs, which record why
    if base is not None:
        check_targets(targets, base, where)
    cap = max_reps if max_reps is not None else max(PRECISION_MAX_REPS, spec.reps)
    try:
        rule = Rule(targets, min_reps=spec.reps, max_reps=cap)
    except ContactsimError as exc:
        raise ContactsimError(f"{where}: {exc}") from None
    if len(spec.points) * cap > limits.MAX_SWEEP_RUNS:
        raise ContactsimError(f"{where}: {len(spec.points):,} points × up to {cap:,} "
                              f"replications; expected at most {limits.MAX_SWEEP_RUNS:,} runs "
                              "in one sweep (lower max_reps)")
    return replace(spec, precision=rule)
