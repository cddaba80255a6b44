"""Plots of a saved run and of a saved comparison, made from their files only (never from a
live simulation): the KPIs by hour of day (weekdays and weekends apart), by month or by day,
the callback workload and the Resolution Centre's backlog; for a comparison, the KPIs of every
scenario side by side and overlaid.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from contactsim.analysis.kpi_names import ABANDON_RATE, ASA_S, OCCUPANCY, SERVICE_LEVEL
from contactsim.analysis.periods import band, period_kpis
from contactsim.config.lines import EMERGENCY_LINE
from contactsim.output.bad_days import read_days, saved_standards
from contactsim.output.days_plots import DAYS_HEATMAP, plot_days_heatmap
from contactsim.output.occupancy_plots import OCCUPANCY_PLOT, plot_occupancy
from contactsim.output.plotting import draw_band, same_y, save_figure, share_axis
from contactsim.output.results import (
    RC_DAILY,
    comparison_run_folder,
    read_comparison,
    read_intervals,
    read_pool_intervals,
)
from contactsim.output.tables import scope_label

#: Shortest horizon (days) plotted by month; shorter ones are plotted by day.
MONTHLY_FROM_DAYS = 60

PANELS = (
    (ASA_S, "Average speed of answer (s)"),
    (SERVICE_LEVEL, "Service level"),
    (ABANDON_RATE, "Abandon rate"),
)


#: Day types the by-hour plots show apart: (title, day of the week (Monday 0) -> in it).
#: Weekday and weekend panels rather than one hour-of-day average or 168 hours of the week: a
#: planner rosters by hour of day and by day type, so a change made on weekdays only shows in
#: the Mon–Fri panel instead of being diluted by weekends; each panel still pools 5 (or 2) days
#: an hour, so its bands stay narrow, where an hour-of-week curve of one day a point is noisy and
#: hard to read. Panels rather than weekday and weekend curves on one axis, because the
#: comparison plot already gives each scenario a colour.
DAY_TYPES: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("Mon–Fri", lambda day: day < 5),
    ("Sat–Sun", lambda day: day >= 5),
)

#: Tick labels of the by-hour plots: every third hour of the day.
HOUR_TICKS = {h: f"{h:02d}" for h in range(0, 24, 3)}

#: The national standard drawn on the emergency line's (999's) service-level panels.
STANDARD_999 = 0.90


def _day_types(intervals: pd.DataFrame, split: bool) -> list[tuple[str, np.ndarray]]:
    """(title, rows of ``intervals`` in it) for each day type present (one, untitled, if not
    ``split``)."""
    if not split:
        return [("", np.ones(len(intervals), dtype=bool))]
    day = pd.to_datetime(intervals["interval_start"]).dt.day_of_week.to_numpy()
    parts = [(name, in_type(day)) for name, in_type in DAY_TYPES]
    return [(name, mask) for name, mask in parts if mask.any()]


def _column_title(line: str, part: str) -> str:
    return f"line {line}" + (f" · {part}" if part else "")


def _month_ticks(starts: pd.Series) -> dict[int, str]:
    """Tick labels (J, F, M, ...) of the months run, not of the whole calendar."""
    return {m: name for m, name in enumerate("JFMAMJJASOND", start=1)
            if m in set(starts.dt.month)}


def _draw_panel(
    axis: plt.Axes, data: pd.DataFrame, kpi: str, colour: str, label: str, markersize: float,
    band_label: str | None = None,
) -> None:
    """The mean of ``data`` by period with its 95% band behind it, on a grid, the y axis in
    the KPI's units."""
    axis.plot(data["period"], data["mean"], marker="o", markersize=markersize, color=colour,
              label=label)
    draw_band(axis, data["period"].astype(float), data, colour, label=band_label)
    axis.grid(alpha=0.3)
    share_axis(axis, kpi)


def _label_panel(
    axis: plt.Axes, place: tuple[int, int, int], title: str, ylabel: str, xlabel: str,
    tick_labels: dict[int, str] | None,
) -> None:
    """Title a panel of the grid at ``place`` (row, column, rows) on the top row, label its
    y axis in the first column and its x axis (``tick_labels``, else whole numbers) on the
    bottom row."""
    row, column, rows = place
    if row == 0:
        axis.set_title(title)
    if column == 0:
        axis.set_ylabel(ylabel)
    if row == rows - 1:
        axis.set_xlabel(xlabel)
        if tick_labels:
            axis.set_xticks(list(tick_labels), list(tick_labels.values()))
        else:
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_profile(
    intervals: pd.DataFrame, period: pd.Series, xlabel: str, title: str, path: Path,
    tick_labels: dict[int, str] | None = None, by_day_type: bool = False,
) -> Path:
    """One figure: a row per KPI, a column per line (per line and day type if
    ``by_day_type``: see :data:`DAY_TYPES`), the mean with its 95% band."""
    lines = list(dict.fromkeys(intervals["line"]))
    parts = _day_types(intervals, by_day_type)
    period = pd.Series(np.asarray(period), index=intervals.index)
    per_part = {name: period_kpis(intervals[mask], period[mask]) for name, mask in parts}
    columns = [(line, name) for line in lines for name, _ in parts]
    figure, axes = plt.subplots(
        len(PANELS), len(columns), figsize=(max(4.2, 3.6 * len(columns)), 2.6 * len(PANELS)),
        squeeze=False, sharex=True,
    )
    for row, (kpi, label) in enumerate(PANELS):
        bands = {name: band(table, kpi) for name, table in per_part.items()}
        for column, (line, part) in enumerate(columns):
            axis = axes[row][column]
            data = bands[part][bands[part]["line"] == line]
            _draw_panel(axis, data, kpi, "C0", "mean", 3, band_label="95% interval")
            _label_panel(axis, (row, column, len(PANELS)), _column_title(line, part), label,
                         xlabel, tick_labels)
        for line in lines:
            pair = [axes[row][c] for c, (of, _) in enumerate(columns) if of == line]
            standard = STANDARD_999 if kpi == SERVICE_LEVEL and line == EMERGENCY_LINE else None
            same_y(pair, kpi, standard)
            if standard is not None:
                for axis in pair:
                    axis.axhline(standard, color="C3", linestyle="--", linewidth=1,
                                 label="national standard: 90% in 10 s")
                pair[0].legend(loc="best", fontsize="small")
    axes[0][0].legend(loc="best", fontsize="small")
    reps = intervals["replication"].nunique()
    figure.suptitle(f"{title} — mean of {reps} replications with 95% interval")
    return save_figure(figure, path)


def plot_callback_workload(intervals: pd.DataFrame, path: Path) -> Path | None:
    """Callbacks accepted (by the hour the caller rang) and attempts made (by the hour made),
    by hour of day, mean per day with 95% bands; None if the run had no callbacks."""
    if "callback_attempts" not in intervals or intervals["callbacks_accepted"].sum() == 0:
        return None
    starts = pd.to_datetime(intervals["interval_start"])
    days = max(1, starts.dt.normalize().nunique())
    data = intervals.assign(hour=starts.dt.hour.to_numpy())
    series = (
        ("callbacks_accepted", "accepted (hour the caller rang)"),
        ("callback_attempts", "attempts made"),
        ("callback_completions", "attempts that reached the caller"),
    )
    figure, axis = plt.subplots(figsize=(8, 4))
    for colour, (column, label) in enumerate(series):
        per_rep = (data.groupby(["replication", "line", "hour"])[column].sum() / days).reset_index()
        table = band(per_rep, column, keys=("line", "hour"))
        table = table[table.groupby("line")["mean"].transform("sum") > 0]
        for line, part in table.groupby("line"):
            axis.plot(part["hour"], part["mean"], marker="o", markersize=3, color=f"C{colour}",
                      label=f"line {line}: {label}")
            draw_band(axis, part["hour"].astype(float), part, f"C{colour}")
    axis.set_xlabel("hour of day")
    axis.set_ylabel("callbacks per day")
    axis.set_ylim(bottom=0)
    axis.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    axis.grid(alpha=0.3)
    axis.legend(fontsize="small")
    reps = intervals["replication"].nunique()
    axis.set_title(f"Callback workload — mean of {reps} replications with 95% interval")
    return save_figure(figure, path)


def plot_rc_backlog(daily: pd.DataFrame, path: Path) -> Path:
    """Open Resolution Centre incidents at each midnight over the horizon, mean with 95% band."""
    table = band(daily, "rc_backlog", keys=("day",))
    figure, axis = plt.subplots(figsize=(9, 3.6))
    axis.plot(table["day"], table["mean"], color="C2", label="open incidents at midnight")
    draw_band(axis, table["day"], table, "C2", label="95% interval")
    axis.set_ylabel("RC backlog (incidents)")
    axis.set_ylim(bottom=0)
    axis.grid(alpha=0.3)
    axis.legend(fontsize="small")
    reps = daily["replication"].nunique()
    axis.set_title(f"Resolution Centre backlog — mean of {reps} replications")
    figure.autofmt_xdate()
    return save_figure(figure, path)


def plot_run(folder: str | Path) -> list[Path]:
    """Write the run's PNG plots into ``folder``: KPIs by hour of day, and by month (or by day
    for horizons shorter than two months); callback workload by hour if there were callbacks;
    the RC's backlog if it has one; each pool's occupancy by hour; the calendar of daily
    service levels if whole days were measured (days.csv)."""
    folder = Path(folder)
    intervals = read_intervals(folder)
    starts = pd.to_datetime(intervals["interval_start"])
    paths = [
        plot_profile(
            intervals, starts.dt.hour, "hour of day", "By hour of day",
            folder / "kpis_by_hour.png",
            tick_labels=HOUR_TICKS, by_day_type=True,
        )
    ]
    span_days = (starts.max() - starts.min()).days + 1
    if span_days >= MONTHLY_FROM_DAYS:
        paths.append(
            plot_profile(intervals, starts.dt.month, "month", "By month",
                         folder / "kpis_by_month.png", tick_labels=_month_ticks(starts))
        )
    else:
        day = (starts - starts.min().normalize()).dt.days + 1
        paths.append(
            plot_profile(intervals, day, "day of the horizon", "By day", folder / "kpis_by_day.png")
        )
    workload = plot_callback_workload(intervals, folder / "callbacks_by_hour.png")
    if workload is not None:
        paths.append(workload)
    if (folder / RC_DAILY).exists():
        paths.append(plot_rc_backlog(pd.read_parquet(folder / RC_DAILY), folder / "rc_backlog.png"))
    occupancy = plot_occupancy(read_pool_intervals(folder), folder / OCCUPANCY_PLOT)
    if occupancy is not None:
        paths.append(occupancy)
    days = read_days(folder)
    heatmap = (plot_days_heatmap(days, folder / DAYS_HEATMAP, saved_standards(folder))
               if days is not None else None)
    if heatmap is not None:
        paths.append(heatmap)
    return paths


#: The KPIs a comparison shows as bars: per line, then per pool.
COMPARE_LINE_KPIS = ((ASA_S, "ASA (s)"), (SERVICE_LEVEL, "service level"),
                     (ABANDON_RATE, "abandon rate"))
COMPARE_POOL_KPIS = ((OCCUPANCY, "occupancy"),)


def plot_comparison(folder: str | Path) -> list[Path]:
    """Write a saved comparison's plots into ``folder``: KPI bars with 95% intervals, and ASA
    and abandonment by hour of day and by month (or day) with every scenario overlaid."""
    folder = Path(folder)
    table = read_comparison(folder)
    names = list(dict.fromkeys(table["scenario"]))
    paths = [_plot_compare_bars(table, names, folder / "compare_kpis.png")]
    intervals = {name: read_intervals(comparison_run_folder(folder, name)) for name in names}
    starts = pd.to_datetime(next(iter(intervals.values()))["interval_start"])
    span_days = (starts.max() - starts.min()).days + 1
    paths.append(_plot_compare_profiles(intervals, "hour", "hour of day",
                                        folder / "compare_by_hour.png"))
    by = "month" if span_days >= MONTHLY_FROM_DAYS else "day"
    paths.append(_plot_compare_profiles(intervals, by, by, folder / f"compare_by_{by}.png"))
    return paths


def _plot_compare_bars(table: pd.DataFrame, names: list[str], path: Path) -> Path:
    panels = []
    for scope in dict.fromkeys(table["scope"]):
        kpis = set(table[table["scope"] == scope]["kpi"])
        for kpi, label in (*COMPARE_LINE_KPIS, *COMPARE_POOL_KPIS):
            if kpi in kpis:
                panels.append((scope, kpi, label))
    columns = 3
    rows = -(-len(panels) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.8 * rows),
                                squeeze=False)
    for axis in axes.flat[len(panels):]:
        axis.set_visible(False)
    for axis, (scope, kpi, label) in zip(axes.flat, panels, strict=False):
        data = table[(table["scope"] == scope) & (table["kpi"] == kpi)].set_index("scenario")
        data = data.reindex(names)
        means = data["mean"].to_numpy(dtype=float)
        errors = [means - data["ci_low"].to_numpy(dtype=float),
                  data["ci_high"].to_numpy(dtype=float) - means]
        axis.bar(range(len(names)), means, yerr=errors, capsize=4,
                 color=[f"C{i}" for i in range(len(names))])
        axis.set_xticks(range(len(names)), names, rotation=20, ha="right", fontsize="small")
        share_axis(axis, kpi)
        axis.set_title(f"{scope_label(str(scope), kpi)}: {label}", fontsize="medium")
        axis.grid(axis="y", alpha=0.3)
    figure.suptitle("Scenarios compared — mean with 95% interval (same callers in each)")
    return save_figure(figure, path)


def _plot_compare_profiles(
    intervals: dict[str, pd.DataFrame], by: str, xlabel: str, path: Path
) -> Path:
    """ASA and abandonment by hour (by line and day type: see :data:`DAY_TYPES`), month or day,
    every scenario overlaid in its own colour."""
    first = next(iter(intervals.values()))
    lines = list(dict.fromkeys(first["line"]))
    kpis = ((ASA_S, "ASA (s)"), (ABANDON_RATE, "abandon rate"))
    parts = [name for name, _ in _day_types(first, by == "hour")]
    columns = [(line, part) for line in lines for part in parts]
    figure, axes = plt.subplots(len(kpis), len(columns),
                                figsize=(max(4.6, 3.8 * len(columns)), 3.0 * len(kpis)),
                                squeeze=False, sharex=True)
    for colour, (name, frame) in enumerate(intervals.items()):
        starts = pd.to_datetime(frame["interval_start"])
        if by == "hour":
            period, ticks = starts.dt.hour, HOUR_TICKS
        elif by == "month":
            period, ticks = starts.dt.month, _month_ticks(starts)
        else:
            period, ticks = (starts - starts.min().normalize()).dt.days + 1, None
        per_part = {part: period_kpis(frame[mask], period[mask])
                    for part, mask in _day_types(frame, by == "hour")}
        for row, (kpi, label) in enumerate(kpis):
            tables = {part: band(table, kpi) for part, table in per_part.items()}
            for column, (line, part) in enumerate(columns):
                axis = axes[row][column]
                if part not in tables:
                    continue
                data = tables[part][tables[part]["line"] == line]
                _draw_panel(axis, data, kpi, f"C{colour}", name, 2)
                _label_panel(axis, (row, column, len(kpis)), _column_title(line, part), label,
                             xlabel, ticks)
    for row, (kpi, _) in enumerate(kpis):
        for line in lines:
            same_y([axes[row][c] for c, (of, _) in enumerate(columns) if of == line], kpi)
    axes[0][0].legend(fontsize="small")
    figure.suptitle(f"By {xlabel} — mean with 95% interval (same callers in each scenario)")
    return save_figure(figure, path)
