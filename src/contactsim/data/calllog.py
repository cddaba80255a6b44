"""Call logs and interval counts from the telephony system: reading and validating them.

A **call log** has one row per call: ``arrival_time`` (ISO date-time), ``line``, and optionally
``handle_s`` (talk plus wrap-up, seconds), ``caller_id`` (any text or number; a caller's
later calls count as redials) and ``incident_id`` (the incident a call was linked to: several
witnesses' calls share one; read by ``demand fit`` for bursts, blank for a call of its own).
An **interval-count file** has one row per interval and line: ``interval_start``, ``line``,
``calls``, at any fixed interval length. Both may be CSV or Parquet. Every error names the file,
the row (counting the header as row 1, as a spreadsheet does) and the column. A log out of time
order is sorted, with a notice. Times are read as the local clock time written: a time-zone
offset (``+01:00``) is ignored, as profiles and shifts are local times. A blank ``caller_id`` (a
withheld number) is a caller of its own; a blank ``line`` is refused. A file must be a regular
file of at most :data:`~contactsim.limits.MAX_LOG_BYTES` (a ``.csv.gz`` once decompressed too),
a CSV must be UTF-8, and an interval-count file may hold at most
:data:`~contactsim.limits.MAX_CALLS_PER_REPLICATION` calls in all.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from contactsim.data.file_cache import read_once_per_version
from contactsim.data.files import check_input_file
from contactsim.errors import ScenarioError
from contactsim.limits import MAX_CALLS_PER_REPLICATION, MAX_LOG_BYTES, MAX_MEAN_S

if TYPE_CHECKING:  # pandas is imported where a file is read: checking a scenario that replays
    import pandas as pd  # nothing never pays for it (``contactsim validate`` stays quick)

LOG_COLUMNS = ("arrival_time", "line")
COUNT_COLUMNS = ("interval_start", "line", "calls")

#: What a replayed file is, for messages.
REPLAY_FILE = "call log or interval-count file"
#: The endings a call log may have, read and written: CSV, gzip-compressed CSV, Parquet.
LOG_ENDINGS = (".csv", ".csv.gz", ".parquet", ".pq")
#: Bytes read at a time when checking that a CSV is UTF-8.
_CHUNK = 1 << 20


@dataclass(frozen=True)
class LineLog:
    """The logged calls of one line, in time order."""

    arrivals: np.ndarray  # datetime64[ns]
    handle_s: np.ndarray | None  # float seconds, or None when the log has no handle_s
    callers: np.ndarray | None  # int64 caller codes shared across lines, or None
    attempts: np.ndarray | None  # 1 for a caller's first call in the log, 2 for the next...
    first_rows: np.ndarray  # spreadsheet row of each call, for messages
    incidents: np.ndarray | None = None  # int64 incident codes (a blank id its own), or None


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


@read_once_per_version(files_kept=8)
def read_replay(path: str) -> Replay:
    """A call log or an interval-count file, told apart by their columns (read once per
    version of the file, so replications share one read)."""
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


def log_ending(path: str | Path) -> str | None:
    """The ending of ``path`` among :data:`LOG_ENDINGS` (lower case), or None."""
    name = Path(path).name.lower()
    return next((ending for ending in sorted(LOG_ENDINGS, key=len, reverse=True)
                 if name.endswith(ending)), None)


def read_table(path: str) -> pd.DataFrame:
    """A CSV or Parquet file as a table, every column as read (lines as text, a blank line as
    ``""``). The file is checked first: a regular file within
    :data:`~contactsim.limits.MAX_LOG_BYTES`, and a CSV UTF-8 throughout."""
    import pandas as pd

    try:
        check_input_file(path, REPLAY_FILE, MAX_LOG_BYTES)
    except ScenarioError as exc:  # the scenario's field named the file
        raise ScenarioError.single("replay", *_value_expected(exc)) from None
    ending = log_ending(path)
    if ending is None:
        raise ScenarioError.single(
            "replay", path, f"a file ending {', '.join(LOG_ENDINGS[:-1])} or {LOG_ENDINGS[-1]}"
        )
    try:
        if ending in (".parquet", ".pq"):
            table = pd.read_parquet(path)
        else:
            _check_utf8(path, compressed=ending == ".csv.gz")
            # every column as text, parsed here: date-times so that an offset does not move the
            # clock, numbers so that a bad one is named with its row (and a blank one too: the
            # reader fails on a blank in a column of whole numbers when given types)
            table = pd.read_csv(path, dtype=str, engine="pyarrow")
    except ScenarioError:
        raise
    except (ValueError, OSError, EOFError, TypeError, KeyError, NotImplementedError,
            zlib.error) as exc:
        raise ScenarioError.single(
            "replay", str(exc)[:200] or type(exc).__name__,
            f"a readable {'Parquet' if ending in ('.parquet', '.pq') else 'CSV'} file", path,
        ) from None
    table.columns = [str(c).strip() for c in table.columns]
    if "line" in table:
        # a blank line becomes "" (and is refused by the readers): under pandas 3 astype(str)
        # keeps a missing value missing, where pandas 2 made it "nan"
        line = table["line"]
        table["line"] = line.astype(str).str.strip().where(line.notna(), "")
    return table


def _value_expected(exc: ScenarioError) -> tuple[object, str]:
    problem = exc.problems[0]
    return problem.value, problem.expected


def _check_utf8(path: str, compressed: bool) -> None:
    """Refuse a CSV that is not UTF-8, naming the line and byte, without holding it whole; and a
    compressed one that decompresses to more than :data:`~contactsim.limits.MAX_LOG_BYTES`."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0  # bytes, and line ends, before the chunk
    with gzip.open(path, "rb") if compressed else open(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # exc.object is the decoder's pending bytes (part of one character, never a line
                # end) followed by the chunk
                at = offset - (len(exc.object) - len(chunk)) + exc.start
                line = lines + exc.object.count(b"\n", 0, exc.start) + 1
                raise ScenarioError.single(
                    "", path,
                    f"a {REPLAY_FILE} in UTF-8 text (line {line} holds byte "
                    f"0x{exc.object[exc.start]:02x}, at byte {at:,}, which is not UTF-8: save "
                    "the file as UTF-8)", path,
                ) from None
            if not chunk:
                return
            offset += len(chunk)
            lines += chunk.count(b"\n")
            if offset > MAX_LOG_BYTES:
                raise ScenarioError.single(
                    "", path, f"a {REPLAY_FILE} of at most {MAX_LOG_BYTES:,} bytes once "
                    "decompressed", path,
                )


def _row(index: int) -> int:
    return index + 2


def _shown(value: object) -> object:
    """A cell's value for a message: a blank one as "" (not nan)."""
    import pandas as pd

    missing = pd.isna(value)
    return "" if isinstance(missing, bool | np.bool_) and missing else value


_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"


def _date_times(table: pd.DataFrame, column: str, path: str) -> pd.Series:
    import pandas as pd

    raw = table[column]
    if raw.dtype == object or pd.api.types.is_string_dtype(raw):
        # the local clock time as written: profiles and shifts are in local time, so an offset
        # (+01:00 in summer) must not move a call an hour
        raw = raw.astype(str).str.strip().str.replace(_OFFSET, "", regex=True)
    parsed = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    # a date that does not exist (2018-02-30) is missing; one beyond the years a time in
    # nanoseconds can hold (1678-2261) is refused too, rather than overflowing
    missing = parsed.isna().to_numpy()
    outside = ~missing & ((parsed < pd.Timestamp.min) | (parsed > pd.Timestamp.max)).to_numpy(
        dtype=bool)
    bad = np.flatnonzero(missing | outside)
    if bad.size:
        first = int(bad[0])
        raise ScenarioError.single(
            column, _shown(raw.iloc[first]), "an ISO date-time such as 2018-07-01T09:30:00, in the "
            f"years 1678 to 2261 ({bad.size} bad rows in all)", path, _row(first),
        )
    return parsed.astype("datetime64[ns]")


def _call_log(table: pd.DataFrame, path: str) -> CallLog:
    import pandas as pd

    notices: list[str] = []
    arrivals = _date_times(table, "arrival_time", path)
    _no_blank_lines(table, path)
    handle = None
    if "handle_s" in table:
        handle = pd.to_numeric(table["handle_s"], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(handle) | (handle < 0) | (handle > MAX_MEAN_S))
        if bad.size:
            first = int(bad[0])
            raise ScenarioError.single(
                "handle_s", _shown(table["handle_s"].iloc[first]),
                f"a number of seconds >= 0 and at most {MAX_MEAN_S:,.0f} (30 days) "
                f"({bad.size} bad rows in all)", path, _row(first),
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
        # a withheld number is nobody's repeat call: each blank id is a caller of its own
        callers = _codes(table["caller_id"].to_numpy()[order])
        attempts = pd.Series(callers).groupby(callers).cumcount().to_numpy() + 1
    incidents = _codes(table["incident_id"].to_numpy()[order]) if "incident_id" in table else None
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
            incidents=incidents[mask] if incidents is not None else None,
        )
    if not lines:
        raise ScenarioError.single("arrival_time", "no rows", "at least one call", path)
    return CallLog(path=path, lines=lines, notices=tuple(notices))


def _codes(raw: np.ndarray) -> np.ndarray:
    """Whole-number codes for ids read as text; each blank id a code of its own."""
    # a missing id stays missing under pandas 3's astype(str) (pandas 2 made it "nan"):
    # blank is told by pd.isna on what was read, and by the text
    import pandas as pd

    ids = pd.Series(raw).astype(str).str.strip()
    blank = pd.isna(raw) | (ids == "").to_numpy(dtype=bool)
    codes, uniques = pd.factorize(ids.to_numpy())
    codes = codes.astype(np.int64)
    codes[blank] = len(uniques) + np.arange(int(blank.sum()))
    return codes


def _no_blank_lines(table: pd.DataFrame, path: str) -> None:
    # read_table made a missing line "" (pandas 3 keeps it missing through astype(str));
    # "nan" and "None" are what pandas 2 and Parquet objects made of one
    blank = np.flatnonzero(table["line"].isin(["", "nan", "None", "<NA>"]).to_numpy(dtype=bool))
    if blank.size:
        raise ScenarioError.single(
            "line", "", f"a line name such as 999 or 101 ({blank.size} blank rows in all)",
            path, _row(int(blank[0])),
        )


def _interval_counts(table: pd.DataFrame, path: str) -> IntervalCounts:
    import pandas as pd

    starts = _date_times(table, "interval_start", path)
    _no_blank_lines(table, path)
    calls = pd.to_numeric(table["calls"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(calls) | (calls < 0) | (calls != np.round(calls))
                         | (calls > MAX_CALLS_PER_REPLICATION))
    if bad.size:
        first = int(bad[0])
        raise ScenarioError.single(
            "calls", _shown(table["calls"].iloc[first]),
            f"a whole number of calls from 0 to {MAX_CALLS_PER_REPLICATION:,}", path, _row(first)
        )
    total = float(calls.sum())
    if total > MAX_CALLS_PER_REPLICATION:
        raise ScenarioError.single(
            "calls", f"{total:,.0f} calls in all",
            f"at most {MAX_CALLS_PER_REPLICATION:,} calls in the file, all lines and intervals "
            "(each is made a call to replay)", path,
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
