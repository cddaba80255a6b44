"""roster --verify: the loop adds the cheapest shift covering the worst hour until every target
holds, says why when it stops short, and on a real simulation ends with every target met."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from contactsim.build.loading import scenario_from_mapping
from contactsim.config.catalogue import Catalogue
from contactsim.config.scenario import Scenario
from contactsim.planning import roster_verify
from contactsim.planning.roster import Requirement, Roster, solve_roster
from contactsim.planning.roster_verify import verify_roster
from contactsim.planning.service_targets import ServiceTarget, parse_target
from contactsim.runs.executors import LocalExecutor
from helpers.scenarios import one_line_101

MONDAY = date(2018, 1, 1)
TARGET = ServiceTarget("101", "asa_s", False, 60.0)


def centre(days: float = 8) -> Scenario:
    """A stationary 101 line on one pool ("all"), from a Monday."""
    return scenario_from_mapping(one_line_101(
        rate_per_hour=30, handle_s=300, patience_s=600, operators=1, days=days,
        warmup_hours=24, start="2018-01-01"))


def catalogue(*shifts: dict[str, Any], pools: dict[str, Any] | None = None) -> Catalogue:
    return Catalogue.model_validate({"shifts": list(shifts), "pools": pools or {}})


def built(requirement: np.ndarray, shifts: Catalogue) -> Roster:
    return solve_roster(Requirement({"all": requirement}, "test"), shifts, MONDAY, 10.0)


def fake_evaluate(roster: Roster, needed: dict[int, float], calls: list[int]) -> Any:
    """An evaluation that judges the ASA target by the people the roster has on the phones:
    met where they reach ``needed`` at that hour of the week (the ASA is 60 s × needed ÷
    people), at every hour measured."""

    def evaluate(scenario: Scenario, targets: list[ServiceTarget], grouping: str, reps: int,
                 seed: int, executor: Any, confidence: float | None = None) -> pd.DataFrame:
        assert grouping == "hour_of_week"
        calls.append(seed)
        covered = roster.pools["all"].covered[:168]
        rows = []
        for key in range(168):
            people = covered[key]
            asa = 60.0 * needed.get(key, 0.0) / people if people > 0 else math.nan
            if key not in needed:
                asa = 10.0
            rows.append({"line": "101", "kpi": "asa_s", "key": key, "target": str(TARGET),
                         "mean": asa, "ci_low": asa, "ci_high": asa,
                         "met": TARGET.met_by(asa, 1.0), "certain": True})
        return pd.DataFrame(rows)

    return evaluate


def test_the_loop_adds_the_cheapest_shift_on_the_worst_hour_until_every_target_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shifts = catalogue({"name": "dear", "length_h": 8, "starts": ["08:00"], "cost": 20},
                       {"name": "cheap", "length_h": 8, "starts": ["08:00"], "cost": 8},
                       {"name": "late", "length_h": 8, "starts": ["16:00"], "cost": 8})
    requirement = np.zeros(168)
    requirement[[10, 20]] = 1  # one person at Mon 10:00 and at Mon 20:00
    roster = built(requirement, shifts)
    assert roster.pools["all"].heads == 2
    calls: list[int] = []
    # the simulation wants 3 at Mon 10:00 and 2 at Mon 20:00. Round 1: an ASA of 180 s at
    # Mon 10:00 (200% over) and 120 s at Mon 20:00 (100%): one more on the cheap day shift;
    # round 2: 90 s (50%) against 120 s: one on the late shift; round 3: Mon 10:00 alone
    monkeypatch.setattr(roster_verify, "evaluate",
                        fake_evaluate(roster, {10: 3.0, 20: 2.0}, calls))
    result = verify_roster(roster, shifts, centre(), [TARGET], reps=2, seed=7,
                           executor=LocalExecutor(1), max_rounds=10)
    assert result.met and result.still_missing == []
    assert calls == [7, 7, 7, 7]  # the same seed every round: common random numbers
    rounds = result.rounds
    assert list(rounds["worst_hour"][:3]) == ["Mon 10:00", "Mon 20:00", "Mon 10:00"]
    assert list(rounds["added_shift"][:3]) == ["cheap-0800-7on0off", "late-1600-7on0off",
                                               "cheap-0800-7on0off"]
    assert list(rounds["heads"]) == [2, 3, 4, 5]
    assert list(rounds["hours_missed"]) == [2, 2, 1, 0]
    assert roster.pools["all"].added == 3


def test_the_loop_says_why_it_stops_short(monkeypatch: pytest.MonkeyPatch) -> None:
    shifts = catalogue({"name": "day", "length_h": 8, "starts": ["08:00"]},
                       pools={"all": {"max_heads": 2}})
    requirement = np.zeros(168)
    requirement[10] = 1
    roster = built(requirement, shifts)
    calls: list[int] = []
    # Mon 03:00 needs people no shift has on duty
    monkeypatch.setattr(roster_verify, "evaluate",
                        fake_evaluate(roster, {3: 1.0, 10: 2.0}, calls))
    result = verify_roster(roster, shifts, centre(), [TARGET], reps=2, seed=1,
                           executor=LocalExecutor(1), max_rounds=5)
    assert not result.met
    assert result.still_missing[0].startswith("101: asa_s <= 60 at Mon 03:00")
    assert "no shift of the catalogue can add a person at Mon 03:00" in \
        result.still_missing[-1]
    # and with too few rounds, it says so
    roster = built(requirement, shifts)
    monkeypatch.setattr(roster_verify, "evaluate", fake_evaluate(roster, {10: 2.0}, calls))
    result = verify_roster(roster, shifts, centre(), [TARGET], reps=2, seed=1,
                           executor=LocalExecutor(1), max_rounds=1)
    assert result.still_missing[-1] == "stopped: --max-rounds 1 reached"
    assert roster.pools["all"].heads == 1  # nothing added after the last round


def test_a_miss_is_measured_against_its_target() -> None:
    level = ServiceTarget("999", "service_level", True, 0.9)
    assert roster_verify._miss(level, 0.81) == pytest.approx(0.1)
    assert roster_verify._miss(TARGET, 150.0) == pytest.approx(1.5)  # 90 s over 60 s
    assert roster_verify._miss(TARGET, math.nan) == math.inf


def test_on_a_real_simulation_the_loop_ends_with_every_target_met() -> None:
    # 30 calls an hour of 5 minutes (2.5 Erlangs) on a roster built for 1 person an hour:
    # the simulation finds the ASA target missed and the loop adds people until it is met
    scenario = centre(days=3)
    target = parse_target("101: asa_s <= 60", scenario)
    shifts = catalogue({"name": "s8", "length_h": 8, "starts": ["00:00", "08:00", "16:00"]})
    roster = built(np.ones(168), shifts)
    with LocalExecutor(1) as executor:
        result = verify_roster(roster, shifts, scenario, [target], reps=2, seed=3,
                               executor=executor, max_rounds=30)
        assert result.met, result.still_missing
        assert bool(result.kpis["met"].all())
        assert roster.pools["all"].heads > 3
        first = result.rounds.iloc[0]
        assert first["hours_missed"] > 0 and first["added_pool"] == "all"
