"""The KPIs of overflow to a neighbouring force and of pool outages, and the calls a line's
ratios are taken over.

A call sent to a neighbouring force (``overflowed``) was neither answered here nor abandoned:
a line's service level, abandon rate and overflow rate are shares of the calls whose fate is
settled — answered here, abandoned or overflowed (:func:`ended`) — so an overflowed call counts
as not answered within the threshold. ``outage_hours`` is a pool's operator-hours on duty off
the phones for its outages. Both are reported for every line and pool (0 without the feature),
so that a comparison with and without it has a paired difference.
"""

from __future__ import annotations

from typing import Any

from contactsim.analysis.kpi_definition import Kpi, Sums, as_float, formula_kpi, ratio
from contactsim.analysis.kpi_names import OUTAGE_HOURS, OVERFLOW_RATE, OVERFLOWED

__all__ = ["OUTAGE_KPIS", "OVERFLOW_KPIS", "ended", "overflowed"]

SECONDS_PER_HOUR = 3600.0


def overflowed(s: Sums) -> Any:
    """Calls sent to a neighbouring force: 0 in sums that have none (an interval series
    written before overflow was modelled, or made by hand)."""
    try:
        return s["overflowed"]
    except (KeyError, AttributeError):
        return 0


def ended(s: Sums) -> Any:
    """Calls whose fate is settled: answered here, abandoned, or sent to a neighbour."""
    return s["answered"] + s["abandoned"] + overflowed(s)


#: A line's overflow, after its own KPIs.
OVERFLOW_KPIS: tuple[Kpi, ...] = (
    formula_kpi(OVERFLOWED, "Calls overflowed", "calls", "line",
                "offered calls sent to a neighbouring force after queueing the line's overflow "
                "after_s", ("overflowed",), lambda s: as_float(overflowed(s))),
    formula_kpi(OVERFLOW_RATE, "Overflow rate", "share", "line",
                "overflowed ÷ (answered + abandoned + overflowed)",
                ("overflowed", "answered", "abandoned"),
                lambda s: ratio(as_float(overflowed(s)), ended(s)), better="lower"),
)

#: A pool's time lost to its outages.
OUTAGE_KPIS: tuple[Kpi, ...] = (
    formula_kpi(OUTAGE_HOURS, "Outage operator-hours", "h", "pool",
                "operator-hours on duty off the phones for the pool's outages (not breaks)",
                ("outage_s",), lambda s: s["outage_s"] / SECONDS_PER_HOUR),
)
