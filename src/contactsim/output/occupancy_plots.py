"""The load on operators, drawn: each pool's occupancy (busy ÷ time on the phones) by hour of
day, weekdays and weekends apart, mean over replications with its 95% interval
(``occupancy_by_hour.png``), from the pools' rows of a saved run's ``intervals.parquet``."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from contactsim.analysis.kpi_names import OCCUPANCY
from contactsim.analysis.kpis import KPIS
from contactsim.analysis.periods import band
from contactsim.output.plotting import draw_band, save_figure, share_axis

__all__ = ["OCCUPANCY_PLOT", "plot_occupancy"]

OCCUPANCY_PLOT = "occupancy_by_hour.png"
#: The day types drawn apart (Monday is 0), as the KPI plots by hour do.
DAY_TYPES = (("Mon–Fri", range(5)), ("Sat–Sun", range(5, 7)))


def plot_occupancy(pool_intervals: pd.DataFrame, path: Path) -> Path | None:
    """Occupancy by hour of day per pool, one panel per day type: for each replication, the
    hour's busy seconds over its seconds on the phones (the registry's formula, over all the
    days of that type), then mean and 95% interval across replications. None if no pool was
    ever on the phones."""
    if pool_intervals.empty or pool_intervals["staffed_s"].sum() <= 0:
        return None
    starts = pd.to_datetime(pool_intervals["interval_start"])
    data = pool_intervals.assign(hour=starts.dt.hour.to_numpy(),
                                 weekday=starts.dt.day_of_week.to_numpy())
    figure, axes = plt.subplots(1, len(DAY_TYPES), figsize=(11, 4), sharey=True, squeeze=False)
    for axis, (title, weekdays) in zip(axes[0], DAY_TYPES, strict=True):
        part = data[data["weekday"].isin(list(weekdays))]
        sums = part.groupby(["replication", "pool", "hour"])[["busy_s", "staffed_s"]].sum()
        per_rep = sums.assign(**{OCCUPANCY: KPIS[OCCUPANCY].from_sums(sums)}).reset_index()
        table = band(per_rep.dropna(subset=[OCCUPANCY]), OCCUPANCY, keys=("pool", "hour"))
        for colour, (pool, rows) in enumerate(table.groupby("pool", sort=False)):
            axis.plot(rows["hour"], rows["mean"], marker="o", markersize=3, color=f"C{colour}",
                      label=f"pool {pool}")
            draw_band(axis, rows["hour"].astype(float), rows, f"C{colour}")
        axis.set_title(title)
        axis.set_xlabel("hour of day")
        axis.set_xticks(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)])
        axis.grid(alpha=0.3)
        share_axis(axis, OCCUPANCY)
    axes[0][0].set_ylabel("occupancy (busy ÷ on the phones)")
    # the pools' legend on the first panel that drew them (a run of weekend days only draws
    # nothing on Mon–Fri, and a legend of nothing is a matplotlib warning)
    drawn = [axis for axis in axes[0] if axis.get_legend_handles_labels()[0]]
    if drawn:
        drawn[0].legend(loc="best", fontsize="small")
    reps = pool_intervals["replication"].nunique()
    figure.suptitle(f"Occupancy by hour — mean of {reps} replications with 95% interval")
    return save_figure(figure, path)
