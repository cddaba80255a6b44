"""Fitting demand profiles and handle times to a call log, for synthetic scenarios.

Per line, the arrival rate is modelled as ``scale × hour_of_week[h] × month[m]`` (the shape
contactsim's profiles use) and fitted by maximum likelihood for Poisson counts, by iterative
proportional fitting over the hours the log covers. Handle times get a lognormal with the
sample's mean and coefficient of variation; its fit is judged by the Kolmogorov–Smirnov
distance (the largest gap between the fitted and observed distribution functions).

Per line too, the day-to-day busyness cv (:mod:`contactsim.planning.fit_busyness`) and, where
the log links calls to incidents, the bursts of further calls an incident brings
(:mod:`contactsim.planning.fit_bursts`). A burst's duplicates are fitted apart: the profile,
volume, busyness and handle time are the line's other calls', as a scenario's bursts come on
top of its demand.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats as scipy_stats

from contactsim.build.demand import DAYS_PER_PROFILE_YEAR
from contactsim.config.lines import MAX_BUSYNESS_CV
from contactsim.data.calllog import CallLog
from contactsim.data.demand_profiles import HOURS_PER_WEEK
from contactsim.data.files import child, safe_components
from contactsim.limits import MAX_CV, MIN_CV
from contactsim.planning.fit_bursts import (
    BURST_WINDOW_MIN,
    BurstFit,
    burst_columns,
    burst_snippet,
    fit_bursts,
    incident_calls,
)
from contactsim.planning.fit_busyness import BusynessFit, busyness_columns, fit_busyness

FIT_ITERATIONS = 50


@dataclass(frozen=True)
class LineFit:
    """What a log says of one line's demand and handle times."""

    line: str
    calls: int
    first_day: pd.Timestamp
    days: int
    annual_volume: float  # expected calls in 365 days from first_day
    hour_of_week: np.ndarray  # 168 weights, mean 1
    month: np.ndarray  # 12 factors, mean 1 over observed months; 1 where unobserved
    months_observed: np.ndarray  # 12 booleans
    observed_hour_of_week: np.ndarray  # calls per hour, by hour of week
    observed_month: np.ndarray  # calls per hour, by month (NaN where unobserved)
    handle_mean_s: float | None = None
    handle_cv: float | None = None
    handle_ks_distance: float | None = None
    busyness: BusynessFit | None = None
    bursts: BurstFit | None = None


def _hour_cells(first_day: pd.Timestamp, hours: int) -> tuple[np.ndarray, np.ndarray]:
    starts = first_day + pd.to_timedelta(np.arange(hours), unit="h")
    hour_of_week = (starts.day_of_week * 24 + starts.hour).to_numpy()
    return hour_of_week, starts.month.to_numpy() - 1


def fit_line(line: str, arrivals: np.ndarray, handle_s: np.ndarray | None,
             leave_out: Collection[date] = ()) -> LineFit:
    """Fit one line's profile, volume, busyness (leaving out the days ``leave_out``) and
    handle-time distribution."""
    times = pd.DatetimeIndex(arrivals)
    first_day = times.min().normalize()
    days = int((times.max().normalize() - first_day).days) + 1
    cell_how, cell_month = _hour_cells(first_day, days * 24)
    exposure = np.zeros((HOURS_PER_WEEK, 12))
    np.add.at(exposure, (cell_how, cell_month), 1.0)
    counts = np.zeros((HOURS_PER_WEEK, 12))
    np.add.at(counts, ((times.day_of_week * 24 + times.hour).to_numpy(), times.month - 1), 1.0)
    observed = exposure.sum(axis=0) > 0
    how = np.ones(HOURS_PER_WEEK)
    month = np.ones(12)
    for _ in range(FIT_ITERATIONS):
        how = counts.sum(axis=1) / np.maximum(exposure @ month, 1e-300)
        month = np.where(observed, counts.sum(axis=0) / np.maximum(exposure.T @ how, 1e-300), 1.0)
    month = np.where(observed, month / month[observed].mean(), 1.0)
    scale = counts.sum() / (exposure * np.outer(how, month)).sum()
    rate = scale * how
    year_how, year_month = _hour_cells(first_day, DAYS_PER_PROFILE_YEAR * 24)
    annual = float((rate[year_how] * month[year_month]).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        observed_how = counts.sum(axis=1) / exposure.sum(axis=1)
        observed_month = np.where(observed, counts.sum(axis=0) / exposure.sum(axis=0), np.nan)
    fit = LineFit(
        line=line, calls=int(times.size), first_day=first_day, days=days, annual_volume=annual,
        hour_of_week=how / how.mean(), month=month, months_observed=observed,
        observed_hour_of_week=observed_how, observed_month=observed_month,
        busyness=fit_busyness(arrivals, first_day, days, leave_out),
    )
    if handle_s is None or handle_s.size < 2:
        return fit
    mean = float(handle_s.mean())
    cv = float(handle_s.std(ddof=1) / mean) if mean > 0 else float("nan")
    sigma = np.sqrt(np.log1p(cv**2))
    fitted = scipy_stats.lognorm(s=sigma, scale=mean / np.sqrt(1 + cv**2))
    distance = float(scipy_stats.kstest(handle_s, fitted.cdf).statistic)
    return LineFit(**{**fit.__dict__, "handle_mean_s": mean, "handle_cv": cv,
                      "handle_ks_distance": distance})


def fit_log(log: CallLog, leave_out: Collection[date] = (),
            window_min: float = BURST_WINDOW_MIN) -> dict[str, LineFit]:
    """Fit every line of a call log; bursts where it has ``incident_id`` (a burst's further
    calls within ``window_min`` of its first), and busyness leaving out ``leave_out``."""
    fits = {}
    for name, line in log.lines.items():
        if line.incidents is None:
            fits[name] = fit_line(name, line.arrivals, line.handle_s, leave_out)
            continue
        calls = incident_calls(line.arrivals, line.incidents, line.callers, window_min)
        kept = ~calls.duplicate
        handle = line.handle_s[kept] if line.handle_s is not None else None
        fit = fit_line(name, line.arrivals[kept], handle, leave_out)
        fits[name] = replace(fit, bursts=fit_bursts(calls, window_min, line.handle_s))
    return fits


def profile_files(lines: Iterable[str]) -> dict[str, str]:
    """The name of each line's profile file, ``profile-LINE.csv``, with the line name made a
    harmless file name (:func:`~contactsim.data.files.safe_component`: a line ``../x`` cannot write
    outside the folder). Raises :class:`~contactsim.errors.ContactsimError` if two lines would
    share a file, or a line cannot name one."""
    lines = list(lines)
    names = safe_components([f"profile-{line}" for line in lines], "line name")
    return {line: names[f"profile-{line}"] + ".csv" for line in lines}


def write_fit(fits: dict[str, LineFit], log_path: str, folder: Path) -> list[Path]:
    """Write profiles, a fit table, a scenario snippet and a plot of fitted against observed
    into ``folder`` (which must exist). Each profile is named by :func:`profile_files`, and the
    snippet names it as written."""
    profile_files(fits)  # two lines that would share a file are refused before any is written
    written = []
    rows = []
    demand: dict[str, dict[str, object]] = {}
    handling: dict[str, dict[str, object]] = {}
    for name, fit in fits.items():
        profile = child(folder, f"profile-{name}", "line name", ".csv")
        table = pd.concat([
            pd.DataFrame({"component": "hour_of_week", "key": range(HOURS_PER_WEEK),
                          "weight": np.round(fit.hour_of_week, 6)}),
            pd.DataFrame({"component": "month", "key": range(1, 13),
                          "weight": np.round(fit.month, 6)}),
        ])
        table.to_csv(profile, index=False)
        written.append(profile)
        demand[name] = {"annual_volume": round(fit.annual_volume), "profile": profile.name}
        if fit.busyness is not None:
            demand[name]["busyness_cv"] = round(min(fit.busyness.cv.value, MAX_BUSYNESS_CV), 3)
        if fit.bursts is not None:
            demand[name]["bursts"] = burst_snippet(fit.bursts, _handle_time)
        if fit.handle_mean_s is not None:
            handling[name] = {"handle_time": _handle_time(fit.handle_mean_s, fit.handle_cv)}
        rows.append({
            "line": name, "calls": fit.calls, "first_day": fit.first_day.date().isoformat(),
            "days": fit.days, "annual_volume": round(fit.annual_volume, 1),
            "months_observed": int(fit.months_observed.sum()),
            "handle_mean_s": fit.handle_mean_s, "handle_cv": fit.handle_cv,
            "handle_ks_distance": fit.handle_ks_distance,
            **busyness_columns(fit.busyness), **burst_columns(fit.bursts),
        })
    summary = folder / "fit.csv"
    pd.DataFrame(rows).to_csv(summary, index=False)
    written.append(summary)
    first = min(fit.first_day for fit in fits.values())
    snippet = {
        "horizon": {"start": first.date().isoformat(), "days": DAYS_PER_PROFILE_YEAR},
        "demand": demand,
    }
    if handling:
        snippet["handling"] = handling
    header = (
        f"# Fitted by contactsim demand fit from {log_path}.\n"
        "# Paste into a scenario (profiles are next to this file); add patience, pools and\n"
        "# service levels. annual_volume is the expected calls in 365 days from horizon.start.\n"
    )
    if any(not fit.months_observed.all() for fit in fits.values()):
        header += "# The log does not cover every month: unobserved months have factor 1.\n"
    header += "".join(_interval_notes(fits))
    path = folder / "scenario-snippet.yaml"
    path.write_text(header + yaml.safe_dump(snippet, sort_keys=False), encoding="utf-8")
    written.append(path)
    written.append(plot_fit(fits, folder / "fit.png"))
    return written


def _interval_notes(fits: dict[str, LineFit]) -> list[str]:
    """The snippet's comments giving each fitted busyness and burst value's 95% interval."""
    notes = []
    for line, fit in fits.items():
        name = line.encode("unicode_escape").decode("ascii")  # a line break ends a comment
        if fit.busyness is not None:
            notes.append(f"# {name}: busyness_cv {fit.busyness.cv.shown()} (95% interval, "
                         f"{fit.busyness.days} days)\n")
        if fit.bursts is not None:
            bursts = fit.bursts
            notes.append(
                f"# {name}: bursts share {bursts.share.shown()}, extra_calls "
                f"{bursts.extra_calls.shown(2)}, spread_s {bursts.spread_s.shown(0)} (95% "
                f"intervals, {bursts.incidents:,} incidents)\n")
            if bursts.handle_mean_s is None:
                notes.append(f"# {name}: the log has no handle_s: add bursts.handle_time, the "
                             "duplicates' handle time\n")
    return notes


def _handle_time(mean_s: float, cv: float | None) -> dict[str, object]:
    """The snippet's handle time: the fitted lognormal, or a fixed time where the log's
    times hardly vary (a lognormal's cv must be at least limits.MIN_CV)."""
    mean = round(mean_s, 1)
    if cv is None or not np.isfinite(cv) or cv < MIN_CV or mean <= 0:
        return {"dist": "fixed", "value_s": mean}
    return {"dist": "lognormal", "mean_s": mean, "cv": round(min(cv, MAX_CV), 3)}


def plot_fit(fits: dict[str, LineFit], path: Path) -> Path:
    """Observed and fitted calls per hour, by hour of week and by month, per line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(len(fits), 2, figsize=(12, 3.2 * len(fits)), squeeze=False,
                                gridspec_kw={"width_ratios": [3, 1]})
    for row, fit in enumerate(fits.values()):
        weeks = fit.observed_hour_of_week
        mean_month = np.nanmean(fit.observed_month)
        fitted_how = fit.hour_of_week * np.nanmean(weeks)
        axis = axes[row][0]
        axis.plot(range(HOURS_PER_WEEK), weeks, color="0.6", linewidth=3, alpha=0.6,
                  label="observed")
        axis.plot(range(HOURS_PER_WEEK), fitted_how, color="C0", label="fitted")
        axis.set_xticks(range(0, HOURS_PER_WEEK, 24), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
                                                       "Sun"])
        # a $ in a line name would start mathematical text, which may not parse
        axis.set_ylabel(f"line {fit.line}\ncalls per hour".replace("$", r"\$"))
        axis.grid(alpha=0.3)
        axis.legend(fontsize="small")
        axis = axes[row][1]
        months = np.arange(1, 13)
        axis.plot(months, fit.observed_month, "o", color="0.5", label="observed")
        axis.plot(months, fit.month * mean_month, "-", color="C0", label="fitted")
        axis.set_xticks(months, list("JFMAMJJASOND"))
        axis.grid(alpha=0.3)
    axes[0][0].set_title("By hour of week")
    axes[0][1].set_title("By month")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
