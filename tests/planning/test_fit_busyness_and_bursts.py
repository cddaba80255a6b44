"""``demand fit``: day-to-day busyness and bursts recovered from logs with planted values.

Busyness: logs synthesised by the model's own busyness (``demand synth``'s
:func:`synthetic_log`) with a planted cv, fitted back; the planted cv must lie in the fitted 95%
interval, and a log without busyness must give an interval holding 0. The moment estimator's
correction for the profile fitted from the same days is checked by hand on the one case with a
closed form. Bursts: the first calls of a synthesised log, with bursts of duplicates planted on
top by numpy (share, Poisson extra calls, exponential gaps) and an ``incident_id`` column;
the planted share, extra_calls and spread_s must lie in the fitted intervals.

With a 95% interval, a planted value falls outside in about 1 seed in 20 (the estimators'
coverage was measured at 92–97% over 200–300 seeds: README); the seeds below are fixed, so the
tests are deterministic, and a failure after a change means the change moved the estimate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from contactsim.build.loading import scenario_from_mapping
from contactsim.build.model_inputs import synthetic_log
from contactsim.cli.main import main
from contactsim.data.calllog import CallLog, read_replay
from contactsim.planning.fit import fit_log
from contactsim.planning.fit_bursts import incident_calls, zero_inflated_poisson
from contactsim.planning.fit_busyness import _days, fit_busyness
from helpers.scenarios import SCENARIOS


def year_log(seed: int, busyness_cv: float | None = None, annual: float = 171800,
             days: int = 365) -> pd.DataFrame:
    """A year of 999 calls on the shipped 999 profile, as ``demand synth`` writes it."""
    demand: dict[str, Any] = {"annual_volume": annual,
                              "profile": str(SCENARIOS / "profiles" / "999.csv")}
    if busyness_cv is not None:
        demand["busyness_cv"] = busyness_cv
    scenario = scenario_from_mapping({
        "name": "year", "horizon": {"start": "2018-01-01", "days": days},
        "demand": {"999": demand},
        "handling": {"999": {"handle_time": {"dist": "lognormal", "mean_s": 300, "cv": 0.8}}},
        "pools": [{"name": "all", "skills": ["999"], "staffing": {"flat": 1}}],
    })
    return synthetic_log(scenario, seed=seed)


def read(table: pd.DataFrame, path: Path) -> CallLog:
    table.to_parquet(path)
    replay = read_replay(str(path))
    assert isinstance(replay, CallLog)
    return replay


def with_bursts(log: pd.DataFrame, seed: int, share: float, extra_calls: float,
                spread_s: float, duplicate_handle_s: float = 90.0) -> pd.DataFrame:
    """``log`` with an ``incident_id`` per call and bursts planted: each call brings a burst
    with probability ``share``, of Poisson(``extra_calls``) duplicates one after another at
    exponential gaps of mean ``spread_s``, each from a caller of its own."""
    # a seed of its own: synthetic_log's own draws start from the plain seed, and reusing
    # them would tie the bursts to the arrivals (more bursts where arrivals were accepted)
    rng = np.random.default_rng([seed, 16])
    n = len(log)
    extra = np.where(rng.random(n) < share, rng.poisson(extra_calls, n), 0)
    incident = np.repeat(np.arange(n), extra)
    gaps = rng.exponential(spread_s, incident.size)
    starts = np.cumsum(extra) - extra  # each incident's first gap
    before = np.r_[0.0, np.cumsum(gaps)][starts]
    offset_s = np.cumsum(gaps) - np.repeat(before, extra)
    arrival = log["arrival_time"].to_numpy()
    duplicates = pd.DataFrame({
        "arrival_time": arrival[incident] + (offset_s * 1e9).astype("timedelta64[ns]"),
        "line": "999",
        "handle_s": rng.exponential(duplicate_handle_s, incident.size),
        "caller_id": log["caller_id"].max() + 1 + np.arange(incident.size),
        "incident_id": incident,
    })
    first = log.assign(incident_id=np.arange(n))
    return pd.concat([first, duplicates]).sort_values("arrival_time", kind="stable")


# --- busyness ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "cv"), [(1, 0.12), (2, 0.25)])
def test_a_planted_busyness_cv_is_inside_the_fitted_interval(tmp_path: Path, seed: int,
                                                             cv: float) -> None:
    fit = fit_log(read(year_log(seed, cv), tmp_path / "log.parquet"))["999"]
    assert fit.busyness is not None
    assert fit.busyness.cv.contains(cv), fit.busyness.cv
    # the interval is informative: a year of 470 calls a day pins cv to within about ±10%
    assert fit.busyness.cv.high - fit.busyness.cv.low < 0.25 * cv


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4, 5, 6])
@pytest.mark.parametrize("cv", [0.05, 0.12, 0.3])
def test_planted_busyness_over_more_seeds(tmp_path: Path, seed: int, cv: float) -> None:
    fit = fit_log(read(year_log(seed, cv), tmp_path / "log.parquet"))["999"]
    assert fit.busyness is not None
    assert fit.busyness.cv.contains(cv), fit.busyness.cv


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_log_without_busyness_gives_a_cv_near_0(tmp_path: Path, seed: int) -> None:
    """Poisson days: the interval holds 0, and the estimate is small (the profile fitted from
    the same days does not push it below 0 on average, nor above: see the next test)."""
    fit = fit_log(read(year_log(seed, None, annual=20000), tmp_path / "log.parquet"))["999"]
    assert fit.busyness is not None
    assert fit.busyness.cv.low == 0.0 and fit.busyness.cv.value < 0.04
    assert fit.busyness.dispersion == pytest.approx(1.0, abs=0.25)


def test_the_correction_for_the_fitted_profile_by_hand() -> None:
    """With a profile of one constant, the expected count is the mean N̄ of the days, each
    day's leverage 1/D, and the estimate must be the textbook unbiased one:
    cv² = (s² − N̄) / N̄², with s² the sample variance (divisor D − 1). Without the
    correction it would use divisor D, and be biased low."""
    counts = np.array([90.0, 120, 100, 85, 130, 110, 95, 140, 100, 80])
    days = _days(counts, np.ones((counts.size, 1)))
    residual = (counts - days.expected) ** 2 - days.poisson_part
    estimate = residual.sum() / days.busyness_part.sum()
    mean = counts.mean()
    assert estimate == pytest.approx((counts.var(ddof=1) - mean) / mean**2, rel=1e-9)


def test_busyness_needs_four_weeks_and_leaves_out_known_days() -> None:
    times = np.sort(np.datetime64("2018-01-01", "ns") + np.random.default_rng(1).integers(
        0, 40 * 86400, 40 * 400).astype("timedelta64[s]"))
    first = pd.Timestamp("2018-01-01")
    assert fit_busyness(times[times < np.datetime64("2018-01-21")], first, 20) is None
    fit = fit_busyness(times, first, 40)
    assert fit is not None and fit.days == 40 and fit.left_out == 0
    fewer = fit_busyness(times, first, 40, leave_out={pd.Timestamp("2018-01-05").date()})
    assert fewer is not None and (fewer.days, fewer.left_out) == (39, 1)
    assert fewer.busiest and all(day != pd.Timestamp("2018-01-05").date()
                                 for day, _ in fewer.busiest)
    assert fit_busyness(times, first, 40, leave_out=set(pd.date_range(
        "2018-01-01", periods=13).date)) is None  # 27 days left


# --- bursts --------------------------------------------------------------------------------------


def test_the_zero_inflated_poisson_by_hand() -> None:
    # 100 incidents, 10 with duplicates, 20 duplicates: λ / (1 − e^−λ) = 2 gives λ = 1.5936,
    # and share = 0.1 / (1 − e^−λ) = 0.1255
    share, rate = zero_inflated_poisson(100, 10, 20)
    assert rate / -np.expm1(-rate) == pytest.approx(2.0, rel=1e-9)
    assert rate == pytest.approx(1.5936, abs=1e-4)
    assert share == pytest.approx(0.1 / -np.expm1(-rate), rel=1e-12)
    # every burst a single duplicate: a Poisson with share 1 and the overall mean
    assert zero_inflated_poisson(100, 10, 10) == (1.0, 0.1)
    assert zero_inflated_poisson(100, 0, 0) == (0.0, 0.0)


def test_duplicates_are_other_callers_within_the_window_by_hand() -> None:
    minutes = np.array([0, 2, 3, 5, 90, 0, 1], dtype="timedelta64[m]")
    arrivals = np.datetime64("2018-07-01T10:00", "ns") + minutes.astype("timedelta64[ns]")
    incidents = np.array([7, 7, 7, 7, 7, 8, 9])
    callers = np.array([1, 2, 1, 3, 4, 5, 6])  # caller 1 rings again at 10:03: a redial
    calls = incident_calls(arrivals, incidents, callers, window_min=60)
    # 10:02 and 10:05 are duplicates; 10:03 a redial, 11:30 after the window
    assert calls.duplicate.tolist() == [False, True, False, True, False, False, False]
    assert calls.extra.tolist() == [2, 0, 0]
    assert calls.span_s.tolist() == [300.0, 0.0, 0.0]
    # without caller ids the redial counts as another caller
    assert incident_calls(arrivals, incidents, None).extra.tolist() == [3, 0, 0]


def test_the_reader_gives_each_blank_incident_id_its_own_incident(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("arrival_time,line,incident_id\n2018-07-01T10:00,999,A\n"
                    "2018-07-01T10:01,999,\n2018-07-01T10:02,999,A\n2018-07-01T10:03,999,\n"
                    "2018-07-01T10:04,101,A\n")
    replay = read_replay(str(path))
    assert isinstance(replay, CallLog)
    codes = replay.lines["999"].incidents
    assert codes is not None and codes[0] == codes[2] and len({*codes.tolist()}) == 3
    assert replay.lines["101"].incidents is not None
    assert replay.lines["101"].incidents[0] == codes[0]  # one incident across lines
    # a log without the column has none
    week = read_replay(str(SCENARIOS / "data" / "calls-2018-07-week.csv"))
    assert isinstance(week, CallLog) and week.lines["999"].incidents is None


@pytest.mark.parametrize(("seed", "share", "extra_calls", "spread_s"),
                         [(1, 0.04, 3.0, 180.0), (2, 0.1, 1.0, 60.0)])
def test_planted_bursts_are_inside_the_fitted_intervals(
    tmp_path: Path, seed: int, share: float, extra_calls: float, spread_s: float
) -> None:
    first = year_log(seed, 0.12)
    log = with_bursts(first, seed, share, extra_calls, spread_s)
    fit = fit_log(read(log, tmp_path / "log.parquet"))["999"]
    bursts = fit.bursts
    assert bursts is not None
    assert bursts.share.contains(share), bursts.share
    assert bursts.extra_calls.contains(extra_calls), bursts.extra_calls
    assert bursts.spread_s.contains(spread_s), bursts.spread_s
    assert bursts.handle_mean_s == pytest.approx(90.0, rel=0.05)
    # the duplicates are fitted apart: the rest is exactly the log without them (with a window
    # of a day: a long burst's last calls may come more than the default hour after its first,
    # and are then taken for ordinary calls)
    apart = fit_log(read(log, tmp_path / "log.parquet"), window_min=24 * 60)["999"]
    alone = fit_log(read(first, tmp_path / "first.parquet"))["999"]
    assert 0 <= fit.calls - alone.calls <= 5
    assert (apart.calls, apart.annual_volume, apart.handle_mean_s) == (
        alone.calls, alone.annual_volume, alone.handle_mean_s)
    assert apart.busyness is not None and alone.busyness is not None
    assert apart.busyness.cv == alone.busyness.cv


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4, 5, 6])
def test_planted_bursts_over_more_seeds(tmp_path: Path, seed: int) -> None:
    log = with_bursts(year_log(seed, annual=40000), seed, 0.05, 2.0, 240.0)
    bursts = fit_log(read(log, tmp_path / "log.parquet"))["999"].bursts
    assert bursts is not None
    assert bursts.share.contains(0.05) and bursts.extra_calls.contains(2.0)
    assert bursts.spread_s.contains(240.0)


# --- the command ---------------------------------------------------------------------------------


def test_demand_fit_writes_busyness_and_bursts(tmp_path: Path) -> None:
    log = with_bursts(year_log(7, 0.12), 7, 0.04, 3.0, 180.0)
    path = tmp_path / "log.csv"
    log.to_csv(path, index=False)
    out = tmp_path / "fit"
    result = CliRunner().invoke(main, ["demand", "fit", str(path), "--out", str(out),
                                       "--leave-out", "2018-12-31"])
    assert result.exit_code == 0, result.output
    assert "busyness_cv 0.1" in result.output and "364 days, 1 left out" in result.output
    assert "bursts: " in result.output and "share 0.0" in result.output
    snippet = yaml.safe_load((out / "scenario-snippet.yaml").read_text())
    demand = snippet["demand"]["999"]
    assert 0.1 <= demand["busyness_cv"] <= 0.14
    assert set(demand["bursts"]) == {"share", "extra_calls", "spread_s", "handle_time"}
    assert demand["bursts"]["handle_time"]["dist"] == "lognormal"
    # the snippet is a scenario's demand as it stands: with pools added, it loads
    demand["profile"] = str(out / demand["profile"])
    loaded = scenario_from_mapping({**snippet, "name": "fitted", "pools": [
        {"name": "all", "skills": ["999"], "staffing": {"flat": 30}}]})
    bursts = loaded.demand["999"].bursts
    assert bursts is not None and bursts.share == demand["bursts"]["share"]
    assert loaded.demand["999"].busyness_cv == demand["busyness_cv"]
    table = pd.read_csv(out / "fit.csv")
    assert table.loc[0, "busyness_cv_low"] <= 0.12 <= table.loc[0, "busyness_cv_high"]
    assert table.loc[0, "burst_share_low"] <= 0.04 <= table.loc[0, "burst_share_high"]


def test_demand_fit_says_what_it_could_not_fit(tmp_path: Path) -> None:
    week = tmp_path / "week.csv"
    runner = CliRunner()
    result = runner.invoke(main, ["demand", "synth", str(SCENARIOS / "quick-week.yaml"),
                                  "--out", str(week), "--seed", "5"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["demand", "fit", str(week), "--out", str(tmp_path / "fit")])
    assert result.exit_code == 0, result.output
    assert "busyness: not fitted (it needs at least 28 days" in result.output
    assert "bursts: not fitted (the log has no incident_id column" in result.output
    snippet = yaml.safe_load((tmp_path / "fit" / "scenario-snippet.yaml").read_text())
    assert all(set(d) == {"annual_volume", "profile"} for d in snippet["demand"].values())
