"""The what-if page (``contactsim serve``): a base scenario, levers in the planner's words, and
each what-if run against the base with common random numbers and intervals.

- :mod:`~contactsim.web.levers`: the levers a base offers, and the fields they write;
- :mod:`~contactsim.web.whatif_files`: a what-if as the text of a scenario file, run and saved;
- :mod:`~contactsim.web.jobs`: runs in worker processes, their progress and cancelling;
- :mod:`~contactsim.web.results_view`: the KPI table and plot series the page shows;
- :mod:`~contactsim.web.safety`: who may reach the page and which files it touches;
- :mod:`~contactsim.web.app`: the web application that ties them together.

Needs ``contactsim[serve]`` (Starlette, uvicorn and Plotly's script).
"""
