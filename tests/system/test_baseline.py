"""The shipped 2018 baseline against the published figures (CALIBRATION.md, issue 8).

Three replications of the year, seed 2018: every figure the issue names must come out in its
range. The full check is ``make run`` (10 replications) or
``contactsim calibrate scenarios/baseline-2018.yaml --targets targets/2018.yaml`` (figures in
the README). 999 ASA: the report gives 8 s for November and December ("the lowest in over
three years", higher in the summer peak); we target 10 s for the year (see targets/2018.yaml).
"""

from __future__ import annotations

import pandas as pd
import pytest

from contactsim.analysis.periods import by_month, period_values, summarise_by
from contactsim.build.loading import load_scenario
from contactsim.runs.experiment import RunResults, run_scenario
from helpers.scenarios import SCENARIOS

BASELINE = SCENARIOS / "baseline-2018.yaml"


@pytest.fixture(scope="module")
def year() -> RunResults:
    scenario = load_scenario(BASELINE).scenario
    return run_scenario(scenario, reps=3, seed=2018, workers=2)


def mean(results: RunResults, line: str, kpi: str, months: tuple[int, ...] | None = None) -> float:
    return float(period_values(results.intervals, line, kpi, months).mean())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("line", "kpi", "months", "low", "high"),
    [
        ("999", "offered", None, 173_676 * 0.99, 173_676 * 1.01),
        ("101", "offered", None, 341_204 * 0.99, 341_204 * 1.01),
        ("999", "abandon_rate", None, 0.010, 0.015),      # "just over 1%"
        ("999", "asa_s", None, 10 - 3, 10 + 3),           # 10 s for the year, within 3 s
        ("999", "asa_s", (11, 12), 8 - 3, 8 + 3),         # 8 s in November and December
        ("101", "asa_s", None, 209 * 0.9, 209 * 1.1),     # 3 min 29 s, within 10%
        ("101", "abandon_rate", None, 0.127 - 0.015, 0.127 + 0.015),
        ("101", "asa_s", (12,), 0, 120),                  # December: under 2 minutes
        ("101", "abandon_rate", (12,), 0.08 - 0.015, 0.08 + 0.015),  # December: 8%
    ],
)
def test_baseline_reproduces_2018(
    year: RunResults, line: str, kpi: str, months: tuple[int, ...] | None, low: float,
    high: float,
) -> None:
    value = mean(year, line, kpi, months)
    assert low <= value <= high, value


@pytest.mark.slow
def test_baseline_peaks_in_july(year: RunResults) -> None:
    offered = summarise_by(year.intervals, "999", "offered", by_month).set_index("key")["mean"]
    assert offered.idxmax() == 7
    asa = summarise_by(year.intervals, "101", "asa_s", by_month).set_index("key")["mean"]
    assert asa.idxmax() in (6, 7, 8)  # "peaked during the high demand months"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kpi", "published_share"),
    [("rc_resolved", 18_849 / 19_295), ("rc_front_line", 391 / 19_295),
     ("rc_partner", 49 / 19_295)],
)
def test_baseline_rc_outcome_shares(
    year: RunResults, kpi: str, published_share: float
) -> None:
    summary = year.summary.set_index(["scope", "kpi"])["mean"]
    share = summary[("resolution_centre", kpi)] / summary[("resolution_centre", "rc_incidents")]
    # ±5% of the share; the partner count (~49 a year) is too small for that over three
    # replications (its Poisson noise alone is ±8%), so it gets ±20%
    tolerance = 0.20 if kpi == "rc_partner" else 0.05
    assert abs(share / published_share - 1) <= tolerance, share


@pytest.mark.slow
def test_baseline_rc_volume_and_share_of_incidents(year: RunResults) -> None:
    summary: pd.Series = year.summary.set_index(["scope", "kpi"])["mean"]
    assert abs(summary[("resolution_centre", "rc_incidents")] / 19_295 - 1) <= 0.05
    assert abs(summary[("resolution_centre", "rc_share_of_incidents")] / 0.083 - 1) <= 0.05
