"""Fixtures of the scenario tests: a working folder holding the overlays' base scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.overlays import BASE
from helpers.scenarios import write


@pytest.fixture
def here(working_folder: Path) -> Path:
    """A working folder of the test's own, holding base.yaml; results/ goes inside it."""
    write(working_folder / "base.yaml", BASE)
    return working_folder
