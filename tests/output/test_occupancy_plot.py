"""The occupancy plot of a run that drew nothing on one of its panels: a run of weekend days
only has no Mon–Fri line, and once drew its legend there, a legend of nothing (matplotlib's
"No artists with labels found to put in legend" warning)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest
import yaml

from contactsim.build.loading import scenario_from_mapping
from contactsim.output import occupancy_plots
from contactsim.output.occupancy_plots import OCCUPANCY_PLOT, plot_occupancy
from contactsim.runs.experiment import run_scenario
from helpers.scenarios import TINY_CENTRE


@pytest.mark.parametrize(("start", "legend_on"), [
    ("2018-03-10", "Sat–Sun"),  # a Saturday: nothing on weekdays
    ("2018-03-05", "Mon–Fri"),  # a Monday: nothing at the weekend
])
def test_the_pools_legend_goes_on_a_panel_that_drew_them_and_nothing_warns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str, legend_on: str) -> None:
    scenario = scenario_from_mapping({**yaml.safe_load(TINY_CENTRE),
                                      "horizon": {"start": start, "days": 1}})
    results = run_scenario(scenario, reps=2, seed=3)
    assert results.pool_intervals is not None
    legends: dict[str, list[str]] = {}

    def keep_legends(figure: plt.Figure, path: Path) -> Any:
        for axis in figure.axes:
            legend = axis.get_legend()
            if legend is not None:
                legends[axis.get_title()] = [text.get_text() for text in legend.get_texts()]
        return save_figure(figure, path)

    save_figure = occupancy_plots.save_figure
    monkeypatch.setattr(occupancy_plots, "save_figure", keep_legends)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drawn = plot_occupancy(results.pool_intervals, tmp_path / OCCUPANCY_PLOT)
    assert drawn is not None and drawn.exists()
    assert {title: sorted(labels) for title, labels in legends.items()} == {
        legend_on: ["pool blended", "pool emergency"]}
