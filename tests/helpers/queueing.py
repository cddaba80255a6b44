"""Queueing arithmetic the Erlang tests share."""

from __future__ import annotations


def per_hour(load_erlangs: float, handle_s: float) -> float:
    """The calls an hour that give ``load_erlangs`` of work at ``handle_s`` a call."""
    return load_erlangs * 3600.0 / handle_s
