"""The bad days of a run on its report page: per line, the days a year the standard is missed,
the bad-day percentiles, the worst hour, and the worst days with what happened on them —
calls offered against that weekday's average, ASA, abandonment, and the scenario's surges and
outages that day (:func:`~contactsim.output.day_notes.day_notes`).

Made from the folder's ``days.csv`` and ``bad_days.csv`` only (see
:mod:`contactsim.output.bad_days`); a folder without them (an older run, or one with no whole
day measured) has no such section.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from contactsim.analysis.days import DAY_KPIS, bad_end_percentiles, percentile_column
from contactsim.analysis.kpi_names import ABANDON_RATE, ASA_S, OFFERED, SERVICE_LEVEL
from contactsim.analysis.kpis import KPIS
from contactsim.analysis.worst import MIN_HOUR_CALLS, worst_days
from contactsim.output import tables
from contactsim.output.bad_days import read_bad_days, read_days
from contactsim.output.day_notes import day_notes

__all__ = ["WORST_DAYS_LISTED", "bad_days_section"]

#: Worst days listed per line with a standard (and per line without one).
WORST_DAYS_LISTED = (10, 5)


def _value(kpi: str, value: float, low: float = math.nan, high: float = math.nan) -> str:
    text = tables.mean_text(kpi, value, low, high)
    interval = tables.interval_text(kpi, value, low, high)
    return html.escape(f"{text} {interval}".strip())


def _when(text: str, hour: bool = False) -> str:
    if not text:
        return "—"
    moment = pd.Timestamp(text)
    return f"{moment:%a %d %b %Y %H:%M}" if hour else f"{moment:%a %d %b %Y}"


def _missed(row: Any) -> str:
    if math.isnan(row.standard):
        return "<td>—</td><td>—</td>"
    scaled = ("" if abs(row.days_measured - 365) < 1.5 else
              f"<br><span class='small'>from {row.days_measured:.0f} days a replication, "
              "scaled to a year</span>")
    interval = ("" if math.isnan(row.days_missed_low) else
                f" [{row.days_missed_low:.0f}, {row.days_missed_high:.0f}]")
    return (f"<td>{row.standard * 100:g}% within {row.service_level_s:g} s</td>"
            f"<td>{row.days_missed_a_year:.0f}{interval} ({row.share_missed * 100:.1f}% of days)"
            f"{scaled}</td>")


def _summary_table(summary: pd.DataFrame) -> str:
    rows = ["<table><tr><th>line</th><th>standard</th><th>days a year below it [95%]</th>"
            "<th>worst day (mean of replications)</th><th>worst day of any replication</th>"
            f"<th>worst hour (at least {MIN_HOUR_CALLS} calls)</th></tr>"]
    for row in summary.itertuples():
        any_rep = ("" if math.isnan(row.worst_day_any_replication) else
                   f" (replication {row.worst_day_any_replication:.0f})")
        hour_rep = ("" if math.isnan(row.worst_hour_any_replication) else
                    f"; any replication: {_when(row.worst_hour_any, True)}, "
                    f"{_value(SERVICE_LEVEL, row.worst_hour_any_service_level)}")
        day = _value(SERVICE_LEVEL, row.worst_day_service_level, row.worst_day_low,
                     row.worst_day_high)
        hour = _value(SERVICE_LEVEL, row.worst_hour_service_level, row.worst_hour_low,
                      row.worst_hour_high)
        rows.append(
            f"<tr><td>{html.escape(str(row.line))}</td>{_missed(row)}"
            f"<td>{_when(row.worst_day)}: {day}</td>"
            f"<td>{_when(row.worst_day_any)}: "
            f"{_value(SERVICE_LEVEL, row.worst_day_any_service_level)}{any_rep}</td>"
            f"<td>{_when(row.worst_hour, True)}: {hour}{hour_rep}</td></tr>")
    return "".join(rows) + "</table>"


def _percentile_table(summary: pd.DataFrame) -> str:
    rows = ["<table><tr><th>line</th><th>KPI</th><th>median day</th><th>one day in ten</th>"
            "<th>one day in a hundred</th></tr>"]
    for row in summary.itertuples():
        for kpi in DAY_KPIS:
            side = "below" if KPIS[kpi].higher_is_better else "above"
            cells = [getattr(row, percentile_column(kpi, p)) for p in bad_end_percentiles(kpi)]
            rows.append(
                f"<tr><td>{html.escape(str(row.line))}</td>"
                f"<td>{html.escape(KPIS[kpi].label)}</td>"
                f"<td>{_value(kpi, cells[0])}</td><td>{side} {_value(kpi, cells[1])}</td>"
                f"<td>{side} {_value(kpi, cells[2])}</td></tr>")
    return "".join(rows) + "</table>"


def _worst_days_table(days: pd.DataFrame, line: str, count: int,
                      scenario: Mapping[str, Any]) -> str:
    worst = worst_days(days, line, count)
    rows = [f"<h3>Worst days on line {html.escape(line)}</h3><table><tr><th>day</th>"
            "<th>service level [95%]</th><th>offered (against that weekday's average)</th>"
            "<th>ASA</th><th>abandon rate</th><th>what happened</th></tr>"]
    for row in worst.itertuples():
        notes = day_notes(scenario, line, row.day.date())
        against = ("" if math.isnan(row.offered_vs_weekday) else
                   f" ({tables.number(row.offered_vs_weekday * 100, 0, signed=True)}% against "
                   f"{row.weekday_offered:,.0f} on an average {row.weekday})")
        rows.append(
            f"<tr><td>{row.day:%a %d %b %Y}</td>"
            f"<td>{_value(SERVICE_LEVEL, row.service_level, row.low, row.high)}</td>"
            f"<td>{row.offered:,.0f}{html.escape(against)}</td>"
            f"<td>{_value(ASA_S, getattr(row, ASA_S))}</td>"
            f"<td>{_value(ABANDON_RATE, getattr(row, ABANDON_RATE))}</td>"
            f"<td>{'<br>'.join(html.escape(n) for n in notes) or '—'}</td></tr>")
    return "".join(rows) + "</table>"


def bad_days_section(folder: Path, scenario: Mapping[str, Any]) -> str:
    """The report's section on the bad days of the run in ``folder`` (``scenario``: its
    resolved scenario, for what happened on a day); empty if it has no days.csv."""
    days, summary = read_days(folder), read_bad_days(folder)
    if days is None or summary is None:
        return ""
    reps = int(days["replication"].nunique())
    per_rep = len(days) / max(1, reps * days["line"].nunique())
    parts = [
        "<h2>Bad days</h2>",
        f"<p>Every whole day of every replication ({per_rep:,.0f} days × {reps} replications), "
        "each day's figures from its own calls (its ASA is its answered calls' wait over their "
        "number). The worst day is the date whose service level is lowest on average over the "
        "replications (bad by the calendar); the worst of any replication is the tail the "
        "dice can bring, and it grows worse with more replications.</p>",
        _summary_table(summary),
        "<p>Bad-day percentiles over every day of every replication: one day in ten has a "
        "service level below, or an ASA or abandon rate above, the figure shown.</p>",
        _percentile_table(summary),
    ]
    for row in summary.itertuples():
        count = WORST_DAYS_LISTED[0 if not math.isnan(row.standard) else 1]
        parts.append(_worst_days_table(days, str(row.line), count, scenario))
    parts.append(f"<p class='small'>{OFFERED}: calls offered that day, mean of the "
                 "replications; the days are in days.csv, the summary in bad_days.csv.</p>")
    return "\n".join(parts)
