"""The field reference: every field a scenario file may hold, with its unit, its default and
what it means, in a planner's words. One source for two readers: the README's "Field
reference" tables are :func:`render_markdown` of :data:`FIELD_GROUPS` (a test holds them
equal), and the JSON Schema editors use (:mod:`~contactsim.config.json_schema`) takes each
field's help from here.

A row's ``field`` is written as the README writes it: a dotted path in backticks, where
``LINE`` stands for any line's name, ``[]`` for each entry of a list, a leading ``…`` for any
path that ends so, and ``.x`` after a first path for a sibling of its last field. The README's
rows say what a planner looks up; :data:`DETAIL_FIELDS` add the finer fields the README tells
in prose (the parts of a shift, a break, an event, a distribution), for the schema's help only.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["DETAIL_FIELDS", "FIELD_GROUPS", "FIELD_REFERENCE", "FieldRow", "render_markdown"]

#: Stands, in a row's path, for any key of a mapping (a line's name; ``LINE``, ``POOL``).
WILDCARD = "*"
#: Starts a row's path that stands for any path ending so (``…shifts[].breaks``).
ANY_PREFIX = "…"
#: What the README's tables give first.
HEADER = ("field", "unit", "default", "meaning")


class FieldRow(NamedTuple):
    """One field (or a few siblings) of the reference, each cell as the README writes it."""

    field: str
    unit: str
    default: str
    meaning: str

    @property
    def paths(self) -> tuple[str, ...]:
        """The dotted paths the row names, with ``LINE`` (any upper-case name) as
        :data:`WILDCARD`; ``…`` kept in front of a path that stands for any path ending so."""
        named = re.findall(r"`([^`]+)`", self.field)
        first = named[0]
        paths = [first] + [first.rsplit(".", 1)[0] + sibling for sibling in named[1:]]
        return tuple(
            ".".join(WILDCARD if re.fullmatch(r"[A-Z]+", part) else part
                     for part in path.split("."))
            for path in paths
        )

    def description(self) -> str:
        """The row as one line of help: ``meaning — unit: …; default: …`` (cells left empty or
        ``—`` in the table are left out; a required field says so)."""
        details = []
        if self.unit not in ("", "—"):
            details.append(f"unit: {self.unit}")
        if self.default == "required":
            details.append("required")
        elif self.default not in ("", "—"):
            details.append(f"default: {self.default}")
        return self.meaning + (f" — {'; '.join(details)}" if details else "")


def _cells(cells: tuple[str, ...]) -> str:
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def render_markdown() -> str:
    """The README's "Field reference": one Markdown table for each of :data:`FIELD_GROUPS`,
    with a blank line between them (no newline at the end)."""
    tables = []
    for group in FIELD_GROUPS:
        lines = [_cells(HEADER), "|" + "|".join("---" for _ in HEADER) + "|"]
        lines += [_cells(tuple(row)) for row in group]
        tables.append("\n".join(lines))
    return "\n\n".join(tables)


#: The scenario, its horizon, lines, pools and routing.
SCENARIO_FIELDS = (
    FieldRow("`name`", "", "required", "the scenario's name (default results folder)"),
    FieldRow("`description`", "", "`\"\"`", "free text"),
    FieldRow("`seed`", "", "2018", "seed used when `--seed` is not given"),
    FieldRow("`horizon.start`", "date", "2018-01-01", "day the simulation starts, at midnight"),
    FieldRow("`horizon.days`", "days", "7",
             "length, including the warm-up; a whole number of intervals"),
    FieldRow("`horizon.warmup_hours`", "h", "0",
             "start-up period left out of every KPI and series; a whole number of intervals"),
    FieldRow("`horizon.interval_minutes`", "min", "60", "reporting interval; must divide a day"),
    FieldRow("`demand.LINE.rate_per_hour`", "calls/h", "—",
             "constant arrival rate (give this or `annual_volume`)"),
    FieldRow("`demand.LINE.annual_volume`", "calls/year", "—",
             "expected callers in the 365 days from `horizon.start`, shaped by `profile`"),
    FieldRow("`demand.LINE.profile`", "CSV", "built-in police shape",
             "hour-of-week and month weights (below)"),
    FieldRow("`demand.LINE.replay`", "CSV or Parquet", "—",
             "a call log or interval-count file to replay (below); `demand: {replay: FILE}` "
             "replays every line in the file"),
    FieldRow("`demand.LINE.handle_times`", "`logged` or `scenario`",
             "`logged` if the log has `handle_s`",
             "take handle times from the log, or from `handling`"),
    FieldRow("`demand.LINE.from`, `.to`", "date-time", "the file's span",
             "the replay window; sets the horizon when none is given"),
    FieldRow("`demand.LINE.growth`", "×", "1.0",
             "multiplies the line's demand (a replay by seeded thinning or duplication)"),
    FieldRow("`demand.LINE.online_shift`", "share 0–1", "0",
             "callers who report online / by IVR instead and never queue (counted as `deflected`)"),
    FieldRow("`demand.LINE.busyness_cv`", "cv ≥ 0", "none",
             "day-to-day busyness: each day's rates times a gamma factor of mean 1 and this cv "
             "(not with `replay`; see \"Bad days\")"),
    FieldRow("`events[]`", "list", "none",
             "surges: `{name, line (default every line), from, to}` (date-times) or `{name, line,"
             " yearly: {from: \"MM-DD HH:MM\", to: \"MM-DD HH:MM\"}}`, with `factor` (× the rate, "
             "default 1), `add_per_hour` (callers an hour added), `ramp_h`, `decay_h` (see \"Bad "
             "days\")"),
    FieldRow("`demand.LINE.bursts.share`", "share 0–1", "required",
             "share of the line's first calls that bring a burst of further calls about the same "
             "incident"),
    FieldRow("`demand.LINE.bursts.extra_calls`", "calls", "required",
             "mean further calls per burst (Poisson; 0–100)"),
    FieldRow("`demand.LINE.bursts.spread_s`", "s", "required",
             "mean gap from one call of a burst to the next (exponential)"),
    FieldRow("`demand.LINE.bursts.handle_time`", "distribution, s", "required",
             "a duplicate's own handle time (linked to the open incident; not triaged)"),
    FieldRow("`handling.LINE.call_backs.silent_share`", "share 0–1", "0",
             "share of the line's answered calls that are silent (nobody speaks)"),
    FieldRow("`handling.LINE.call_backs.silent_handle_time`", "distribution, s",
             "required if `silent_share` > 0",
             "a silent call's handle time (instead of its own; not triaged)"),
    FieldRow("`handling.LINE.call_backs.silent`", "true/false", "true",
             "silent calls are called back when they end"),
    FieldRow("`handling.LINE.call_backs.dropped`", "true/false", "true",
             "callers who hang up before answer are called back from that moment"),
    FieldRow("`handling.LINE.call_backs.handle_time`", "distribution, s", "required",
             "a call-back's operator time"),
    FieldRow("`handling.LINE.overflow.after_s`", "s", "no overflow",
             "a call of the line still queueing this long after it rang goes to a neighbouring "
             "force (counted `overflowed`, not answered here)"),
    FieldRow("`handling.LINE.overflow.capacity`", "lines", "unlimited",
             "the neighbour's lines for our calls: each overflowed call holds one for its own "
             "handle time; a call due while all are busy keeps waiting here, and goes when one "
             "frees (if still waiting)"),
    FieldRow("`outages[]`", "list", "none",
             "pools off the phones for a window: `{name, pool, from, to}` (date-times; a date "
             "alone is its midnight). Windows of one pool that overlap or touch are one; the part"
             " of a window outside the horizon does nothing. Names are used once (and merge by "
             "name in `extends`)"),
    FieldRow("`handling.LINE.handle_time`", "distribution, s", "required", "talk plus wrap-up"),
    FieldRow("`handling.LINE.patience`", "distribution, s", "none: nobody abandons",
             "how long a caller will queue before hanging up"),
    FieldRow("`handling.LINE.service_level_s`", "s", "10 for 999, 60 otherwise",
             "threshold T of the line's service level"),
    FieldRow("`handling.LINE.also_within_s`", "list of s", "none",
             "further service-level thresholds the line is measured at, e.g. `[15, 20]`: each "
             "adds the KPI `service_level@15` (\"Service level within 15 s\" in the tables) and an "
             "`answered_within_15s` column to `intervals.parquet`; kept in order, each once. "
             "`staff` and `roster` set the thresholds their targets name"),
    FieldRow("`pools[].name`", "", "required", "unique pool name (scope of pool KPIs)"),
    FieldRow("`pools[].skills`", "lines", "required", "lines the pool answers"),
    FieldRow("`pools[].staffing.flat`", "operators", "—", "the same rostered number all the time"),
    FieldRow("`pools[].staffing.per_interval`", "CSV", "—",
             "`hour_of_week,operators` (168 rows, Monday 00:00 = 0) or `interval_start,operators`"
             " (ISO date-times; each holds until the next row)"),
    FieldRow("`pools[].staffing.shifts`", "list or YAML file", "—",
             "each `{start: \"HH:MM\", length_h, days: [mon, …] (default all), count}`, and "
             "optionally a `name` (to change or remove it by name in `extends`), `breaks` and a "
             "`cycle`; shifts may cross midnight"),
    FieldRow("`…shifts[].breaks`", "list", "none",
             "breaks each person on the shift takes: `{after_h, length_min}` (hours into the "
             "shift; the people's starts spread over `spread_min`, default 60) or `{within: "
             "[\"HH:MM\", \"HH:MM\"], length_min}` (every break inside the clock window); in time "
             "order, inside the shift (see \"Shifts, breaks and the load on operators\")"),
    FieldRow("`…shifts[].cycle`", "`{on_days, off_days, from: DATE}`", "none",
             "work only the days on of a cycle counted from `from` (4 on 4 off: `{on_days: 4, "
             "off_days: 4, from: 2018-01-03}`), as well as `days`"),
    FieldRow("`pools[].staffing.scale`", "number > 0", "1",
             "multiplies the rostered numbers of the plan (1.1: 10% more at every hour; a "
             "fraction of a person counts in part, see below); what `calibrate` fits as \"a "
             "staffing scale per pool\""),
    FieldRow("`pools[].staffing.changes`", "list of `{from: DATE, scale}`", "none",
             "from each date on, that scale replaces the plan's own (recruits, leavers; e.g. "
             "`[{from: 2018-08-01, scale: 1.1}]`); dates in order"),
    FieldRow("`pools[].shrinkage`", "share 0–1", "the scenario's", "this pool's shrinkage"),
    FieldRow("`pools[].high_occupancy`", "share 0–1", "0.85",
             "an operator-shift busier than this share of its time on the phones counts in "
             "`high_occupancy_shifts`"),
    FieldRow("`shrinkage`", "share 0–1", "0",
             "share of rostered duties absent: each person's shift (or day) is lost whole with "
             "this probability (below)"),
    FieldRow("`routing.priority`", "lines", "999 first, then `demand` order",
             "lines most urgent first"),
    FieldRow("`routing.reserve.for_line`", "line", "999", "line the reserve protects"),
    FieldRow("`routing.reserve.idle_operators`", "operators", "0",
             "multi-skilled operators (pools serving `for_line` and another line) take no "
             "lower-priority call that would leave fewer than this many of them idle"),
)

#: Callbacks and redials: second chances for callers who wait too long.
SECOND_CHANCE_FIELDS = (
    FieldRow("`callback.line`", "line", "101",
             "line whose queueing callers are offered a callback"),
    FieldRow("`callback.offer_after_s`", "s", "required",
             "a caller still queueing this long, inside `hours`, is offered a callback, once"),
    FieldRow("`callback.accept_probability`", "share 0–1", "required",
             "share of offered callers who accept (they leave the live queue)"),
    FieldRow("`callback.hours`", "HH:MM-HH:MM", "08:00-22:00",
             "when callbacks are offered and made"),
    FieldRow("`callback.max_attempts`", "attempts", "3",
             "attempts to reach the caller before the callback has failed"),
    FieldRow("`callback.attempt_gap_s`", "s", "900",
             "wait after an unanswered attempt before the next"),
    FieldRow("`callback.answer_probability`", "share 0–1", "1.0",
             "share of attempts the caller answers"),
    FieldRow("`callback.unanswered_attempt_s`", "s", "60",
             "operator time an unanswered attempt takes"),
    FieldRow("`callback.complete_within_s`", "s", "3600",
             "target from acceptance to reaching the caller"),
    FieldRow("`callback.handle_time`", "distribution, s", "the caller's own handle time",
             "handle time of a callback that reaches the caller"),
    FieldRow("`callback.serve`", "policy", "`below_live`",
             "when an operator makes a callback instead of taking a live call (below)"),
    FieldRow("`redial.LINE.probability`", "share 0–1", "required",
             "share of the line's abandoning callers who ring again"),
    FieldRow("`redial.LINE.delay`", "distribution, s", "required",
             "time from hanging up to ringing again"),
    FieldRow("`redial.LINE.switch_to_999`", "share 0–1", "0",
             "share of redials made on 999 instead (not for 999 itself)"),
    FieldRow("`redial.LINE.max_calls_per_caller`", "calls", "3",
             "no caller makes more calls than this, the first included"),
)

#: Triage and the Resolution Centre.
TRIAGE_FIELDS = (
    FieldRow("`triage.LINE.closed`, `.grade1`, `.grade2`, `.scheduled`, `.resolution_centre`",
             "shares, adding to 1", "0 each",
             "THRIVE grade of the line's answered calls and completed callbacks"),
    FieldRow("`triage.LINE.closed_extra_handle_s`", "s", "0",
             "extra handle time of a call closed at first contact"),
    FieldRow("`resolution_centre.staffing`", "flat, per_interval or shifts", "required",
             "investigators rostered (shrinkage taken off as absence)"),
    FieldRow("`resolution_centre.hours`", "HH:MM-HH:MM", "08:00-22:00",
             "when investigators work; nobody is on duty outside them"),
    FieldRow("`resolution_centre.shrinkage`", "share 0–1", "the scenario's", "the RC's shrinkage"),
    FieldRow("`resolution_centre.work_time`", "distribution, s", "required",
             "work per incident once the victim is reached"),
    FieldRow("`resolution_centre.contact_attempts`", "attempts", "3",
             "tries to reach the victim; never reached → front line"),
    FieldRow("`resolution_centre.contact_probability`", "share 0–1", "1.0",
             "share of attempts that reach the victim"),
    FieldRow("`resolution_centre.attempt_gap_s`", "s", "3600", "wait after an unanswered attempt"),
    FieldRow("`resolution_centre.unanswered_attempt_s`", "s", "300",
             "investigator time an unanswered attempt takes"),
    FieldRow("`resolution_centre.outcomes`", "`{resolved, front_line, partner}` shares adding to 1",
             "required",
             "how worked incidents end"),
)


#: The README's three tables: the scenario, its lines and pools; callbacks and redials; triage
#: and the Resolution Centre.
FIELD_GROUPS = (SCENARIO_FIELDS, SECOND_CHANCE_FIELDS, TRIAGE_FIELDS)
#: Every row of the README's tables, in order.
FIELD_REFERENCE = SCENARIO_FIELDS + SECOND_CHANCE_FIELDS + TRIAGE_FIELDS

#: The finer fields the README tells in prose, and the sections that hold the fields above:
#: help in the schema only.
DETAIL_FIELDS = (
    FieldRow("`extends`", "file", "none",
             "start from another scenario file (path relative to this one) and change it: "
             "mappings merge key by key, `null` removes a field, lists of named things merge by "
             "`name`"),
    FieldRow("`…remove`", "true", "—",
             "`{name: X, remove: true}` removes the base's X (in a file that `extends` another)"),
    FieldRow("`horizon`", "", "7 days from 2018-01-01",
             "the simulated period: `start`, `days`, `warmup_hours`, `interval_minutes`"),
    FieldRow("`demand`", "", "required",
             "each line's callers, one entry a line (`999` or `\"999\"`); `demand: {replay: "
             "FILE}` replays every line in the file"),
    FieldRow("`demand.LINE.bursts`", "", "none",
             "a share of the line's first calls bring further calls about the same incident"),
    FieldRow("`handling`", "", "required",
             "how each line's calls are handled: an entry for every line with demand"),
    FieldRow("`handling.LINE.overflow`", "", "no overflow",
             "calls still queueing go to a neighbouring force: `{after_s, capacity}`"),
    FieldRow("`handling.LINE.call_backs`", "", "none",
             "silent and dropped calls, and the call-backs made to them"),
    FieldRow("`pools`", "list", "required",
             "the pools of operators, each `{name, skills, staffing}`"),
    FieldRow("`pools[].staffing`", "flat, per_interval or shifts", "required",
             "the rostered operators: exactly one of `flat`, `per_interval` or `shifts`; "
             "`scale` and `changes` optional"),
    FieldRow("`…shifts[].name`", "", "none",
             "the shift's name, to change or remove it by name in `extends`"),
    FieldRow("`…shifts[].start`", "HH:MM", "required",
             "when the shift starts, on the 24-hour clock, in quotes: `\"07:00\"`"),
    FieldRow("`…shifts[].length_h`", "h", "required",
             "length of the shift, at most 24; it may cross midnight"),
    FieldRow("`…shifts[].days`", "`mon` … `sun`", "every day",
             "the days of the week the shift is worked (of its start)"),
    FieldRow("`…shifts[].count`", "operators", "required", "people rostered on the shift"),
    FieldRow("`…breaks[].after_h`", "h", "—",
             "the breaks start this long into the shift, or later (give this or `within`)"),
    FieldRow("`…breaks[].spread_min`", "min", "60",
             "the people's breaks start spread over this long from `after_h`"),
    FieldRow("`…breaks[].within`", "`[\"HH:MM\", \"HH:MM\"]`", "—",
             "every break starts and ends inside these clock times (give this or `after_h`)"),
    FieldRow("`…breaks[].length_min`", "min", "required",
             "length of each person's break, at most 240"),
    FieldRow("`…cycle.on_days`", "days", "required", "days on in each cycle"),
    FieldRow("`…cycle.off_days`", "days", "required", "days off in each cycle"),
    FieldRow("`…cycle.from`", "date", "required", "a first day on, from which the cycle counts"),
    FieldRow("`pools[].staffing.changes[].from`", "date", "required",
             "from this date on, `scale` replaces the plan's own"),
    FieldRow("`pools[].staffing.changes[].scale`", "number ≥ 0", "required",
             "multiplies the rostered numbers from `from` on"),
    FieldRow("`routing`", "", "999 first, no reserve",
             "which waiting call an idle operator takes: `priority` and `reserve`"),
    FieldRow("`routing.reserve`", "", "none",
             "multi-skilled operators kept idle for one line: `{for_line, idle_operators}`"),
    FieldRow("`callback`", "", "none",
             "callbacks offered to the callers still queueing on one line"),
    FieldRow("`callback.serve.when_idle_at_least`", "operators", "required",
             "a callback is made only when at least this many who could make it are idle"),
    FieldRow("`redial`", "", "none", "callers of a line who hang up and ring again"),
    FieldRow("`triage`", "", "none", "THRIVE grading of each line's answered calls"),
    FieldRow("`resolution_centre`", "", "none",
             "investigators who resolve incidents by phone instead of sending officers"),
    FieldRow("`resolution_centre.outcomes.resolved`, `.front_line`, `.partner`", "share 0–1",
             "required",
             "share of worked incidents resolved, sent to the front line, or passed to a "
             "partner agency; the three add up to 1"),
    FieldRow("`events[].name`", "", "required",
             "the surge's name, used once (and merged by name in `extends`)"),
    FieldRow("`events[].line`", "line", "every line", "the line whose demand surges"),
    FieldRow("`events[].from`, `.to`", "date-time", "—",
             "the surge's window, once (a date alone is its midnight); or give `yearly`"),
    FieldRow("`events[].yearly`", "`{from, to}`", "—", "a window that comes back every year"),
    FieldRow("`events[].yearly.from`, `.to`", "MM-DD HH:MM", "required",
             "the yearly window, e.g. `\"11-05 17:00\"`; a `to` before the `from` ends in the "
             "next year"),
    FieldRow("`events[].factor`", "×", "1", "multiplies the line's rate in the window"),
    FieldRow("`events[].add_per_hour`", "calls/h", "0", "callers an hour added in the window"),
    FieldRow("`events[].ramp_h`", "h", "0",
             "the surge grows from nothing to its full size over this long from the window's "
             "start"),
    FieldRow("`events[].decay_h`", "h", "0",
             "the surge fades away over this long after the window's end"),
    FieldRow("`outages[].name`", "", "required",
             "the outage's name, used once (and merged by name in `extends`)"),
    FieldRow("`outages[].pool`", "pool", "required", "the pool off the phones"),
    FieldRow("`outages[].from`, `.to`", "date-time", "required",
             "the window off the phones (a date alone is its midnight)"),
    FieldRow("`…dist`", "", "required",
             "the kind of distribution: `exponential`, `lognormal`, `gamma`, `weibull`, "
             "`fixed` or `empirical`"),
    FieldRow("`…mean_s`", "s", "required", "the mean"),
    FieldRow("`…cv`", "cv", "required",
             "standard deviation over the mean (`lognormal`, `gamma`)"),
    FieldRow("`…shape`", "", "required",
             "the Weibull's shape (below 1: many short, a few very long)"),
    FieldRow("`…value_s`", "s", "required", "the one value a `fixed` distribution takes"),
    FieldRow("`…file`", "CSV", "required",
             "a CSV whose column of seconds is resampled (`empirical`)"),
    FieldRow("`…column`", "", "`seconds`", "the CSV's column of seconds (`empirical`)"),
)
