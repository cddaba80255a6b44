"""``contactsim serve``: the what-if page, on this machine, in a browser."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import click

from contactsim.cli.options import fail, scheduler_option, workers_option

#: The page's port unless --port says otherwise.
DEFAULT_PORT = 8050


@click.command()
@click.argument("scenarios", nargs=-1, type=click.Path(dir_okay=False, exists=True))
@click.option("--scenarios-dir", "folder", type=click.Path(file_okay=False, exists=True),
              default=None, help="The folder of base scenarios the page offers, and where it "
              "saves what-ifs [default: the folder of the first SCENARIO, else scenarios/].")
@click.option("--results-dir", "results", type=click.Path(file_okay=False), default="results",
              show_default=True, help="Where the page saves a run's results folder and report.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback lets other machines reach the "
              "page, and needs the token printed at start-up.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0: any free port, printed).")
@click.option("--token", default=None, help="The token a page beyond loopback must give "
              "[default: a new random one, printed].")
@workers_option
@scheduler_option
def serve(scenarios: tuple[str, ...], folder: str | None, results: str, host: str, port: int,
          token: str | None, workers: int | None, scheduler: str | None) -> None:
    """Start the what-if page on this machine.

    Pick a base scenario, move the levers (staff, shrinkage, callbacks, demand, Resolution
    Centre), run, and read the KPIs against the base with paired differences and intervals.
    Each what-if is a scenario file extending the base, which the page can save beside it.
    SCENARIOS are offered first; every .yaml of the scenarios folder is offered."""
    try:
        import uvicorn

        from contactsim.web.app import Settings, make_app
        from contactsim.web.safety import is_loopback, new_token
    except ImportError as exc:
        fail(f"the page needs its web packages ({exc.name}): pip install 'contactsim[serve]'")
    from contactsim.cli.options import chosen_workers

    scenario_folder = Path(folder or (Path(scenarios[0]).parent if scenarios else "scenarios"))
    if not scenario_folder.is_dir():
        fail(f"no scenarios folder {scenario_folder}: give SCENARIOS or --scenarios-dir")
    scenario_folder = scenario_folder.resolve()
    first = []
    for given in scenarios:
        path = Path(given).resolve()
        if path.parent != scenario_folder:
            fail(f"{given} is not in the scenarios folder {scenario_folder}: the page offers "
                 "only the scenarios of one folder")
        first.append(path.name)
    if not is_loopback(host):
        token = token or new_token()
    settings = Settings(scenarios=scenario_folder, results=Path(results).resolve(),
                        host=host, token=token, workers=chosen_workers(workers),
                        scheduler=scheduler, first=tuple(first))
    listening = _listen(host, port)
    bound_port = listening.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{bound_port}/"
    if token is not None:
        address += f"?token={token}"
    click.echo(f"contactsim what-if page: {address}")
    click.echo(f"scenarios from {scenario_folder}; Ctrl-C stops the page and its runs",
               err=True)
    config = uvicorn.Config(make_app(settings), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port``, or a clear message why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        if exc.errno == errno.EADDRINUSE:
            fail(f"port {port} on {host} is in use (another contactsim serve?); give --port")
        fail(f"cannot listen on {host}:{port}: {exc.strerror}")
    listening.listen(64)
    listening.set_inheritable(True)
    return listening
