"""The page's web application, in this process (Starlette's test client): scenarios, levers,
runs and their results, saving, and the refusals that keep it safe."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from contactsim.cli.main import main
from contactsim.errors import ContactsimError
from contactsim.runs.executors import LocalExecutor
from contactsim.web.app import Settings, make_app
from contactsim.web.jobs import JobBoard

JSON = {"Content-Type": "application/json"}


def _client(folder: Path, **given: object) -> TestClient:
    settings = Settings(scenarios=folder, results=folder.parent / "results", **given)  # type: ignore[arg-type]
    board = JobBoard(LocalExecutor(1))
    return TestClient(make_app(settings, board), base_url="http://127.0.0.1:8050")


def _wait(client: TestClient, job_id: str, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = client.get(f"/api/runs/{job_id}").json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"run {job_id} did not end in {timeout_s} s")


def _run(client: TestClient, values: dict, reps: int = 3, seed: int = 5) -> dict:
    started = client.post("/api/runs", headers=JSON, content=json.dumps({
        "base": "tiny.yaml", "reps": reps, "seed": seed,
        "whatifs": [{"name": "more", "values": values}]}))
    assert started.status_code == 200, started.text
    return _wait(client, started.json()["id"]) | {"id": started.json()["id"]}


def test_the_page_and_its_scripts_are_served_from_this_machine(scenario_folder: Path) -> None:
    client = _client(scenario_folder)
    page = client.get("/")
    assert page.status_code == 200 and "contactsim — what if?" in page.text
    assert "http" not in page.text.split("<body")[0].replace("http-equiv", "")  # no CDN
    for name in ("page.js", "page.css", "plotly.min.js"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_scenarios_and_levers(scenario_folder: Path) -> None:
    client = _client(scenario_folder)
    names = client.get("/api/scenarios").json()["scenarios"]
    assert names == ["broken.yaml", "mine.yaml", "tiny.yaml"]
    levers = client.get("/api/levers", params={"base": "tiny.yaml"}).json()
    assert levers["seed"] == 2018
    keys = [lever["key"] for lever in levers["levers"]]
    assert "pools.blended.flat" in keys and "callback.offer_after_min" in keys


def test_a_scenario_with_a_mistake_is_a_message_not_a_500(scenario_folder: Path) -> None:
    client = _client(scenario_folder)
    answer = client.get("/api/levers", params={"base": "broken.yaml"})
    assert answer.status_code == 400
    assert "broken.yaml" in answer.json()["error"]
    assert "handling.999.handle_time.mean_s" in answer.json()["error"]
    run = client.post("/api/runs", headers=JSON, content=json.dumps(
        {"base": "tiny.yaml", "whatifs": [{"name": "x", "values": {"shrinkage": 150}}]}))
    assert run.status_code == 400 and "expected a value from 0 to 99.9" in run.json()["error"]
    same = client.post("/api/runs", headers=JSON, content=json.dumps(
        {"base": "tiny.yaml", "whatifs": [{"name": "tiny", "values": {}}]}))
    assert same.status_code == 400 and "its base's file name" in same.json()["error"]


@pytest.mark.parametrize("name", ["../outside.yaml", "/etc/passwd", "tiny.txt", "../../x.yaml"])
def test_a_path_outside_the_scenarios_folder_is_refused(scenario_folder: Path, name: str) -> None:
    client = _client(scenario_folder)
    answer = client.get("/api/levers", params={"base": name})
    assert answer.status_code == 403, answer.text
    run = client.post("/api/runs", headers=JSON, content=json.dumps(
        {"base": name, "whatifs": [{"name": "x", "values": {}}]}))
    assert run.status_code == 403


def test_a_run_gives_the_kpis_against_the_base_and_saves_the_very_file_it_ran(
    scenario_folder: Path, tmp_path: Path,
) -> None:
    client = _client(scenario_folder)
    status = _run(client, {"pools.blended.flat": 3, "callback.offer_after_min": 1})
    assert status["state"] == "done", status["message"]
    results = status["results"]
    assert results["names"] == ["tiny", "more"] and results["reps"] == 3
    row = next(r for r in results["kpis"] if r["scope"] == "101" and r["kpi"] == "asa_s")
    base, more = row["cells"]
    assert more["diff_mean"] == pytest.approx(more["mean"] - base["mean"])
    assert "hour" in results["plots"]["by"]
    saved = client.post(f"/api/runs/{status['id']}/save", headers=JSON,
                        content=json.dumps({"index": 1})).json()
    path = Path(saved["path"])
    assert path == scenario_folder / "more.yaml"
    assert saved["command"] == "contactsim run more.yaml --reps 3 --seed 5"
    out = tmp_path / "cli"
    result = CliRunner().invoke(main, ["run", str(path), "--reps", "3", "--seed", "5",
                                       "--out", str(out), "--no-plots", "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary = {(line.split(",")[0], line.split(",")[1]): float(line.split(",")[2])
               for line in (out / "summary.csv").read_text().splitlines()[1:]
               if line.split(",")[2] not in ("", "nan")}
    for row in results["kpis"]:
        cell = row["cells"][1]
        if cell and cell["mean"] is not None and (row["scope"], row["kpi"]) in summary:
            assert cell["mean"] == summary[(row["scope"], row["kpi"])], row  # to the last bit


def test_saving_never_replaces_a_planners_own_file(scenario_folder: Path) -> None:
    client = _client(scenario_folder)
    started = client.post("/api/runs", headers=JSON, content=json.dumps({
        "base": "tiny.yaml", "reps": 2, "whatifs": [{"name": "mine", "values": {}}]}))
    status = _wait(client, started.json()["id"])
    assert status["state"] == "done"
    answer = client.post(f"/api/runs/{status['id']}/save", headers=JSON,
                         content=json.dumps({"index": 1}))
    assert answer.status_code == 400 and "not made by this page" in answer.json()["error"]
    assert (scenario_folder / "mine.yaml").read_text().startswith("# a planner's own file")


def test_posts_must_be_json_from_this_page(scenario_folder: Path) -> None:
    client = _client(scenario_folder)
    form = client.post("/api/runs", data={"base": "tiny.yaml"})
    assert form.status_code == 415
    other_site = client.post("/api/runs", headers={**JSON, "Origin": "http://evil.example"},
                             content="{}")
    assert other_site.status_code == 403


def test_on_loopback_only_a_loopback_host_is_answered(scenario_folder: Path) -> None:
    client = _client(scenario_folder)
    assert client.get("/api/scenarios", headers={"Host": "rebound.example"}).status_code == 403
    assert client.get("/api/scenarios", headers={"Host": "localhost:8050"}).status_code == 200


def test_beyond_loopback_a_token_is_required(scenario_folder: Path) -> None:
    with pytest.raises(ContactsimError, match="needs a token"):
        _client(scenario_folder, host="0.0.0.0")
    client = _client(scenario_folder, host="0.0.0.0", token="s3cret")
    assert client.get("/api/scenarios").status_code == 403
    assert client.get("/api/scenarios", headers={"X-Contactsim-Token": "wrong"}).status_code == 403
    assert client.get("/api/scenarios",
                      headers={"X-Contactsim-Token": "s3cret"}).status_code == 200
    first = client.get("/?token=s3cret", follow_redirects=False)
    assert first.status_code == 303 and "token" not in first.headers["location"]
    assert client.get("/api/scenarios").status_code == 200  # the cookie carries it now


def test_a_runs_results_folder_and_report_go_to_the_results_folder_only(
    scenario_folder: Path,
) -> None:
    client = _client(scenario_folder)
    status = _run(client, {"shrinkage": 10}, reps=2)
    answer = client.post(f"/api/runs/{status['id']}/results", headers=JSON,
                         content=json.dumps({"name": "../../escape"}))
    assert answer.status_code == 200, answer.text
    folder = Path(answer.json()["path"])
    assert folder.parent == scenario_folder.parent / "results"
    assert (folder / "compare.csv").is_file() and (folder / "report.html").is_file()
    mine = scenario_folder.parent / "results" / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("a planner's notes")
    refused = client.post(f"/api/runs/{status['id']}/results", headers=JSON,
                          content=json.dumps({"name": "mine"}))
    assert refused.status_code == 400 and "holds files" in refused.json()["error"]
    assert (mine / "notes.txt").read_text() == "a planner's notes"
