"""What a planner reads after a run: results folders, plots, the HTML page and the tables on
screen.

- :mod:`~contactsim.output.results`: a run's and a comparison's files, written and read back,
  and the marker's account of what a folder holds (the scenario's digest, seed, replications);
  :mod:`~contactsim.output.saved_runs`: a run or a comparison simulated and saved into its
  folder, all or nothing, one routine for the command line and Python alike.
- :mod:`~contactsim.output.report` (a run's and a comparison's plots),
  :mod:`~contactsim.output.planning_plots` (a sweep's and a staffing search's) and
  :mod:`~contactsim.output.calibration_report` (a calibration's files and plot), on the look
  shared by :mod:`~contactsim.output.plotting`.
- :mod:`~contactsim.output.html`: one self-contained page per results folder, with the scenario
  in words (:mod:`~contactsim.output.scenario_words`) and the saved tables read back checked
  (:mod:`~contactsim.output.saved_tables`).
- :mod:`~contactsim.output.tables`: KPIs as numbers a planner reads (shares in %, intervals,
  differences), in tables for the terminal.

Plots, pages and tables are made from saved files or finished results, never from a live
simulation (:mod:`~contactsim.output.saved_runs` runs a scenario only to write its folder);
writing a folder whole and safely is :mod:`contactsim.data.folders`'s work.
"""
