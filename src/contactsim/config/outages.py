"""Outages: a site or pool unavailable for a window — its people off the phones from ``from``
to ``to`` (date-times), its calls going to the other pools that serve their lines.

```yaml
outages:
  - {name: site-a-power, pool: blended, from: "2018-07-14T18:00", to: "2018-07-14T22:00"}
```

A site with several pools has one outage per pool. Windows of one pool that overlap or touch
are one outage; a window outside the horizon does nothing (its part inside it applies).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, field_validator, model_validator

from contactsim.config.clock import as_datetime
from contactsim.config.fields import Frozen
from contactsim.errors import Problem

if TYPE_CHECKING:
    from contactsim.config.pools import Pool

__all__ = ["Outage", "outage_problems"]


class Outage(Frozen):
    """One pool off the phones from ``starts`` to ``ends`` (``from``/``to`` in the file)."""

    name: Annotated[str, Field(min_length=1)]
    pool: str
    starts: datetime = Field(alias="from")
    ends: datetime = Field(alias="to")

    @field_validator("starts", "ends", mode="before")
    @classmethod
    def _midnight(cls, value: Any) -> Any:
        # YAML reads 2018-07-14 as a date: the window then starts (or ends) at its midnight
        # YAML reads 2018-07-14 as a date: the window then starts (or ends) at its midnight
        return as_datetime(value) if isinstance(value, date) else value

    @model_validator(mode="after")
    def _in_order(self) -> Outage:
        if self.starts >= self.ends:
            raise ValueError("from must be before to")
        return self


def outage_problems(outages: tuple[Outage, ...], pools: tuple[Pool, ...]) -> list[Problem]:
    """Each outage names a pool the scenario has, and a name used once."""
    problems: list[Problem] = []
    names = [pool.name for pool in pools]
    seen: set[str] = set()
    for index, outage in enumerate(outages):
        if outage.name in seen:
            problems.append(Problem(f"outages[{index}].name", outage.name,
                                    "an outage name used once"))
        seen.add(outage.name)
        if outage.pool not in names:
            problems.append(Problem(f"outages[{index}].pool", outage.pool,
                                    f"a pool among {', '.join(repr(n) for n in names)}"))
    return problems
