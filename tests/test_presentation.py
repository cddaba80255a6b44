"""What a planner reads (issue 13, items 5, 6, 7 and 9): numbers in their units in the CLI
tables and the report, plots that show what they claim, staffing verdicts that do not
overclaim, and help and defaults that agree with the scenarios."""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import replace
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

from contactsim.analysis import erlang
from contactsim.analysis.kpis import KPIS
from contactsim.build.loading import load_scenario
from contactsim.cli.main import main
from contactsim.config.lines import DEFAULT_SERVICE_LEVEL_OTHER_S, DEFAULT_SERVICE_LEVEL_S
from contactsim.config.resolved import dump_resolved
from contactsim.output import planning_plots, report, tables
from contactsim.output.calibration_report import plot_calibration
from contactsim.output.scenario_words import scenario_in_words
from contactsim.planning.service_targets import parse_target
from contactsim.runs.sweep import run_sweep
from contactsim.runs.sweep_file import load_sweep

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SWEEP = ROOT / "sweeps" / "staffing.yaml"
MINUS = "\N{MINUS SIGN}"
NEGATIVE_ZERO = re.compile(rf"[-{MINUS}]0(?:\.0+)?(?![\d.,])")

SMALL = """\
name: {name}
horizon: {{start: 2018-03-05, days: 8, warmup_hours: 24}}
demand:
  "999": {{rate_per_hour: 4}}
  "101": {{rate_per_hour: 9}}
handling:
  "999": {{handle_time: {{dist: exponential, mean_s: 240}}, patience: {{dist: exponential, mean_s: 300}}}}
  "101": {{handle_time: {{dist: exponential, mean_s: 300}}, patience: {{dist: exponential, mean_s: 600}}, service_level_s: 30}}
pools:
  - {{name: emergency, skills: ["999"], staffing: {{flat: 1}}}}
  - {{name: blended, skills: ["999", "101"], staffing: {{flat: {blended}}}}}
"""  # noqa: E501

FIRST = "small-centre-as-it-was-rostered-in-march-2018"
SECOND = "small-centre-with-one-more-multi-skilled-operator-all-day"


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


class Figures:
    """Every figure the plotting code saves, kept open for inspection (by file name)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.saved: dict[str, object] = {}

        def keep(figure, path):  # type: ignore[no-untyped-def]
            self.saved[Path(path).name] = figure
            figure.tight_layout()
            figure.savefig(path, dpi=60)
            return path

        for module in (report, planning_plots):  # each saves through plotting.save_figure
            monkeypatch.setattr(module, "save_figure", keep)


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A run and a comparison of a small two-line centre, their output and their figures."""
    folder = tmp_path_factory.mktemp("presentation")
    first = write(folder / "first.yaml", SMALL.format(name=FIRST, blended=2))
    second = write(folder / "second.yaml", SMALL.format(name=SECOND, blended=3))
    with pytest.MonkeyPatch.context() as patch:
        # the width a pipe gets (pytest-xdist's workers set COLUMNS=80): see tables.PLAIN_WIDTH
        patch.setenv("COLUMNS", str(tables.PLAIN_WIDTH))
        figures = Figures(patch)
        run = invoke("run", first, "--reps", 3, "--workers", 1, "--out", folder / "run")
        compare = invoke("compare", first, second, "--reps", 3, "--workers", 1,
                         "--out", folder / "compare")
    assert run.exit_code == 0, run.output
    assert compare.exit_code == 0, compare.output
    return {"folder": folder, "run": run, "compare": compare, "figures": figures.saved}


# --- item 5: numbers a planner reads ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KPIS))
def test_each_kpi_is_shown_in_the_kind_its_registry_unit_says(name: str) -> None:
    unit = KPIS[name].unit
    expected = {"share": tables.SHARE, "s": tables.TIME, "h": tables.TIME}.get(unit, tables.COUNT)
    assert tables.kind(name) == expected


def test_shares_are_percent_times_seconds_and_counts_have_separators() -> None:
    assert tables.mean_text("service_level", 0.135, 0.134, 0.136) == "13.5%"
    assert tables.interval_text("service_level", 0.135, 0.134, 0.136) == "[13.4, 13.6]"
    assert tables.mean_text("asa_s", 210.52, 206.0, 215.0) == "210.5 s"  # ±4.5 s: tenths
    assert tables.mean_text("wait_p90_s", 692.3, 650.0, 734.6) == "692 s"  # ±42 s: whole seconds
    assert tables.interval_text("wait_p90_s", 692.3, 650.0, 734.6) == "[650, 735]"
    assert tables.mean_text("offered", 171820.4, 171100.0, 172540.0) == "171,820"
    assert tables.mean_text("rc_time_to_resolve_h", 4.23, 4.0, 4.5) == "4.2 h"
    assert tables.mean_text("offered", math.nan) == "—"


def test_differences_of_shares_are_percentage_points_and_never_negative_zero() -> None:
    assert (tables.difference_text("abandon_rate", -0.003, -0.005, -0.001)
            == f"{MINUS}0.3 pt [{MINUS}0.5, {MINUS}0.1]")
    assert tables.difference_text("asa_s", 12.4, 8.0, 16.8) == "+12.4 s [8.0, 16.8]"
    tiny = tables.difference_text("occupancy", -1e-7, -1e-6, 1e-6)
    assert not NEGATIVE_ZERO.search(tiny), tiny
    assert tables.number(-0.0004, 3) == "0.000"
    assert tables.number(-0.0, 1) == "0.0"
    assert tables.number(-1234.5, 0) == f"{MINUS}1,234"


def test_run_prints_shares_in_percent_with_headings_in_words(centre: dict[str, object]) -> None:
    output = centre["run"].stdout  # type: ignore[attr-defined]
    assert "\x1b[" not in output  # plain text when not a terminal
    summary = pd.read_csv(Path(centre["folder"]) / "run" / "summary.csv",  # type: ignore[arg-type]
                          dtype={"scope": str}).set_index(["scope", "kpi"])
    for scope, kpi in (("999", "service_level"), ("101", "abandon_rate"),
                       ("blended", "occupancy"), ("101", "asa_s"), ("999", "offered")):
        row = summary.loc[(scope, kpi)]
        shown = tables.mean_text(kpi, row["mean"], row["ci_low"], row["ci_high"])
        assert shown in output, (shown, output)
        if kpi in ("service_level", "abandon_rate", "occupancy"):  # a share, in %
            assert shown.endswith("%")
            assert float(shown[:-1]) == pytest.approx(100 * row["mean"], abs=0.051)
    assert "line 999" in output and "pool blended" in output
    assert "Service level (within 10 s)" in output  # 999's default threshold
    assert "Service level (within 30 s)" in output  # 101's, as the scenario gives it
    assert not NEGATIVE_ZERO.search(output)


def test_compare_heads_each_scenario_by_its_full_name_and_differs_in_points(
    centre: dict[str, object],
) -> None:
    output = centre["compare"].stdout  # type: ignore[attr-defined]
    assert "\x1b[" not in output and "…" not in output  # plain, and nothing cut
    assert " this " not in output
    assert "paired difference" in output and "minus" in output
    table = pd.read_csv(Path(centre["folder"]) / "compare" / "compare.csv",  # type: ignore[arg-type]
                        dtype={"scope": str}).set_index(["scenario", "scope", "kpi"])
    row = table.loc[(SECOND, "101", "service_level")]
    shown = tables.difference_text("service_level", row["diff_mean"], row["diff_low"],
                                   row["diff_high"])
    assert shown.split(" [")[0].endswith(" pt") and shown in output, (shown, output)
    assert not NEGATIVE_ZERO.search(output), output
    assert "-0.000" not in output


def test_scenario_columns_are_headed_by_full_names_on_a_wide_terminal(
    centre: dict[str, object],
) -> None:
    folder = Path(centre["folder"])  # type: ignore[arg-type]
    result = CliRunner().invoke(main, [
        "compare", str(folder / "first.yaml"), str(folder / "second.yaml"), "--reps", "3",
        "--workers", "1", "--no-plots", "--out", str(folder / "wide")],
        env={"COLUMNS": "300"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    header = result.stdout.split("─")[0]
    assert FIRST in header and SECOND in header
    assert f"minus {FIRST}" in header  # the difference column says what minus what


def test_a_narrow_terminal_folds_a_long_name_rather_than_cutting_it() -> None:
    table = tables.new_table((f"{FIRST}\nmean", "right"))
    table.add_row("13.5%")
    text = tables.render(table, width=30)
    assert all(len(line) <= 30 for line in text.splitlines())
    assert "13.5%" in text and "…" not in text
    header = text.split("─")[0]
    assert "".join(line.strip() for line in header.splitlines()) == f"{FIRST}mean"


def test_the_report_says_days_hours_and_pools_as_a_planner_would() -> None:
    loaded = load_scenario(SCENARIOS / "baseline-2018.yaml")
    words = scenario_in_words(yaml.safe_load(dump_resolved(loaded, 2018)))
    assert "366 days from Sun 31 Dec 2017, the first 24 h a warm-up" in words
    assert "366.0" not in words and "24.0 h" not in words
    assert ("blended (multi-skilled: 999 and 101): 15 people rostered on 5 shifts a day "
            "(10 h each), scaled × 1.12" in words)
    assert "emergency (999 only): 10 people rostered on 3 shifts a day" in words
    # specialists on weekdays and weekends counted in heads, day type by day type
    assert ("non_emergency (101 only): 3 people rostered on 2 shifts a day Mon–Fri, 1 on 1 shift "
            "a day Sat–Sun" in words)
    assert "40 investigators rostered on 2 shifts a day (8 h each)" in words


# --- item 6: plots ------------------------------------------------------------------------------


def synthetic_intervals(weekday_asa: float = 100.0, weekend_asa: float = 0.0) -> pd.DataFrame:
    """Two replications of two lines, hourly over a week from a Monday, in the columns a run
    writes: every hour 10 answered calls within the threshold but 5 (SL 50%), each waiting
    ``weekday_asa`` at 10:00 on weekdays and ``weekend_asa`` at 10:00 at weekends."""
    starts = pd.date_range("2018-03-05", periods=7 * 24, freq="h")
    rows = []
    for replication in range(2):
        for line in ("999", "101"):
            for start in starts:
                wait = (weekday_asa if start.day_of_week < 5 else weekend_asa) if start.hour == 10 \
                    else 5.0
                rows.append({"replication": replication, "line": line, "interval_start": start,
                             "offered": 10, "answered": 10, "abandoned": 0,
                             "answered_within": 5 + replication, "wait_sum_s": 10 * wait})
    return pd.DataFrame(rows)


def test_the_999_service_level_axis_shows_the_national_standard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    figures = Figures(monkeypatch)
    intervals = synthetic_intervals()
    report.plot_profile(intervals, intervals["interval_start"].dt.hour, "hour of day", "By hour",
                        tmp_path / "kpis_by_hour.png", by_day_type=True)
    figure = figures.saved["kpis_by_hour.png"]
    # rows: ASA, service level, abandon rate; columns: 999 Mon–Fri, 999 Sat–Sun, 101 ...
    assert figure.axes[0].get_title() == "line 999 · Mon–Fri"
    service_level = figure.axes[4:6]
    assert service_level[0].get_ylabel() == "Service level"
    for axis in service_level:
        bottom, top = axis.get_ylim()
        assert bottom <= 0.5 and top > report.STANDARD_999  # the data is at 50-60%
        standard = [line for line in axis.get_lines()
                    if np.allclose(line.get_ydata(), report.STANDARD_999)]
        assert standard, "the standard's line is drawn"


def test_by_hour_plots_show_a_weekday_only_change_undiluted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    figures = Figures(monkeypatch)
    intervals = synthetic_intervals(weekday_asa=100.0, weekend_asa=0.0)
    report.plot_profile(intervals, intervals["interval_start"].dt.hour, "hour of day", "By hour",
                        tmp_path / "kpis_by_hour.png", by_day_type=True)
    figure = figures.saved["kpis_by_hour.png"]
    titles = [axis.get_title() for axis in figure.axes[:4]]
    assert titles == ["line 999 · Mon–Fri", "line 999 · Sat–Sun", "line 101 · Mon–Fri",
                      "line 101 · Sat–Sun"]

    def asa_at_10(axis: object) -> float:
        line = axis.get_lines()[0]  # type: ignore[attr-defined]
        return float(dict(zip(line.get_xdata(), line.get_ydata(), strict=True))[10])

    assert asa_at_10(figure.axes[0]) == pytest.approx(100.0)  # not 71, a week's average
    assert asa_at_10(figure.axes[1]) == pytest.approx(0.0)


def test_the_comparison_by_hour_has_weekday_and_weekend_panels(centre: dict[str, object]) -> None:
    figure = centre["figures"]["compare_by_hour.png"]  # type: ignore[index]
    titles = {axis.get_title() for axis in figure.axes}
    assert {"line 999 · Mon–Fri", "line 999 · Sat–Sun", "line 101 · Mon–Fri",
            "line 101 · Sat–Sun"} <= titles
    run_figure = centre["figures"]["kpis_by_hour.png"]  # type: ignore[index]
    assert "line 101 · Sat–Sun" in {axis.get_title() for axis in run_figure.axes}


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("pools.blended.staffing.shifts.0.count", "blended pool, shift 1 count"),
        ("shrinkage", "shrinkage"),
        ("callback.offer_after_s", "callback, offer after (s)"),
        ("handling.101.patience.mean_s", "line 101 handling, patience, mean (s)"),
        ("pools.0.staffing.flat", "pool 1 flat"),
        ("resolution_centre.staffing.shifts.1.count", "Resolution Centre, shift 2 count"),
    ],
)
def test_a_dotted_field_is_worded(path: str, words: str) -> None:
    assert planning_plots.field_words(path) == words


def write_sweep_folder(folder: Path, kpi: str = "asa_s") -> None:
    """A saved two-field sweep: 3 shrinkages × 3 shift counts, 2 replications each."""
    rows, summary = [], []
    point = 0
    for shrinkage in (0.25, 0.30, 0.35):
        for count in (3, 4, 5):
            mean = 100.0 + 1000 * (shrinkage - 0.25) * 10 - 30 * count
            for replication in range(2):
                rows.append({"point": point, "point_name": f"p{point}", "shrinkage": shrinkage,
                             "pools.blended.staffing.shifts.0.count": count,
                             "replication": replication, "scope": "101", "kpi": kpi,
                             "value": mean + replication})
            summary.append({"point": point, "point_name": f"p{point}", "scope": "101",
                            "kpi": kpi, "mean": mean + 0.5, "ci_low": mean - 5,
                            "ci_high": mean + 6, "reps": 2})
            point += 1
    pd.DataFrame(rows).to_parquet(folder / "sweep.parquet", index=False)
    pd.DataFrame(summary).to_csv(folder / "sweep_summary.csv", index=False)


def test_the_heat_map_is_readable_and_labelled_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    figures = Figures(monkeypatch)
    write_sweep_folder(tmp_path)
    [path] = planning_plots.plot_sweep(tmp_path, "101", "asa_s")
    figure = figures.saved[path.name]
    axis, colourbar = figure.axes
    assert axis.get_ylabel() == "shrinkage"
    assert axis.get_xlabel() == "blended pool, shift 1 count"
    assert colourbar.get_ylabel() == "line 101: Average speed of answer (s)"
    image = axis.get_images()[0]
    cells = image.get_array()
    assert len(axis.texts) == 9
    for text in axis.texts:
        column, row = (round(v) for v in text.get_position())
        red, green, blue, _ = image.cmap(image.norm(cells[row, column]))
        background = 0.299 * red + 0.587 * green + 0.114 * blue
        ink = sum(w * c for w, c in zip((0.299, 0.587, 0.114),
                                        mcolors.to_rgb(text.get_color()), strict=True))
        assert abs(background - ink) > 0.4, (text.get_text(), background, ink)


def test_peak_month_targets_are_drawn_without_a_band(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pd.DataFrame([
        {"target": "101 ASA (s), year", "line": "101", "kpi": "asa_s", "period": "2018",
         "kind": "value", "published": 209, "tolerance": 21, "simulated_mean": 205,
         "ci_low": 190, "ci_high": 220, "met": True, "reason": "", "source": "x"},
        {"target": "101 ASA (s), month of the peak", "line": "101", "kpi": "asa_s",
         "period": "months", "kind": "peak_month", "published": 7, "tolerance": math.nan,
         "simulated_mean": 4, "ci_low": math.nan, "ci_high": math.nan, "met": False,
         "reason": "April", "source": "x"},
    ]).to_csv(tmp_path / "calibration.csv", index=False)
    import matplotlib.pyplot as plt

    kept: list[object] = []
    monkeypatch.setattr(plt, "close", kept.append)
    plot_calibration(tmp_path)
    figure = kept[0]
    value_axis, peak_axis = figure.axes  # type: ignore[attr-defined]
    assert value_axis.patches  # the tolerance, shaded
    assert not peak_axis.patches and not peak_axis.collections  # no band, no interval
    markers = {(line.get_marker(), float(line.get_xdata()[0])) for line in peak_axis.get_lines()
               if line.get_marker() not in (None, "None", "")}
    assert markers == {("D", 7.0), ("o", 4.0)}  # published July, simulated April
    assert "published Jul, simulated Apr" in " ".join(t.get_text() for t in peak_axis.texts)


# --- item 7: verdicts that do not overclaim ------------------------------------------------------


STATIONARY = """\
name: stationary
horizon: {days: 4, warmup_hours: 24}
demand:
  "101": {rate_per_hour: 60}
handling:
  "101": {handle_time: {dist: exponential, mean_s: 300}, patience: {dist: exponential, mean_s: 600}, service_level_s: 20}
pools:
  - {name: all, skills: ["101"], staffing: {flat: 1}}
"""  # noqa: E501


def test_an_interval_decides_only_when_asked() -> None:
    scenario = load_scenario(SCENARIOS / "quick-week.yaml").scenario
    asa = parse_target("101: asa_s <= 120", scenario)
    assert asa.met_by(82.5) and not asa.certainly_met_by(82.5, 37.8, 127.0)
    assert asa.certainly_met_by(82.5, 60.0, 110.0)
    level = parse_target("999: service_level >= 0.9", scenario)
    assert level.met_by(0.92) and not level.certainly_met_by(0.92, 0.88, 0.96)
    assert level.certainly_met_by(0.95, 0.91, 0.99)
    assert level.certainly_met_by(0.95, math.nan, math.nan)  # no interval: the mean decides


def test_confidence_keeps_every_hour_s_interval_on_the_target_s_side(tmp_path: Path) -> None:
    scenario = write(tmp_path / "stationary.yaml", STATIONARY)
    common = ["--target", "101: asa_s <= 30", "--by", "hour_of_day", "--reps", 4, "--seed", 7,
              "--workers", 1]
    plain = invoke("staff", scenario, *common, "--out", tmp_path / "mean")
    sure = invoke("staff", scenario, *common, "--confidence", 0.95, "--out", tmp_path / "sure")
    assert plain.exit_code == 0, plain.output
    assert sure.exit_code == 0, sure.output

    mean_kpis = pd.read_csv(tmp_path / "mean" / "kpis.csv")
    sure_kpis = pd.read_csv(tmp_path / "sure" / "kpis.csv")
    # without --confidence, the mean meets the target at every hour, and the verdict says
    # where the interval still crosses it
    assert (mean_kpis["mean"] <= 30).all()
    crossing = int((mean_kpis["ci_high"] > 30).sum())
    assert crossing > 0  # a search on the mean leaves hours not certain
    assert (f"met (mean) at every hour of the day; not certain at 95% at {crossing} hours"
            in plain.stdout), plain.stdout
    # with it, every hour's whole interval is at or below the target
    assert (sure_kpis["ci_high"] <= 30).all()
    assert sure_kpis["met"].all() and sure_kpis["certain"].all()
    assert "met with 95% confidence at every hour of the day" in sure.stdout
    # and that takes at least the operators the mean needed, hour by hour
    mean_need = pd.read_csv(tmp_path / "mean" / "required.csv")["required_rostered"]
    sure_need = pd.read_csv(tmp_path / "sure" / "required.csv")["required_rostered"]
    assert (sure_need.to_numpy() >= mean_need.to_numpy()).all()
    assert sure_need.sum() > mean_need.sum()


def test_confidence_must_be_a_level_below_one(tmp_path: Path) -> None:
    scenario = write(tmp_path / "stationary.yaml", STATIONARY)
    result = CliRunner().invoke(main, ["staff", str(scenario), "--target", "101: asa_s <= 30",
                                       "--confidence", "1.5", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--confidence" in result.output
    assert not (tmp_path / "x").exists()


# --- item 9: help and defaults ------------------------------------------------------------------


@pytest.mark.parametrize("group", [[], ["demand"]])
def test_no_command_summary_is_cut_in_help(group: list[str]) -> None:
    result = invoke(*group, "--help")
    assert result.exit_code == 0
    commands = result.stdout.split("Commands:")[1]
    summaries = [line for line in commands.splitlines() if line.strip()]
    assert summaries
    for line in summaries:
        assert not line.rstrip().endswith(("...", "…")), line


def readme_sweep() -> dict[str, object]:
    """The sweep file the README's "Sweeps" section shows."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# sweeps/staffing\.yaml\n.*?)```", text, re.S)
    assert block, "the README shows sweeps/staffing.yaml"
    return yaml.safe_load(block.group(1))


def test_the_shipped_sweep_is_the_readme_s_and_validates() -> None:
    shipped = yaml.safe_load(SWEEP.read_text(encoding="utf-8"))
    shown = readme_sweep()
    for key in ("base", "reps", "seed", "variants", "plot"):
        assert shipped[key] == shown[key], key
    for field, values in shown["grid"].items():  # type: ignore[attr-defined]
        assert shipped["grid"][field] == values, field
    spec = load_sweep(SWEEP)
    assert spec.base == (SCENARIOS / "baseline-2018.yaml").resolve()
    assert len(spec.points) == 18 and spec.reps == 5


def test_the_shipped_sweep_runs_with_a_short_horizon(tmp_path: Path) -> None:
    spec = load_sweep(SWEEP)
    short = [replace(point, changes={**point.changes, "horizon.days": 2})
             for point in spec.points[:3]]
    tidy = run_sweep(replace(spec, points=short, reps=1), tmp_path / "out", workers=1)
    assert not (tmp_path / "out" / "failures.csv").exists()
    assert sorted(tidy["point"].unique()) == [0, 1, 2]
    assert {"101", "999", "blended"} <= set(tidy["scope"])


def test_erlang_s_threshold_defaults_to_the_line_s_as_in_a_scenario() -> None:
    assert DEFAULT_SERVICE_LEVEL_S["999"] == 10 and DEFAULT_SERVICE_LEVEL_OTHER_S == 60
    args = ["erlang", "--rate-per-hour", 114, "--handle-s", 300, "--agents", 12]
    for line, threshold in (("999", 10.0), ("101", 60.0), (None, 60.0)):
        result = invoke(*args, *(["--line", line] if line else []))
        assert result.exit_code == 0, result.output
        assert f"answered within {threshold:g} s" in result.stdout
        level = erlang.erlang_c(114, 300, 12, threshold).service_level
        assert f"{100 * level:.2f}%" in result.stdout
    given = invoke(*args, "--line", "999", "--service-level-s", 20)
    assert "answered within 20 s" in given.stdout
    assert f"{100 * erlang.erlang_c(114, 300, 12, 20).service_level:.2f}%" in given.stdout
    help_text = " ".join(invoke("erlang", "--help").stdout.split())
    assert "10 s for line 999, 60 s for any other line" in help_text
