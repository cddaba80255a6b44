"""Per-call records streamed to Parquet: the same records as kept in memory, whole files only."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from contactsim.build.loading import load_scenario
from contactsim.cli.main import main
from contactsim.data.record_file import RECORD_SCHEMA, RecordFile
from contactsim.engine.records import CallRecord
from contactsim.runs.replication import run_tallies
from helpers.scenarios import REPO_ROOT


@pytest.fixture(scope="module")
def callback_fortnight():
    return load_scenario(REPO_ROOT / "scenarios/callback-3min.yaml", ["horizon.days=14"]).scenario


def test_streamed_records_are_the_records_kept_in_memory(callback_fortnight, tmp_path) -> None:
    kept = run_tallies(callback_fortnight, seed=5, replication=1, keep_records=True)
    streamed = run_tallies(callback_fortnight, seed=5, replication=1, records_dir=tmp_path)
    assert streamed.records is None  # nothing held in memory
    assert kept.records is not None
    on_disk = pd.read_parquet(tmp_path / "replication-001.parquet")
    expected = pd.DataFrame(kept.records, columns=CallRecord._fields)
    assert list(on_disk.columns) == RECORD_SCHEMA.names
    assert (on_disk["replication"] == 1).all()
    pd.testing.assert_frame_equal(
        on_disk[list(CallRecord._fields)], expected, check_dtype=False
    )
    # the arrival column is the local clock: time 0 is midnight at the start of the horizon
    first = on_disk.iloc[0]
    start = pd.Timestamp(callback_fortnight.horizon.start)
    assert first["arrival"] == start + pd.to_timedelta(round(first["arrival_s"] * 1000), "ms")
    # streaming changes no number
    for name in kept.lines:
        assert streamed.lines[name].answered == kept.lines[name].answered
        assert streamed.lines[name].wait_sum_s == kept.lines[name].wait_sum_s


def test_every_offered_call_has_one_record(callback_fortnight, tmp_path) -> None:
    tallies = run_tallies(callback_fortnight, seed=5, replication=0, records_dir=tmp_path)
    records = pd.read_parquet(tmp_path / "replication-000.parquet")
    assert records["call_id"].is_unique
    for name, line in tallies.lines.items():
        # the warm-up's calls are recorded too; the tallies count from its end
        counted = records[(records["line"] == name) & (records["arrival_s"] >= tallies.warmup_s)]
        assert len(counted) == line.total("offered")
        outcomes = counted["outcome"].value_counts()
        assert outcomes.get("answered", 0) == line.total("answered")
        assert outcomes.get("abandoned", 0) == line.total("abandoned")


def test_a_failed_run_leaves_no_records_file(tmp_path) -> None:
    path = tmp_path / "replication-000.parquet"
    record = CallRecord(0, "999", 1.0, "answered", 0.0, "operators", 60.0, 0, 1)
    with pytest.raises(RuntimeError), RecordFile(path, 0, pd.Timestamp("2018-01-01").date()) as f:
        f([record])
        raise RuntimeError("the model failed half way")
    assert list(tmp_path.iterdir()) == []


def test_run_with_records_writes_one_file_a_replication(tmp_path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", str(REPO_ROOT / "scenarios/quick-week.yaml"), "--reps", "2", "--records",
               "--no-plots", "--out", str(out), "--set", "horizon.days=3"],
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (out / "records").iterdir())
    assert files == ["replication-000.parquet", "replication-001.parquet"]
    summary = pd.read_csv(out / "summary.csv")
    offered = summary[(summary["kpi"] == "offered")].set_index("scope")["mean"]
    records = pd.concat(pd.read_parquet(out / "records" / name) for name in files)
    measured = records[records["arrival_s"] >= 24 * 3600]  # after quick-week's 24 h warm-up
    by_line = measured.groupby("line").size() / 2
    for line, mean in by_line.items():
        assert offered[line] == pytest.approx(mean)
