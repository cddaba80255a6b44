"""Service targets a staffing must meet: ``"999: service_level >= 0.90"``, ``"101: asa_s <= 120"``,
a second service-level point ``"999: service_level@15 >= 0.90"``, and occupancy caps on pools,
``"blended: occupancy <= 0.85"``.

A target ending ``on 95% of days`` is met when the day's own value meets it on that share of
days (:mod:`contactsim.planning.daily_targets`), not at every key.

A target names a line, a KPI of the line (service level, average speed of answer or abandon
rate: names from :mod:`contactsim.analysis.kpi_names`) and the side of a value it must be on;
:class:`ServiceTarget` says whether a simulated value (or a whole confidence interval) is on it.
``service_level`` is judged at the line's own ``service_level_s``; ``service_level@15`` within
15 s, which the simulation then counts too (:func:`measured_at_targets` adds the threshold to
the line's ``also_within_s``). An occupancy cap names a pool instead of a line: its busy time
over its time on the phones must stay at or below the cap (below 1). A cap can only be met by
adding people.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from contactsim.analysis.kpi_names import (
    OCCUPANCY,
    SERVICE_LEVEL,
    SERVICE_LEVEL_AT,
    service_level_at,
    within_seconds,
)
from contactsim.analysis.kpis import KPIS, SERVICE_TARGET_KPIS
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError

__all__ = ["TARGET_KPIS", "ServiceTarget", "measured_at_targets", "parse_target"]

#: KPIs a service target on a line may name, and whether a larger value is better (from the
#: registry); besides them, ``service_level@SECONDS`` on a line and ``occupancy`` on a pool
TARGET_KPIS: dict[str, bool] = SERVICE_TARGET_KPIS

#: ``TARGET on N% of days``
_ON_DAYS = re.compile(r"^(?P<target>.*?)\s+on\s+(?P<share>\S+?)\s*%\s+of\s+days\s*$")
_TARGET = re.compile(
    r"^\s*(?P<line>[^:\s]+)\s*:\s*(?P<kpi>[\w@.+-]+)\s*(?P<op><=|>=)\s*(?P<value>\S+)\s*$"
)


@dataclass(frozen=True)
class ServiceTarget:
    """``line: kpi >= value`` (service level) or ``line: kpi <= value`` (ASA, abandon rate);
    with ``of_pool``, ``pool: occupancy <= cap`` (``line`` then names the pool)."""

    line: str
    kpi: str
    at_least: bool
    value: float
    of_pool: bool = False
    #: ``on 95% of days``: the share of days whose own value must meet it (None: every key)
    share_of_days: float | None = None

    @property
    def within_s(self) -> float | None:
        """The threshold of a ``service_level@SECONDS`` target (None for any other KPI)."""
        return within_seconds(self.kpi)

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
        days = ("" if self.share_of_days is None else
                f" on {self.share_of_days * 100:g}% of days")
        return f"{self.line}: {self.kpi} {'>=' if self.at_least else '<='} {self.value:g}{days}"


def parse_target(text: str, scenario: Scenario) -> ServiceTarget:
    """Read ``"999: service_level >= 0.90"``, ``"999: service_level@15 >= 0.90"``,
    ``"999: service_level >= 0.90 on 95% of days"`` (see
    :mod:`contactsim.planning.daily_targets`) or ``"blended: occupancy <= 0.85"``; raise
    ContactsimError naming what is wrong."""
    on_days = _ON_DAYS.match(text)
    if on_days is not None:
        target = parse_target(on_days["target"], scenario)
        share = _number(text, on_days["share"]) / 100.0
        if target.of_pool:
            raise ContactsimError(f"--target {text!r}: an occupancy cap is judged at every "
                                  "hour; 'on N% of days' goes with a line's target")
        if not 0 < share <= 1:
            raise ContactsimError(f"--target {text!r}: on {on_days['share']}% of days; "
                                  "expected a share of days above 0% and at most 100%")
        return replace(target, share_of_days=share)
    match = _TARGET.match(text)
    if match is None:
        raise ContactsimError(
            f"--target {text!r}: expected LINE: KPI >= VALUE, LINE: KPI <= VALUE or "
            "POOL: occupancy <= CAP, e.g. '999: service_level >= 0.90', '101: asa_s <= 120' "
            "or 'blended: occupancy <= 0.85'"
        )
    name, kpi, op = match["line"].strip("\"'"), match["kpi"], match["op"]
    pools = [pool.name for pool in scenario.pools]
    if kpi == OCCUPANCY:
        return _occupancy_cap(text, name, op, match["value"], scenario, pools)
    if name not in scenario.lines:
        what = (f"{name!r} is a pool: a pool's target is an occupancy cap, e.g. "
                f"'{name}: occupancy <= 0.85'" if name in pools else
                f"line {name!r} is not in the scenario (it has {list(scenario.lines)}; "
                f"pools, for an occupancy cap: {pools})")
        raise ContactsimError(f"--target {text!r}: {what}")
    if kpi.startswith(SERVICE_LEVEL_AT):
        seconds = within_seconds(kpi)
        if seconds is None:
            raise ContactsimError(f"--target {text!r}: {kpi!r}; expected service_level@SECONDS "
                                  "with the seconds a number, e.g. service_level@15")
        kpi, better = service_level_at(seconds), TARGET_KPIS[SERVICE_LEVEL]
    elif kpi in TARGET_KPIS:
        better = TARGET_KPIS[kpi]
    else:
        raise ContactsimError(
            f"--target {text!r}: KPI {kpi!r}; expected one of {list(TARGET_KPIS)}, "
            "service_level@SECONDS on a line, or occupancy on a pool"
        )
    if (op == ">=") != better:
        side = "at least (>=)" if better else "at most (<=)"
        raise ContactsimError(f"--target {text!r}: {kpi} is a target of {side}")
    value = _number(text, match["value"])
    shares = kpi not in KPIS or KPIS[kpi].unit == "share"  # a service level or abandon rate
    if not math.isfinite(value) or value <= 0 or (shares and value >= 1):
        expected = "a share strictly between 0 and 1" if shares else "a positive number of seconds"
        raise ContactsimError(f"--target {text!r}: got {value:g}; expected {expected}")
    return ServiceTarget(name, kpi, op == ">=", value)


def _number(text: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ContactsimError(f"--target {text!r}: {value!r} is not a number") from None


def _occupancy_cap(text: str, name: str, op: str, value_text: str, scenario: Scenario,
                   pools: list[str]) -> ServiceTarget:
    """``POOL: occupancy <= CAP``, the cap a share below 1."""
    if name not in pools:
        what = "a line" if name in scenario.lines else "not in the scenario"
        raise ContactsimError(
            f"--target {text!r}: occupancy is capped on a pool, and {name!r} is {what}; "
            f"the pools are {pools}")
    if op != "<=":
        raise ContactsimError(f"--target {text!r}: occupancy takes a cap, a target of at "
                              f"most (<=), e.g. '{name}: occupancy <= 0.85'")
    value = _number(text, value_text)
    if not math.isfinite(value) or value <= 0 or value >= 1:
        raise ContactsimError(
            f"--target {text!r}: got {value:g}; expected a cap strictly between 0 and 1 (a "
            "pool is never busy more than all its time on the phones, so a cap of 1 or more "
            "always holds)")
    return ServiceTarget(name, OCCUPANCY, False, value, of_pool=True)


def measured_at_targets(scenario: Scenario, targets: list[ServiceTarget]) -> Scenario:
    """``scenario`` with each line also measured within the thresholds its
    ``service_level@SECONDS`` targets name (added to the line's ``also_within_s``)."""
    wanted = {line: set(scenario.also_within_s(line)) for line in scenario.handling}
    for target in targets:
        if target.within_s is not None and not target.of_pool:
            wanted[target.line].add(target.within_s)
    handling = {
        line: (given if set(scenario.also_within_s(line)) == wanted[line] else
               given.model_copy(update={"also_within_s": tuple(sorted(wanted[line]))}))
        for line, given in scenario.handling.items()
    }
    return scenario.model_copy(update={"handling": handling})
