"""What the tests share (``tests/`` is on pytest's path, so ``from helpers.X import Y``):

- ``scenarios`` — the shipped scenario folder, the tiny centres and the Erlang A contract in
  YAML, ``write``/``write_yaml``, and ``one_line_101``, the one builder of a single 101 line;
- ``cli`` — the command line through click's CliRunner (``invoke``, ``cli``, ``ok``);
- ``loading``, ``overlays`` — scenario texts and checks of the loader and overlay tests;
- ``data_files``, ``input_files`` — data files a scenario names, good and garbled;
- ``traces``, ``callback_traces`` — hand-worked traces' callers, draws and KPIs;
- ``random_centres`` — hypothesis strategies of small random centres, and runs of them;
- ``safety``, ``queueing`` — clean refusals of bad input; Erlang arithmetic;
- ``golden`` — the golden cases (``python tests/helpers/golden.py`` rewrites the file).

Fixtures built on these are in ``tests/conftest.py`` (and a folder's own ``conftest.py``).
"""
