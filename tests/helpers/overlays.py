"""The base scenario the overlay tests extend (three pools, named shifts, a scale and
shrinkage), and an overlay of it written beside it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from helpers.scenarios import write

#: two lines on three pools: a flat emergency pool, a blended one on two named shifts scaled
#: by 1.5, a non-emergency pool with its own shrinkage
BASE = """\
name: base
horizon: {start: 2018-03-05, days: 2}
demand:
  "999": {rate_per_hour: 3}
  "101": {rate_per_hour: 5}
handling:
  "999": {handle_time: {dist: exponential, mean_s: 240}, patience: {dist: exponential, mean_s: 60}}
  "101": {handle_time: {dist: lognormal, mean_s: 300, cv: 0.6}}
pools:
  - {name: emergency, skills: ["999"], staffing: {flat: 1}}
  - name: blended
    skills: ["999", "101"]
    staffing:
      shifts:
        - {name: early, start: "07:00", length_h: 10, count: 2}
        - {name: late, start: "15:00", length_h: 10, count: 2}
      scale: 1.5
  - {name: non_emergency, skills: ["101"], staffing: {flat: 1}, shrinkage: 0.1}
shrinkage: 0.2
"""


def overlay(folder: Path, body: str, name: str = "overlay.yaml") -> Path:
    """base.yaml in ``folder`` and an overlay extending it with ``body``."""
    write(folder / "base.yaml", BASE)
    return write(folder / name, "extends: base.yaml\n" + textwrap.dedent(body))

