"""Runs on a Dask cluster: an existing one (its scheduler's address) or one started on this
machine for the command, behind the same :class:`~contactsim.runs.executors.Executor`
interface as local worker processes. Needs ``contactsim[dask]``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from contactsim.errors import ContactsimError, EnvironmentFault
from contactsim.runs.executors import CallProgress, KeptWorkers

#: Seconds to wait for a Dask scheduler to answer.
DASK_CONNECT_TIMEOUT_S = 10.0


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
