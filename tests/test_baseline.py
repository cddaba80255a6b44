"""The shipped 2018 baseline against the published figures (CALIBRATION.md).

Three replications of the year: the means must fall within the tolerances the issues set
(±25% for the contact centre for now; ±5% for the Resolution Centre's volume and outcome
shares). The full check is `make run` (10 replications; figures in the README).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contactsim.experiment import run_scenario
from contactsim.loader import load_scenario

BASELINE = Path(__file__).parent.parent / "scenarios" / "baseline-2018.yaml"


@pytest.fixture(scope="module")
def year() -> dict[tuple[str, str], float]:
    scenario = load_scenario(BASELINE).scenario
    summary = run_scenario(scenario, reps=3, seed=2018, workers=2).summary
    return {(row.scope, row.kpi): row.mean for row in summary.itertuples()}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scope", "kpi", "published", "tolerance"),
    [
        ("999", "offered", 173_676, 0.02),
        ("101", "offered", 341_204, 0.02),
        ("999", "abandon_rate", 0.010, 0.25),  # "just over 1%"
        ("999", "asa_s", 10.0, 0.25),  # 8 s late in the year, higher in summer
        ("101", "asa_s", 209.0, 0.25),  # 3 min 29 s
        ("101", "abandon_rate", 0.127, 0.25),
        ("resolution_centre", "rc_incidents", 19_295, 0.05),
    ],
)
def test_baseline_reproduces_2018(
    year: dict[tuple[str, str], float], scope: str, kpi: str, published: float,
    tolerance: float,
) -> None:
    assert abs(year[(scope, kpi)] / published - 1) <= tolerance, year[(scope, kpi)]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kpi", "published_share"),
    [("rc_resolved", 18_849 / 19_295), ("rc_front_line", 391 / 19_295),
     ("rc_partner", 49 / 19_295)],
)
def test_baseline_rc_outcome_shares(
    year: dict[tuple[str, str], float], kpi: str, published_share: float
) -> None:
    share = year[("resolution_centre", kpi)] / year[("resolution_centre", "rc_incidents")]
    # ±5% of the share; the partner count (~49 a year) is too small for that over three
    # replications (its Poisson noise alone is ±8%), so it gets ±20%
    tolerance = 0.20 if kpi == "rc_partner" else 0.05
    assert abs(share / published_share - 1) <= tolerance, share


@pytest.mark.slow
def test_baseline_rc_share_of_incidents(year: dict[tuple[str, str], float]) -> None:
    assert abs(year[("resolution_centre", "rc_share_of_incidents")] / 0.083 - 1) <= 0.05
