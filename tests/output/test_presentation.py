"""What a planner reads (issue 13, items 5 and 6): numbers in their units in the CLI tables and
the report, and plots that show what they claim. Staffing verdicts and help and defaults
(items 7 and 9) are in ``test_verdicts_and_help.py``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from contactsim.analysis.kpis import KPIS
from contactsim.build.loading import load_scenario
from contactsim.cli.main import main
from contactsim.config.resolved import dump_resolved
from contactsim.output import planning_plots, report, tables
from contactsim.output.calibration_report import plot_calibration
from contactsim.output.scenario_words import scenario_in_words
from helpers.cli import invoke
from helpers.scenarios import SCENARIOS, write

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
