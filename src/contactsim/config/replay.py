"""Replayed demand: a scenario whose calls come from a call log instead of a rate.

``demand: {replay: FILE}`` is spread into one entry per line of the file (each line must be
one the scenario handles), and a replay given without a horizon gets the horizon of its window
(``from``/``to``) or of the calls in the file, in whole days from the first call's midnight.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from typing import Any

from contactsim.config.clock import as_datetime
from contactsim.config.origins import Origins, origin
from contactsim.errors import Problem, ScenarioError

#: Keys of ``demand`` that, beside ``replay``, apply to every line of an all-lines replay.
REPLAY_OPTIONS = ("replay", "handle_times", "from", "to")
#: What an all-lines replay drops from a line's inherited demand entry: its other source.
REPLACED_BY_REPLAY = ("rate_per_hour", "annual_volume", "profile")


def prepare_replay(raw: dict[str, Any], origins: Origins, top_file: str) -> None:
    """Expand ``demand: {replay: FILE}`` into one entry per line of the file, and give a
    replay without a horizon the horizon of its window (``from``/``to``) or of the file."""
    from contactsim.data.calllog import first_row, read_replay

    demand = raw.get("demand")
    if not isinstance(demand, dict):
        return
    if isinstance(demand.get("replay"), str):
        file = origin(("demand", "replay"), origins, top_file)
        try:
            replay = read_replay(demand["replay"])
        except ScenarioError as exc:
            raise exc.in_file(file) from None
        shared = {k: demand.pop(k) for k in REPLAY_OPTIONS if k in demand}
        for key in shared:  # the options now stand on each line: keep where they came from
            if ("demand", key) in origins:
                origins.update({("demand", line, key): origins[("demand", key)]
                                for line in replay.lines})
        lines = replay.lines if isinstance(replay.lines, list) else list(replay.lines)
        handling = raw.get("handling")
        handled: dict[str, Any] = handling if isinstance(handling, dict) else {}
        for line in lines:
            if line not in handled:
                raise ScenarioError([Problem(
                    "line", line,
                    f"a line the scenario handles and staffs ({sorted(handled)}): calls whose "
                    f"line no pool serves are not dropped silently (replayed from {file})",
                    shared["replay"], first_row(replay, line),
                )])
            entry = demand.get(line)
            own = entry if isinstance(entry, dict) else {}
            kept = {k: v for k, v in own.items() if k not in REPLACED_BY_REPLAY}
            demand[line] = {**shared, **kept}
    replayed = {k: v for k, v in demand.items() if isinstance(v, dict) and "replay" in v}
    if not replayed:
        return
    window_paths = [("demand", line, key) for line, v in replayed.items() for key in ("from", "to")
                    if key in v]
    horizon = raw.get("horizon")
    if not window_paths and isinstance(horizon, dict) and {"start", "days"} & set(horizon):
        return
    window = _replay_window(list(replayed.values()), origins, top_file)
    if window_paths and isinstance(horizon, dict):
        # a window overrides an inherited horizon, but not one given beside it (unless they
        # agree, as in a scenario.resolved.yaml, which holds both)
        window_files = {origin(p, origins, top_file) for p in window_paths}
        horizon_files = {origin(("horizon", k), origins, top_file)
                         for k in ("start", "days") if k in horizon}
        agree = (str(horizon.get("start")) == window["start"]
                 and float(horizon.get("days", 0)) == window["days"])
        if window_files & horizon_files and not agree:
            raise ScenarioError.single(
                "demand.from", "both horizon start/days and from/to",
                "the replay window given once: as horizon, or as from/to",
                sorted(window_files & horizon_files)[0],
            )
    raw["horizon"] = {**(horizon if isinstance(horizon, dict) else {}), **window}


def _replay_window(
    replayed: list[dict[str, Any]], origins: Origins, top_file: str
) -> dict[str, Any]:
    """The horizon (``start``, whole ``days``) that covers the replayed lines' windows: each
    line's ``from``/``to``, or the first and last call of its file."""
    from contactsim.data.calllog import read_replay

    starts, ends = [], []
    for entry in replayed:
        begin, finish = entry.get("from"), entry.get("to")
        if begin is None or finish is None:
            try:
                replay = read_replay(str(entry["replay"]))
            except ScenarioError as exc:
                raise exc.in_file(top_file) from None
            first = replay.first.astype("datetime64[s]").item()
            last = replay.last.astype("datetime64[s]").item()
            begin = begin if begin is not None else first
            finish = finish if finish is not None else last + timedelta(seconds=1)
        starts.append(_as_datetime(begin))
        ends.append(_as_datetime(finish))
    start = min(starts)
    day = datetime.combine(start.date(), time())
    days = float(math.ceil((max(ends) - day).total_seconds() / 86400.0))
    return {"start": day.date().isoformat(), "days": max(days, 1.0)}


def _as_datetime(value: Any) -> datetime:
    when = as_datetime(value)
    if when is None:
        raise ScenarioError.single(
            "demand.from", value, "an ISO date or date-time such as 2018-07-01"
        )
    return when
