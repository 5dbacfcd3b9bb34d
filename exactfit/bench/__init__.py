"""Solver comparison over instance sets: ``exactfit bench``.

* :mod:`exactfit.bench.jobs` (what to run), :mod:`exactfit.bench.worker` (one run → one record)
  and :mod:`exactfit.bench.runner`: run solver × instance jobs (in process, in local worker
  processes, or on a Dask cluster), appending one JSON record per run as it finishes;
* :mod:`exactfit.bench.results`: the records, resume, and the consistency checks (WRONG);
* :mod:`exactfit.bench.report`: the table (solved, shifted geometric mean time, WRONG) and the
  Dolan–Moré performance profile;
* :mod:`exactfit.bench.solu`: ``.solu`` answer files and the ``quick.txt`` subset list;
* :mod:`exactfit.bench.cli`: the ``exactfit bench`` command.

The conventions (record fields, ``.solu``, ``quick.txt``, tolerances) are in ``docs/bench.md``.
"""
