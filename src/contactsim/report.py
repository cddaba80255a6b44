"""Plots of a saved run, made from its files only (never from a live simulation)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from contactsim.files import child
from contactsim.periods import band, period_kpis
from contactsim.results import (
    RC_DAILY,
    comparison_run_folder,
    read_comparison,
    read_intervals,
)

#: Shortest horizon (days) plotted by month; shorter ones are plotted by day.
MONTHLY_FROM_DAYS = 60

PANELS = (
    ("asa_s", "Average speed of answer (s)"),
    ("service_level", "Service level"),
    ("abandon_rate", "Abandon rate"),
)


def _draw_band(
    axis: plt.Axes, x: pd.Series, table: pd.DataFrame, colour: str, label: str | None = None
) -> None:
    axis.fill_between(x.to_numpy(), table["low"].to_numpy(dtype=float),
                      table["high"].to_numpy(dtype=float), color=colour, alpha=0.25,
                      linewidth=0, label=label)


def _save(figure: plt.Figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_profile(
    intervals: pd.DataFrame, period: pd.Series, xlabel: str, title: str, path: Path,
    tick_labels: dict[int, str] | None = None,
) -> Path:
    """One figure: a row per KPI, a column per line, the mean with its 95% band."""
    per_replication = period_kpis(intervals, period)
    lines = list(dict.fromkeys(intervals["line"]))
    figure, axes = plt.subplots(
        len(PANELS), len(lines), figsize=(4.2 * len(lines), 2.6 * len(PANELS)),
        squeeze=False, sharex=True,
    )
    for row, (kpi, label) in enumerate(PANELS):
        bands = band(per_replication, kpi)
        for column, line in enumerate(lines):
            axis = axes[row][column]
            data = bands[bands["line"] == line]
            axis.plot(data["period"], data["mean"], marker="o", markersize=3, color="C0")
            _draw_band(axis, data["period"].astype(float), data, "C0", label="95% interval")
            axis.grid(alpha=0.3)
            if row == 0:
                axis.set_title(f"line {line}")
            if column == 0:
                axis.set_ylabel(label)
            if row == len(PANELS) - 1:
                axis.set_xlabel(xlabel)
                if tick_labels:
                    axis.set_xticks(list(tick_labels), list(tick_labels.values()))
                else:
                    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            if kpi != "asa_s":
                axis.set_ylim(bottom=0)
            if kpi == "service_level" and line == "999":
                axis.axhline(0.9, color="C3", linestyle="--", linewidth=1,
                             label="national standard: 90% in 10 s")
                axis.legend(loc="lower left", fontsize="small")
    axes[0][0].legend(loc="best", fontsize="small")
    reps = intervals["replication"].nunique()
    figure.suptitle(f"{title} — mean of {reps} replications with 95% interval")
    return _save(figure, path)


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
            _draw_band(axis, part["hour"].astype(float), part, f"C{colour}")
    axis.set_xlabel("hour of day")
    axis.set_ylabel("callbacks per day")
    axis.set_ylim(bottom=0)
    axis.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
    axis.grid(alpha=0.3)
    axis.legend(fontsize="small")
    reps = intervals["replication"].nunique()
    axis.set_title(f"Callback workload — mean of {reps} replications with 95% interval")
    return _save(figure, path)


def plot_rc_backlog(daily: pd.DataFrame, path: Path) -> Path:
    """Open Resolution Centre incidents at each midnight over the horizon, mean with 95% band."""
    table = band(daily, "rc_backlog", keys=("day",))
    figure, axis = plt.subplots(figsize=(9, 3.6))
    axis.plot(table["day"], table["mean"], color="C2", label="open incidents at midnight")
    _draw_band(axis, table["day"], table, "C2", label="95% interval")
    axis.set_ylabel("RC backlog (incidents)")
    axis.set_ylim(bottom=0)
    axis.grid(alpha=0.3)
    axis.legend(fontsize="small")
    reps = daily["replication"].nunique()
    axis.set_title(f"Resolution Centre backlog — mean of {reps} replications")
    figure.autofmt_xdate()
    return _save(figure, path)


def plot_run(folder: str | Path) -> list[Path]:
    """Write the run's PNG plots into ``folder``: KPIs by hour of day, and by month (or by day
    for horizons shorter than two months); callback workload by hour if there were callbacks."""
    folder = Path(folder)
    intervals = read_intervals(folder)
    starts = pd.to_datetime(intervals["interval_start"])
    paths = [
        plot_profile(
            intervals, starts.dt.hour, "hour of day", "By hour of day",
            folder / "kpis_by_hour.png",
            tick_labels={h: f"{h:02d}" for h in range(0, 24, 3)},
        )
    ]
    span_days = (starts.max() - starts.min()).days + 1
    if span_days >= MONTHLY_FROM_DAYS:
        months = {m: name for m, name in enumerate("JFMAMJJASOND", start=1)}
        paths.append(
            plot_profile(intervals, starts.dt.month, "month", "By month",
                         folder / "kpis_by_month.png", tick_labels=months)
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
    return paths


#: The KPIs a comparison shows as bars: per line, then per pool.
COMPARE_LINE_KPIS = (("asa_s", "ASA (s)"), ("service_level", "service level"),
                     ("abandon_rate", "abandon rate"))
COMPARE_POOL_KPIS = (("occupancy", "occupancy"),)


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
        axis.set_title(f"{scope}: {label}", fontsize="medium")
        axis.grid(axis="y", alpha=0.3)
    figure.suptitle("Scenarios compared — mean with 95% interval (same callers in each)")
    return _save(figure, path)


def _plot_compare_profiles(
    intervals: dict[str, pd.DataFrame], by: str, xlabel: str, path: Path
) -> Path:
    lines = list(dict.fromkeys(next(iter(intervals.values()))["line"]))
    kpis = (("asa_s", "ASA (s)"), ("abandon_rate", "abandon rate"))
    figure, axes = plt.subplots(len(kpis), len(lines), figsize=(4.6 * len(lines), 3.0 * len(kpis)),
                                squeeze=False, sharex=True)
    for colour, (name, frame) in enumerate(intervals.items()):
        starts = pd.to_datetime(frame["interval_start"])
        if by == "hour":
            period = starts.dt.hour
        elif by == "month":
            period = starts.dt.month
        else:
            period = (starts - starts.min().normalize()).dt.days + 1
        per_replication = period_kpis(frame, period)
        for row, (kpi, label) in enumerate(kpis):
            table = band(per_replication, kpi)
            for column, line in enumerate(lines):
                axis = axes[row][column]
                part = table[table["line"] == line]
                axis.plot(part["period"], part["mean"], color=f"C{colour}", marker="o",
                          markersize=2, label=name)
                _draw_band(axis, part["period"].astype(float), part, f"C{colour}")
                axis.grid(alpha=0.3)
                if row == 0:
                    axis.set_title(f"line {line}")
                if column == 0:
                    axis.set_ylabel(label)
                if row == len(kpis) - 1:
                    axis.set_xlabel(xlabel)
    axes[0][0].legend(fontsize="small")
    figure.suptitle(f"By {xlabel} — mean with 95% interval")
    return _save(figure, path)


def plot_sweep(folder: str | Path, scope: str | None, kpi: str | None) -> list[Path]:
    """A chosen KPI (default: the first line's ASA) over a saved sweep's points: a heatmap for
    a grid of two fields, lines (with 95% intervals) otherwise."""
    folder = Path(folder)
    summary = pd.read_csv(folder / "sweep_summary.csv", dtype={"scope": str})
    tidy = pd.read_parquet(folder / "sweep.parquet")
    scope = scope or str(summary["scope"].iloc[0])
    kpi = kpi or "asa_s"
    data = summary[(summary["scope"] == scope) & (summary["kpi"] == kpi)]
    if data.empty:
        return []
    fields = [c for c in tidy.columns if c not in ("point", "point_name", "replication", "scope",
                                                   "kpi", "value")]
    values = tidy.drop_duplicates("point").set_index("point")[fields]
    data = data.join(values, on="point")
    figure, axis = plt.subplots(figsize=(7, 4.5))
    varying = [f for f in fields if data[f].nunique() > 1]
    if len(varying) == 2:
        table = data.pivot_table(index=varying[0], columns=varying[1], values="mean")
        image = axis.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto",
                            cmap="viridis")
        axis.set_yticks(range(len(table.index)), [str(v) for v in table.index])
        axis.set_xticks(range(len(table.columns)), [str(v) for v in table.columns])
        axis.set_ylabel(varying[0])
        axis.set_xlabel(varying[1])
        for (row, column), value in pd.DataFrame(table.to_numpy()).stack().items():
            axis.text(column, row, f"{value:.3g}", ha="center", va="center", color="white",
                      fontsize="small")
        figure.colorbar(image, ax=axis, label=f"{scope} {kpi}")
    else:
        x = varying[0] if varying else "point"
        for colour, (group_name, part) in enumerate(
            data.groupby(varying[1:] if len(varying) > 1 else (lambda _: ""))
        ):
            part = part.sort_values(x)
            label = str(group_name) if len(varying) > 1 else None
            axis.errorbar(part[x].astype(str) if x == "point" else part[x], part["mean"],
                          yerr=[part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]],
                          marker="o", capsize=3, color=f"C{colour}", label=label)
        axis.set_xlabel(x)
        axis.set_ylabel(f"{scope} {kpi}")
        axis.grid(alpha=0.3)
        if len(varying) > 1:
            axis.legend(fontsize="small")
    axis.set_title(f"Sweep: {scope} {kpi} — mean over replications")
    return [_save(figure, child(folder, f"sweep_{scope}_{kpi}", "plot name", ".png"))]


def plot_staffing(required: pd.DataFrame, grouping: str, path: Path) -> Path:
    """Operators on the phones required against now, per pool, by hour of week (or of day)."""
    pools = list(dict.fromkeys(required["pool"]))
    figure, axes = plt.subplots(len(pools), 1, figsize=(12, 2.6 * len(pools)), sharex=True,
                                squeeze=False)
    for axis, pool in zip(axes[:, 0], pools, strict=True):
        rows = required[required["pool"] == pool]
        axis.step(rows["key"], rows["current_on_phones"], where="post", color="0.55",
                  label="now (mean)")
        axis.step(rows["key"], rows["required_on_phones"], where="post", color="C3",
                  label="required")
        axis.set_ylabel(f"{pool}\non the phones")
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.grid(alpha=0.3)
    axes[0, 0].legend(loc="upper right", fontsize="small")
    bottom = axes[-1, 0]
    if grouping == "hour_of_week":
        bottom.set_xticks(range(0, 168, 24), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
        bottom.set_xlabel("hour of the week")
    elif grouping == "hour_of_day":
        bottom.set_xlabel("hour of the day")
    figure.suptitle("Operators required to meet the targets, against the scenario's staffing")
    return _save(figure, path)
