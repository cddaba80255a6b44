"""The staffing search's rounds at one number of replications: simulate the levels, put operators
where a target is missed, take them off where every target is met, until no operator can be
taken off.

Each round simulates the current levels (with the search's seed: common random numbers) and
judges every target at every key (:mod:`~contactsim.planning.staffing_judging`). Then, in the
same round:

- at a key that **misses** a target, operators taken off it in the last round are put back
  (for good if it was one operator); at a key that misses anyway, operators are added to the
  pool serving the missing line with most operators there (for good if it was one; several
  may be tried again, one at a time, as Erlang's step may overshoot);
- at a key that **meets** every target, operators are taken off its largest pools not kept.

How many: as many as the key's lines need or can spare by Erlang's curve corrected by the
simulation (:mod:`~contactsim.planning.staffing_steps`), at least one and at most
:data:`~contactsim.planning.staffing_steps.MAX_STEP` (per missing line, when adding); where a
key's steps cannot be read (an occupancy cap, a target on a share of days, no calls to read),
one operator, or twice as many as last time while the key keeps meeting. Operators are taken
off so only with ``big_steps`` (the screening's rounds), and there one at a time at a key that
has missed after giving some up; without (the confirming rounds, which start next to the
answer), one at a time everywhere. The rounds end when a round meets every target and can take
nobody off: every operator still taken off had its key miss a target when it went.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from contactsim.config.pools import Pool
from contactsim.config.scenario import Scenario
from contactsim.errors import ContactsimError
from contactsim.planning.service_targets import ServiceTarget
from contactsim.planning.staffing_judging import evaluate
from contactsim.planning.staffing_levels import GROUPINGS, key_label, staffed_scenario
from contactsim.planning.staffing_steps import MAX_STEP, ErlangSteps, reads
from contactsim.runs.executors import Executor

__all__ = ["Rounds"]

ProgressNote = Callable[[str], None]
Levels = dict[str, np.ndarray]
Place = tuple[str, int]  # (pool, key)


@dataclass
class Rounds:
    """The search's rounds (see the module); every evaluation is kept in ``history``."""

    scenario: Scenario
    targets: list[ServiceTarget]
    grouping: str
    seed: int
    max_operators: int
    max_rounds: int
    note: ProgressNote | None
    confidence: float | None
    executor: Executor
    history: list[tuple[Levels, pd.DataFrame]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.steps = (ErlangSteps(self.scenario, self.targets, self.grouping, self.confidence)
                      if reads(self.targets) else None)
        self._targeted = {t.line for t in self.targets if not t.of_pool}
        self._on_phones = {pool.name: 1.0 - self.scenario.pool_shrinkage(pool)
                           for pool in self.scenario.pools}

    def run(self, levels: Levels, kept: set[Place], reps: int, folder: Path, big_steps: bool,
            phase: str, screening: bool = False) -> tuple[Levels, pd.DataFrame, bool]:
        """Rounds from ``levels`` until a round meets every target and can take nobody off (or
        the rounds run out): the last levels that met every target, their KPIs, and whether
        the rounds ended by themselves. ``kept`` (pool, key) levels never fall; operators
        found needed are added to it. With ``screening``, rounds that run out return the levels
        reached (the confirming rounds go on from them) instead of the last that met."""
        keys = range(GROUPINGS[self.grouping][1])
        step = dict.fromkeys(keys, 1)  # where no Erlang step can be read
        missed_once: set[int] = set()  # keys that missed after giving operators up: one at a time
        taken: list[Place] = []  # operators taken off in the last round
        best: tuple[Levels, pd.DataFrame] | None = None
        seen: dict[bytes, pd.DataFrame] = {}
        for round_number in range(1, self.max_rounds + 1):
            signature = b"".join(levels[pool.name].tobytes() for pool in self.scenario.pools)
            if signature not in seen:  # the same levels with the same seed: the same KPIs
                candidate = staffed_scenario(self.scenario, levels, self.grouping, folder,
                                             f"{reps}-{round_number}")
                seen[signature] = evaluate(candidate, self.targets, self.grouping, reps,
                                           self.seed, self.executor, self.confidence)
            kpis = seen[signature]
            self.history.append(({n: c.copy() for n, c in levels.items()}, kpis))
            missed = kpis[~kpis["met"]]
            short_keys = sorted(set(missed["key"]))
            if self.note is not None:
                text = _round_note(round_number, self.grouping, len(short_keys), len(keys),
                                   levels)
                self.note(f"{text} ({phase})" if phase else text)
            needs = self.steps.needs(kpis) if self.steps is not None else {}
            if not short_keys:
                best = ({n: c.copy() for n, c in levels.items()}, kpis)
            if big_steps:
                for key in {k for _, k in taken} - set(short_keys):
                    step[key] = min(step[key] * 2, MAX_STEP)
            missed_once |= {k for _, k in taken} & set(short_keys)
            missed_once |= self._mend(levels, kept, taken, missed, short_keys, step, needs)
            meeting = [key for key in keys if key not in set(short_keys)]
            one_at_a_time = missed_once if big_steps else set(keys)
            taken = self._take_off(levels, kept, meeting, step, needs, one_at_a_time)
            if not short_keys and not taken:
                assert best is not None
                return best[0], best[1], True
        if screening:
            return levels, kpis, False
        if best is None:
            raise ContactsimError(
                f"no staffing meeting every target found in {self.max_rounds} rounds; "
                "raise --max-rounds")
        return best[0], best[1], False  # ran out of rounds while still taking operators off

    def _mend(self, levels: Levels, kept: set[Place], taken: list[Place], missed: pd.DataFrame,
              short_keys: list[int], step: dict[int, int], needs: dict[tuple[str, int], float]
              ) -> set[int]:
        """At each short key: put back what was just taken off it (as much as its lines need,
        all of it where that cannot be read; for good if it was one operator), or add operators
        where it misses anyway (for good if it was one). The keys that got more than one
        operator not kept: they give operators up one at a time from then on."""
        capped: list[str] = []
        batches: set[int] = set()
        for key in short_keys:
            lines = sorted(set(missed[missed["key"] == key]["line"]))
            need = _read(lines, key, needs)
            back = [pool for pool, k in reversed(taken) if k == key]
            if back:
                put = 0
                for pool_name in back:
                    if put and need is not None and max(need.values()) <= 0:
                        break
                    levels[pool_name][key] += 1
                    put += 1
                    self._count(need, pool_name, -1)
                if put == len(back) == 1:
                    kept.add((back[0], key))
                step[key] = 1
                continue
            added: list[str] = []
            for line in lines:
                for count in range(MAX_STEP):
                    if count and (need is None or need.get(line, 0.0) <= 0):
                        break
                    if count == 0 and added and need is not None and need.get(line, 1.0) <= 0:
                        break  # already covered by operators added for another line
                    adding = _pool_to_add(self.scenario, levels, line, key, self.max_operators)
                    if adding is None:
                        capped.append(f"{line} at {key_label(self.grouping, key)}")
                        break
                    levels[adding][key] += 1
                    added.append(adding)
                    self._count(need, adding, -1)
            if len(added) == 1:
                kept.add((added[0], key))
            elif added:  # Erlang's step may overshoot: each may be tried again
                batches.add(key)
        if capped:
            raise ContactsimError(
                f"targets not met with up to {self.max_operators} operators per pool: "
                f"{', '.join(capped[:6])}{' …' if len(capped) > 6 else ''}; raise "
                "--max-operators or relax the targets"
            )
        return batches

    def _take_off(self, levels: Levels, kept: set[Place], keys: Iterable[int],
                  step: dict[int, int], needs: dict[tuple[str, int], float],
                  one_at_a_time: set[int]) -> list[Place]:
        """At each key, take operators off one at a time from its largest pool not kept: as
        many as its lines can spare (at least one, at most MAX_STEP), or ``step[key]`` where
        that cannot be read; one at a key in ``one_at_a_time``. What was taken."""
        taken = []
        for key in keys:
            lines = sorted(self._targeted)
            need = _read(lines, key, needs)
            spare = None if need is None else {line: -value for line, value in need.items()}
            most = 1 if key in one_at_a_time else step[key] if spare is None else MAX_STEP
            for count in range(most):
                pools = [p for p in self.scenario.pools
                         if levels[p.name][key] > 0 and (p.name, key) not in kept]
                if not pools:
                    break
                pool = max(pools, key=lambda p: (levels[p.name][key], len(p.skills)))
                if count and spare is not None and not self._can_spare(spare, pool):
                    break
                levels[pool.name][key] -= 1
                taken.append((pool.name, key))
                self._count(spare, pool.name, -1)
        return taken

    def _can_spare(self, spare: dict[str, float], pool: Pool) -> bool:
        """Whether every targeted line ``pool`` serves can spare one more of its operators."""
        return all(spare[line] >= self._on_phones[pool.name]
                   for line in pool.skills if line in spare)

    def _count(self, tally: dict[str, float] | None, pool_name: str, sign: int) -> None:
        """Move a tally of operators on the phones per line, for each line ``pool_name``
        serves, by ``sign`` × one of its operators on the phones (a need falls, -1, when one
        is added; a spare falls, -1, when one is taken off)."""
        if tally is None:
            return
        skills = next(p.skills for p in self.scenario.pools if p.name == pool_name)
        for line in skills:
            if line in tally:
                tally[line] += sign * self._on_phones[pool_name]


def _read(lines: Iterable[str], key: int, needs: dict[tuple[str, int], float]
          ) -> dict[str, float] | None:
    """Each line's need at ``key`` (operators on the phones), or None if one cannot be read."""
    out = {}
    for line in lines:
        if (line, key) not in needs:
            return None
        out[line] = needs[(line, key)]
    return out


def _round_note(
    round_number: int, grouping: str, short: int, n_keys: int, levels: Levels
) -> str:
    total = sum(int(counts.sum()) for counts in levels.values())
    if grouping == "all":
        state = "a target missed" if short else "every target met"
        return f"round {round_number}: {total} operators: {state}"
    per = "week" if grouping == "hour_of_week" else "day"
    return (f"round {round_number}: {total:,} operator-hours a {per}; "
            f"{short} of {n_keys} hours short of a target")


def _pool_to_add(
    scenario: Scenario, levels: Levels, line: str, key: int, max_operators: int
) -> str | None:
    """The pool serving ``line`` with most operators at ``key`` below the cap (on a tie, the
    one with fewest skills); ``line`` itself if it names a pool (an occupancy cap missed); None
    if every one is at the cap."""
    serving = [pool for pool in scenario.pools
               if (line in pool.skills or pool.name == line)
               and levels[pool.name][key] < max_operators]
    if not serving:
        return None
    return max(serving, key=lambda p: (levels[p.name][key], -len(p.skills))).name
