"""Every scenario and shift catalogue shipped in ``scenarios/`` loads, with its files: a planner
copying one starts from something that works."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactsim.build.loading import load_scenario
from contactsim.config.catalogue import read_catalogue
from helpers.scenarios import SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
CATALOGUES = sorted((SCENARIOS / "catalogues").glob("*.yaml"))


def test_there_is_something_to_check() -> None:
    assert len(SHIPPED) >= 7 and CATALOGUES


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_scenario_loads(path: Path) -> None:
    assert load_scenario(path).scenario.name


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_a_shipped_catalogue_loads(path: Path) -> None:
    assert read_catalogue(path).shifts


def test_the_rostered_baseline_puts_its_roster_in_place_of_the_baseline_shifts() -> None:
    # shifts without names in an overlay replace the base's list whole, at scale 1
    pools = {p.name: p for p in load_scenario(SCENARIOS / "baseline-rostered.yaml").scenario.pools}
    for pool in pools.values():
        shifts = pool.staffing.shifts
        assert shifts and pool.staffing.scale == 1.0 and not pool.staffing.changes
        assert all(s.breaks for s in shifts)
    assert sum(s.count for s in pools["blended"].staffing.shifts) == 51
