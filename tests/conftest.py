"""Fixtures every test folder shares: a working folder of the test's own and the tiny centre
written to a file. The scenario texts and builders behind them are in ``helpers.scenarios``
(importable from any test, as ``tests/`` is on the path); the command line is in
``helpers.cli`` and the hand-worked traces' callers in ``helpers.traces``."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.scenarios import CONTRACT, TINY_CENTRE, write


@pytest.fixture
def working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's own folder, made the current one (relative paths, such as the default
    ``results/``, land inside it)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def tiny_centre_file(tmp_path: Path) -> Path:
    """The tiny two-line centre (``helpers.scenarios.TINY_CENTRE``) as ``tiny.yaml``."""
    return write(tmp_path / "tiny.yaml", TINY_CENTRE)


@pytest.fixture
def contract_file(tmp_path: Path) -> Path:
    """The Erlang A contract scenario (``helpers.scenarios.CONTRACT``) as
    ``erlang-a-check.yaml``."""
    return write(tmp_path / "erlang-a-check.yaml", CONTRACT)
