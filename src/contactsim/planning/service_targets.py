"""Service targets a staffing must meet: ``"999: service_level >= 0.90"``, ``"101: asa_s <= 120"``.

A target names a line, a KPI of the line (service level, average speed of answer or abandon
rate: names from :mod:`contactsim.analysis.kpi_names`) and the side of a value it must be on;
:class:`ServiceTarget` says whether a simulated value (or a whole confidence interval) is on it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from contactsim.analysis.kpis import KPIS, SERVICE_TARGET_KPIS
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError

__all__ = ["TARGET_KPIS", "ServiceTarget", "parse_target"]

#: KPIs a service target may name, and whether a larger value is better (from the registry)
TARGET_KPIS: dict[str, bool] = SERVICE_TARGET_KPIS

_TARGET = re.compile(
    r"^\s*(?P<line>[^:\s]+)\s*:\s*(?P<kpi>\w+)\s*(?P<op><=|>=)\s*(?P<value>\S+)\s*$"
)


@dataclass(frozen=True)
class ServiceTarget:
    """``line: kpi >= value`` (service level) or ``line: kpi <= value`` (ASA, abandon rate)."""

    line: str
    kpi: str
    at_least: bool
    value: float

    def met_by(self, simulated: float, offered: float = 0.0) -> bool:
        """Whether a simulated value meets the target. A value that cannot be computed (NaN)
        meets it only where no call was ``offered``: calls that all abandoned or took a
        callback, leaving no answered call to time, miss an ASA target."""
        if math.isnan(simulated):
            return offered == 0
        return simulated >= self.value if self.at_least else simulated <= self.value

    def certainly_met_by(self, mean: float, low: float, high: float, offered: float = 0.0
                         ) -> bool:
        """Whether an interval ``[low, high]`` around the simulated ``mean`` lies wholly on the
        target's side: its low end at or above a target of at least, its high end at or below
        a target of at most. Without an interval (fewer than two replications measured the
        KPI there) the mean decides, as in :meth:`met_by`."""
        if math.isnan(low) or math.isnan(high):
            return self.met_by(mean, offered)
        return low >= self.value if self.at_least else high <= self.value

    def __str__(self) -> str:
        return f"{self.line}: {self.kpi} {'>=' if self.at_least else '<='} {self.value:g}"


def parse_target(text: str, scenario: Scenario) -> ServiceTarget:
    """Read ``"999: service_level >= 0.90"``; raise ContactsimError naming what is wrong."""
    match = _TARGET.match(text)
    if match is None:
        raise ContactsimError(
            f"--target {text!r}: expected LINE: KPI >= VALUE or LINE: KPI <= VALUE, e.g. "
            "'999: service_level >= 0.90' or '101: asa_s <= 120'"
        )
    line, kpi, op = match["line"].strip("\"'"), match["kpi"], match["op"]
    if line not in scenario.lines:
        raise ContactsimError(
            f"--target {text!r}: line {line!r} is not in the scenario "
            f"(it has {list(scenario.lines)})"
        )
    if kpi not in TARGET_KPIS:
        raise ContactsimError(
            f"--target {text!r}: KPI {kpi!r}; expected one of {list(TARGET_KPIS)}"
        )
    if (op == ">=") != TARGET_KPIS[kpi]:
        better = "at least (>=)" if TARGET_KPIS[kpi] else "at most (<=)"
        raise ContactsimError(f"--target {text!r}: {kpi} is a target of {better}")
    try:
        value = float(match["value"])
    except ValueError:
        raise ContactsimError(f"--target {text!r}: {match['value']!r} is not a number") from None
    shares = KPIS[kpi].unit == "share"  # a service level or abandon rate
    if not math.isfinite(value) or value <= 0 or (shares and value >= 1):
        expected = "a share strictly between 0 and 1" if shares else "a positive number of seconds"
        raise ContactsimError(f"--target {text!r}: got {value:g}; expected {expected}")
    return ServiceTarget(line, kpi, op == ">=", value)
