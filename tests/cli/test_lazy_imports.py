"""A command that answers at once (issue 18, item 4): ``--help`` and ``validate`` of a scenario
with synthesised demand load none of the libraries that take most of a second to import, and a
run without plots does not load matplotlib. Checked by what a fresh process has imported, never
by a clock, so the test holds on a busy machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.scenarios import SCENARIOS

#: What a quick command must not import: pandas (with pyarrow) alone took 0.3 s of ``validate``.
HEAVY = ("pandas", "pyarrow", "scipy", "matplotlib")

#: Runs the command line in this process and prints its exit status and the heavy modules it
#: loaded, as JSON on the last line.
_SCRIPT = """\
import json, sys
from contactsim.cli.main import main
status = 0
try:
    main(sys.argv[2:])
except SystemExit as exc:
    status = exc.code or 0
heavy = json.loads(sys.argv[1])
print(json.dumps({"status": status, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def loaded_by(*args: object, heavy: tuple[str, ...] = HEAVY) -> dict[str, object]:
    """The exit status of ``contactsim ARGS`` run in a fresh process, and which of ``heavy``
    it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, json.dumps(list(heavy)), *map(str, args)],
        capture_output=True, text=True, check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("command", [
    [], ["run"], ["compare"], ["sweep"], ["validate"], ["staff"], ["roster"], ["calibrate"],
    ["demand"], ["demand", "synth"], ["serve"], ["schema"], ["erlang"], ["report"],
])
def test_help_of_every_command_loads_nothing_heavy(command: list[str]) -> None:
    assert loaded_by(*command, "--help") == {"status": 0, "loaded": []}


def test_validating_a_synthesised_scenario_loads_nothing_heavy(tiny_centre_file: Path) -> None:
    assert loaded_by("validate", tiny_centre_file) == {"status": 0, "loaded": []}


@pytest.mark.parametrize("name", ["quick-week", "bad-days-2018", "site-outage-overflow-week"])
def test_validating_shipped_scenarios_without_a_replay_loads_nothing_heavy(name: str) -> None:
    # extends, profiles, shifts, bursts, outages: every file they name is read without pandas
    assert loaded_by("validate", SCENARIOS / f"{name}.yaml") == {"status": 0, "loaded": []}


def test_a_bad_scenario_is_refused_without_loading_anything_heavy(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nshrinkage: 2\n", encoding="utf-8")
    assert loaded_by("validate", bad) == {"status": 2, "loaded": []}


def test_a_run_without_plots_does_not_load_matplotlib(tiny_centre_file: Path,
                                                      tmp_path: Path) -> None:
    found = loaded_by("run", tiny_centre_file, "--reps", 1, "--workers", 1, "--no-plots",
                      "--out", tmp_path / "out", heavy=("matplotlib",))
    assert found == {"status": 0, "loaded": []}
    assert (tmp_path / "out" / "summary.csv").exists()
