"""A scenario in words, as a planner would put it: for the top of a results page.

"365 days from Mon 1 Jan 2018; line 999: 265,000 calls a year shaped by a profile; calls take
4.5 min on average...": each line, pool and feature of a resolved scenario (as saved in a
results folder, plain YAML data) becomes an item of a list a reader takes in at a glance.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from pathlib import Path
from typing import Any

from contactsim.output import tables

__all__ = ["scenario_in_words"]


def scenario_in_words(scenario: dict[str, Any]) -> str:
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
    items += _burst_and_call_back_words(scenario)
    items += _outage_and_overflow_words(scenario)
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
    if handling.get("also_within_s"):
        parts.append("also within " + ", ".join(f"{_g(s)} s" for s in handling["also_within_s"]))
    return "; " + ", ".join(parts) if parts else ""


def _burst_and_call_back_words(scenario: dict[str, Any]) -> list[str]:
    """"line 999: 4% of calls bring a burst of 3 further calls on average, 3 min apart
    (1.5 min each)"; "line 999: 5% of answered calls silent (30 s); silent and dropped calls
    called back (2 min each)"."""
    items = []
    for line, demand in (scenario.get("demand") or {}).items():
        bursts = demand.get("bursts") or {}
        if bursts:
            handle = (bursts.get("handle_time") or {}).get("mean_s")
            each = f" ({_duration(handle)} each)" if handle is not None else ""
            items.append(f"line {line}: {bursts.get('share', 0):.0%} of calls bring a burst of "
                         f"{_g(bursts.get('extra_calls'))} further calls on average, "
                         f"{_duration(bursts.get('spread_s'))} apart{each}")
    for line, handling in (scenario.get("handling") or {}).items():
        rule = (handling or {}).get("call_backs") or {}
        if rule:
            silent = rule.get("silent_share", 0)
            called = [what for what, on in (("silent", silent and rule.get("silent", True)),
                                            ("dropped", rule.get("dropped", True))) if on]
            handle = (rule.get("handle_time") or {}).get("mean_s")
            each = f" ({_duration(handle)} each)" if handle is not None else ""
            items.append(f"line {line}: " + (f"{silent:.0%} of answered calls silent; "
                                             if silent else "")
                         + (" and ".join(called) or "no") + f" calls called back{each}")
    return items


def _outage_and_overflow_words(scenario: dict[str, Any]) -> list[str]:
    """"blended off the phones 18:00 Sat 7 Jul 2018 to 22:00 Sat 7 Jul 2018 (site-a-power)";
    "line 999: calls queueing 30 s go to a neighbouring force (5 lines)"."""
    items = []
    for outage in scenario.get("outages") or []:
        items.append(f"{outage.get('pool')} off the phones {_moment(outage.get('from'))} to "
                     f"{_moment(outage.get('to'))} ({outage.get('name')})")
    for line, handling in (scenario.get("handling") or {}).items():
        rule = (handling or {}).get("overflow") or {}
        if rule:
            lines = rule.get("capacity")
            items.append(f"line {line}: calls queueing {_duration(rule.get('after_s'))} go to a "
                         "neighbouring force" + (f" ({_g(lines)} lines)" if lines else ""))
    return items


def _moment(value: Any) -> str:
    """A date-time as "18:00 Sat 7 Jul 2018" (anything else as it is)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{moment:%H:%M} {_day(moment.date().isoformat())}"


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
