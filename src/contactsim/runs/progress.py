"""A progress bar in simulated days, shown only when a run lasts more than a couple of seconds."""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm

#: Seconds before the bar appears: short runs print nothing.
SHOW_AFTER_S = 2.0


class ProgressBar:
    """Context manager whose :meth:`update` takes (simulated seconds done, seconds in all)."""

    def __init__(self, description: str) -> None:
        self.description = description
        self._bar: tqdm | None = None

    def __enter__(self) -> ProgressBar:
        return self

    def update(self, done_s: float, total_s: float) -> None:
        """Move the bar to ``done_s`` of ``total_s`` simulated seconds (a total that grows, as
        a run to a precision adds batches, lengthens the bar)."""
        if self._bar is None:
            self._bar = tqdm(
                total=round(total_s / 86400, 1), unit="sim-day", desc=self.description,
                delay=SHOW_AFTER_S, file=sys.stderr, dynamic_ncols=True, leave=False,
            )
        elif round(total_s / 86400, 1) > (self._bar.total or 0):
            self._bar.total = round(total_s / 86400, 1)
            self._bar.refresh()
        step = round(done_s / 86400, 1) - self._bar.n
        if step > 0:
            self._bar.update(step)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()
