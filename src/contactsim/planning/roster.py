"""From hourly requirements to a roster people can work: the cheapest shifts from a catalogue
that cover, at every hour, the rostered operators each pool needs.

**The program.** For each pool, one whole number x_j ≥ 0 per *option* j (a catalogue shift,
start, pattern and rotation: :mod:`~contactsim.planning.roster_shifts`): the people rostered
on it. Minimise Σ cost_j × shifts worked a week_j × x_j subject to, at every hour h of the
roster's cycle, Σ a_hj x_j ≥ required_h (a_hj: what one person on option j covers of hour h,
by the coverage rule), the pool's heads Σ x_j within [min_heads, max_heads], and part-time
heads at most max_part_time_share × heads. Pools share no people, so each is solved alone.

**The solver.** SciPy's :func:`scipy.optimize.milp`, which runs HiGHS: maintained, shipped with
SciPy (already a dependency: nothing more to install), an exact branch-and-bound MILP solver
that reports the gap between the roster found and the best possible one, and stops at a time
limit with the best roster found so far.

**Never under-covers.** The roster's coverage is checked after solving, with whole people (the
solver's numbers rounded); should rounding leave an hour short, the cheapest option covering it
is added until none is. **Infeasible** catalogues are not a solver's dump: the least total
shortfall is found (the same program with a slack per hour), and the hours short are named,
with what the catalogue could cover at most and why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp
from scipy.sparse import csr_matrix, hstack, identity

from contactsim.config.catalogue import Catalogue, PoolLimits
from contactsim.config.pools import Shift
from contactsim.errors import ContactsimError
from contactsim.limits import MAX_OPERATORS_PER_POOL
from contactsim.planning.roster_shifts import ShiftOption, hour_of_week, shift_options
from contactsim.planning.staffing_levels import key_label

__all__ = ["PoolRoster", "Requirement", "Roster", "Shortfall", "solve_roster"]

#: Coverage within this of the requirement counts as meeting it (floating-point sums).
TOLERANCE = 1e-9
#: Most hours a shortfall message lists.
SHOWN_HOURS = 8
#: Longest the solver takes by default, all pools together (seconds).
DEFAULT_TIME_LIMIT_S = 45.0


@dataclass(frozen=True)
class Requirement:
    """Rostered operators each pool needs at each hour of the week (168 values, Monday
    00:00-01:00 first), and where they came from, in words."""

    by_pool: dict[str, np.ndarray]
    source: str


@dataclass(frozen=True)
class Shortfall:
    """An hour a roster cannot cover: needed, covered, the most the catalogue could cover and
    why."""

    pool: str
    when: str
    needed: float
    covered: float
    at_most: float
    reason: str
    hour: int = 0  # of the cycle

    def __str__(self) -> str:
        return (f"{self.when} for pool {self.pool}: needs {self.needed:g}, the catalogue can "
                f"cover at most {self.at_most:.4g} ({self.reason})")


@dataclass
class PoolRoster:
    """One pool's roster: people on each option, and the hours of its cycle."""

    pool: str
    options: list[ShiftOption]
    counts: np.ndarray  # people on each option
    required: np.ndarray  # by hour of the cycle
    anchor: date
    gap: float | None  # the solver's relative gap (0: proven cheapest); None if nothing to solve
    solve_s: float
    shortfalls: list[Shortfall] = field(default_factory=list)
    #: people added after solving, by ``--verify`` (the gap is the solved roster's)
    added: int = 0

    @property
    def covered(self) -> np.ndarray:
        """People on the phones (by the coverage rule) at each hour of the cycle."""
        if not self.options:
            return np.zeros_like(self.required, dtype=float)
        return np.column_stack([o.column for o in self.options]) @ self.counts

    @property
    def chosen(self) -> list[tuple[ShiftOption, int]]:
        """The options rostered, with their people."""
        return [(o, int(n)) for o, n in zip(self.options, self.counts, strict=True) if n > 0]

    @property
    def heads(self) -> int:
        """People rostered in the pool."""
        return int(self.counts.sum())

    @property
    def paid_hours_per_week(self) -> float:
        """Hours paid a week, all people of the pool."""
        return float(sum(o.paid_hours_per_week * n for o, n in self.chosen))

    @property
    def cost_per_week(self) -> float:
        """What the pool's roster costs a week (the catalogue's costs)."""
        return float(sum(o.cost_per_week * n for o, n in self.chosen))

    def shifts(self) -> tuple[Shift, ...]:
        """The roster as a scenario's shifts."""
        return tuple(option.shift(count) for option, count in self.chosen)

    def hour_words(self, hour: int) -> str:
        """An hour of the cycle in words: "Mon 03:00" (and its week, for a cycle over a week)."""
        weeks = len(self.required) // 168
        when = key_label("hour_of_week", int(hour_of_week(self.anchor, weeks * 7)[hour]))
        return when if weeks == 1 else f"{when} in week {hour // 168 + 1} of {weeks}"


@dataclass
class Roster:
    """Every pool's roster, its cycles anchored on ``anchor``."""

    pools: dict[str, PoolRoster]
    anchor: date
    requirement: Requirement

    @property
    def shortfalls(self) -> list[Shortfall]:
        """Hours left short (only with ``allow_under``): those no roster within the limits
        could cover first, then the largest shortfalls."""
        short = [s for roster in self.pools.values() for s in roster.shortfalls]
        return sorted(short, key=lambda s: (-max(0.0, s.needed - s.at_most),
                                            -(s.needed - s.covered), s.pool, s.hour))


def solve_roster(requirement: Requirement, catalogue: Catalogue, anchor: date,
                 time_limit_s: float = DEFAULT_TIME_LIMIT_S, allow_under: bool = False) -> Roster:
    """The cheapest roster from ``catalogue`` covering ``requirement`` at every hour, its
    patterns' cycles anchored on ``anchor`` (see the module). ContactsimError naming the hours
    if it cannot be covered (unless ``allow_under``: then the roster with the least shortfall,
    and at that the least cost).

    Pools are solved one after the other, smallest first, all within ``time_limit_s``: each
    gets an equal share of the time left when it starts (what a small pool leaves goes to the
    larger ones). A pool stopped by its time limit keeps the best roster found, and its gap
    says how far from the cheapest it may be (with the limit reached, two runs on machines of
    different speeds may give different rosters). HiGHS, through SciPy, holds Python's lock
    while it works, so threads would not solve two pools at once."""
    deadline = time.perf_counter() + time_limit_s
    problems = {pool: shift_options(catalogue, pool, anchor) for pool in requirement.by_pool}
    order = sorted(problems, key=lambda p: len(problems[p][0]) * problems[p][1])
    solved: dict[str, PoolRoster] = {}
    for index, pool in enumerate(order):
        budget = max(1.0, (deadline - time.perf_counter()) / (len(order) - index))
        options, days = problems[pool]
        solved[pool] = _solve_pool(pool, requirement.by_pool[pool], options, days,
                                   catalogue.limits_of(pool), anchor, budget, allow_under)
    roster = Roster({pool: solved[pool] for pool in requirement.by_pool}, anchor, requirement)
    short = roster.shortfalls
    if short and not allow_under:
        shown = "\n".join(f"  {s}" for s in short[:SHOWN_HOURS])
        more = f"\n  … and {len(short) - SHOWN_HOURS} more" if len(short) > SHOWN_HOURS else ""
        raise ContactsimError(
            f"the catalogue cannot cover the requirement at {len(short)} "
            f"hour{'s' if len(short) != 1 else ''}:\n{shown}{more}\n"
            "add shifts on duty then, or raise max_heads (--allow-under writes the roster "
            "with these hours short)")
    return roster


def _solve_pool(pool: str, by_hour_of_week: np.ndarray, options: list[ShiftOption], days: int,
                limits: PoolLimits, anchor: date, time_limit_s: float, allow_under: bool
                ) -> PoolRoster:
    """One pool's roster (see :func:`solve_roster`)."""
    required = np.asarray(by_hour_of_week, dtype=float)[hour_of_week(anchor, days)]
    started = time.perf_counter()
    roster = PoolRoster(pool, options, np.zeros(len(options), dtype=np.int64), required, anchor,
                        None, 0.0)
    if not options:
        if limits.min_heads > 0:
            raise ContactsimError(f"pool {pool}: min_heads {limits.min_heads}, but no shift of "
                                  "the catalogue may be rostered in it")
        roster.shortfalls = _shortfalls(roster, limits, np.flatnonzero(required > TOLERANCE))
        return roster
    matrix = np.column_stack([o.column for o in options])
    rows = np.flatnonzero(required > TOLERANCE)
    costs = np.array([o.cost_per_week for o in options])
    part_time = np.array([o.part_time for o in options], dtype=float)
    cover = csr_matrix(matrix[rows])

    def left() -> float:  # of this pool's time
        return time_limit_s - (time.perf_counter() - started)

    result = _milp(costs, cover, required[rows], limits, part_time, left(), slack=False)
    if result.status == 2:  # infeasible: find the least shortfall, and name its hours
        least = _milp(np.zeros(len(options)), cover, required[rows], limits, part_time,
                      left(), slack=True)
        if least.x is None:
            raise ContactsimError(_limits_words(pool, limits, options) if least.status == 2
                                  else _time_words(pool, time_limit_s))
        shortfall = least.x[len(options):]
        if not allow_under:
            roster.counts = np.round(least.x[:len(options)]).astype(np.int64)
            roster.shortfalls = _shortfalls(roster, limits, rows[shortfall > 1e-6])
            return roster
        # the least shortfall, and at that the least cost
        result = _milp(costs, cover, required[rows], limits, part_time, left(),
                       slack=True, total_slack=float(shortfall.sum()))
    if result.x is None:
        if result.status == 1:
            raise ContactsimError(_time_words(pool, time_limit_s))
        raise ContactsimError(f"pool {pool}: the solver stopped without a roster "
                              f"({result.message})")
    roster.counts = np.round(result.x[:len(options)]).astype(np.int64)
    roster.gap = float(getattr(result, "mip_gap", 0.0) or 0.0)
    if allow_under:
        roster.shortfalls = _shortfalls(
            roster, limits, np.flatnonzero(roster.covered < required - TOLERANCE))
    else:
        _cover_what_rounding_left(roster, matrix, costs, limits)
    roster.solve_s = time.perf_counter() - started
    return roster


def _time_words(pool: str, time_limit_s: float) -> str:
    return (f"pool {pool}: no roster found within its share of the time limit "
            f"({time_limit_s:.0f} s); raise --time-limit")


def _milp(costs: np.ndarray, matrix: csr_matrix, required: np.ndarray, limits: PoolLimits,
          part_time: np.ndarray, time_limit_s: float, slack: bool,
          total_slack: float | None = None) -> OptimizeResult:
    """One HiGHS run: whole people on each option (and with ``slack``, a shortfall per
    hour: minimised if ``total_slack`` is None, else held within it)."""
    n = len(costs)
    upper = MAX_OPERATORS_PER_POOL if limits.max_heads is None else limits.max_heads
    n_rows = matrix.shape[0]
    extra = n_rows if slack else 0
    cover = hstack([matrix, identity(n_rows, format="csr")], format="csr") if slack else matrix
    objective = np.concatenate([costs, np.ones(extra) if total_slack is None and slack
                                else np.zeros(extra)])
    constraints = [LinearConstraint(cover, lb=required, ub=np.inf)] if n_rows else []
    heads = np.concatenate([np.ones(n), np.zeros(extra)])
    if limits.min_heads > 0 or limits.max_heads is not None:
        constraints.append(LinearConstraint(heads, lb=limits.min_heads, ub=upper))
    if limits.max_part_time_share < 1 and part_time.any():
        share = np.concatenate([part_time - limits.max_part_time_share, np.zeros(extra)])
        constraints.append(LinearConstraint(share, lb=-np.inf, ub=0.0))
    if total_slack is not None:
        within = np.concatenate([np.zeros(n), np.ones(extra)])
        constraints.append(LinearConstraint(within, lb=0.0,
                                            ub=total_slack * (1 + 1e-9) + 1e-6))
    integrality = np.concatenate([np.ones(n), np.zeros(extra)])
    bounds = Bounds(np.zeros(n + extra),
                    np.concatenate([np.full(n, float(upper)), np.full(extra, np.inf)]))
    return milp(objective, integrality=integrality, bounds=bounds, constraints=constraints,
                options={"time_limit": max(1.0, time_limit_s), "disp": False})


def _cover_what_rounding_left(roster: PoolRoster, matrix: np.ndarray, costs: np.ndarray,
                              limits: PoolLimits) -> None:
    """Add the cheapest option covering each hour still short after rounding (the solver's
    tolerances), until none is: the roster never under-covers."""
    for _ in range(len(roster.required)):
        short = np.flatnonzero(matrix @ roster.counts < roster.required - TOLERANCE)
        if short.size == 0:
            return
        hour = int(short[0])
        covering = np.flatnonzero(matrix[hour] > 0)
        best = int(covering[np.argmin(costs[covering] / matrix[hour, covering])])
        roster.counts[best] += 1
    if limits.max_heads is not None and roster.heads > limits.max_heads:
        raise ContactsimError(f"pool {roster.pool}: covering every hour needs more than "
                              f"max_heads {limits.max_heads}")


def _shortfalls(roster: PoolRoster, limits: PoolLimits, hours: np.ndarray) -> list[Shortfall]:
    """Each hour in ``hours`` in words: needed, the most the catalogue could cover, why."""
    heads = MAX_OPERATORS_PER_POOL if limits.max_heads is None else limits.max_heads
    share = limits.max_part_time_share
    out = []
    for hour in hours:
        full = max((o.column[hour] for o in roster.options if not o.part_time), default=0.0)
        part = max((o.column[hour] for o in roster.options if o.part_time), default=0.0)
        at_most = float(heads * max(full, share * part + (1 - share) * full))
        needed = float(roster.required[hour])
        if full == 0 and part == 0:
            reason = "no shift open to the pool is on duty then"
        elif full == 0 and share == 0:
            reason = "only part-time shifts are on duty then, and max_part_time_share is 0"
        elif at_most < needed - TOLERANCE:
            reason = f"max_heads {heads} reached"
        else:
            reason = f"max_heads {heads} is not enough for this hour and the others together"
        out.append(Shortfall(roster.pool, roster.hour_words(int(hour)), needed,
                             float(roster.covered[hour]), at_most, reason, int(hour)))
    return out


def _limits_words(pool: str, limits: PoolLimits, options: list[ShiftOption]) -> str:
    """Why a pool's limits cannot be met at all (whatever the hours need)."""
    only_part_time = all(o.part_time for o in options)
    why = (f"only part-time shifts may be rostered in it, and max_part_time_share is "
           f"{limits.max_part_time_share:g}" if only_part_time else
           "its limits contradict each other")
    return (f"pool {pool}: min_heads {limits.min_heads} cannot be met: {why}; change its "
            "limits in the catalogue")
