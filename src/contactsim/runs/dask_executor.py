"""Runs on a Dask cluster: an existing one (its scheduler's address) or one started on this
machine for the command, behind the same :class:`~contactsim.runs.executors.Executor`
interface as local worker processes. Needs ``contactsim[dask]``.

A worker needs contactsim's run code (numpy, pandas, pyarrow, SimPy and the engine: about a
second of imports) before its first run. Started with ``--preload contactsim.runs.dask_executor``
(:func:`dask_setup`), it loads that code as it starts, so a cluster kept up between sweeps is
ready for the first one. Either way, the executor has every worker load it when it connects
(:func:`load_run_code`, a no-op on a worker that has it), before any run goes out: a worker
that cannot import contactsim is reported then, not by every run it is given, and one running
another version of it is warned of.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from contactsim.errors import ContactsimError, EnvironmentFault
from contactsim.runs.executors import CallProgress, KeptWorkers

#: Seconds to wait for a Dask scheduler to answer.
DASK_CONNECT_TIMEOUT_S = 10.0

#: Seconds the executor waits for the workers to load the run code before sending the runs
#: anyway (a worker busy with another client's runs is not waited for longer).
WARM_UP_WAIT_S = 10.0

#: The module a Dask worker preloads to have the run code before its first run:
#: ``dask worker ADDRESS --preload contactsim.runs.dask_executor``.
PRELOAD = "contactsim.runs.dask_executor"


def load_run_code() -> str:
    """Import what a run needs where this is called (a Dask worker): the sweep's and the
    replications' code, with numpy, pandas, pyarrow, SimPy and the engine; the code version
    it runs (as each run's ``meta.json`` names it)."""
    from contactsim.runs.sweep import code_version  # imports replication, experiment, engine

    return code_version()


def dask_setup(worker: Any) -> None:
    """Dask's hook for a preloaded module (``dask worker ... --preload
    contactsim.runs.dask_executor``): load the run code as the worker starts."""
    load_run_code()


class DaskExecutor(KeptWorkers):
    """A Dask distributed cluster: an existing scheduler's address, or a local cluster of
    ``local_workers`` processes started (and stopped) here. Needs ``contactsim[dask]``.

    A scheduler that does not answer within ``connect_timeout_s`` seconds raises
    :class:`~contactsim.errors.EnvironmentFault`. Progress is not carried out of a running
    call (its reporter is ``None``). Inside a ``with`` block, the client (and a local cluster)
    is kept until the block ends.
    """

    def __init__(
        self,
        scheduler: str | None = None,
        local_workers: int | None = None,
        connect_timeout_s: float = DASK_CONNECT_TIMEOUT_S,
    ) -> None:
        if scheduler is not None and local_workers is not None:
            raise ContactsimError(
                "give --scheduler or --dask-local, not both: the runs go to an existing Dask "
                "cluster or to a local one started for this command"
            )
        if scheduler is None and local_workers is None:
            raise ValueError("give a scheduler address or a number of local workers")
        self.scheduler = scheduler
        self.local_workers = local_workers
        self.connect_timeout_s = connect_timeout_s
        self._client: Any = None
        self._cluster: Any = None

    def as_completed(
        self,
        function: Callable[..., Any],
        arguments: Sequence[tuple[Any, ...]],
        progress: CallProgress | None = None,
    ) -> Iterator[Any]:
        """Results of every call, in the order they finish. Interrupted (or closed before the
        end), it cancels the calls not yet done before closing the client."""
        try:
            from dask.distributed import as_completed as dask_completed
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                "Dask is not installed: pip install 'contactsim[dask]'"
            ) from exc
        futures: list[Any] = []
        no_reporter = (None,) if progress is not None else ()
        try:
            client = self._connected()
            futures = [client.submit(function, *args, *no_reporter, pure=False)
                       for args in arguments]
            for future in dask_completed(futures):
                yield future.result()
        except BaseException:
            if futures:
                with contextlib.suppress(Exception):  # the cluster may be gone already
                    self._client.cancel(futures)
            raise
        finally:
            if not self._kept:
                self._close()

    def _connected(self) -> Any:
        """The client, connected at first need (a local cluster started for it)."""
        if self._client is not None:
            return self._client
        from dask.distributed import Client, LocalCluster

        if self.local_workers is not None:
            self._cluster = LocalCluster(n_workers=self.local_workers, threads_per_worker=1,
                                         processes=True, dashboard_address=None)
        try:
            self._client = self._connect(Client, self._cluster)
            _warm(self._client)
        except BaseException:
            self._close()
            raise
        return self._client

    def _close(self, at_once: bool = False) -> None:
        """Close the client and a local cluster (at once or not: :meth:`as_completed` has
        cancelled the calls it stopped waiting for)."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        try:
            if client is not None:
                client.close()
        finally:
            if cluster is not None:
                cluster.close()

    def _connect(self, client_type: Any, cluster: Any) -> Any:
        timeout = f"{self.connect_timeout_s:g}s"
        if cluster is not None:
            return client_type(cluster, timeout=timeout)
        try:
            return client_type(self.scheduler, timeout=timeout)
        except (ValueError, TypeError) as exc:  # not an address Dask can read
            raise ContactsimError(
                f"--scheduler {self.scheduler!r}: not a Dask scheduler address; give one such as "
                "tcp://head:8786"
            ) from exc
        except (OSError, TimeoutError) as exc:
            raise EnvironmentFault(
                f"the Dask scheduler at {self.scheduler} could not be reached within "
                f"{self.connect_timeout_s:g} s; check the address "
                "and that the scheduler is running"
            ) from exc


def _warm(client: Any) -> None:
    """Have every worker of ``client``'s cluster load the run code: one call sent to each
    before any run, waited for up to :data:`WARM_UP_WAIT_S` seconds (a worker busy with
    another client's work loads it when free; one that joins later, with its first run). A
    worker that could not is an :class:`~contactsim.errors.EnvironmentFault`; one whose code
    version differs from this machine's, a warning."""
    from dask.distributed import wait

    addresses = list(client.nthreads())
    futures = [client.submit(load_run_code, workers=[address], allow_other_workers=True,
                             pure=False) for address in addresses]
    with contextlib.suppress(TimeoutError):
        wait(futures, timeout=WARM_UP_WAIT_S)
    here = load_run_code()
    other = set()
    for address, future in zip(addresses, futures, strict=True):
        if future.status == "error":  # contactsim missing or broken on that worker
            error = future.exception()
            raise EnvironmentFault(
                f"the Dask worker at {address} could not load contactsim's run code "
                f"({type(error).__name__}: {error}); install the same contactsim, with its "
                "Dask extra, on every worker")
        if future.status == "finished" and future.result() != here:
            other.add((future.result(), address))
    if other:
        version, address = sorted(other)[0]
        warnings.warn(
            f"{len(other)} Dask worker(s) run contactsim {version} (e.g. {address}), this "
            f"machine {here}: their runs may give other numbers (each run's meta.json names "
            "the version it ran)", stacklevel=2)
