"""Outputs that are never silently wrong and never a traceback (issue 12): intervals inside
their KPI's range, erlang's options checked, garbled saved tables refused by name, and a
sweep's plot checked before any run."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactsim.analysis.kpis import KPIS, difference_range, kpi_range
from contactsim.analysis.stats import (
    compare_to_first,
    few_replications_warning,
    summarize,
    t_interval,
)
from contactsim.data.folders import write_marker
from contactsim.errors import ScenarioError
from contactsim.limits import MIN_RELIABLE_REPS
from contactsim.runs.sweep_file import load_sweep
from helpers.cli import cli
from helpers.scenarios import SCENARIOS


def long_table(values: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    """A replications table (replication, scope, kpi, value) from {(scope, kpi): values}."""
    rows = [(r, scope, kpi, v) for (scope, kpi), vs in values.items() for r, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["replication", "scope", "kpi", "value"])


# --- intervals in range -----------------------------------------------------------------------


def test_every_share_kpi_lies_in_0_1_and_every_other_kpi_is_not_negative() -> None:
    shares = {name for name, kpi in KPIS.items() if kpi.unit == "share"}
    assert {"abandon_rate", "service_level", "occupancy", "callbacks_within_target",
            "rc_share_of_incidents"} <= shares
    for name in KPIS:
        low, high = kpi_range(name)
        assert (low, high) == ((0.0, 1.0) if name in shares else (0.0, math.inf))
        assert difference_range(name) == ((-1.0, 1.0) if name in shares
                                          else (-math.inf, math.inf))
    assert kpi_range("not a kpi") == (-math.inf, math.inf)


def test_two_replications_are_clipped_to_the_kpi_range_and_means_stay() -> None:
    values = {
        ("101", "asa_s"): [0.5, 12.0],  # t-interval goes far below 0 s
        ("101", "service_level"): [0.98, 0.2],  # leaves [0, 1] on both sides
        ("blended", "occupancy"): [0.9, 0.99],  # goes above 1
        ("101", "offered"): [3.0, 40.0],  # a count below 0
    }
    summary = summarize(long_table(values)).set_index(["scope", "kpi"])
    for key, vs in values.items():
        raw_mean, raw_low, raw_high = t_interval(vs)
        row = summary.loc[key]
        assert row["mean"] == raw_mean == np.mean(vs)  # the mean does not move
        low, high = kpi_range(key[1])
        assert row["ci_low"] == max(raw_low, low)
        assert row["ci_high"] == min(raw_high, high)
        assert row["reps"] == 2
    assert summary.loc[("101", "asa_s"), "ci_low"] == 0.0
    assert summary.loc[("101", "service_level"), ["ci_low", "ci_high"]].tolist() == [0.0, 1.0]
    assert summary.loc[("blended", "occupancy"), "ci_high"] == 1.0


def test_an_interval_inside_the_range_is_left_as_it_is() -> None:
    values = [100.0, 101.0, 102.0, 99.0]
    row = summarize(long_table({("999", "asa_s"): values})).iloc[0]
    assert (row["mean"], row["ci_low"], row["ci_high"]) == t_interval(values)


def test_compare_clips_levels_to_the_range_and_share_differences_to_plus_minus_one() -> None:
    first = long_table({("101", "service_level"): [0.0, 1.0], ("101", "asa_s"): [10.0, 0.0]})
    second = long_table({("101", "service_level"): [1.0, 0.0], ("101", "asa_s"): [0.0, 90.0]})
    table = compare_to_first([first, second], ["a", "b"]).set_index(["scenario", "scope", "kpi"])
    share = table.loc[("b", "101", "service_level")]
    assert share["diff_mean"] == 0.0
    assert (share["diff_low"], share["diff_high"]) == (-1.0, 1.0)  # paired ±1: t leaves ±1
    assert (share["ci_low"], share["ci_high"]) == (0.0, 1.0)
    asa = table.loc[("b", "101", "asa_s")]
    raw = t_interval([-10.0, 90.0])
    assert (asa["diff_mean"], asa["diff_low"], asa["diff_high"]) == raw  # a time: not clipped
    assert asa["diff_low"] < 0 and asa["ci_low"] == 0.0
    assert asa["mean"] == 45.0


kpi_names = st.sampled_from(sorted(KPIS))


@st.composite
def replication_tables(draw: st.DrawFn) -> pd.DataFrame:
    """A replications table of 1–4 KPIs, 1–6 replications, values within each KPI's range
    (some NaN: nothing to measure in that replication)."""
    names = draw(st.lists(kpi_names, min_size=1, max_size=4, unique=True))
    reps = draw(st.integers(1, 6))
    values = {}
    for name in names:
        low, high = kpi_range(name)
        value = st.floats(low, min(high, 1e9), allow_nan=False)
        values[("x", name)] = draw(st.lists(value | st.just(math.nan), min_size=reps,
                                            max_size=reps))
    return long_table(values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replication_tables())
def test_every_summary_interval_lies_in_its_range_and_holds_its_mean(table: pd.DataFrame) -> None:
    for row in summarize(table).itertuples():
        low, high = kpi_range(row.kpi)
        if math.isnan(row.mean):
            continue
        assert low <= row.mean <= high
        if row.reps < 2:
            assert math.isnan(row.ci_low) and math.isnan(row.ci_high)
            continue
        assert low <= row.ci_low <= row.mean <= row.ci_high <= high


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replication_tables(), st.randoms(use_true_random=False))
def test_every_compared_interval_lies_in_its_range(table: pd.DataFrame, random) -> None:
    other = table.assign(value=[
        v if math.isnan(v) else random.uniform(*map(lambda b: min(b, 1e9), kpi_range(k)))
        for v, k in zip(table["value"], table["kpi"], strict=True)
    ])
    compared = compare_to_first([table, other], ["a", "b"])
    for row in compared.itertuples():
        low, high = kpi_range(row.kpi)
        for value in (row.ci_low, row.ci_high):
            assert math.isnan(value) or low <= value <= high
        low, high = difference_range(row.kpi)
        for value in (row.diff_low, row.diff_high):
            assert math.isnan(value) or low <= value <= high


def test_few_replications_are_flagged() -> None:
    assert few_replications_warning(MIN_RELIABLE_REPS) is None
    assert few_replications_warning(50) is None
    assert few_replications_warning(2) == (
        "with 2 replications the 95% intervals are unreliable; use 5 or more")
    assert "no 95% intervals" in (few_replications_warning(1) or "")


# --- erlang's options ----------------------------------------------------------------------------

ERLANG = ("erlang", "--rate-per-hour", 114, "--handle-s", 300)


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--rate-per-hour", "nan", "finite number above 0"),
        ("--rate-per-hour", "-inf", "finite number above 0"),
        ("--rate-per-hour", "0", "finite number above 0"),
        ("--rate-per-hour", "lots", "not a number"),
        ("--handle-s", "inf", "finite number above 0"),
        ("--patience-s", "nan", "finite number above 0"),
        ("--patience-s", "0", "finite number above 0"),
        ("--service-level-s", "nan", "finite number at least 0"),
        ("--service-level-s", "-1", "finite number at least 0"),
        ("--agents", "5-2", "A no more than B"),
        ("--agents", "0", "at least 1"),
        ("--agents", "-3", "N or A-B"),
        ("--agents", "abc", "N or A-B"),
        ("--agents", "3-", "N or A-B"),
        ("--agents", "1-100000", "at most 10,000 operators"),
        ("--agents", "1-5000", "at most 1,000"),
    ],
)
def test_erlang_refuses_a_bad_value_naming_the_option(option: str, value: str,
                                                      expected: str) -> None:
    args = dict(zip(ERLANG[1::2], ERLANG[2::2], strict=True))
    args.update({"--agents": "10", option: value})
    result = cli("erlang", *[x for pair in args.items() for x in pair])
    assert result.exit_code == 2, result.output
    assert option in result.output and expected in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_erlang_refuses_an_offered_load_too_large_to_compute() -> None:
    result = cli("erlang", "--rate-per-hour", "1e300", "--handle-s", "1e300", "--agents", 5)
    assert result.exit_code == 2
    assert "--rate-per-hour" in result.output and "--handle-s" in result.output


def test_erlang_still_answers_good_values_and_states_the_scenario_defaults() -> None:
    result = cli(*ERLANG, "--agents", "10-11", "--patience-s", "180")
    assert result.exit_code == 0, result.output
    # the model line, the table's header and the rule under it, a row for each of 10 and 11
    assert len(result.output.strip().splitlines()) == 5
    help_text = cli("erlang", "--help").output
    assert "10 s for line 999" in help_text and "60 s" in help_text


# --- report on garbled saved tables ------------------------------------------------------------


def summary_table() -> pd.DataFrame:
    values = {("999", "service_level"): [0.9, 0.95, 0.92], ("999", "asa_s"): [3.0, 4.0, 5.0],
              ("blended", "occupancy"): [0.8, 0.85, 0.9]}
    return summarize(long_table(values))


def make_run(folder: Path) -> Path:
    folder.mkdir()
    write_marker(folder, "run")  # contactsim made it
    summary_table().to_csv(folder / "summary.csv", index=False)
    (folder / "scenario.resolved.yaml").write_text("name: hand-made\nseed: 1\n")
    return folder


def make_comparison(folder: Path) -> Path:
    folder.mkdir()
    write_marker(folder, "compare")  # contactsim made it
    tables = [long_table({("999", "asa_s"): [3.0, 4.0, 5.0]}),
              long_table({("999", "asa_s"): [2.0, 3.5, 4.0]})]
    compare_to_first(tables, ["a", "b"]).to_csv(folder / "compare.csv", index=False)
    return folder


def make_sweep(folder: Path) -> Path:
    folder.mkdir()
    write_marker(folder, "sweep")  # contactsim made it
    (folder / "sweep.json").write_text('{"fingerprint": "x"}')
    summary = summary_table()
    summary.insert(0, "point_name", "shrinkage=0.3")
    summary.insert(0, "point", 0)
    summary.to_csv(folder / "sweep_summary.csv", index=False)
    pd.DataFrame([{"point": 1, "point_name": "shrinkage=0.4", "replication": 0,
                   "error": "Traceback (most recent call last):\n  ...\nValueError: x"}]
                 ).to_csv(folder / "failures.csv", index=False)
    return folder


MAKERS = {"summary.csv": make_run, "compare.csv": make_comparison,
          "sweep_summary.csv": make_sweep, "failures.csv": make_sweep}

GARBLES = {
    "random bytes": bytes(np.random.default_rng(1).integers(0, 256, 2000, dtype=np.uint8)),
    "empty": b"",
    "blank lines": b"\n\n  \n",
    "wrong columns": b"a,b,c\n1,2,3\n",
    "header only": b"scope,kpi,mean,ci_low,ci_high,reps,scenario,point,point_name,"
                   b"diff_mean,diff_low,diff_high,replication,error\n",
    "not utf-8": "scope,kpi\nÉté,1\n".encode("latin-1"),
    "a cell too many": None,  # the right header, a row with an extra cell
    "text for a number": None,  # the right header, a number column holding text
    "open quote": b'"scope,kpi\n1,2\n',
}


def garbled(name: str, good: bytes) -> bytes:
    data = GARBLES[name]
    if data is not None:
        return data
    lines = good.decode().splitlines()
    header, first = lines[0], lines[1].split(",")
    if name == "a cell too many":
        return f"{header}\n{','.join(first)},extra\n".encode()
    column = "reps" if "reps" in header.split(",") else "replication"
    first[header.split(",").index(column)] = "many"
    return f"{header}\n{','.join(first)}\n".encode()


@pytest.mark.parametrize("garble", list(GARBLES))
@pytest.mark.parametrize("file", list(MAKERS))
def test_report_on_a_garbled_table_names_the_file_and_writes_nothing(
    tmp_path: Path, file: str, garble: str
) -> None:
    folder = MAKERS[file](tmp_path / "results")
    target = folder / file
    target.write_bytes(garbled(garble, target.read_bytes()))
    result = cli("report", folder)
    assert result.exit_code == 2, result.output
    assert f"error: {target} is not a contactsim" in result.output
    assert "Traceback" not in result.output
    assert not (folder / "report.html").exists()


@pytest.mark.parametrize("file", list(MAKERS))
def test_report_on_the_hand_made_folders_works(tmp_path: Path, file: str) -> None:
    folder = MAKERS[file](tmp_path / "results")
    result = cli("report", folder)
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text()
    assert "unreliable; use 5 or more" in page  # three replications
    if file == "failures.csv":
        assert "1 runs failed" in page


def test_report_on_a_folder_that_is_not_a_results_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = cli("report", tmp_path)
    assert result.exit_code == 2
    assert "not a contactsim results folder" in result.output
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("text", ["key: [unclosed\n", "demand: 5\n", "- a list\n"])
def test_report_on_a_garbled_resolved_scenario_names_it(tmp_path: Path, text: str) -> None:
    folder = make_run(tmp_path / "results")
    (folder / "scenario.resolved.yaml").write_text(text)
    result = cli("report", folder)
    assert result.exit_code == 2
    assert "scenario.resolved.yaml is not a contactsim resolved scenario" in result.output
    assert not (folder / "report.html").exists()


def test_report_escapes_what_the_scenario_says(tmp_path: Path) -> None:
    folder = make_run(tmp_path / "results")
    (folder / "scenario.resolved.yaml").write_text(
        "pools: [{name: '<script>x</script>', skills: ['<b>'], staffing: {flat: 1}}]\n")
    assert cli("report", folder).exit_code == 0
    page = (folder / "report.html").read_text()
    assert "<script>x" not in page and "&lt;script&gt;x" in page


# --- a sweep's plot, checked up front ------------------------------------------------------------


def sweep_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "sweep.yaml"
    reps = "" if body.startswith("reps:") else "reps: 1\n"
    path.write_text(f"base: {SCENARIOS / 'quick-week.yaml'}\n{reps}{body}\n")
    return path


@pytest.mark.parametrize(
    ("body", "field", "expected"),
    [
        ('plot: {scope: "101", kpi: nonsense}', "plot.kpi", "asa_s"),
        ("plot: 5", "plot", "{scope: LINE or POOL, kpi: KPI}"),
        ('plot: {scope: "101", colour: red}', "plot.colour", "a field of plot"),
        ("plot: {kpi: [asa_s]}", "plot.kpi", "a KPI name"),
        ('plot: {scope: "102"}', "plot.scope", "blended"),
        ("plot: {scope: blended}", "plot.kpi", "occupancy"),
        ('plot: {scope: "999", kpi: occupancy}', "plot.kpi", "service_level"),
        ("plot: {kpi: occupancy}", "plot.kpi", "a line"),
        ("reps: true", "reps", "whole number"),
        ("seed: false", "seed", "whole number"),
        ("grid: {shrinkage: []}", "grid.shrinkage", "at least one value"),
        ("grid: {5: [1, 2]}", "grid", "dotted.field"),
        ("grid: {shrinkage: 0.3}", "grid.shrinkage", "a list"),
        ("variants: [{name: 5}]", "variants[0]", "name: TEXT"),
    ],
)
def test_a_bad_sweep_is_refused_before_any_run(tmp_path: Path, body: str, field: str,
                                               expected: str) -> None:
    path = sweep_file(tmp_path, body)
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {field}:") and expected in message
    out = tmp_path / "out"
    result = cli("sweep", path, "--out", out, "--workers", 1)
    assert result.exit_code == 2 and field in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_good_plot_is_kept(tmp_path: Path) -> None:
    spec = load_sweep(sweep_file(tmp_path, "plot: {scope: 999, kpi: service_level}"))
    assert (spec.plot_scope, spec.plot_kpi) == ("999", "service_level")
    spec = load_sweep(sweep_file(tmp_path, "plot: {scope: blended, kpi: occupancy}"))
    assert (spec.plot_scope, spec.plot_kpi) == ("blended", "occupancy")
    spec = load_sweep(sweep_file(tmp_path, "plot:"))
    assert (spec.plot_scope, spec.plot_kpi) == (None, None)
