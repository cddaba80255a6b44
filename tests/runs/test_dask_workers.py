"""Dask workers made ready for runs: the run code loaded before the first run (by ``--preload
contactsim.runs.dask_executor``, or by the executor as it connects), a worker that cannot load
it reported at once, and runs that write into the user's folder from workers whose working
folder is another (``run --records`` with a relative ``--out``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contactsim.errors import EnvironmentFault
from contactsim.runs import dask_executor
from contactsim.runs.dask_executor import PRELOAD, DaskExecutor, load_run_code
from helpers.cli import cli, ok

#: Run on each worker: whether the run code has been imported there (a lambda, so that it is
#: sent by value: the workers cannot import the tests).
run_code_loaded = lambda: "contactsim.runs.sweep" in sys.modules  # noqa: E731


@pytest.fixture
def cold_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A LocalCluster of two one-thread workers, without contactsim's run code, started in a
    working folder of their own (``workers/``); the test's own folder is then the current
    one."""
    distributed = pytest.importorskip("dask.distributed")
    (tmp_path / "workers").mkdir()
    monkeypatch.chdir(tmp_path / "workers")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        monkeypatch.chdir(tmp_path)
        yield cluster


@pytest.mark.slow
def test_the_executor_loads_the_run_code_on_every_worker_before_the_runs(
        cold_cluster: Any) -> None:
    from dask.distributed import Client

    with Client(cold_cluster.scheduler_address) as client:
        assert set(client.run(run_code_loaded).values()) == {False}
        with DaskExecutor(scheduler=cold_cluster.scheduler_address) as executor:
            assert list(executor.as_completed(abs, [(-1,)])) == [1]
        assert set(client.run(run_code_loaded).values()) == {True}


@pytest.mark.slow
def test_a_preloaded_worker_has_the_run_code_as_it_starts() -> None:
    distributed = pytest.importorskip("dask.distributed")
    with (distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None,
                                   preload=[PRELOAD]) as cluster,
          distributed.Client(cluster) as client):
        assert list(client.run(run_code_loaded).values()) == [True]


@pytest.mark.slow
def test_run_records_with_a_relative_out_land_in_the_users_folder(
        cold_cluster: Any, tiny_centre_file: Path, tmp_path: Path) -> None:
    ok(cli("run", "tiny.yaml", "--reps", "2", "--records", "--no-plots", "--out", "out",
           "--scheduler", cold_cluster.scheduler_address))
    written = sorted(p.name for p in (tmp_path / "out" / "records").iterdir())
    assert written == ["replication-000.parquet", "replication-001.parquet"]
    assert list((tmp_path / "workers").iterdir()) == [], "a worker wrote in its own folder"


# --- the warm-up's findings, on a stand-in for a Dask client ------------------------------------


@dataclass
class _Done:
    """A finished (or failed) call, as a Dask future reports it."""

    status: str
    value: Any

    def result(self) -> Any:
        return self.value

    def exception(self) -> Any:
        return self.value


class _Client:
    """Two workers; each answers the warm-up call with ``answers[address]``."""

    def __init__(self, answers: dict[str, _Done]) -> None:
        self.answers = answers

    def nthreads(self) -> dict[str, int]:
        return dict.fromkeys(self.answers, 1)

    def submit(self, function: Any, *, workers: list[str], **_options: Any) -> _Done:
        assert function is load_run_code
        return self.answers[workers[0]]


def test_a_worker_that_cannot_load_contactsim_is_an_environment_fault(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr("dask.distributed.wait", lambda futures, timeout: None)
    client = _Client({"tcp://a:1": _Done("finished", load_run_code()),
                      "tcp://b:1": _Done("error", ModuleNotFoundError("No module named "
                                                                      "'contactsim'"))})
    with pytest.raises(EnvironmentFault, match=r"the Dask worker at tcp://b:1 could not load "
                       r"contactsim's run code \(ModuleNotFoundError: No module named "
                       r"'contactsim'\); install the same contactsim"):
        dask_executor._warm(client)


def test_a_worker_running_another_code_version_is_warned_of(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr("dask.distributed.wait", lambda futures, timeout: None)
    client = _Client({"tcp://a:1": _Done("finished", load_run_code()),
                      "tcp://b:1": _Done("finished", "0.0.9+0123456789ab"),
                      "tcp://c:1": _Done("pending", None)})  # busy: not waited for
    with pytest.warns(UserWarning, match=r"1 Dask worker\(s\) run contactsim 0.0.9\+0123456789ab "
                      r"\(e.g. tcp://b:1\), this machine "):
        dask_executor._warm(client)
