"""Hand-worked callback traces: the callback rule every trace starts from, and one 101 line on
one pool run with it (see ``tests/engine/test_callback_traces.py`` for how the draws work)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contactsim.analysis.kpis import kpi_rows
from contactsim.engine.builder import simulate
from contactsim.engine.callback import BELOW_LIVE, CallbackInputs
from contactsim.engine.inputs import ModelInputs, ModelSettings
from contactsim.engine.records import RunTallies
from helpers.traces import Draws, by_arrival, line, pool


def callback_rule(accepts: Sequence[float], answers: Sequence[float], **changes: Any) -> (
    CallbackInputs
):
    """The callback rule of the traces: threshold 60 s, accepted and answered half the time
    (the draws decide: ``accepts`` one per caller of 101 in arrival order, ``answers`` one per
    attempt), open all day, 3 attempts 100 s apart, 10 s per unanswered attempt,
    target one hour, the caller's own handle time, served below live calls."""
    rule: dict[str, Any] = {
        "line": "101",
        "offer_after_s": 60.0,
        "accept_probability": 0.5,
        "accept": Draws(accepts),
        "open_minute": 0,
        "close_minute": 1440,
        "max_attempts": 3,
        "attempt_gap_s": 100.0,
        "answer_probability": 0.5,
        "answer": Draws(answers),
        "unanswered_attempt_s": 10.0,
        "complete_within_s": 3600.0,
        "handle_time": None,
        "serve": BELOW_LIVE,
    }
    rule.update(changes)
    return CallbackInputs(**rule)


def outcomes(tallies: RunTallies, line_name: str) -> list[tuple[str, float]]:
    """(outcome, wait) of each call of one line, in the order its callers rang."""
    return [(r.outcome, r.wait_s) for r in by_arrival(tallies, line_name)]


def kpis(tallies: RunTallies, scope: str = "101") -> dict[str, float]:
    """The KPIs of one line or pool by name."""
    return {name: value for s, name, value in kpi_rows(tallies) if s == scope}


def run_101(
    arrivals: Sequence[float],
    handles: Sequence[float],
    patiences: Sequence[float],
    callback: CallbackInputs,
    operators: int = 1,
    end_s: float = 10_000.0,
) -> RunTallies:
    """One 101 line on one pool of ``operators``, with ``callback``."""
    return simulate(ModelInputs(
        [line("101", arrivals, handles, patiences)],
        [pool("all", ("101",), operators)],
        ModelSettings(end_s=end_s, keep_records=True),
        callback=callback,
    ))
