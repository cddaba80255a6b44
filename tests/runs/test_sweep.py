"""Sweeps: every point × replication once, failures recorded, resume after a real kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from contactsim.build.loading import load_scenario
from contactsim.cli.main import main
from contactsim.errors import ContactsimError
from contactsim.runs.replication import run_replication
from contactsim.runs.sweep import run_sweep
from contactsim.runs.sweep_file import load_sweep
from helpers.scenarios import SCENARIOS


def write_sweep(folder: Path, body: str, name: str = "sweep.yaml") -> Path:
    path = folder / name
    path.write_text(f"base: {SCENARIOS / 'quick-week.yaml'}\n" + body)
    return path


GRID = (
    "reps: 2\nseed: 5\ngrid:\n  shrinkage: [0.25, 0.35]\n"
    "  pools.non_emergency.staffing.flat: [2, 3]\n"
)


def metas(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns for p in out.glob("runs/*/*/meta.json")}


def test_every_point_and_replication_runs_once_with_the_scenario_numbers(tmp_path: Path) -> None:
    spec = load_sweep(write_sweep(tmp_path, GRID))
    assert len(spec.points) == 4
    tidy = run_sweep(spec, tmp_path / "out", workers=1)
    assert sorted(tidy[["point", "replication"]].drop_duplicates().itertuples(index=False)) == [
        (p, r) for p in range(4) for r in range(2)
    ]
    # a point's numbers are those of its scenario run on its own
    point = spec.points[3]
    scenario = load_scenario(spec.base, point.overrides).scenario
    assert scenario.shrinkage == 0.35 and scenario.pools[2].staffing.flat == 3
    alone = dict(((s, k), v) for s, k, v in run_replication(scenario, 5, 1).kpis)
    mine = tidy[(tidy.point == 3) & (tidy.replication == 1)]
    for row in mine.itertuples():
        assert row.value == pytest.approx(alone[(row.scope, row.kpi)], nan_ok=True)
    assert (tmp_path / "out" / "sweep_summary.csv").exists()


def test_one_and_two_workers_give_the_same_table(tmp_path: Path) -> None:
    spec = load_sweep(write_sweep(tmp_path, GRID))
    one = run_sweep(spec, tmp_path / "one", workers=1)
    two = run_sweep(spec, tmp_path / "two", workers=2)
    pd.testing.assert_frame_equal(one, two)


def test_a_rerun_keeps_finished_runs_and_another_sweep_is_refused(tmp_path: Path) -> None:
    spec = load_sweep(write_sweep(tmp_path, GRID))
    out = tmp_path / "out"
    first = run_sweep(spec, out, workers=1)
    before = metas(out)
    again = run_sweep(spec, out, workers=1)
    assert metas(out) == before  # nothing was run again
    pd.testing.assert_frame_equal(first, again)
    other = load_sweep(write_sweep(tmp_path, GRID.replace("0.35", "0.4"), "other.yaml"))
    with pytest.raises(ContactsimError, match="another sweep"):
        run_sweep(other, out, workers=1)


def test_a_failed_point_is_recorded_and_the_sweep_goes_on(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, "reps: 2\ngrid:\n  shrinkage: [0.3, 1.5]\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 1, result.output
    failures = pd.read_csv(out / "failures.csv")
    assert set(failures["point"]) == {1} and len(failures) == 2
    assert "shrinkage" in failures["error"].iloc[0]
    meta = json.loads((out / "runs" / "p001" / "r000" / "meta.json").read_text())
    assert meta["status"] == "failed" and meta["seed"] == 2018 and "code_version" in meta
    tidy = pd.read_parquet(out / "sweep.parquet")
    assert set(tidy["point"]) == {0}


def test_a_bad_sweep_file_is_refused(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, "reps: 0\n")
    result = CliRunner().invoke(main, ["sweep", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "reps" in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_a_sweep_killed_part_way_resumes_to_the_same_table(tmp_path: Path) -> None:
    """A real kill (SIGKILL to the process group), then a restart: finished runs are kept,
    and the final table equals that of a sweep never interrupted."""
    body = ("reps: 4\nseed: 3\ngrid:\n  shrinkage: [0.25, 0.3, 0.35]\n"
            "  horizon.days: [6]\n")
    path = write_sweep(tmp_path, body)
    out = tmp_path / "killed"
    command = [sys.executable, "-c", "from contactsim.cli.main import main; main()", "sweep",
               str(path), "--out", str(out), "--workers", "1"]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(metas(out)) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = metas(out)
    assert 3 <= len(finished) < 12, "the sweep was not caught part way"
    assert not (out / "sweep.parquet").exists()
    resumed = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    after = metas(out)
    assert {k: after[k] for k in finished} == finished  # not run again
    assert len(after) == 12
    assert not list(out.glob("runs/*/.*.partial-*"))
    whole = run_sweep(load_sweep(path), tmp_path / "whole", workers=1)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), whole)


@pytest.mark.slow
def test_a_dask_local_cluster_gives_the_same_table(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    from contactsim.runs.dask_executor import DaskExecutor

    spec = load_sweep(write_sweep(tmp_path, GRID))
    local = run_sweep(spec, tmp_path / "local", workers=1)
    on_dask = run_sweep(spec, tmp_path / "dask", executor=DaskExecutor(local_workers=2))
    pd.testing.assert_frame_equal(local, on_dask)


def test_the_sweep_command_takes_a_dask_cluster(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    path = write_sweep(tmp_path, "reps: 2\ngrid:\n  shrinkage: [0.3]\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(path), "--out", str(out), "--dask-local", "1"])
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(out / "sweep.parquet")["replication"].unique()) == 2
