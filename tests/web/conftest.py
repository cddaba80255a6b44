"""A scenarios folder for the page's tests: a tiny centre (a day, two lines, three operators),
an overlay on it, a scenario with a mistake, and a planner's own file beside them."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.scenarios import TINY_CENTRE

BROKEN = TINY_CENTRE.replace("mean_s: 240", "mean_s: -5").replace("name: tiny", "name: broken")


@pytest.fixture
def scenario_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "tiny.yaml").write_text(
        TINY_CENTRE + "callback: {offer_after_s: 180, accept_probability: 0.2}\n")
    (folder / "broken.yaml").write_text(BROKEN)
    (folder / "mine.yaml").write_text("# a planner's own file\nextends: tiny.yaml\nname: mine\n")
    (tmp_path / "outside.yaml").write_text(TINY_CENTRE)
    return folder
