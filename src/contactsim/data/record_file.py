"""Per-call records streamed to a Parquet file, a day's calls at a time.

A year of a police contact centre is half a million calls; ten replications of a sweep point,
five million. Records are therefore never held for a whole run: at the end of each simulated
day the model hands over the records made that day — one for each call that was answered,
abandoned or took a callback that day (calls still waiting at the end come last) — which
:class:`RecordFile`, the model's ``record_sink``, writes as one row group and drops. Rows are
in the order calls were answered, gave up or took a callback, not the order they arrived (sort
by ``arrival_s``). The file is written under a temporary name and renamed when the run ends
(:func:`~contactsim.data.files.file_written_whole`), so a file of records is always a whole
replication's.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from types import TracebackType

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from contactsim.data.files import file_written_whole
from contactsim.engine.records import CallRecord

__all__ = ["RECORD_SCHEMA", "RecordFile", "record_file_name"]

#: Columns of a records file: those of
#: :class:`~contactsim.engine.records.CallRecord`, the arrival as
#: a local date-time, and the replication.
RECORD_SCHEMA = pa.schema([
    ("replication", pa.int32()),
    ("call_id", pa.int64()),
    ("line", pa.string()),
    ("arrival", pa.timestamp("ms")),
    ("arrival_s", pa.float64()),
    ("outcome", pa.string()),
    ("wait_s", pa.float64()),
    ("pool", pa.string()),
    ("handle_s", pa.float64()),
    ("caller_id", pa.int64()),
    ("attempt", pa.int32()),
])


def record_file_name(replication: int) -> str:
    """The file name of one replication's records."""
    return f"replication-{replication:03d}.parquet"


class RecordFile:
    """Writes a replication's call records to ``path`` (Parquet), batch by batch.

    Use as a context manager: on a clean exit the file is complete and in place; on an error
    nothing is left behind.
    """

    def __init__(self, path: str | Path, replication: int, start: date) -> None:
        self.path = Path(path)
        self.replication = replication
        self._start = np.datetime64(start, "ms")  # time 0: midnight at the start of ``start``
        self.rows = 0
        self._whole = ExitStack()  # the file under its temporary name, renamed when whole
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> RecordFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with ExitStack() as opening:
            temporary = opening.enter_context(file_written_whole(self.path))
            self._writer = pq.ParquetWriter(temporary, RECORD_SCHEMA, compression="zstd")
            self._whole = opening.pop_all()  # opened: kept until __exit__
        return self

    def __call__(self, records: Sequence[CallRecord]) -> None:
        """Write one batch of records (a day's, as the model hands them over)."""
        if not records or self._writer is None:
            return
        columns = list(zip(*records, strict=True))
        call_id, line, arrival_s, outcome, wait_s, pool, handle_s, caller_id, attempt = columns
        arrival = self._start + (np.asarray(arrival_s) * 1000.0).astype("timedelta64[ms]")
        batch = pa.record_batch(
            [
                pa.array([self.replication] * len(records), pa.int32()),
                pa.array(call_id, pa.int64()),
                pa.array(line, pa.string()),
                pa.array(arrival, pa.timestamp("ms")),
                pa.array(arrival_s, pa.float64()),
                pa.array(outcome, pa.string()),
                pa.array(wait_s, pa.float64()),
                pa.array(pool, pa.string()),
                pa.array(handle_s, pa.float64()),
                pa.array(caller_id, pa.int64()),
                pa.array(attempt, pa.int32()),
            ],
            schema=RECORD_SCHEMA,
        )
        self._writer.write_batch(batch)
        self.rows += len(records)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._whole.__exit__(kind, error, traceback)
