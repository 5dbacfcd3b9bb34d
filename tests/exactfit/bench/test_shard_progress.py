"""A sharded ``enum`` run reports its shards to the live display as they finish."""

from __future__ import annotations

from exactfit import progress
from exactfit.bench.runner import discover, run_benchmark
from exactfit.io import write_instance
from exactfit.solvers import get_solver


def test_solve_shards_publishes_each_finished_shard(make_problem):
    problem = make_problem(14, 2, 1, 7)
    seen: list[progress.Snapshot] = []
    with progress.observing(seen.append):
        result = get_solver("enum").solve_shards(problem, 3, map)
    shards = [s for s in seen if s.phase == "shards"]
    # one report before the first shard and one after each
    assert [s.done for s in shards] == [0, 1, 2, 3]
    assert {s.total for s in shards} == {3} and {s.unit for s in shards} == {"shards"}
    assert shards[0].incumbent is None
    # the last report's incumbent is the best shard's float loss, which the merge keeps
    assert abs(shards[-1].incumbent - result.objective) <= 1e-9 * max(1.0, result.objective)


def test_unobserved_shards_publish_nothing(make_problem):
    # nobody observing: the shards' list is built as before (no reporting work)
    problem = make_problem(10, 1, 1, 3)
    assert not progress.active()
    result = get_solver("enum").solve_shards(problem, 2, map)
    assert result.objective is not None


def test_bench_starts_a_nested_line_for_a_sharded_run(make_problem, tmp_path):
    write_instance(make_problem(12, 2, 1, 5), tmp_path / "s.json")
    started = []
    seen: list[progress.Snapshot] = []
    with progress.observing(seen.append):
        records = run_benchmark(
            discover([str(tmp_path / "s.json")]),
            ["enum"],
            time_limit=60,
            output=tmp_path / "r.jsonl",
            shards=2,
            started=started.append,
        )
    assert [(j.instance, j.solver) for j in started] == [("s", "enum")]
    assert records[0]["shards"] == 2
    assert [s.done for s in seen if s.phase == "shards"] == [0, 1, 2]
