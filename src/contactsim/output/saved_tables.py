"""The tables of a saved results folder, read back checked: a folder that was edited by hand,
cut short or garbled gives a message naming the file and the row, never a traceback.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from contactsim.data.files import check_input_file
from contactsim.errors import ContactsimError, ScenarioError
from contactsim.limits import MAX_TABLE_BYTES

__all__ = ["COMPARE_COLUMNS", "COUNT", "FAILURES_COLUMNS", "NUMBER", "SUMMARY_COLUMNS",
           "SWEEP_SUMMARY_COLUMNS", "TEXT", "read_saved_table"]

# The saved tables a report reads, column by column: text, a number (empty: not measured) or
# a count (a whole number >= 0, never empty).
TEXT, NUMBER, COUNT = "text", "number", "count"
SUMMARY_COLUMNS = {"scope": TEXT, "kpi": TEXT, "mean": NUMBER, "ci_low": NUMBER,
                   "ci_high": NUMBER, "reps": COUNT}
COMPARE_COLUMNS = {"scenario": TEXT, **SUMMARY_COLUMNS, "diff_mean": NUMBER,
                   "diff_low": NUMBER, "diff_high": NUMBER}
SWEEP_SUMMARY_COLUMNS = {"point": COUNT, "point_name": TEXT, **SUMMARY_COLUMNS}
FAILURES_COLUMNS = {"point": COUNT, "point_name": TEXT, "replication": COUNT, "error": TEXT}


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
