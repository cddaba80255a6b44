"""Overflow to a neighbouring force: a line's calls still queueing ``after_s`` after they rang
go to a neighbour's control room, and count as overflowed, not answered here.

```yaml
handling:
  "999":
    overflow: {after_s: 30, capacity: 5}   # to the neighbour after 30 s, if one of its 5 lines
                                          # is free; capacity omitted: it takes every call
```

An overflowed call holds one of the neighbour's lines for its own handle time. A call that
comes due while the neighbour's lines are all busy keeps waiting here (it may be answered,
abandon, or overflow when a line frees).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contactsim import limits
from contactsim.config.fields import Frozen, NonNegativeFloat

__all__ = ["Overflow"]


class Overflow(Frozen):
    """A line's overflow rule: after ``after_s`` in the queue, to a neighbour with
    ``capacity`` lines (None: unlimited)."""

    after_s: NonNegativeFloat
    capacity: Annotated[int, Field(ge=1, le=limits.MAX_OPERATORS_PER_POOL)] | None = None
