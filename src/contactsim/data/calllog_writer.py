"""Call logs written by contactsim: a run's calls saved in the form a call log is read.

``contactsim`` can write the calls of a run as a call log (CSV, gzip-compressed CSV or Parquet,
by the file's ending), so that a planner can look at them in a spreadsheet or replay them in
another scenario. This module checks, before any work, that the file can be written where the
planner asked, and writes it whole or not at all.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd

from contactsim.data.calllog import log_ending
from contactsim.data.files import write_atomic
from contactsim.errors import ContactsimError

__all__ = ["check_log_output", "write_call_log"]


def check_log_output(path: str | Path, replace: bool = False) -> None:
    """Refuse, before any work, a path a call log cannot be written to: an ending other than
    :data:`~contactsim.data.calllog.LOG_ENDINGS` (the ending says the format), an existing
    folder, an existing file unless ``replace``, or a parent that is a file. The parent need
    not exist yet: :func:`write_call_log` makes it."""
    path = Path(path)
    if log_ending(path) is None:
        raise ContactsimError(
            f"{path}: a call log is written as .csv, .csv.gz (gzip-compressed CSV), .parquet or "
            ".pq, by its ending; give --out one of these endings"
        )
    if path.is_dir():
        raise ContactsimError(f"{path} is a folder; give --out the name of the file to write")
    if path.exists() and not path.is_file():
        raise ContactsimError(f"{path} exists and is not a regular file; give another --out")
    if path.exists() and not replace:
        raise ContactsimError(f"{path} exists; give another --out, or --replace to write over it")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ContactsimError(
            f"{path}: its folder cannot be made, as {ancestor} is a file, not a folder"
        )


def write_call_log(table: pd.DataFrame, path: str | Path, replace: bool = False) -> None:
    """Write a call log as CSV, gzip-compressed CSV or Parquet, by the file's ending (see
    :func:`check_log_output`), whole or not at all, making its folder if need be."""
    check_log_output(path, replace)
    path = Path(path)
    ending = log_ending(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def csv(handle: io.TextIOBase) -> None:
        table.to_csv(handle, index=False, date_format="%Y-%m-%dT%H:%M:%S.%f",
                     float_format="%.3f")

    def write(temporary: Path) -> None:
        if ending in (".parquet", ".pq"):
            table.to_parquet(temporary, index=False)
        elif ending == ".csv.gz":
            # compressed here, not by the temporary name's ending: a header naming the file
            # and holding no time keeps the same log byte for byte the same
            with open(temporary, "wb") as raw, gzip.GzipFile(
                filename=path.name, mode="wb", fileobj=raw, compresslevel=6, mtime=0
            ) as compressed, io.TextIOWrapper(compressed, encoding="utf-8", newline="") as text:
                csv(text)
        else:
            with open(temporary, "w", encoding="utf-8", newline="") as text:
                csv(text)

    write_atomic(path, write)
