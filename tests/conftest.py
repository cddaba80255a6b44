"""Fixtures every test folder shares: a working folder of the test's own and the tiny centre
written to a file. The scenario texts and builders behind them are in ``helpers.scenarios``
(importable from any test, as ``tests/`` is on the path); the command line is in
``helpers.cli`` and the hand-worked traces' callers in ``helpers.traces``."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.scenarios import CONTRACT, TINY_CENTRE, write


@pytest.fixture(autouse=True, scope="session")
def ctrl_c_reaches_the_commands_started() -> Iterator[None]:
    """Commands the tests start get Ctrl-C (SIGINT) as from a terminal, even when the suite
    runs as a background job (``make test &`` in a script): such a job starts with SIGINT
    ignored, and an ignored signal stays ignored in every process started from it, so the
    tests of what Ctrl-C does would see it do nothing. A handled signal is reset to its default
    in a started command, so handling it here (Python's own handler) is enough."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


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
