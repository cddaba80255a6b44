"""A run's bad days, written beside its other results: ``days.csv`` (every whole day of every
replication, per line) and ``bad_days.csv`` (per line: the bad-day percentiles, the days a year
its standard is missed with an interval, the worst day and the worst hour), read back checked,
and told briefly on the console.

A line's **standard** is the share of its calls its service level (at its own
``service_level_s``) must reach on a day: 999's national standard, 90% within 10 s, unless
``--standard`` says otherwise (``--standard "999: 0.95"``, ``--standard "101: 0.80"``).
The figures are those of :mod:`contactsim.analysis.days` and
:mod:`contactsim.analysis.worst`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from contactsim.analysis.days import (
    DAY_KPIS,
    bad_end_percentiles,
    daily_kpis,
    day_percentiles,
    days_missed,
    missed_standard,
    percentile_column,
    present_sums,
)
from contactsim.analysis.kpi_names import SERVICE_LEVEL
from contactsim.analysis.worst import WEEKDAYS, worst_day_any, worst_days, worst_hours
from contactsim.config.lines import EMERGENCY_LINE
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError
from contactsim.output import tables
from contactsim.output.saved_tables import COUNT, NUMBER, TEXT, read_saved_table

__all__ = ["BAD_DAYS", "DAYS", "NATIONAL_STANDARD", "bad_days_tables", "bad_days_text",
           "default_standards", "parse_standards", "read_bad_days", "read_days",
           "saved_standards", "write_bad_days"]

DAYS = "days.csv"
BAD_DAYS = "bad_days.csv"
#: 999's national standard: 90% of calls answered within 10 s, day by day.
NATIONAL_STANDARD = 0.90

#: The columns of days.csv a report reads (the day's sums of INTERVAL_SUMS come between line
#: and the KPIs: a report reads only the calls offered of them)
DAYS_COLUMNS = {"replication": COUNT, "day": TEXT, "weekday": TEXT, "line": TEXT,
                "offered": NUMBER, **{k: NUMBER for k in DAY_KPIS}, "missed_standard": TEXT}
BAD_DAYS_COLUMNS = {"line": TEXT, "service_level_s": NUMBER, "standard": NUMBER,
                    "reps": COUNT, "days_measured": NUMBER, "days_missed_a_year": NUMBER,
                    "days_missed_low": NUMBER, "days_missed_high": NUMBER,
                    "share_missed": NUMBER, "worst_day": TEXT, "worst_day_service_level": NUMBER,
                    "worst_day_low": NUMBER, "worst_day_high": NUMBER, "worst_day_any": TEXT,
                    "worst_day_any_replication": NUMBER, "worst_day_any_service_level": NUMBER,
                    "worst_hour": TEXT, "worst_hour_service_level": NUMBER,
                    "worst_hour_low": NUMBER, "worst_hour_high": NUMBER, "worst_hour_any": TEXT,
                    "worst_hour_any_replication": NUMBER,
                    "worst_hour_any_service_level": NUMBER, "days_counted": NUMBER,
                    **{percentile_column(kpi, p): NUMBER
                       for kpi in DAY_KPIS for p in bad_end_percentiles(kpi)}}

_STANDARD = re.compile(r"^\s*(?P<line>[^:\s]+)\s*:\s*(?:service_level\s*>=\s*)?(?P<value>\S+)\s*$")


def default_standards(lines: Iterable[str]) -> dict[str, float]:
    """The standards a run judges days by without ``--standard``: 999's national standard."""
    return {EMERGENCY_LINE: NATIONAL_STANDARD} if EMERGENCY_LINE in lines else {}


def parse_standards(texts: Iterable[str], lines: Iterable[str]) -> dict[str, float]:
    """The default standards with each ``"LINE: SHARE"`` (or ``"LINE: service_level >=
    SHARE"``) of ``texts`` set or replaced; ContactsimError naming what is wrong."""
    known = list(lines)
    standards = default_standards(known)
    for text in texts:
        match = _STANDARD.match(text)
        if match is None:
            raise ContactsimError(f"--standard {text!r}: expected LINE: SHARE, e.g. "
                                  "'999: 0.90' (the share of a day's calls answered within the "
                                  "line's service_level_s)")
        line = match["line"].strip("\"'")
        if line not in known:
            raise ContactsimError(f"--standard {text!r}: line {line!r} is not in the scenario "
                                  f"(it has {known})")
        try:
            value = float(match["value"])
        except ValueError:
            value = math.nan
        if not 0 < value < 1:
            raise ContactsimError(f"--standard {text!r}: {match['value']!r}; expected a share "
                                  "strictly between 0 and 1, e.g. 0.90")
        standards[line] = value
    return standards


def _day_text(day: object) -> str:
    return "" if day is None else pd.Timestamp(day).strftime("%Y-%m-%d")


def bad_days_tables(intervals: pd.DataFrame, scenario: Scenario,
                    standards: Mapping[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``days.csv`` and ``bad_days.csv`` of a run of ``scenario`` whose interval series is
    ``intervals``: the daily rows (with the weekday and, on a line with a standard, whether
    the day missed it) and one summary row per line with whole days measured."""
    days = daily_kpis(intervals, scenario.horizon.interval_s)
    if days.empty:
        return days, pd.DataFrame(columns=list(BAD_DAYS_COLUMNS))
    day = pd.to_datetime(days["day"])
    missed = pd.Series("", index=days.index, dtype=object)
    for line, standard in standards.items():
        rows = (days["line"] == line).to_numpy()
        missed[rows] = ["yes" if m else "no" for m in missed_standard(days[rows], standard)]
    written = days.assign(day=day.dt.strftime("%Y-%m-%d"),
                          weekday=[WEEKDAYS[d] for d in day.dt.day_of_week],
                          missed_standard=missed)
    written = written[["replication", "day", "weekday", "line", *present_sums(days),
                       *DAY_KPIS, "missed_standard"]]
    percentiles = day_percentiles(days).set_index("line")
    missing = days_missed(days, {line: s for line, s in standards.items()}).set_index("line")
    rows = []
    for line in pd.unique(days["line"]):
        worst = worst_days(days, str(line), 1)
        any_day = worst_day_any(days, str(line))
        hours = worst_hours(intervals, str(line))
        row: dict[str, object] = {
            "line": line, "service_level_s": scenario.service_level_s(str(line)),
            "standard": standards.get(str(line), math.nan),
            "reps": int(days.loc[days["line"] == line, "replication"].nunique()),
        }
        row.update({c: missing.loc[line, c] if line in missing.index else math.nan
                    for c in ("days_measured", "days_missed_a_year", "days_missed_low",
                              "days_missed_high", "share_missed")})
        if pd.isna(row["days_measured"]):
            row["days_measured"] = float((days["line"] == line).sum() / row["reps"])
        first = worst.iloc[0] if not worst.empty else None
        row.update({
            "worst_day": _day_text(first["day"]) if first is not None else "",
            "worst_day_service_level": first[SERVICE_LEVEL] if first is not None else math.nan,
            "worst_day_low": first["low"] if first is not None else math.nan,
            "worst_day_high": first["high"] if first is not None else math.nan,
            "worst_day_any": _day_text(any_day["day"]),
            "worst_day_any_replication": any_day["replication"],
            "worst_day_any_service_level": any_day[SERVICE_LEVEL],
            "worst_hour": "" if hours["hour"] is None else f"{hours['hour']:%Y-%m-%d %H:%M}",
            "worst_hour_service_level": hours[SERVICE_LEVEL],
            "worst_hour_low": hours["low"], "worst_hour_high": hours["high"],
            "worst_hour_any": ("" if hours["any_hour"] is None
                               else f"{hours['any_hour']:%Y-%m-%d %H:%M}"),
            "worst_hour_any_replication": hours["any_replication"],
            "worst_hour_any_service_level": hours["any_service_level"],
        })
        row.update(percentiles.loc[line].to_dict())
        rows.append(row)
    return written, pd.DataFrame(rows)


def write_bad_days(intervals: pd.DataFrame, scenario: Scenario,
                   standards: Mapping[str, float] | None, folder: Path) -> pd.DataFrame | None:
    """Write ``days.csv`` and ``bad_days.csv`` into ``folder`` (``standards`` None: the
    default, 999's national standard); the summary, or None (and nothing written) if no day
    was measured whole."""
    if standards is None:
        standards = default_standards(scenario.lines)
    days, summary = bad_days_tables(intervals, scenario, standards)
    if days.empty:
        return None
    days.to_csv(folder / DAYS, index=False)
    summary.to_csv(folder / BAD_DAYS, index=False)
    return summary


def read_days(folder: str | Path) -> pd.DataFrame | None:
    """A saved run's ``days.csv``, checked, its days as dates; None if it has none."""
    path = Path(folder) / DAYS
    if not path.exists():
        return None
    table = read_saved_table(path, "table of days", DAYS_COLUMNS,
                             unique=("replication", "day", "line"))
    day = pd.to_datetime(table["day"], format="%Y-%m-%d", errors="coerce")
    if day.isna().any():
        first = int(day.isna().to_numpy().argmax())
        raise ContactsimError(f"{path} is not a contactsim table of days (row {first + 1}, "
                              f"column day: {table['day'].iloc[first][:40]!r} is not a date "
                              "YYYY-MM-DD)")
    return table.assign(day=day)


def read_bad_days(folder: str | Path) -> pd.DataFrame | None:
    """A saved run's ``bad_days.csv``, checked; None if it has none."""
    path = Path(folder) / BAD_DAYS
    if not path.exists():
        return None
    return read_saved_table(path, "bad-day summary", BAD_DAYS_COLUMNS, unique=("line",))


def saved_standards(folder: str | Path) -> dict[str, float]:
    """The standards a saved run judged its days by (from ``bad_days.csv``; none without it)."""
    summary = read_bad_days(folder)
    if summary is None:
        return {}
    return {str(row.line): float(row.standard) for row in summary.itertuples()
            if not math.isnan(float(row.standard))}


def _when(day: str) -> str:
    """``Sat 2018-07-07`` from ``2018-07-07``."""
    return f"{pd.Timestamp(day):%a} {day}" if day else "—"


def bad_days_text(summary: pd.DataFrame) -> str:
    """The bad days in a few lines, for the console: per line with a standard, the days a year
    it is missed (with the interval), the worst day and the bad day one in ten."""
    out = []
    for row in summary.itertuples():
        if math.isnan(float(row.standard)):
            continue
        sl = SERVICE_LEVEL
        low_tail = percentile_column(sl, bad_end_percentiles(sl)[1])
        worst = tables.mean_text(sl, row.worst_day_service_level, row.worst_day_low,
                                 row.worst_day_high)
        interval = tables.interval_text(sl, row.worst_day_service_level, row.worst_day_low,
                                        row.worst_day_high)
        a_year = (f"{row.days_missed_a_year:.0f} days a year "
                  f"[{row.days_missed_low:.0f}, {row.days_missed_high:.0f}]"
                  if not math.isnan(row.days_missed_low) else
                  f"{row.days_missed_a_year:.0f} days a year")
        scaled = "" if abs(row.days_measured - 365) < 1.5 else (
            f", from {row.days_measured:.0f} days measured a replication")
        out.append(
            f"  {row.line}: standard {row.standard * 100:g}% within {row.service_level_s:g} s "
            f"missed on {row.share_missed * 100:.1f}% of days: {a_year}{scaled}\n"
            f"       worst day {_when(str(row.worst_day))}: {worst} {interval} (mean of "
            f"{row.reps} replications); one day in ten below "
            f"{tables.mean_text(sl, getattr(row, low_tail), places=1)}")
    if not out:
        return ""
    return "\n".join(["bad days (days.csv, bad_days.csv):", *out])
