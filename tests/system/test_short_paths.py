"""The engine's short paths give the numbers of the long ones (issue 18, item 5).

Without per-call records, a call answered at once on a line with no other trait to draw and no
rule at answer takes a shorter path (in :meth:`contactsim.engine.callers.Callers.arrive`: no
``Call`` is made, and the call is counted once, in ``LineTally.answered_at_once``, until the run
is settled). Records need the ``Call``, so a run with records takes the long path for
every call: the two runs of the same callers must leave the same tallies, count for count and to
the last bit of every time.
"""

from __future__ import annotations

from hypothesis import given

from contactsim.build.loading import scenario_from_mapping
from contactsim.config.scenario import Scenario
from contactsim.engine.records import RunTallies
from contactsim.runs.replication import run_tallies
from helpers.random_centres import FAST, replications, scenarios, seeds
from helpers.scenarios import one_line_101


def without_records(tallies: RunTallies) -> RunTallies:
    """``tallies`` with its per-call records dropped, to compare with a run that kept none."""
    tallies.records = None
    return tallies


@FAST
@given(scenarios(), seeds, replications)
def test_a_run_without_records_counts_what_a_run_with_them_counts(
    scenario: Scenario, seed: int, replication: int
) -> None:
    short = run_tallies(scenario, seed, replication)
    long = without_records(run_tallies(scenario, seed, replication, keep_records=True))
    assert short == long


def test_a_busy_day_of_many_operators_counts_the_same_on_both_paths() -> None:
    # most calls answered at once, many queued, some abandoned: both paths taken many times
    scenario = scenario_from_mapping(one_line_101(
        rate_per_hour=1140, handle_s=300, patience_s=180, operators=100, days=1,
        warmup_hours=1))
    short = run_tallies(scenario, seed=3, replication=0)
    long = without_records(run_tallies(scenario, seed=3, replication=0, keep_records=True))
    assert short == long
    line = short.lines["101"]
    assert sum(line.offered) > 25_000 and sum(line.abandoned) > 0
    assert 0 < line.zero_waits < sum(line.answered)
