"""The command line's shape: one module per command, shared options in one place, one way to
build the executor, a quick ``--help`` and the last-resort handler's messages and exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import pytest

from contactsim.cli import options
from contactsim.cli.main import _explain, main
from contactsim.errors import ContactsimError, EnvironmentFault, ScenarioError
from contactsim.runs.defaults import DEFAULT_SEED

CLI_FOLDER = Path(options.__file__).parent

#: Each command and the module it lives in.
COMMAND_MODULES = {
    "run": "run", "compare": "compare", "sweep": "sweep", "report": "report",
    "validate": "validate", "erlang": "erlang", "calibrate": "calibrate", "staff": "staff",
    "demand": "demand", "roster": "roster", "schema": "schema", "serve": "serve",
}

#: Modules ``contactsim --help`` must not import: they take a second to load.
HEAVY = ("pandas", "scipy", "matplotlib", "pydantic", "simpy", "contactsim.engine",
         "contactsim.runs.experiment", "contactsim.build.loading")


def test_every_command_is_in_a_module_of_its_own() -> None:
    assert set(main.commands) == set(COMMAND_MODULES)
    for name, module in COMMAND_MODULES.items():
        command = main.commands[name]
        assert command.callback is not None
        assert command.callback.__module__ == f"contactsim.cli.{module}"
    demand = main.commands["demand"]
    assert isinstance(demand, click.Group)
    assert set(demand.commands) == {"synth", "fit"}


def test_every_cli_module_is_short_and_says_what_it_is_for() -> None:
    for path in sorted(CLI_FOLDER.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 400, path.name
        assert text.startswith('"""'), f"{path.name} has no module docstring"


def test_help_imports_nothing_heavy() -> None:
    script = (
        "import sys\n"
        "from contactsim.cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("error", "status", "words"), [
    (KeyboardInterrupt(), 130, "interrupted: nothing was written"),
    (ScenarioError.single("shrinkage", 2, "a share from 0 to 1"), 2, "the input cannot be used"),
    (EnvironmentFault("the disk is full"), 1, "error: the disk is full"),
    (ContactsimError("no such pool"), 2, "error: no such pool"),
    (PermissionError(13, "Permission denied", "results/x"), 1,
     "the system refused to read or write results/x"),
    (MemoryError(), 1, "out of memory"),
    (ZeroDivisionError("deep"), 1, "failed unexpectedly (ZeroDivisionError: deep)"),
])
def test_the_last_resort_explains_and_chooses_the_exit_status(
    error: BaseException, status: int, words: str
) -> None:
    message, code = _explain(error)
    assert code == status
    assert words in message


def test_seed_zero_is_a_seed() -> None:
    loaded: Any = SimpleNamespace(scenario=SimpleNamespace(seed=None))
    assert options.chosen_seed(0, loaded) == 0
    assert options.chosen_seed(None, loaded) == DEFAULT_SEED
    loaded.scenario.seed = 0
    assert options.chosen_seed(None, loaded) == 0


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "0", "abc"])
def test_finite_float_refuses_what_is_not_a_finite_positive_number(text: str) -> None:
    kind = options.FiniteFloat(min=0, min_open=True)
    with pytest.raises(click.BadParameter):
        kind.convert(text, None, None)
    assert kind.convert("2.5", None, None) == 2.5


class _Recording:
    """An executor that records being opened and closed."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def __enter__(self) -> _Recording:
        self.events.append("opened")
        return self

    def __exit__(self, *exc: object) -> None:
        self.events.append("closed")


def test_the_executor_comes_from_make_executor_and_is_opened_once(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[int, str | None, int | None]] = []
    executor = _Recording()

    def make_executor(workers: int = 1, scheduler: str | None = None,
                      dask_local: int | None = None) -> _Recording:
        made.append((workers, scheduler, dask_local))
        return executor

    monkeypatch.setattr("contactsim.runs.executors.make_executor", make_executor)
    with options.opened_executor(3, None, None) as opened:
        assert opened is executor
        assert executor.events == ["opened"]
    assert executor.events == ["opened", "closed"]
    assert made == [(3, None, None)]


def test_a_scheduler_and_local_dask_workers_are_refused_before_any_executor(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object) -> None:
        raise AssertionError("no executor may be built")

    monkeypatch.setattr("contactsim.runs.executors.make_executor", never)
    with pytest.raises(click.UsageError, match="not both"), \
            options.opened_executor(2, "tcp://head:8786", 2):
        pass
