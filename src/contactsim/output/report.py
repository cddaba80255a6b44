"""Plots of a saved run, made from its files only (never from a live simulation)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from contactsim.analysis.kpis import KPIS
from contactsim.analysis.periods import band, period_kpis
from contactsim.data.files import child
from contactsim.output.results import (
    RC_DAILY,
    comparison_run_folder,
    read_comparison,
    read_intervals,
)
from contactsim.output.tables import SHARE, kind, number, scope_label

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

#: The national standard drawn on line 999's service-level panels.
STANDARD_999 = 0.90


def _day_types(intervals: pd.DataFrame, split: bool) -> list[tuple[str, np.ndarray]]:
    """(title, rows of ``intervals`` in it) for each day type present (one, untitled, if not
    ``split``)."""
    if not split:
        return [("", np.ones(len(intervals), dtype=bool))]
    day = pd.to_datetime(intervals["interval_start"]).dt.day_of_week.to_numpy()
    parts = [(name, in_type(day)) for name, in_type in DAY_TYPES]
    return [(name, mask) for name, mask in parts if mask.any()]


def _percent(value: float, _position: object = None) -> str:
    """A share as a tick label: 0.15 is "15%", 0.015 "1.5%" (no trailing zeros)."""
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text) + "%"


def _share_axis(axis: plt.Axes, kpi: str) -> None:
    """Shares from 0, in %; the 999 service level's axis reaching above the standard."""
    if kind(kpi) == SHARE:
        axis.yaxis.set_major_formatter(FuncFormatter(_percent))


def _same_y(axes: list[plt.Axes], kpi: str, standard: float | None = None) -> None:
    """One y range for ``axes`` (a line's day types), from 0 for anything but an ASA, and up to
    above ``standard`` if given, so that its line shows."""
    low = min(axis.get_ylim()[0] for axis in axes)
    high = max(axis.get_ylim()[1] for axis in axes)
    if kpi != "asa_s":
        low = 0.0
    if standard is not None:
        high = max(high, standard + 0.05 * (standard - low))
    for axis in axes:
        axis.set_ylim(low, high)


def _column_title(line: str, part: str) -> str:
    return f"line {line}" + (f" · {part}" if part else "")


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
            axis.plot(data["period"], data["mean"], marker="o", markersize=3, color="C0",
                      label="mean")
            _draw_band(axis, data["period"].astype(float), data, "C0", label="95% interval")
            axis.grid(alpha=0.3)
            _share_axis(axis, kpi)
            if row == 0:
                axis.set_title(_column_title(line, part))
            if column == 0:
                axis.set_ylabel(label)
            if row == len(PANELS) - 1:
                axis.set_xlabel(xlabel)
                if tick_labels:
                    axis.set_xticks(list(tick_labels), list(tick_labels.values()))
                else:
                    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        for line in lines:
            pair = [axes[row][c] for c, (of, _) in enumerate(columns) if of == line]
            standard = STANDARD_999 if kpi == "service_level" and line == "999" else None
            _same_y(pair, kpi, standard)
            if standard is not None:
                for axis in pair:
                    axis.axhline(standard, color="C3", linestyle="--", linewidth=1,
                                 label="national standard: 90% in 10 s")
                pair[0].legend(loc="best", fontsize="small")
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
            tick_labels={h: f"{h:02d}" for h in range(0, 24, 3)}, by_day_type=True,
        )
    ]
    span_days = (starts.max() - starts.min()).days + 1
    if span_days >= MONTHLY_FROM_DAYS:
        months = {m: name for m, name in enumerate("JFMAMJJASOND", start=1)
                  if m in set(starts.dt.month)}  # the months run, not the whole calendar
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
        _share_axis(axis, kpi)
        axis.set_title(f"{scope_label(str(scope), kpi)}: {label}", fontsize="medium")
        axis.grid(axis="y", alpha=0.3)
    figure.suptitle("Scenarios compared — mean with 95% interval (same callers in each)")
    return _save(figure, path)


def _plot_compare_profiles(
    intervals: dict[str, pd.DataFrame], by: str, xlabel: str, path: Path
) -> Path:
    """ASA and abandonment by hour (by line and day type: see :data:`DAY_TYPES`), month or day,
    every scenario overlaid in its own colour."""
    first = next(iter(intervals.values()))
    lines = list(dict.fromkeys(first["line"]))
    kpis = (("asa_s", "ASA (s)"), ("abandon_rate", "abandon rate"))
    parts = [name for name, _ in _day_types(first, by == "hour")]
    columns = [(line, part) for line in lines for part in parts]
    figure, axes = plt.subplots(len(kpis), len(columns),
                                figsize=(max(4.6, 3.8 * len(columns)), 3.0 * len(kpis)),
                                squeeze=False, sharex=True)
    for colour, (name, frame) in enumerate(intervals.items()):
        starts = pd.to_datetime(frame["interval_start"])
        if by == "hour":
            period = starts.dt.hour
        elif by == "month":
            period = starts.dt.month
        else:
            period = (starts - starts.min().normalize()).dt.days + 1
        per_part = {part: period_kpis(frame[mask], period[mask])
                    for part, mask in _day_types(frame, by == "hour")}
        for row, (kpi, label) in enumerate(kpis):
            tables = {part: band(table, kpi) for part, table in per_part.items()}
            for column, (line, part) in enumerate(columns):
                axis = axes[row][column]
                if part not in tables:
                    continue
                data = tables[part][tables[part]["line"] == line]
                axis.plot(data["period"], data["mean"], color=f"C{colour}", marker="o",
                          markersize=2, label=name)
                _draw_band(axis, data["period"].astype(float), data, f"C{colour}")
                axis.grid(alpha=0.3)
                _share_axis(axis, kpi)
                if row == 0:
                    axis.set_title(_column_title(line, part))
                if column == 0:
                    axis.set_ylabel(label)
                if row == len(kpis) - 1:
                    axis.set_xlabel(xlabel)
                    if by == "hour":
                        axis.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
                    elif by == "month":
                        run = sorted(set(starts.dt.month))
                        axis.set_xticks(run, ["JFMAMJJASOND"[m - 1] for m in run])
                    else:
                        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    for row, (kpi, _) in enumerate(kpis):
        for line in lines:
            _same_y([axes[row][c] for c, (of, _) in enumerate(columns) if of == line], kpi)
    axes[0][0].legend(fontsize="small")
    figure.suptitle(f"By {xlabel} — mean with 95% interval (same callers in each scenario)")
    return _save(figure, path)


#: Collections whose items a dotted field names by key: ``pools.blended`` is "blended pool".
_NAMED_ITEMS = {"pools": "pool", "variants": "variant"}
#: Sections keyed by line: ``demand.101`` is "line 101 demand".
_BY_LINE = ("demand", "handling", "redial", "triage")
#: Path parts that add nothing for a reader.
_SILENT = ("staffing",)


def field_words(path: str) -> str:
    """A dotted scenario field in words, for a plot's axis or legend:
    ``pools.blended.staffing.shifts.0.count`` is "blended pool, shift 1 count",
    ``handling.101.patience.mean_s`` "line 101 handling, patience, mean (s)",
    ``callback.offer_after_s`` "callback, offer after (s)", ``shrinkage`` "shrinkage".

    Each part becomes words (``_`` a space, an ``_s`` or ``_h`` ending a unit); an index
    makes its list's item ("shifts.0": "shift 1"), which the next part follows without a
    comma; a pool's or a line's key names it; other parts are separated by commas."""
    parts = path.split(".")
    pieces: list[tuple[str, bool]] = []  # (words, whether the next part follows without a comma)
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        if following is not None and part in _BY_LINE:  # a line's key may be digits: 999
            pieces.append((f"line {following} {part}", False))
            index += 2
        elif following is not None and following.isdigit():
            singular = part[:-1] if part.endswith("s") else part
            pieces.append((f"{singular.replace('_', ' ')} {int(following) + 1}", True))
            index += 2
        elif following is not None and part in _NAMED_ITEMS:
            pieces.append((f"{following} {_NAMED_ITEMS[part]}", False))
            index += 2
        else:
            if part == "resolution_centre":
                pieces.append(("Resolution Centre", False))
            elif part not in _SILENT or index == len(parts) - 1:
                unit = {"_s": " (s)", "_h": " (h)"}.get(part[-2:], "")
                pieces.append(((part[:-2] if unit else part).replace("_", " ") + unit, False))
            index += 1
    text = ""
    for number_of, (words, glue) in enumerate(pieces):
        text += words + ("" if number_of == len(pieces) - 1 else " " if glue else ", ")
    return text


def kpi_words(scope: str, kpi: str) -> str:
    """A KPI of a scope in words, with its unit: "line 101: Average speed of answer (s)"."""
    found = KPIS.get(kpi)
    label = found.label if found is not None else kpi
    unit = "%" if kind(kpi) == SHARE else (found.unit if found is not None else "")
    return f"{scope_label(scope, kpi)}: {label}" + (f" ({unit})" if unit else "")


def _text_colour(rgba: tuple[float, ...]) -> str:
    """Dark text on a light cell, light text on a dark one (by the cell's luminance)."""
    red, green, blue = rgba[:3]
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"


def plot_sweep(folder: str | Path, scope: str | None, kpi: str | None) -> list[Path]:
    """A chosen KPI (default: the first line's ASA) over a saved sweep's points: a heatmap for
    a grid of two fields, lines (with 95% intervals) otherwise; fields and the KPI in words,
    shares in %."""
    folder = Path(folder)
    summary = pd.read_csv(folder / "sweep_summary.csv", dtype={"scope": str})
    tidy = pd.read_parquet(folder / "sweep.parquet")
    scope = scope or str(summary["scope"].iloc[0])
    kpi = kpi or "asa_s"
    data = summary[(summary["scope"] == scope) & (summary["kpi"] == kpi)]
    if data.empty:
        return []
    scale = 100.0 if kind(kpi) == SHARE else 1.0
    data = data.assign(**{c: data[c] * scale for c in ("mean", "ci_low", "ci_high")})
    fields = [c for c in tidy.columns if c not in ("point", "point_name", "replication", "scope",
                                                   "kpi", "value")]
    values = tidy.drop_duplicates("point").set_index("point")[fields]
    data = data.join(values, on="point")
    what = kpi_words(scope, kpi)
    figure, axis = plt.subplots(figsize=(7.5, 4.8))
    varying = [f for f in fields if data[f].nunique() > 1]
    if len(varying) == 2:
        table = data.pivot_table(index=varying[0], columns=varying[1], values="mean")
        cells = table.to_numpy(dtype=float)
        image = axis.imshow(cells, origin="lower", aspect="auto", cmap="viridis")
        axis.set_yticks(range(len(table.index)), [f"{v:g}" if isinstance(v, float) else str(v)
                                                  for v in table.index])
        axis.set_xticks(range(len(table.columns)), [f"{v:g}" if isinstance(v, float) else str(v)
                                                    for v in table.columns])
        axis.set_ylabel(field_words(varying[0]))
        axis.set_xlabel(field_words(varying[1]))
        places = max(0, min(2, 2 - int(np.floor(np.log10(np.nanmax(np.abs(cells)) or 1.0)))))
        for (row, column), value in pd.DataFrame(cells).stack().items():
            axis.text(column, row, number(float(value), places), ha="center", va="center",
                      color=_text_colour(tuple(image.cmap(image.norm(value)))),
                      fontsize="small")
        figure.colorbar(image, ax=axis, label=what)
    else:
        x = varying[0] if varying else "point"
        for colour, (group_name, part) in enumerate(
            data.groupby(varying[1:] if len(varying) > 1 else (lambda _: ""))
        ):
            part = part.sort_values(x)
            keys = group_name if isinstance(group_name, tuple) else (group_name,)
            label = ("\n".join(f"{field_words(f)} = {v:g}" if isinstance(v, float) else
                                f"{field_words(f)} = {v}" for f, v in zip(varying[1:], keys,
                                                                          strict=True))
                     if len(varying) > 1 else None)
            axis.errorbar(part[x].astype(str) if x == "point" else part[x], part["mean"],
                          yerr=[part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]],
                          marker="o", capsize=3, color=f"C{colour}", label=label)
        axis.set_xlabel(field_words(x) if x != "point" else "point")
        axis.set_ylabel(what)
        axis.grid(alpha=0.3)
        if len(varying) > 1:  # beside the plot: the labels are long, the lines close
            figure.set_size_inches(11, 4.8)
            axis.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1.0),
                        labelspacing=0.9)
    axis.set_title(f"Sweep: {what} — mean over replications", fontsize="medium")
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
