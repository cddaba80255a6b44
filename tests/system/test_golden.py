"""The shipped scenarios give the same numbers as when the golden file was written.

An optimisation of the model must change no result (issue 7): counts equal, times equal to
1e-9 s. See ``tests/helpers/golden.py`` for the cases and how to rewrite the file on purpose.
"""

from __future__ import annotations

import json

import pytest

from helpers.golden import CASES, GOLDEN, case_key, run_case


@pytest.mark.parametrize(("path", "overrides"), CASES, ids=[case_key(*c) for c in CASES])
def test_results_are_number_for_number_the_golden_ones(path: str, overrides: list[str]) -> None:
    golden = json.loads(GOLDEN.read_text())[case_key(path, overrides)]
    got = run_case(path, overrides)
    assert got.keys() == golden.keys()
    differing = {key: (got[key], golden[key]) for key in golden if got[key] != golden[key]}
    assert not differing, f"results moved (got, golden): {differing}"
