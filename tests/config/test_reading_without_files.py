"""config reads and validates a scenario's own YAML, and nothing else: the input files it names
are read, and its size checked, by contactsim.build.loading.load_scenario."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from contactsim.build.loading import load_scenario, scenario_from_mapping
from contactsim.config.loader import read_scenario, validate_mapping
from contactsim.errors import ScenarioError

WITH_A_PROFILE = """\
name: profiled
horizon: {days: 2}
demand:
  "101": {annual_volume: 100000, profile: missing-profile.csv}
handling:
  "101": {handle_time: {dist: exponential, mean_s: 300}}
pools:
  - {name: all, skills: ["101"], staffing: {flat: 3}}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_reading_validates_without_reading_the_files_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "profiled.yaml", WITH_A_PROFILE)
    loaded = read_scenario(path)
    assert loaded.scenario.demand["101"].profile == str(tmp_path / "missing-profile.csv")
    assert loaded.notices == ()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert problem.field == "demand.101.profile"
    assert problem.file == str(path)


def test_a_problem_in_a_named_file_names_the_file_that_set_it(tmp_path: Path) -> None:
    _write(tmp_path, "base.yaml", WITH_A_PROFILE)
    overlay = _write(tmp_path, "overlay.yaml", "extends: base.yaml\nname: overlay\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(overlay)
    (problem,) = caught.value.problems
    assert problem.file == str((tmp_path / "base.yaml").resolve())


def test_a_mapping_is_validated_then_its_files_read(tmp_path: Path) -> None:
    raw = {
        "name": "m", "horizon": {"days": 1},
        "demand": {"101": {"annual_volume": 1000, "profile": str(tmp_path / "nowhere.csv")}},
        "handling": {"101": {"handle_time": {"dist": "exponential", "mean_s": 300}}},
        "pools": [{"name": "all", "skills": [101], "staffing": {"flat": 2}}],
    }
    assert validate_mapping(raw).pools[0].skills == ("101",)
    with pytest.raises(ScenarioError, match=r"demand\.101\.profile"):
        scenario_from_mapping(raw)


def test_too_big_to_simulate_is_refused_when_loading_only(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.yaml", WITH_A_PROFILE.replace(
        "annual_volume: 100000, profile: missing-profile.csv", "rate_per_hour: 10000000"))
    assert read_scenario(path).scenario.name == "profiled"
    with pytest.raises(ScenarioError, match="calls in one replication"):
        load_scenario(path)


def test_config_does_not_import_build() -> None:
    code = ("import sys, contactsim.config.loader, contactsim.config.resolved, "
            "contactsim.config.overlays; "
            "print(sorted(m for m in sys.modules if m.startswith('contactsim.build')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
