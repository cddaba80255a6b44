"""The what-if page's web application: the page, its script, and the JSON it asks for.

Starlette, served by uvicorn (see :mod:`contactsim.cli.serve`): a page rendered here, a small
script of our own, and Plotly's script from the installed ``plotly`` package, all served from
this machine (nothing is fetched from the internet). Every answer to a bad request is JSON with
an ``error`` the page shows; a scenario that does not load is a 400 with the loader's message
(the file, the field, the value, what was expected), never a 500.

Routes:

- ``GET /`` the page; ``GET /static/...`` its script, style and Plotly.
- ``GET /api/scenarios`` the base scenarios of the scenarios folder.
- ``GET /api/levers?base=NAME`` a base's levers.
- ``POST /api/runs`` ``{base, whatifs: [{name, values}], reps, seed}`` starts a run.
- ``GET /api/runs/ID`` its progress and, when done, its results.
- ``POST /api/runs/ID/cancel`` stops it; ``POST /api/runs/ID/save`` ``{index}`` saves that
  what-if as a scenario file (the very text that was run); ``POST /api/runs/ID/results``
  ``{name}`` writes the run's results folder and report into the results folder.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from contactsim import limits
from contactsim.build.loading import load_scenario
from contactsim.data.files import child
from contactsim.errors import ContactsimError, ScenarioError
from contactsim.output.html import write_report
from contactsim.output.results import compare_about
from contactsim.output.saved_runs import save_comparison
from contactsim.runs.defaults import seed_for
from contactsim.runs.executors import Executor, make_executor
from contactsim.runs.experiment import unique_names
from contactsim.runs.warm_workers import WarmWorkers
from contactsim.web.jobs import Busy, JobBoard
from contactsim.web.levers import levers_of
from contactsim.web.safety import Forbidden, is_loopback, refusal, scenario_in
from contactsim.web.whatif_files import (
    WhatIf,
    base_fields,
    load_whatif,
    save_whatif,
    whatif_for,
)

#: What-ifs one run may hold beside its base.
MAX_WHATIFS = 6
#: Replications the page offers by default.
DEFAULT_REPS = 10
STATIC = ("page.js", "page.css")


@dataclass(frozen=True)
class Settings:
    """How ``contactsim serve`` was started."""

    scenarios: Path
    results: Path
    host: str = "127.0.0.1"
    token: str | None = None
    workers: int = 1
    scheduler: str | None = None
    first: tuple[str, ...] = ()  # scenarios named on the command line, offered first


def make_app(settings: Settings, board: JobBoard | None = None) -> Starlette:
    """The application for ``settings`` (``board``: the runs, for tests to give their own)."""
    if not is_loopback(settings.host) and not settings.token:
        raise ContactsimError(
            f"--host {settings.host} lets other machines reach the page: it needs a token "
            "(contactsim serve makes one and prints it)")

    executor: Executor = (make_executor(settings.workers, scheduler=settings.scheduler)
                          if settings.scheduler else WarmWorkers(settings.workers))
    jobs = board if board is not None else JobBoard(executor)
    pages = _Pages(settings, jobs)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        with executor:
            if isinstance(executor, WarmWorkers):
                executor.start()  # from this thread, which lives as long as the server
            yield
            jobs.stop_all()  # Ctrl-C: every run stops, then the workers end with the server

    app = Starlette(routes=[
        Route("/", pages.page),
        Route("/static/{name}", pages.static),
        Route("/api/scenarios", pages.scenarios),
        Route("/api/levers", pages.levers),
        Route("/api/runs", pages.start, methods=["POST"]),
        Route("/api/runs/{job_id}", pages.status),
        Route("/api/runs/{job_id}/cancel", pages.cancel, methods=["POST"]),
        Route("/api/runs/{job_id}/save", pages.save, methods=["POST"]),
        Route("/api/runs/{job_id}/results", pages.results, methods=["POST"]),
        Route("/favicon.ico", lambda _request: Response(status_code=204)),
    ], lifespan=lifespan)
    app.add_middleware(_Guard, settings=settings)
    app.state.jobs = jobs
    return app


class _Guard:
    """ASGI middleware: :func:`contactsim.web.safety.refusal` on every request."""

    def __init__(self, app: Callable[..., Awaitable[None]], settings: Settings) -> None:
        self.app = app
        self.token = settings.token
        self.loopback_only = is_loopback(settings.host)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            refused = refusal(Request(scope), self.token, self.loopback_only)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _answers(handler: Callable[..., Any]) -> Callable[..., Any]:
    """A route whose contactsim errors become JSON the page shows (403 for a file outside the
    allowed folders, 400 for a scenario that does not load), not a 500."""

    async def route(self: _Pages, request: Request) -> Response:
        try:
            return await handler(self, request)
        except Forbidden as exc:
            return _error(str(exc), 403)
        except ScenarioError as exc:
            return _error(str(exc), 400)
        except Busy as exc:
            return _error(str(exc), 429)
        except ContactsimError as exc:
            return _error(str(exc), 400)
        except (ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
            return _error(f"the request could not be read: {exc}", 400)

    return route


class _Pages:
    def __init__(self, settings: Settings, jobs: JobBoard) -> None:
        self.settings = settings
        self.jobs = jobs

    async def page(self, request: Request) -> Response:
        template = resources.files("contactsim.web").joinpath("page.html").read_text("utf-8")
        config = {"first": list(self.settings.first), "default_reps": DEFAULT_REPS,
                  "max_reps": limits.MAX_REPLICATIONS, "max_whatifs": MAX_WHATIFS}
        text = (template.replace("{{folder}}", html.escape(str(self.settings.scenarios)))
                .replace("{{config}}", html.escape(json.dumps(config), quote=True)))
        return HTMLResponse(text)

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name == "plotly.min.js":
            return FileResponse(_plotly_script(), media_type="text/javascript")
        if name not in STATIC:
            return _error("no such file", 404)
        path = resources.files("contactsim.web").joinpath(f"static/{name}")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response(path.read_text("utf-8"), media_type=media)

    @_answers
    async def scenarios(self, request: Request) -> Response:
        folder = self.settings.scenarios
        names = sorted(p.name for p in folder.iterdir()
                       if p.suffix in (".yaml", ".yml") and p.is_file())
        first = [n for n in self.settings.first if n in names]
        return JSONResponse({"folder": str(folder),
                             "scenarios": first + [n for n in names if n not in first]})

    @_answers
    async def levers(self, request: Request) -> Response:
        name = request.query_params.get("base", "")
        path = scenario_in(self.settings.scenarios, name)
        loaded = load_scenario(path)  # the base must load, or nothing can run on it
        scenario = loaded.scenario
        return JSONResponse({
            "base": name, "name": scenario.name, "description": scenario.description,
            "seed": seed_for(None, scenario.seed), "days": scenario.horizon.days,
            "levers": [lever.as_json() for lever in levers_of(base_fields(path))],
        })

    @_answers
    async def start(self, request: Request) -> Response:
        body = await request.json()
        base_name = str(body.get("base", ""))
        path = scenario_in(self.settings.scenarios, base_name)
        reps = int(body.get("reps", DEFAULT_REPS))
        if not 1 <= reps <= limits.MAX_REPLICATIONS:
            raise ContactsimError(
                f"replications: got {reps}; expected 1 to {limits.MAX_REPLICATIONS}")
        whatifs = list(body.get("whatifs", []))
        if not 1 <= len(whatifs) <= MAX_WHATIFS:
            raise ContactsimError(f"give 1 to {MAX_WHATIFS} what-ifs beside the base")
        base = load_scenario(path)
        given_seed = body.get("seed")
        if given_seed is not None and (not isinstance(given_seed, int) or given_seed < 0):
            raise ContactsimError(f"seed: got {given_seed!r}; expected a whole number >= 0")
        seed = seed_for(given_seed, base.scenario.seed)
        made: list[WhatIf] = []
        for index, item in enumerate(whatifs):
            values = {str(k): v for k, v in dict(item.get("values", {})).items()}
            name = str(item.get("name") or f"what-if-{index + 1}")
            whatif = whatif_for(path, self.settings.scenarios, name, values, reps, seed)
            if whatif.path.resolve() == path:
                raise ContactsimError(f"what-if {name!r} has its base's file name; give it "
                                      "another name")
            made.append(whatif)
        if len({w.name.lower() for w in made}) < len(made):
            raise ContactsimError("give each what-if its own name")
        loaded = [base] + [load_whatif(w) for w in made]
        names = unique_names([base.scenario.name] + [w.name for w in made])
        job = self.jobs.start(names, loaded, reps, seed, texts=[""] + [w.text for w in made],
                              paths=[path] + [w.path for w in made])
        return JSONResponse({"id": job.id, "texts": [w.text for w in made]})

    @_answers
    async def status(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job_id"])
        if job is None:
            return _error("no such run (the server keeps the latest few)", 404)
        return JSONResponse(job.status())

    @_answers
    async def cancel(self, request: Request) -> Response:
        job = self.jobs.cancel(request.path_params["job_id"])
        if job is None:
            return _error("no such run", 404)
        return JSONResponse(job.status())

    @_answers
    async def save(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job_id"])
        if job is None:
            return _error("no such run", 404)
        index = int((await request.json()).get("index", 1))
        if not 1 <= index < len(job.texts):
            raise ContactsimError(f"what-if {index}: this run has {len(job.texts) - 1}")
        whatif = WhatIf(name=job.names[index], text=job.texts[index], path=job.paths[index])
        saved = save_whatif(whatif)
        return JSONResponse({
            "path": str(saved), "file": saved.name,
            "command": f"contactsim run {saved.name} --reps {job.reps} --seed {job.seed}",
        })


    @_answers
    async def results(self, request: Request) -> Response:
        """Write the run's results folder (as ``contactsim compare --out`` would) and its
        report into the results folder."""
        job = self.jobs.get(request.path_params["job_id"])
        if job is None:
            return _error("no such run", 404)
        if job.comparison is None:
            raise ContactsimError("this run's whole results are no longer kept (the server "
                                  "keeps the latest few): run it again to save them")
        name = str((await request.json()).get("name") or "-vs-".join(job.names[:2]))
        folder = child(self.settings.results, name, "results folder name")
        about = compare_about(job.loaded, job.seed, job.reps)
        save_comparison(job.comparison, job.loaded, job.seed, folder, about, plots=True)
        report = write_report(folder)
        return JSONResponse({"path": str(folder), "report": str(report)})


def _plotly_script() -> Path:
    """Plotly's own script, from the installed ``plotly`` package (no CDN)."""
    try:
        import plotly
    except ImportError as exc:  # pragma: no cover - installed with contactsim[serve]
        raise ContactsimError("the page's plots need plotly: pip install 'contactsim[serve]'") \
            from exc
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
