"""A self-contained HTML page for a saved run, comparison or sweep, to open and forward.

The page says what the scenario is in words, shows the KPIs with their 95% intervals, marks
them against targets (999: 90% answered within 10 s, the national standard) as met, missed or
not yet clear, and embeds the plots, so that one file carries everything.

Every saved table is read by :func:`read_saved_table`, which checks it is the table contactsim
wrote (UTF-8 CSV, the columns, numbers where numbers are due) and otherwise raises
:class:`~contactsim.errors.ContactsimError` naming the file: a garbled folder gives a message,
never a traceback or a half-made page.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from contactsim.analysis.kpis import KPIS
from contactsim.analysis.stats import few_replications_warning
from contactsim.config.loader import read_yaml
from contactsim.data.files import check_input_file, write_text_atomic
from contactsim.errors import ContactsimError, EnvironmentFault, ScenarioError
from contactsim.limits import MAX_TABLE_BYTES
from contactsim.output import tables
from contactsim.output.results import MARKER, comparison_run_folder, read_marker

REPORT = "report.html"

# The saved tables a report reads, column by column: text, a number (empty: not measured) or
# a count (a whole number >= 0, never empty).
TEXT, NUMBER, COUNT = "text", "number", "count"
SUMMARY_COLUMNS = {"scope": TEXT, "kpi": TEXT, "mean": NUMBER, "ci_low": NUMBER,
                   "ci_high": NUMBER, "reps": COUNT}
COMPARE_COLUMNS = {"scenario": TEXT, **SUMMARY_COLUMNS, "diff_mean": NUMBER,
                   "diff_low": NUMBER, "diff_high": NUMBER}
SWEEP_SUMMARY_COLUMNS = {"point": COUNT, "point_name": TEXT, **SUMMARY_COLUMNS}
FAILURES_COLUMNS = {"point": COUNT, "point_name": TEXT, "replication": COUNT, "error": TEXT}

#: Targets a report marks: (line, kpi) -> (at least, label)
TARGETS = {("999", "service_level"): (0.90, "national standard: 90% answered within 10 s")}

SHOWN_KPIS = (
    "offered", "answered", "abandon_rate", "asa_s", "wait_p90_s", "service_level",
    "callbacks_offered", "callbacks_accepted", "callback_wait_s", "redials", "occupancy",
    "rc_incidents", "rc_resolved", "rc_share_of_incidents", "rc_backlog_end",
    "rc_time_to_resolve_h",
)

#: KPIs of features a scenario may not use: left out of a run's table when zero or empty.
OPTIONAL_KPIS = ("callbacks_offered", "callbacks_accepted", "callback_wait_s", "redials")

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .6em 0; font-size: .92em; }
th, td { border-bottom: 1px solid #ddd; padding: .3em .7em; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
.met { color: #176117; font-weight: 600; } .missed { color: #a11; font-weight: 600; }
.unclear { color: #8a5a00; font-weight: 600; }
img { max-width: 100%; border: 1px solid #eee; margin: .5em 0; }
.words li { margin: .2em 0; } .small { color: #666; font-size: .85em; }
"""

# Marks the page for checks in a real browser: every image decoded, and no script error.
CHECK_SCRIPT = """
window.addEventListener('error', function () { document.body.dataset.errors = 'yes'; });
window.addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.every(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.dataset.imagesOk = ok ? 'true' : 'false';
});
"""


def write_report(folder: str | Path) -> Path:
    """Write ``report.html`` into a saved run, comparison or sweep folder; returns its path.

    Raises :class:`ContactsimError` (and writes nothing) if the folder is not a results folder
    or a file in it is not what contactsim wrote; :class:`EnvironmentFault` if the page cannot
    be written.
    """
    folder = Path(folder)
    if read_marker(folder) is None:
        raise ContactsimError(
            f"{folder} is not a contactsim results folder (it has no {MARKER} marker), so no "
            "report.html is written into it"
        )
    if (folder / "sweep.json").exists() or (folder / "sweep_summary.csv").exists():
        title, body = _sweep(folder)
    elif (folder / "compare.csv").exists():
        title, body = _comparison(folder)
    elif (folder / "summary.csv").exists():
        title, body = _run(folder)
    else:
        raise ContactsimError(
            f"{folder} is not a contactsim results folder: it has no summary.csv (a run), "
            "compare.csv (a comparison) or sweep.json (a sweep)"
        )
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
        f"<script>{CHECK_SCRIPT}</script></head><body>\n<h1>{html.escape(title)}</h1>\n"
        f"{body}\n<p class='small'>Made by contactsim from the files in "
        f"{html.escape(str(folder))}.</p></body></html>\n"
    )
    path = folder / REPORT
    try:
        write_text_atomic(path, page)
    except OSError as exc:
        raise EnvironmentFault(f"{path} cannot be written ({exc.strerror or exc})") from None
    return path


# --- reading saved files --------------------------------------------------------------------


def read_saved_table(
    path: Path, what: str, columns: Mapping[str, str], unique: Sequence[str] = ()
) -> pd.DataFrame:
    """A CSV table contactsim saved, checked: UTF-8, at least one row, every column of
    ``columns`` (more are allowed) holding what it should, and no two rows sharing the values
    of the ``unique`` columns.

    Text columns are kept exactly as written; number columns are floats (empty: NaN); count
    columns are whole numbers >= 0. Anything else raises :class:`ContactsimError`:
    "PATH is not a contactsim WHAT (why)".
    """

    def refuse(why: str) -> ContactsimError:
        return ContactsimError(f"{path} is not a contactsim {what} ({why})")

    try:
        check_input_file(path, what, MAX_TABLE_BYTES)
        data = path.read_bytes()
    except ScenarioError as exc:
        raise refuse(exc.problems[0].expected) from None
    except OSError as exc:
        raise refuse(f"it cannot be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(f"byte 0x{data[exc.start]:02x} at byte {exc.start:,} is not UTF-8 text"
                     ) from None
    if not text.strip():
        raise refuse("the file is empty")
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), strict=True) if row]
    except csv.Error as exc:
        raise refuse(f"not a CSV table: {exc}") from None
    header = rows[0]
    missing = [name for name in columns if name not in header]
    if missing:
        raise refuse(f"no column {', '.join(missing)}; expected the columns "
                     f"{', '.join(columns)}")
    if len(set(header)) < len(header):
        raise refuse("a column name appears twice")
    if len(rows) == 1:
        raise refuse("it has no rows")
    for number, row in enumerate(rows[1:], start=1):
        if len(row) != len(header):
            raise refuse(f"row {number} has {len(row)} cells for {len(header)} columns")
    table = pd.DataFrame(rows[1:], columns=header, dtype=object)
    for name, kind in columns.items():
        if kind == TEXT:
            continue
        cells = table[name].str.strip()
        numbers = pd.to_numeric(cells.mask(cells == ""), errors="coerce")
        bad = numbers.isna() & (cells != "") & ~cells.str.lower().isin(["nan", "na", "null"])
        if kind == COUNT:
            bad = ~((numbers >= 0) & (numbers < math.inf) & (numbers == numbers.round()))
        if bad.any():
            first = int(bad.to_numpy().argmax())
            expected = "a whole number >= 0" if kind == COUNT else "a number"
            raise refuse(f"row {first + 1}, column {name}: {table[name].iloc[first][:40]!r} is "
                         f"not {expected}")
        table[name] = numbers.astype("int64") if kind == COUNT else numbers.astype(float)
    if unique and table.duplicated(list(unique)).any():
        first = int(table.duplicated(list(unique)).to_numpy().argmax())
        raise refuse(f"row {first + 1} repeats the {', '.join(unique)} of an earlier row")
    return table


# --- pages ----------------------------------------------------------------------------------


def _run(folder: Path) -> tuple[str, str]:
    summary = read_saved_table(folder / "summary.csv", "summary", SUMMARY_COLUMNS,
                               unique=("scope", "kpi"))
    scenario, words = _scenario(folder / "scenario.resolved.yaml")
    reps = int(summary["reps"].max())
    parts = [
        f"<p>{html.escape(str(scenario.get('description') or ''))}</p>",
        "<h2>The scenario in words</h2>", words,
        f"<h2>Results</h2><p>Means of {reps} replications with 95% intervals (seed "
        f"{html.escape(str(scenario.get('seed')))}).</p>",
        _few_replications(reps),
        _kpi_table(summary),
        _images(folder, ["kpis_by_hour.png", "kpis_by_month.png", "kpis_by_day.png",
                         "callbacks_by_hour.png", "rc_backlog.png"]),
    ]
    return f"contactsim run: {scenario.get('name', folder.name)}", "\n".join(parts)


def _comparison(folder: Path) -> tuple[str, str]:
    table = read_saved_table(folder / "compare.csv", "comparison", COMPARE_COLUMNS,
                             unique=("scenario", "scope", "kpi"))
    names = list(dict.fromkeys(table["scenario"]))
    parts = [f"<p>{len(names)} scenarios run with the same callers (same seed); differences "
             f"are paired, replication by replication, against <b>{html.escape(names[0])}</b>."
             "</p>", _few_replications(int(table["reps"].max()))]
    for name in names:
        _, words = _scenario(comparison_run_folder(folder, name) / "scenario.resolved.yaml")
        parts.append(f"<h2>{html.escape(name)}</h2>{words}")
    parts.append("<h2>KPIs against the first scenario</h2>")
    header = "".join(f"<th>{html.escape(n)}<br>mean [95%]</th>" for n in names)
    header += "".join(f"<th>{html.escape(n)} − {html.escape(names[0])}<br>paired [95%]</th>"
                      for n in names[1:])
    rows = [f"<table><tr><th>line / pool</th><th>KPI</th>{header}</tr>"]
    shown = table[table["kpi"].isin(SHOWN_KPIS)]
    for (scope, kpi), group in shown.groupby(["scope", "kpi"], sort=False):
        by_name = group.set_index("scenario").reindex(names)
        if not (by_name["mean"].fillna(0) != 0).any():
            continue  # nothing to show: a line without callbacks, say
        cells = "".join(
            f"<td>{_interval(r.mean, r.ci_low, r.ci_high, kpi)} "
            f"{_target(scope, kpi, r.ci_low, r.ci_high)}</td>"
            for r in by_name.itertuples()
        )
        cells += "".join(
            f"<td>{_interval(r.diff_mean, r.diff_low, r.diff_high, kpi, difference=True)}</td>"
            for r in by_name.iloc[1:].itertuples()
        )
        rows.append(f"<tr><td>{_scope(scope, kpi)}</td><td>{_label(kpi)}</td>{cells}</tr>")
    parts.append("".join(rows) + "</table>")
    parts.append(_images(folder, ["compare_kpis.png", "compare_by_hour.png",
                                  "compare_by_month.png", "compare_by_day.png"]))
    return "contactsim comparison: " + " vs ".join(names), "\n".join(parts)


def _sweep(folder: Path) -> tuple[str, str]:
    failures = folder / "failures.csv"
    failed = (read_saved_table(failures, "list of failed runs", FAILURES_COLUMNS,
                               unique=("point", "replication"))
              if failures.exists() else None)
    note = (f"<p class='missed'>{len(failed)} runs failed: see failures.csv.</p>"
            if failed is not None else "")
    if not (folder / "sweep_summary.csv").exists() and failed is not None:
        return (f"contactsim sweep: {folder.name}",
                f"<p class='missed'>No run of the sweep succeeded.</p>{note}")
    summary = read_saved_table(folder / "sweep_summary.csv", "sweep summary",
                               SWEEP_SUMMARY_COLUMNS, unique=("point", "scope", "kpi"))
    points = summary[["point", "point_name"]].drop_duplicates()
    reps = int(summary["reps"].max())
    parts = [f"<p>{len(points)} points, each run for {reps} replications with the same "
             "seeds.</p>", _few_replications(reps), note]
    for scope, kpi in (("999", "service_level"), ("999", "asa_s"), ("101", "asa_s"),
                       ("101", "abandon_rate")):
        data = summary[(summary["scope"] == scope) & (summary["kpi"] == kpi)]
        if data.empty:
            continue
        rows = [f"<h2>{_scope(scope, kpi)}: {_label(kpi)}</h2><table><tr><th>point</th>"
                "<th>changes</th><th>mean [95%]</th><th>target</th></tr>"]
        for row in data.itertuples():
            rows.append(
                f"<tr><td>{row.point}</td><td>{html.escape(str(row.point_name))}</td>"
                f"<td>{_interval(row.mean, row.ci_low, row.ci_high, kpi)}</td>"
                f"<td>{_target(scope, kpi, row.ci_low, row.ci_high)}</td></tr>"
            )
        parts.append("".join(rows) + "</table>")
    parts.append(_images(folder, sorted(p.name for p in folder.glob("sweep_*.png"))))
    return f"contactsim sweep: {folder.name}", "\n".join(parts)


# --- pieces ---------------------------------------------------------------------------------


def _scenario(path: Path) -> tuple[dict[str, Any], str]:
    """A saved resolved scenario and its description in words ({} and an empty list if the
    file is missing); :class:`ContactsimError` naming the file if it is not one."""
    try:
        if not path.exists():
            return {}, _in_words({})
        try:  # the same reader, within the same limits, as a scenario a planner gives
            data = read_yaml(path, "resolved scenario")[1] or {}
        except ScenarioError as exc:
            raise ValueError(str(exc.problems[0])) from None
        if not isinstance(data, dict):
            raise ValueError("not a mapping of fields")
        return data, _in_words(data)
    except OSError as exc:
        why = f"it cannot be read: {exc.strerror or exc}"
    except UnicodeDecodeError:
        why = "not UTF-8 text"
    except yaml.YAMLError as exc:
        why = f"not YAML: {str(exc).splitlines()[0]}"
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        why = f"unexpected content: {str(exc)[:120]}"
    raise ContactsimError(f"{path} is not a contactsim resolved scenario ({why})")


def _few_replications(reps: int) -> str:
    warning = few_replications_warning(reps)
    return f"<p class='unclear'>Note: {html.escape(warning)}.</p>" if warning else ""


def _in_words(scenario: dict[str, Any]) -> str:
    """What a resolved scenario says, as a planner would put it (an item per line, pool and
    feature)."""
    horizon = scenario.get("horizon", {})
    warmup = horizon.get("warmup_hours", 0)
    items = [f"{_g(horizon.get('days', '?'))} days from {_day(horizon.get('start', '?'))}"
             + (f", the first {_g(warmup)} h a warm-up (not measured)" if warmup else "")]
    handling = scenario.get("handling") or {}
    lines = [str(line) for line in scenario.get("demand") or {}]
    for line, demand in (scenario.get("demand") or {}).items():
        if "annual_volume" in demand:
            what = f"{demand['annual_volume']:,.0f} calls a year shaped by a profile"
        elif "rate_per_hour" in demand:
            what = f"{_g(demand['rate_per_hour'])} calls an hour"
        else:
            what = f"replayed from {Path(str(demand.get('replay'))).name}"
        extra = "" if demand.get("growth", 1) == 1 else f", growth ×{_g(demand['growth'])}"
        items.append(f"line {line}: {what}{extra}{_handling_words(handling.get(line) or {})}")
    priority = (scenario.get("routing") or {}).get("priority")
    if priority and len(priority) > 1:
        items.append("calls answered in the order " + ", then ".join(map(str, priority))
                     + " (an operator takes the most urgent line waiting)")
    for pool in scenario.get("pools") or []:
        skills = [str(skill) for skill in pool.get("skills", [])]
        shrinkage = pool.get("shrinkage")
        own = (f"; its own shrinkage {shrinkage:.0%}" if isinstance(shrinkage, int | float)
               else "")
        items.append(f"{pool.get('name')} ({tables.skills_words(skills, lines)}): "
                     f"{_staffing_words(pool.get('staffing') or {}, 'people')}{own}")
    shrinkage = scenario.get("shrinkage", 0)
    items.append(f"shrinkage {shrinkage:.0%}: absence, so that on average {1 - shrinkage:.0%} of "
                 "those rostered are on the phones")
    callback = scenario.get("callback")
    if callback:
        serve = callback.get("serve")
        made = {"above_live": "made before live calls of the line (more urgent lines first)",
                "below_live": "made only when no live call waits"}.get(
            serve if isinstance(serve, str) else "",
            f"made when at least {(serve or {}).get('when_idle_at_least', '?')} operators are "
            "idle" if isinstance(serve, dict) else f"served {serve}")
        accept = callback.get("accept_probability")
        taken = f", taken by {accept:.0%}" if isinstance(accept, int | float) else ""
        items.append(f"callbacks offered to {callback.get('line')} callers after "
                     f"{_duration(callback.get('offer_after_s', 0))} in the queue "
                     f"({callback.get('hours')}){taken}, {made}")
    if scenario.get("redial"):
        rules = scenario["redial"].items()
        items.append("abandoning callers ring again: " + ", ".join(
            f"{line} {rule.get('probability', 0):.0%}" for line, rule in rules))
    rc = scenario.get("resolution_centre")
    if rc:
        items.append(f"a Resolution Centre open {rc.get('hours')}: "
                     f"{_staffing_words(rc.get('staffing') or {}, 'investigators')}")
    return "<ul class='words'>" + "".join(f"<li>{html.escape(item)}</li>" for item in items
                                          ) + "</ul>"


def _g(value: Any) -> str:
    """A number as written by a person: 366 not 366.0, 1.12 as it is; text as it is."""
    return f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else (
        str(value))


def _day(value: Any) -> str:
    """A date as "Sun 1 Jul 2018" (anything else as it is)."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day:%a} {day.day} {day:%b %Y}"


def _duration(seconds: Any) -> str:
    """Seconds in the unit a planner would say: "45 s", "3 min", "1.5 h"."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        return str(seconds)
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.1f}".removesuffix(".0") + " min"
    return f"{seconds / 3600:.1f}".removesuffix(".0") + " h"


def _handling_words(handling: dict[str, Any]) -> str:
    """"; calls take 4.5 min on average, callers hold 13.3 min, service level within 10 s"."""
    parts = []
    handle = handling.get("handle_time") or {}
    if "mean_s" in handle:
        parts.append(f"calls take {_duration(handle['mean_s'])} on average")
    patience = handling.get("patience") or {}
    if "mean_s" in patience:
        parts.append(f"callers hold {_duration(patience['mean_s'])} on average before hanging "
                     "up")
    if "service_level_s" in handling:
        parts.append(f"service level: answered within {_g(handling['service_level_s'])} s")
    return "; " + ", ".join(parts) if parts else ""


def _staffing_words(staffing: dict[str, Any], who: str) -> str:
    """A staffing plan as heads and shifts: "15 people rostered on 5 shifts a day (10 h each),
    × 1.12 (× 1.13 from 1 Aug 2018)"."""
    if "flat" in staffing:
        plan = f"{_g(staffing['flat'])} {who} on duty at every hour"
    elif "shifts" in staffing:
        plan = _shift_words(list(staffing["shifts"] or []), who)
    elif "per_interval" in staffing:
        plan = f"rostered hour by hour from {Path(str(staffing['per_interval'])).name}"
    else:
        plan = "no staffing plan"
    scale = staffing.get("scale", 1)
    changes = [c for c in staffing.get("changes") or [] if isinstance(c, dict)]
    if scale != 1 or changes:
        plan += f", scaled × {_g(scale)}"
        plan += "".join(f" (× {_g(c.get('scale'))} from {_day(c.get('from'))})"
                        for c in changes)
    return plan


def _shift_words(shifts: list[dict[str, Any]], who: str) -> str:
    """Heads and shifts on each day type: "15 people rostered on 5 shifts a day (10 h each)",
    or "Mon–Fri: 3 people on 2 shifts; Sat–Sun: 1 on 1 shift (10 h each)"."""
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    per_day = []
    for day in days:
        working = [s for s in shifts if day in (s.get("days") or days)]
        per_day.append((sum(int(s.get("count", 0)) for s in working), len(working)))
    lengths = sorted({float(s.get("length_h", 0)) for s in shifts})
    hours = ("" if not lengths else f" ({_g(lengths[0])} h each)" if len(lengths) == 1 else
             f" ({_g(lengths[0])}–{_g(lengths[-1])} h)")

    def shifts_text(count: int) -> str:
        return f"{count} shift{'' if count == 1 else 's'}"

    if len(set(per_day)) == 1:
        people, count = per_day[0]
        return f"{people} {who} rostered on {shifts_text(count)} a day{hours}"
    groups: list[tuple[list[str], tuple[int, int]]] = []  # runs of days alike
    for day, value in zip(days, per_day, strict=True):
        if groups and groups[-1][1] == value:
            groups[-1][0].append(day)
        else:
            groups.append(([day], value))
    parts: list[str] = []
    for members, (people, count) in groups:
        names = [d.capitalize() for d in members]
        span = names[0] if len(names) == 1 else f"{names[0]}–{names[-1]}"
        heads = f"{people} {who} rostered" if not parts else str(people)
        parts.append(f"{heads} on {shifts_text(count)} a day {span}" if count else
                     f"nobody {span}")
    return ", ".join(parts) + hours


def _kpi_table(summary: pd.DataFrame) -> str:
    rows = ["<table><tr><th>line / pool</th><th>KPI</th><th>mean</th><th>95% interval</th>"
            "<th>target</th></tr>"]
    for row in summary[summary["kpi"].isin(SHOWN_KPIS)].itertuples():
        if row.kpi in OPTIONAL_KPIS and not (row.mean == row.mean and row.mean != 0):
            continue  # a feature the scenario does not use (no callbacks, no redials)
        rows.append(
            f"<tr><td>{_scope(row.scope, row.kpi)}</td><td>{_label(row.kpi)}</td>"
            f"<td>{_number(row.mean, row.kpi, _places(row))}</td>"
            f"<td>[{_number(row.ci_low, row.kpi, _places(row), sign=False)}, "
            f"{_number(row.ci_high, row.kpi, _places(row), sign=False)}]</td>"
            f"<td>{_target(row.scope, row.kpi, row.ci_low, row.ci_high)}</td></tr>"
        )
    return "".join(rows) + "</table>"


def _target(scope: str, kpi: str, low: float, high: float) -> str:
    target = TARGETS.get((scope, kpi))
    if target is None:
        return ""
    level, label = target
    if not (math.isnan(low) or math.isnan(high)) and low >= level:
        verdict = "<span class='met'>met</span>"
    elif not math.isnan(high) and high < level:
        verdict = "<span class='missed'>missed</span>"
    else:
        verdict = "<span class='unclear'>not clear at these replications</span>"
    return f"{verdict} <span class='small'>({html.escape(label)})</span>"


def _scope(scope: str, kpi: str) -> str:
    """A scope in words: "line 999", "pool blended", "Resolution Centre"."""
    return html.escape(tables.scope_label(str(scope), kpi))


def _label(kpi: str) -> str:
    found = KPIS.get(kpi)
    name = found.label if found else kpi
    unit = f" ({found.unit})" if found and found.unit in ("s", "h") else ""
    return html.escape(name + unit)


def _places(row: Any) -> int:
    """Decimals for a summary row: as many as its interval supports (contactsim.output.tables)."""
    return tables.decimals(row.kpi, row.mean, row.ci_low, row.ci_high)


def _number(value: float, kpi: str, places: int | None = None, sign: bool = True,
            difference: bool = False) -> str:
    """A KPI's value: a share in % (a difference of shares in percentage points, "pt"), other
    KPIs in their unit, which the row's label names; never −0."""
    if value != value:  # NaN
        return "—"
    share = tables.kind(kpi) == tables.SHARE
    if places is None:
        places = tables.decimals(kpi, value)
    text = tables.number(value * 100 if share else value, places, signed=difference and sign)
    if share and sign:
        text += " pt" if difference else "%"
    return text


def _interval(mean: float, low: float, high: float, kpi: str, difference: bool = False) -> str:
    """"13.5% [13.4, 13.6]"; a difference "−0.3 pt [−0.5, −0.1]"."""
    places = tables.decimals(kpi, mean, low, high, difference=difference)
    return (f"{_number(mean, kpi, places, difference=difference)} "
            f"[{_number(low, kpi, places, sign=False)}, "
            f"{_number(high, kpi, places, sign=False)}]")


def _images(folder: Path, names: list[str]) -> str:
    parts = []
    for name in names:
        path = folder / name
        if path.is_file() and path.stat().st_size <= MAX_TABLE_BYTES:  # no pipe, no device
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(f"<img alt='{html.escape(name)}' src='data:image/png;base64,{data}'>")
    return "<h2>Plots</h2>" + "\n".join(parts) if parts else ""
