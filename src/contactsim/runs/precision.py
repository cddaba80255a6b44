"""Precision on demand: the stopping rule that runs replications in batches until every named
confidence interval is as tight as asked.

A *target* names a KPI of a line or pool and the half-width its 95% interval may have:
``101:asa_s=5`` (absolute, in the KPI's own unit: seconds; a share as a fraction, so
``999:service_level=0.005`` is half a percentage point) or ``101:asa_s=5%`` (relative: 5% of
the mean's magnitude). :func:`parse_target` reads one; :func:`check_targets` checks it against
a scenario.

**The rule** is the sequential procedure of Law & Kelton for a specified precision (A. M. Law
and W. D. Kelton, *Simulation Modeling and Analysis*, 3rd ed., McGraw-Hill, 2000, §9.4.1,
estimating means: obtaining a specified precision; the same in A. M. Law's 5th ed., 2015),
run in batches:

1. make ``min_reps`` replications (default 5, at least 3) and set ``n`` to that;
2. for each target compute the mean ``X̄(n)`` and the Student-t half-width
   ``δ(n) = t(n−1, 0.975)·S(n)/√n`` of the replications ``0 … n−1`` (unclipped: the
   statistical half-width, before any clipping to the KPI's range);
3. a relative target γ is met when ``δ(n)/|X̄(n)| ≤ γ' = γ/(1+γ)`` — Law & Kelton's
   correction, so that the *true* relative error is at most γ with the interval's
   confidence; an absolute target β (their "absolute error" variant) when ``δ(n) ≤ β``;
4. stop when every target is met at this check and was met at the check before (the
   *look-ahead*, below), or when ``n`` has reached ``max_reps`` (default 100); else make
   ``batch`` (default 5) more replications, ``n ← n + batch`` (never past ``max_reps``), and
   go to 2.

Law & Kelton add one replication at a time; here they come in fixed batches, so that the
workers have several to run at once and the rule looks at the data fewer times (each look is
a chance to stop on a variance that happens to be small). The look-ahead is that of Hoad,
Robinson & Davies (K. Hoad, S. Robinson and R. Davies, "Automated selection of the number of
replications for a discrete-event simulation", *Journal of the Operational Research Society*
61(11), 2010, 1632–1644): precision reached at ``n`` counts only if it still holds one batch
later. Without it, a rule that stops the first time a sample variance dips is biased towards
intervals that are too narrow: measured on Erlang A, the plain rule from 5 replications
covered the exact value in 91–94% of runs at a nominal 95%; with the look-ahead, 94–95.5%
(see the README, "Precision on demand", and ``tests/runs/test_precision.py``).

The replications are numbered ``0, 1, 2, …`` in order whatever the batches (each batch starts
where the last ended: ``first_replication``), so a run that stopped at ``n`` has exactly the
numbers of a fixed run of ``n`` replications with the same seed. The drivers that run this
way are in :mod:`contactsim.runs.precise_runs`: a run, a comparison (the targets on the paired
differences from the first scenario), and the points of a sweep, each on its own.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from contactsim.analysis.kpi_names import within_seconds
from contactsim.analysis.kpis import (
    BURST_KPIS,
    CALL_BACK_KPIS,
    KPIS,
    LINE_KPIS,
    POOL_KPIS,
    RC_KPIS,
    RC_SCOPE,
    TRIAGE_KPIS,
    kpi_named,
)
from contactsim.analysis.stats import t_interval
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError
from contactsim.limits import MAX_REPLICATIONS
from contactsim.runs.defaults import PRECISION_BATCH, PRECISION_MAX_REPS, PRECISION_MIN_REPS

__all__ = [
    "DEFAULT_BATCH", "DEFAULT_MAX_REPS", "DEFAULT_MIN_REPS", "MIN_MIN_REPS", "Reached", "Rule",
    "Stopping", "Target", "check_targets", "describe", "paired_reached", "parse_target",
    "parse_targets", "precision_table", "reached_in",
]

#: Replications before the first check, unless ``--reps`` says otherwise.
DEFAULT_MIN_REPS = PRECISION_MIN_REPS
#: Fewest replications a precision run may start from: below 3 a Student-t interval is
#: hardly an interval (t(1, 0.975) = 12.7).
MIN_MIN_REPS = 3
#: Replications added after a check that did not stop.
DEFAULT_BATCH = PRECISION_BATCH
#: Replications at most, unless ``--max-reps`` says otherwise.
DEFAULT_MAX_REPS = PRECISION_MAX_REPS
#: Further checks a target met must stay met at before the rule stops (Hoad et al.).
DEFAULT_LOOK_AHEAD = 1
#: The confidence of every interval the rule judges (the summaries' own).
CONFIDENCE = 0.95

_SHAPE = ("SCOPE:KPI=HALF_WIDTH, e.g. 101:asa_s=5 (seconds), 999:service_level=0.005 (a "
          "share's half-width as a fraction: half a point) or 101:asa_s=5% (of the mean)")


@dataclass(frozen=True)
class Target:
    """How tight the 95% interval of ``kpi`` on ``scope`` must be: a half-width in the KPI's
    unit (``relative`` False) or a share γ of the mean's magnitude (``relative`` True)."""

    scope: str
    kpi: str
    value: float
    relative: bool = False

    def required(self, mean: float) -> float:
        """The half-width the target allows around ``mean``: β, or γ/(1+γ)·|mean|."""
        if not self.relative:
            return self.value
        return self.value / (1 + self.value) * abs(mean)

    def met(self, mean: float, half_width: float) -> bool:
        """Whether an interval of ``half_width`` around ``mean`` is tight enough (an interval
        that could not be computed never is)."""
        return (math.isfinite(mean) and math.isfinite(half_width)
                and half_width <= self.required(mean))

    @property
    def amount(self) -> str:
        """The target as given after the ``=``: ``5``, ``0.005``, ``5%``."""
        return f"{self.value * 100:g}%" if self.relative else f"{self.value:g}"

    def __str__(self) -> str:
        return f"{self.scope}:{self.kpi}={self.amount}"


def parse_target(text: str, where: str = "--precision") -> Target:
    """Read ``SCOPE:KPI=HALF_WIDTH`` or ``SCOPE:KPI=N%``; a ContactsimError names ``where``
    (the option, or a sweep file's field), the text and what was expected."""
    def wrong(problem: str) -> ContactsimError:
        return ContactsimError(f"{where} {text!r}: {problem}")

    left, equals, amount = str(text).rpartition("=")
    scope, colon, kpi = left.rpartition(":")
    scope, kpi, amount = scope.strip().strip("\"'"), kpi.strip(), amount.strip()
    if not (equals and colon and scope and kpi and amount):
        raise wrong(f"expected {_SHAPE}")
    found = kpi_named(kpi)
    if found is None:
        close = difflib.get_close_matches(kpi, list(KPIS), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise wrong(f"{kpi!r} is not a KPI{hint}; expected one of {', '.join(KPIS)}")
    relative = amount.endswith("%")
    number_text = amount[:-1].strip() if relative else amount
    try:
        number = float(number_text)
    except ValueError:
        number = math.nan
    if relative:
        if not (math.isfinite(number) and 0 < number <= 100):
            raise wrong(f"{amount!r} is not a share of the mean; expected a percentage above "
                        "0 and at most 100, e.g. 5%")
        return Target(scope, kpi, number / 100, relative=True)
    if not (math.isfinite(number) and number > 0):
        raise wrong(f"{amount!r} is not a half-width; expected a number above 0 in the KPI's "
                    f"unit ({found.unit}), or a percentage of the mean such as 5%")
    if found.unit == "share" and number >= 1:
        raise wrong(f"{amount!r}: {kpi} is a share, so its half-width is a fraction below 1 "
                    f"(0.005 is half a percentage point); for a share of the mean write "
                    f"{amount}%")
    return Target(scope, kpi, number)


def parse_targets(texts: Iterable[str], where: str = "--precision") -> tuple[Target, ...]:
    """Every text read by :func:`parse_target`; a KPI given twice is refused."""
    targets: list[Target] = []
    for text in texts:
        target = parse_target(text, where)
        for other in targets:
            if (other.scope, other.kpi) == (target.scope, target.kpi):
                raise ContactsimError(f"{where} {text!r}: {target.scope}:{target.kpi} is "
                                      f"given twice ({other} and {target.amount}); give it once")
        targets.append(target)
    return tuple(targets)


def check_targets(targets: Iterable[Target], scenario: Scenario,
                  where: str = "--precision") -> None:
    """Refuse a target whose scope is not a line, pool or Resolution Centre of ``scenario``,
    or whose KPI is not one that kind of scope has."""
    kinds = {line: "line" for line in scenario.lines}
    kinds.update({pool.name: "pool" for pool in scenario.pools if pool.name not in kinds})
    if scenario.resolution_centre is not None:
        kinds.setdefault(RC_SCOPE, RC_SCOPE)
    for target in targets:
        kind = kinds.get(target.scope)
        if kind is None:
            pools = [pool.name for pool in scenario.pools]
            raise ContactsimError(
                f"{where} {str(target)!r}: {target.scope!r} is not a line or pool of "
                f"{scenario.name} (lines: {', '.join(scenario.lines)}; pools: "
                f"{', '.join(pools)}"
                + (f"; or {RC_SCOPE}" if RC_SCOPE in kinds else "") + ")")
        at_threshold = within_seconds(target.kpi) is not None  # service_level@15: a line's
        if not (kind == "line" if at_threshold else target.kpi in _KIND_KPIS[kind]):
            owners = ["a line"] if at_threshold else [
                _KIND_WORDS[k] for k, names in _KIND_KPIS.items() if target.kpi in names]
            raise ContactsimError(
                f"{where} {str(target)!r}: {target.kpi} is a KPI of {' and of '.join(owners)}"
                f", and {target.scope} is {_KIND_WORDS[kind]}")
        if kind == "line" and (missing := _line_lacks(target, scenario)):
            raise ContactsimError(f"{where} {str(target)!r}: line {target.scope} {missing}")


def _line_lacks(target: Target, scenario: Scenario) -> str | None:
    """Why line ``target.scope`` reports no ``target.kpi`` (None if it does): some KPIs are
    reported only for lines measured at a further threshold, or with bursts, call-backs or
    triage."""
    line, kpi = target.scope, target.kpi
    seconds = within_seconds(kpi)
    if seconds is not None and seconds not in (scenario.handling[line].also_within_s or ()):
        return (f"is not measured within {seconds:g} s: add {seconds:g} to "
                f"handling.{line}.also_within_s")
    if kpi in {k.name for k in BURST_KPIS} and scenario.demand[line].bursts is None:
        return "has no bursts (demand.LINE.bursts), so no KPIs of duplicate calls"
    if kpi in {k.name for k in CALL_BACK_KPIS} and scenario.handling[line].call_backs is None:
        return "has no call-backs (handling.LINE.call_backs), so no KPIs of them"
    if kpi in {k.name for k in TRIAGE_KPIS} and not scenario.triage:
        return "is not triaged (the scenario has no triage), so no triage KPIs"
    return None


#: The KPIs each kind of scope reports (a line also its ``service_level@N``).
_KIND_KPIS = {
    "line": {k.name for k in (*LINE_KPIS, *TRIAGE_KPIS, *BURST_KPIS, *CALL_BACK_KPIS)},
    "pool": {k.name for k in POOL_KPIS},
    RC_SCOPE: {k.name for k in RC_KPIS},
}
_KIND_WORDS = {"line": "a line", "pool": "a pool", RC_SCOPE: "the Resolution Centre"}


@dataclass(frozen=True)
class Rule:
    """The sequential rule's settings (see the module): the targets, the replications before
    the first check, the batch added after each check that did not stop, the cap, and the
    checks a target met must stay met for."""

    targets: tuple[Target, ...]
    min_reps: int = DEFAULT_MIN_REPS
    batch: int = DEFAULT_BATCH
    max_reps: int = DEFAULT_MAX_REPS
    look_ahead: int = DEFAULT_LOOK_AHEAD

    def __post_init__(self) -> None:
        if not self.targets:
            raise ContactsimError("--precision: no target given")
        if not MIN_MIN_REPS <= self.min_reps <= MAX_REPLICATIONS:
            raise ContactsimError(f"a run to a precision starts from at least {MIN_MIN_REPS} "
                                  f"replications (--reps, or a sweep's reps); got "
                                  f"{self.min_reps}")
        if not self.min_reps <= self.max_reps <= MAX_REPLICATIONS:
            raise ContactsimError(f"the most replications of a run to a precision (--max-reps,"
                                  f" or a sweep's max_reps) must be at least its minimum "
                                  f"({self.min_reps}) and at most {MAX_REPLICATIONS:,}; got "
                                  f"{self.max_reps}")
        if self.batch < 1 or self.look_ahead < 0:
            raise ContactsimError(f"a precision rule's batch ({self.batch}) must be at least "
                                  f"1 and its look-ahead ({self.look_ahead}) at least 0")


@dataclass(frozen=True)
class Reached:
    """What a check found for one target: the mean and Student-t half-width of ``reps``
    replications (of a paired difference ``versus`` the first scenario, in a comparison)."""

    target: Target
    mean: float
    half_width: float
    reps: int
    versus: str | None = None
    first: str | None = None  # the scenario ``versus`` is compared with

    @property
    def met(self) -> bool:
        """Whether the interval is as tight as the target asks."""
        return self.target.met(self.mean, self.half_width)


@dataclass
class Stopping:
    """Where one sequential run stands: the replications the next check needs, the checks in
    a row whose targets were all met, what the last check found, and whether it is done."""

    rule: Rule
    reps: int = 0
    streak: int = 0
    reached: tuple[Reached, ...] = field(default_factory=tuple)
    done: bool = False

    def __post_init__(self) -> None:
        self.reps = self.reps or self.rule.min_reps

    def check(self, reached: Sequence[Reached]) -> None:
        """Judge what the replications ``0 … reps−1`` gave: stop, or ask for a batch more."""
        self.reached = tuple(reached)
        self.streak = self.streak + 1 if all(r.met for r in reached) else 0
        if self.streak > self.rule.look_ahead or self.reps >= self.rule.max_reps:
            self.done = True
        else:
            self.reps = min(self.reps + self.rule.batch, self.rule.max_reps)

    @property
    def met(self) -> bool:
        """Every target met at the last check."""
        return all(r.met for r in self.reached)


def _values(table: pd.DataFrame, target: Target, reps: int, what: str) -> pd.Series:
    """The replications ``0 … reps−1`` of ``target``'s KPI in a long table, by replication."""
    rows = table[(table["scope"].astype(str) == target.scope) & (table["kpi"] == target.kpi)
                 & (table["replication"] < reps)]
    if rows.empty:
        raise ContactsimError(f"--precision {str(target)!r}: {what} reports no {target.kpi} "
                              f"for {target.scope}")
    return rows.set_index("replication")["value"].astype(float)


def _reached(target: Target, values: pd.Series, reps: int, versus: str | None = None,
             first: str | None = None) -> Reached:
    mean, low, high = t_interval(values.dropna().to_numpy(), CONFIDENCE)
    return Reached(target, mean, (high - low) / 2, reps, versus, first)


def reached_in(table: pd.DataFrame, targets: Iterable[Target], reps: int) -> tuple[Reached, ...]:
    """Each target's mean and half-width over the replications ``0 … reps−1`` of a long table
    (``replication, scope, kpi, value``)."""
    return tuple(_reached(t, _values(table, t, reps, "the run"), reps) for t in targets)


def paired_reached(tables: Sequence[pd.DataFrame], names: Sequence[str],
                   targets: Iterable[Target], reps: int) -> tuple[Reached, ...]:
    """Each target on the paired difference of every scenario but the first from the first
    (replication by replication: common random numbers), over replications ``0 … reps−1``."""
    found = []
    for target in targets:
        first = _values(tables[0], target, reps, names[0])
        for name, table in zip(names[1:], tables[1:], strict=True):
            difference = _values(table, target, reps, name).sub(first)
            found.append(_reached(target, difference, reps, name, names[0]))
    return tuple(found)


def precision_table(reached: Iterable[Reached]) -> pd.DataFrame:
    """``precision.csv``: per target (and scenario compared with the first), what was asked and
    what the last check reached: ``[versus,] scope, kpi, target, required_half_width, mean,
    half_width, reps, met``."""
    rows = [{"versus": r.versus, "scope": r.target.scope, "kpi": r.target.kpi,
             "target": r.target.amount, "required_half_width": r.target.required(r.mean),
             "mean": r.mean, "half_width": r.half_width, "reps": r.reps, "met": r.met}
            for r in reached]
    table = pd.DataFrame(rows, columns=["versus", "scope", "kpi", "target",
                                        "required_half_width", "mean", "half_width", "reps",
                                        "met"])
    return table.drop(columns="versus") if table["versus"].isna().all() else table


def describe(reached: Reached) -> str:
    """One target's state for a planner: ``101 asa_s ±0.84 s (target ±0.80 s: 5% of 16.8 s)
    met``; a share in percentage points, a paired difference named by its scenario."""
    found = kpi_named(reached.target.kpi)
    unit = found.unit if found is not None else ""
    scale, shown = (100.0, " pt") if unit == "share" else (1.0, f" {unit}" if unit in
                                                           ("s", "h", "min") else "")

    def amount(value: float, suffix: str = shown) -> str:
        return "—" if not math.isfinite(value) else f"{value * scale:.3g}{suffix}"

    target = reached.target
    asked = f"±{amount(target.required(reached.mean))}"
    if target.relative:
        of = amount(abs(reached.mean), "%" if unit == "share" and reached.versus is None
                    else shown)
        asked += f": {target.amount} of {of}"
    what = f"{target.scope} {target.kpi}"
    if reached.versus is not None:
        what += f" ({reached.versus} − {reached.first})"
    state = "met" if reached.met else "not met"
    return f"{what} ±{amount(reached.half_width)} (target {asked}) {state}"
