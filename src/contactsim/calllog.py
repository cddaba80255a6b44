"""Call logs and interval counts from the telephony system: reading and validating them.

A **call log** has one row per call: ``arrival_time`` (ISO date-time), ``line``, and optionally
``handle_s`` (talk plus wrap-up, seconds) and ``caller_id`` (any text or number; a caller's
later calls count as redials). An **interval-count file** has one row per interval and line:
``interval_start``, ``line``, ``calls``, at any fixed interval length. Both may be CSV or
Parquet. Every error names the file, the row (counting the header as row 1, as a spreadsheet
does) and the column. A log out of time order is sorted, with a notice. Times are read as the
local clock time written: a time-zone offset (``+01:00``) is ignored, as profiles and shifts
are local times. A blank ``caller_id`` (a withheld number) is a caller of its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from contactsim.errors import ScenarioError

LOG_COLUMNS = ("arrival_time", "line")
COUNT_COLUMNS = ("interval_start", "line", "calls")


@dataclass(frozen=True)
class LineLog:
    """The logged calls of one line, in time order."""

    arrivals: np.ndarray  # datetime64[ns]
    handle_s: np.ndarray | None  # float seconds, or None when the log has no handle_s
    callers: np.ndarray | None  # int64 caller codes shared across lines, or None
    attempts: np.ndarray | None  # 1 for a caller's first call in the log, 2 for the next...
    first_rows: np.ndarray  # spreadsheet row of each call, for messages


@dataclass(frozen=True)
class CallLog:
    """A whole call log, by line."""

    path: str
    lines: dict[str, LineLog]
    notices: tuple[str, ...] = ()

    @property
    def first(self) -> np.datetime64:
        """The earliest arrival in the log."""
        return min(line.arrivals[0] for line in self.lines.values() if line.arrivals.size)

    @property
    def last(self) -> np.datetime64:
        """The latest arrival in the log."""
        return max(line.arrivals[-1] for line in self.lines.values() if line.arrivals.size)


@dataclass(frozen=True)
class IntervalCounts:
    """Calls per interval and line, at one fixed interval length."""

    path: str
    interval: np.timedelta64
    starts: dict[str, np.ndarray]  # datetime64[ns] per line, in time order
    calls: dict[str, np.ndarray]  # int64 per line
    first_rows: dict[str, int]  # spreadsheet row of each line's first interval, for messages
    notices: tuple[str, ...] = ()

    @property
    def lines(self) -> list[str]:
        """The lines in the file."""
        return list(self.starts)

    @property
    def first(self) -> np.datetime64:
        """The start of the earliest interval."""
        return min(starts[0] for starts in self.starts.values())

    @property
    def last(self) -> np.datetime64:
        """The end of the latest interval."""
        return max(starts[-1] for starts in self.starts.values()) + self.interval


Replay = CallLog | IntervalCounts


def first_row(replay: Replay, line: str) -> int:
    """The spreadsheet row where ``line`` first appears in the file."""
    if isinstance(replay, CallLog):
        return int(replay.lines[line].first_rows.min())
    return replay.first_rows[line]


def read_replay(path: str) -> Replay:
    """A call log or an interval-count file, told apart by their columns (cached per file
    version, so replications share one read)."""
    return _read_replay(path, *file_version(path))


def file_version(path: str) -> tuple[int, int]:
    """(modification time, size) of a file, (0, 0) if absent: a cache key that changes when
    the file is edited, so a long-lived process never serves an old version."""
    stat = os.stat(path) if os.path.exists(path) else None
    return (stat.st_mtime_ns, stat.st_size) if stat else (0, 0)


@lru_cache(maxsize=8)
def _read_replay(path: str, mtime_ns: int, size: int) -> Replay:
    table = read_table(path)
    columns = set(table.columns)
    if set(LOG_COLUMNS) <= columns:
        return _call_log(table, path)
    if set(COUNT_COLUMNS) <= columns:
        return _interval_counts(table, path)
    raise ScenarioError.single(
        "columns", sorted(columns),
        "a call log (arrival_time, line[, handle_s, caller_id]) or interval counts "
        "(interval_start, line, calls)", path,
    )


def read_table(path: str) -> pd.DataFrame:
    """A CSV or Parquet file as a table, every column as read (lines as text)."""
    file = Path(path)
    if not file.exists():
        raise ScenarioError.single("replay", path, "an existing CSV or Parquet file")
    suffixes = "".join(file.suffixes[-2:]).lower()
    try:
        if suffixes.endswith((".parquet", ".pq")):
            table = pd.read_parquet(file)
        elif suffixes.endswith((".csv", ".csv.gz")):
            # date-times as text: the reader would turn an offset into UTC, moving the clock
            text = {"line": str, "caller_id": str, "arrival_time": str, "interval_start": str}
            table = pd.read_csv(file, dtype=text, engine="pyarrow")
        else:
            raise ScenarioError.single(
                "replay", path, "a file ending .csv, .csv.gz, .parquet or .pq"
            )
    except (ValueError, OSError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError.single("replay", str(exc)[:200], "a readable CSV or Parquet file",
                                   path) from None
    table.columns = [str(c).strip() for c in table.columns]
    if "line" in table:
        table["line"] = table["line"].astype(str).str.strip()
    return table


def _row(index: int) -> int:
    return index + 2


_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"


def _date_times(table: pd.DataFrame, column: str, path: str) -> pd.Series:
    raw = table[column]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        # the local clock time as written: profiles and shifts are in local time, so an offset
        # (+01:00 in summer) must not move a call an hour
        raw = raw.astype(str).str.strip().str.replace(_OFFSET, "", regex=True)
    parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if bad.size:
        first = int(bad[0])
        raise ScenarioError.single(
            column, raw.iloc[first], "an ISO date-time such as 2018-07-01T09:30:00 "
            f"({bad.size} bad rows in all)", path, _row(first),
        )
    return parsed.astype("datetime64[ns]")


def _call_log(table: pd.DataFrame, path: str) -> CallLog:
    notices: list[str] = []
    arrivals = _date_times(table, "arrival_time", path)
    _no_blank_lines(table, path)
    handle = None
    if "handle_s" in table:
        handle = pd.to_numeric(table["handle_s"], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(handle) | (handle < 0))
        if bad.size:
            first = int(bad[0])
            raise ScenarioError.single(
                "handle_s", table["handle_s"].iloc[first],
                f"a number of seconds >= 0 ({bad.size} bad rows in all)", path, _row(first),
            )
    rows = np.arange(len(table)) + 2
    times = arrivals.to_numpy()
    order = np.argsort(times, kind="stable")
    out_of_order = int(np.count_nonzero(np.diff(times) < np.timedelta64(0)))
    if out_of_order:
        notices.append(
            f"{path}: not in time order ({out_of_order} rows earlier than the row before); "
            "sorted by arrival_time"
        )
    callers = attempts = None
    if "caller_id" in table:
        raw_ids = table["caller_id"].to_numpy()[order]
        blank = pd.isna(raw_ids) | (pd.Series(raw_ids).astype(str).str.strip() == "").to_numpy()
        codes, uniques = pd.factorize(pd.Series(raw_ids).astype(str).to_numpy())
        callers = codes.astype(np.int64)
        # a withheld number is nobody's repeat call: each blank id is a caller of its own
        callers[blank] = len(uniques) + np.arange(int(blank.sum()))
        attempts = pd.Series(callers).groupby(callers).cumcount().to_numpy() + 1
    line_of = table["line"].to_numpy()[order]
    lines = {}
    for name in pd.unique(line_of):
        mask = line_of == name
        lines[str(name)] = LineLog(
            arrivals=times[order][mask],
            handle_s=handle[order][mask] if handle is not None else None,
            callers=callers[mask] if callers is not None else None,
            attempts=attempts[mask] if attempts is not None else None,
            first_rows=rows[order][mask],
        )
    if not lines:
        raise ScenarioError.single("arrival_time", "no rows", "at least one call", path)
    return CallLog(path=path, lines=lines, notices=tuple(notices))


def _no_blank_lines(table: pd.DataFrame, path: str) -> None:
    blank = np.flatnonzero(table["line"].isin(["", "nan", "None"]).to_numpy())
    if blank.size:
        raise ScenarioError.single("line", "", "a line name such as 999 or 101", path,
                                   _row(int(blank[0])))


def _interval_counts(table: pd.DataFrame, path: str) -> IntervalCounts:
    starts = _date_times(table, "interval_start", path)
    _no_blank_lines(table, path)
    calls = pd.to_numeric(table["calls"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(calls) | (calls < 0) | (calls != np.round(calls)))
    if bad.size:
        first = int(bad[0])
        raise ScenarioError.single(
            "calls", table["calls"].iloc[first], "a whole number of calls >= 0", path, _row(first)
        )
    frame = pd.DataFrame(
        {"start": starts, "line": table["line"], "calls": calls.astype(np.int64),
         "row": np.arange(len(table)) + 2}
    )
    distinct = np.unique(frame["start"].to_numpy())
    if distinct.size < 2:
        raise ScenarioError.single(
            "interval_start", "one interval", "at least two intervals, to tell their length", path
        )
    gaps = np.diff(distinct)
    interval = gaps.min()
    misaligned = np.flatnonzero((frame["start"].to_numpy() - distinct[0]) % interval)
    if misaligned.size:
        first = int(misaligned[0])
        raise ScenarioError.single(
            "interval_start", str(frame["start"].iloc[first]),
            f"interval starts a whole number of intervals ({pd.Timedelta(interval)}) apart",
            path, int(frame["row"].iloc[first]),
        )
    duplicated = frame.duplicated(["start", "line"]).to_numpy()
    if duplicated.any():
        first = int(np.flatnonzero(duplicated)[0])
        raise ScenarioError.single(
            "interval_start", str(frame["start"].iloc[first]), "one row per interval and line",
            path, int(frame["row"].iloc[first]),
        )
    frame = frame.sort_values(["line", "start"], kind="stable")
    by_line = {str(name): part for name, part in frame.groupby("line", sort=False)}
    return IntervalCounts(
        path=path,
        interval=interval,
        starts={name: part["start"].to_numpy() for name, part in by_line.items()},
        calls={name: part["calls"].to_numpy() for name, part in by_line.items()},
        first_rows={name: int(part["row"].min()) for name, part in by_line.items()},
    )


def write_call_log(table: pd.DataFrame, path: str | Path) -> None:
    """Write a call log as CSV or Parquet (by the file's ending), whole or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            table.to_parquet(temporary, index=False)
        else:
            table.to_csv(temporary, index=False, date_format="%Y-%m-%dT%H:%M:%S.%f",
                         float_format="%.3f")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
