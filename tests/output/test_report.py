"""The HTML report: one self-contained page per run, comparison or sweep, checked in Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from contactsim.cli.main import main
from contactsim.output.html import _target
from helpers.scenarios import SCENARIOS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("report")
    runner = CliRunner()
    short = ["--set", "horizon.days=3", "--reps", "2", "--workers", "1"]
    run = base / "run"
    assert runner.invoke(main, ["run", str(SCENARIOS / "callback-10min.yaml"), "--out", str(run),
                                *short]).exit_code == 0
    compare = base / "compare"
    assert runner.invoke(main, ["compare", str(SCENARIOS / "callback-3min.yaml"),
                                str(SCENARIOS / "callback-10min.yaml"), "--out", str(compare),
                                *short]).exit_code == 0
    sweep_file = base / "sweep.yaml"
    sweep_file.write_text(f"base: {SCENARIOS / 'quick-week.yaml'}\nreps: 2\n"
                          "grid:\n  shrinkage: [0.25, 0.35]\n")
    sweep = base / "sweep"
    assert runner.invoke(main, ["sweep", str(sweep_file), "--out", str(sweep),
                                "--workers", "1"]).exit_code == 0
    for folder in (run, compare, sweep):
        result = runner.invoke(main, ["report", str(folder)])
        assert result.exit_code == 0, result.output
    return {"run": run, "compare": compare, "sweep": sweep}


@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_the_report_is_one_self_contained_page(folders: dict[str, Path], kind: str) -> None:
    page = (folders[kind] / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "data:image/png;base64," in page  # plots embedded, nothing to lose on forwarding
    assert "src='http" not in page and "src='file" not in page
    assert "Service level" in page or "service_level" in page


def test_the_run_report_says_the_scenario_in_words_and_marks_the_999_standard(
    folders: dict[str, Path],
) -> None:
    page = (folders["run"] / "report.html").read_text()
    assert "callbacks offered to 101 callers after 10 min" in page
    assert "national standard: 90% answered within 10 s" in page
    assert any(verdict in page for verdict in ("'met'", "'missed'", "'unclear'"))


def test_targets_are_met_missed_or_unclear() -> None:
    assert "met" in _target("999", "service_level", 0.91, 0.95)
    assert "missed" in _target("999", "service_level", 0.80, 0.89)
    assert "not clear" in _target("999", "service_level", 0.88, 0.92)
    assert _target("101", "service_level", 0.1, 0.2) == ""


def test_a_folder_that_is_not_results_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "not a contactsim results folder" in result.output


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here")
@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_the_report_opens_in_chromium_and_shows_its_images(
    folders: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    page = folders[kind] / "report.html"
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-images-ok="true"' in dom.stdout  # every image decoded
    assert "data-errors" not in dom.stdout  # no script error
