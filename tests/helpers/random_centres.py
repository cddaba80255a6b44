"""Small random centres for the model's properties (hypothesis): the scenarios, and one
replication run with each caller's patience noted, so that checks can read the per-call
records independently of the tallies.

Scenarios have one or two lines, one to three pools whose skills cover every line, flat or
two-step staffing, exponential or lognormal handle times, exponential patience or none, and
horizons of a few hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from contactsim.build.loading import scenario_from_mapping
from contactsim.build.model_inputs import model_inputs
from contactsim.build.streams import Streams
from contactsim.config.scenario import Scenario
from contactsim.engine.builder import simulate
from contactsim.engine.inputs import ModelInputs
from contactsim.engine.plan import ShiftRoster, StaffingPlan
from contactsim.engine.records import CallRecord, RunTallies

#: Float slack for times rebuilt from records (arrival + wait): sums in another order than the
#: simulation clock's may differ in the last bits, never by anything close to a microsecond.
TIME_EPS_S = 1e-6

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

seeds = st.integers(min_value=0, max_value=2**32 - 1)
replications = st.integers(min_value=0, max_value=20)


# --- random scenarios -------------------------------------------------------------------------


def duration(draw: st.DrawFn, low_s: float, high_s: float) -> dict[str, Any]:
    mean_s = draw(st.floats(low_s, high_s))
    if draw(st.booleans()):
        return {"dist": "exponential", "mean_s": mean_s}
    return {"dist": "lognormal", "mean_s": mean_s, "cv": draw(st.floats(0.2, 1.5))}


def staffing(draw: st.DrawFn, flat_only: bool, hours: int) -> dict[str, Any]:
    if flat_only or draw(st.booleans()):
        return {"flat": draw(st.integers(1, 4))}
    # Two steps on the horizon's first day (a Monday), so no shift of the day before spills in:
    # `before` operators until `change_h`, then `after`.
    change_h = draw(st.integers(1, hours - 1))
    before, after = draw(st.integers(0, 4)), draw(st.integers(1, 4))
    return {
        "shifts": [
            {"start": "00:00", "length_h": change_h, "days": ["mon"], "count": before},
            {
                "start": f"{change_h:02d}:00",
                "length_h": 24 - change_h,
                "days": ["mon"],
                "count": after,
            },
        ]
    }


@st.composite
def scenarios(draw: st.DrawFn, flat_only: bool = False) -> Scenario:
    """A small scenario: 1–2 lines, 1–3 pools covering every line, a few hours."""
    lines = draw(st.sampled_from([("999",), ("101",), ("999", "101")]))
    hours = draw(st.integers(2, 5))
    interval_minutes = draw(st.sampled_from([15, 30, 60]))
    warmup_hours = draw(st.sampled_from([0, 1]))
    demand: dict[str, Any] = {}
    handling: dict[str, Any] = {}
    for name in lines:
        demand[name] = {"rate_per_hour": draw(st.floats(2.0, 40.0))}
        if name == "101" and draw(st.booleans()):
            demand[name]["online_shift"] = draw(st.floats(0.0, 0.3))
        handling[name] = {"handle_time": duration(draw, 30.0, 600.0)}
        if draw(st.booleans()):
            handling[name]["patience"] = {
                "dist": "exponential",
                "mean_s": draw(st.floats(20.0, 900.0)),
            }
    skill_sets = st.lists(st.sampled_from(lines), min_size=1, unique=True).map(tuple)
    skills = draw(st.lists(skill_sets, min_size=1, max_size=3))
    uncovered = [name for name in lines if not any(name in s for s in skills)]
    skills[0] = (*skills[0], *uncovered)
    pools = [
        {"name": f"pool{i}", "skills": list(s), "staffing": staffing(draw, flat_only, hours)}
        for i, s in enumerate(skills)
    ]
    raw: dict[str, Any] = {
        "name": "property",
        "horizon": {
            "days": hours / 24,
            "warmup_hours": warmup_hours,
            "interval_minutes": interval_minutes,
        },
        "demand": demand,
        "handling": handling,
        "pools": pools,
    }
    if len(lines) == 2 and draw(st.booleans()):
        raw["routing"] = {"reserve": {"for_line": "999", "idle_operators": draw(st.integers(1, 2))}}
    return scenario_from_mapping(raw)


# --- running with the callers' patience kept -------------------------------------------------


@dataclass
class Run:
    """One replication with what the model drew for each caller and the pools it had."""

    tallies: RunTallies
    records: list[CallRecord]
    #: line -> {handle_s: patience_s} of every caller who rang (lines with patience only)
    patience: dict[str, dict[float, float]]
    #: people on duty (for a pool on shifts, from its roster's duties)
    plans: dict[str, StaffingPlan]
    skills: dict[str, tuple[str, ...]]
    #: the duties of the pools on shifts
    rosters: dict[str, ShiftRoster]

    def patience_of(self, record: CallRecord) -> float:
        """The patience drawn for the caller of ``record`` (inf on a line without one)."""
        if record.line not in self.patience:
            return math.inf
        return self.patience[record.line][record.handle_s]


def run_logged(scenario: Scenario, seed: int, replication: int) -> Run:
    """One replication as :func:`run_tallies` runs it, noting each caller's patience.

    The model draws a caller's handle time and then their patience when the caller rings, so
    each patience is paired here with the handle time drawn just before it. Records keep the
    handle time exactly as drawn, and continuous draws do not repeat, so it identifies the
    caller; arrival times would not, as the model's clock may differ from them in the last bit.
    """
    inputs = model_inputs(scenario, Streams(seed, replication), keep_records=True)
    lines, pools, model_settings = inputs.lines, inputs.pools, inputs.settings
    patience: dict[str, dict[float, float]] = {}
    logged = []
    for line in lines:
        if line.patience is None:
            logged.append(line)
            continue
        by_handle = patience[line.name] = {}
        last_handle: list[float] = []

        def handle_time(draw=line.handle_time, last=last_handle) -> float:
            last[:] = [draw()]
            return last[0]

        def patience_time(draw=line.patience, last=last_handle, out=by_handle) -> float:
            out[last[0]] = draw()
            return out[last[0]]

        logged.append(replace(line, handle_time=handle_time, patience=patience_time))
    tallies = simulate(ModelInputs(logged, pools, model_settings))
    assert tallies.records is not None
    return Run(
        tallies=tallies,
        records=tallies.records,
        patience=patience,
        plans={pool.name: pool.staffing if isinstance(pool.staffing, StaffingPlan)
               else pool.staffing.on_duty() for pool in pools},
        skills={pool.name: pool.skills for pool in pools},
        rosters={pool.name: pool.staffing for pool in pools
                 if isinstance(pool.staffing, ShiftRoster)},
    )


def counted(run: Run) -> list[CallRecord]:
    """Records of calls that arrived in the measured window."""
    return [r for r in run.records if r.arrival_s >= run.tallies.warmup_s]


def same_number(a: float, b: float) -> bool:
    """Equal, counting two NaNs (a KPI with nothing to divide) as equal."""
    return (math.isnan(a) and math.isnan(b)) or a == b
