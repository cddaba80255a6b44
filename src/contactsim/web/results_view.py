"""What the page shows of a finished comparison, as JSON: the KPI table (each scenario's mean
and 95% interval, each what-if's paired difference from the base with its interval, the 999
standard's verdict) and the series for the plots by hour of day and by month.

Numbers are sent whole (``mean``, ``ci_low``, ...) beside the text the command line would
print (``text``, ``difference``), so the page shows what ``contactsim compare`` shows and a test
can check the page's numbers against ``contactsim run`` to the last bit.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from contactsim.analysis.kpi_names import ABANDON_RATE, ASA_S, OFFERED, SERVICE_LEVEL
from contactsim.analysis.kpis import kpi_named
from contactsim.analysis.periods import summaries_by
from contactsim.output import tables
from contactsim.output.html import OPTIONAL_KPIS, SHOWN_KPIS, VERDICT_WORDS, verdict
from contactsim.runs.experiment import RunResults

#: KPIs plotted by hour of day and by month, per line.
PLOTTED_KPIS = (SERVICE_LEVEL, ASA_S, ABANDON_RATE, OFFERED)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def comparison_view(names: list[str], runs: list[RunResults], table: pd.DataFrame,
                    series: list[RunSeries] | None = None) -> dict[str, Any]:
    """The page's view of scenarios run with the same seed, the first being the base
    (``table``: :func:`contactsim.analysis.stats.compare_to_first`; ``series``: each run's
    :func:`run_series`, if already made)."""
    return {
        "names": names,
        "reps": len(runs[0].replications["replication"].unique()),
        "seed": runs[0].seed,
        "kpis": _kpi_rows(names, table),
        "plots": _plots(names, runs, series or [run_series(run) for run in runs]),
    }


def _number(value: float) -> float | None:
    """JSON has no NaN: a missing number is null."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) \
        else float(value)


def _kpi_rows(names: list[str], table: pd.DataFrame) -> list[dict[str, Any]]:
    shown = table[table["kpi"].isin(SHOWN_KPIS)]
    rows = []
    for (scope, kpi), group in shown.groupby(["scope", "kpi"], sort=False):
        by_name = {row.scenario: row for row in group.itertuples()}
        if kpi in OPTIONAL_KPIS and all(
            not (row.mean == row.mean and row.mean != 0) for row in by_name.values()
        ):
            continue  # a feature none of the scenarios uses
        cells: list[dict[str, Any] | None] = []
        for index, name in enumerate(names):
            row = by_name.get(name)
            if row is None:
                cells.append(None)
                continue
            cell = {
                "mean": _number(row.mean), "ci_low": _number(row.ci_low),
                "ci_high": _number(row.ci_high),
                "text": tables.mean_text(kpi, row.mean, row.ci_low, row.ci_high),
                "interval": tables.interval_text(kpi, row.mean, row.ci_low, row.ci_high),
            }
            if index > 0:
                cell.update({
                    "diff_mean": _number(row.diff_mean), "diff_low": _number(row.diff_low),
                    "diff_high": _number(row.diff_high),
                    "difference": tables.difference_text(kpi, row.diff_mean, row.diff_low,
                                                         row.diff_high),
                })
            found = verdict(str(scope), str(kpi), row.ci_low, row.ci_high)
            if found is not None:
                cell["verdict"] = found[0]
                cell["verdict_words"] = f"{VERDICT_WORDS[found[0]]} ({found[1]})"
            cells.append(cell)
        rows.append({
            "scope": str(scope), "kpi": str(kpi),
            "scope_label": tables.scope_label(str(scope), str(kpi)),
            "label": tables.kpi_label(str(kpi)), "cells": cells,
        })
    return rows


def _unit(kpi: str) -> str:
    """A plotted KPI's unit for its axis: % for a share, else the registry's (s, h), else
    none (a count)."""
    if tables.kind(kpi) == tables.SHARE:
        return "%"
    found = kpi_named(kpi)
    return found.unit if found is not None and found.unit in ("s", "h") else ""


def _hour_of_day(starts: pd.Series) -> pd.Series:
    return starts.dt.hour


def _month(starts: pd.Series) -> pd.Series:
    return starts.dt.month


#: One run's plot series: by ("hour", "month") -> line -> KPI -> x, mean, low, high.
RunSeries = dict[str, dict[str, dict[str, dict[str, list[Any]]]]]


def run_series(run: RunResults) -> RunSeries:
    """A run's mean and interval of each plotted KPI, per line, by hour of day and by month
    (months only when the horizon spans more than one)."""
    months = run.intervals["interval_start"].dt.month.nunique()
    keys = {"hour": _hour_of_day, **({"month": _month} if months > 1 else {})}
    out: RunSeries = {}
    for by, key in keys.items():
        for line in run.scenario.lines:
            for kpi, frame in summaries_by(run.intervals, line, PLOTTED_KPIS, key).items():
                out.setdefault(by, {}).setdefault(line, {})[kpi] = {
                    "x": [MONTHS[int(k) - 1] if by == "month" else int(k) for k in frame["key"]],
                    "mean": [_number(v) for v in frame["mean"]],
                    "low": [_number(v) for v in frame["ci_low"]],
                    "high": [_number(v) for v in frame["ci_high"]],
                }
    return out


def _plots(names: list[str], runs: list[RunResults], series: list[RunSeries]
           ) -> dict[str, Any]:
    """Per line and KPI, each scenario's series (see :func:`run_series`), side by side."""
    lines = list(runs[0].scenario.lines)
    plots: dict[str, Any] = {"lines": lines, "kpis": [
        {"kpi": kpi, "label": tables.kpi_label(kpi), "share": tables.kind(kpi) == tables.SHARE,
         "unit": _unit(kpi)} for kpi in PLOTTED_KPIS], "by": {}}
    for by in series[0]:
        plots["by"][by] = {
            line: {kpi: [{"scenario": name, **one[by][line][kpi]}
                         for name, one in zip(names, series, strict=True)]
                   for kpi in PLOTTED_KPIS}
            for line in lines
        }
    return plots
