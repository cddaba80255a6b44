"""Fixtures of the command-line tests: a working folder holding the tiny centre."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def here(working_folder: Path, tiny_centre_file: Path) -> Path:
    """A working folder of the test's own, holding tiny.yaml; results/ goes inside it."""
    return working_folder
