"""Running solver × instance jobs: discovery, JSONL output, resume, local and Dask executors."""

from __future__ import annotations

import contextlib
import json

import pytest

from exactfit.bench.results import load_records
from exactfit.bench.runner import Job, discover, make_jobs, run_benchmark, run_job
from exactfit.errors import InputError

SOLVERS = ["brute", "enum", "ortools"]
FIELDS = {
    "format", "instance", "path", "solver", "status", "objective", "bound", "wall_s", "limit",
    "proof", "time_limit", "host", "machine", "versions", "timestamp", "message",
}  # fmt: skip


def outcome(records):
    """What must not depend on how the runs were executed: (instance, solver) → result."""
    return {
        (r["instance"], r["solver"]): (r["status"], r["objective"], r["bound"]) for r in records
    }


def assert_same_outcomes(a, b):
    oa, ob = outcome(a), outcome(b)
    assert oa.keys() == ob.keys()
    for key in oa:
        (sa, va, _), (sb, vb, _) = oa[key], ob[key]
        assert sa == sb, key
        if sa == "optimal":
            assert abs(va - vb) <= 1e-9 * max(abs(va), abs(vb)) + 1e-12, (key, va, vb)


def test_discover_names_and_quick_subset(library):
    assert [i.name for i in discover([str(library)])] == ["tiny_a", "tiny_b", "tiny_c"]
    assert [i.name for i in discover([str(library / "fit")], quick=True)] == ["tiny_a", "tiny_c"]
    one = discover([str(library / "fit" / "tiny_b.json")])
    assert [(i.name, i.path) for i in one] == [("tiny_b", str(library / "fit" / "tiny_b.json"))]


def test_discover_rejects_duplicates_missing_and_bad_quick(library, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "tiny_a.json").write_text((library / "fit" / "tiny_a.json").read_text())
    with pytest.raises(InputError, match="two instances are named 'tiny_a'"):
        discover([str(library), str(other)])
    with pytest.raises(InputError, match="no such file or directory"):
        discover([str(tmp_path / "nope")])
    with pytest.raises(InputError, match=r"no quick\.txt"):
        discover([str(other)], quick=True)
    (library / "quick.txt").write_text("tiny_a\nghost\n")
    with pytest.raises(InputError, match="lists 'ghost'"):
        discover([str(library)], quick=True)


def test_run_job_record_fields_and_status(library):
    inst = discover([str(library / "fit" / "tiny_a.json")])
    (job,) = make_jobs(inst, ["ortools"], 30.0)
    record = run_job(job)
    assert set(record) == FIELDS
    assert record["status"] == "optimal"
    assert record["proof"] in ("exact", "tolerance")
    assert record["time_limit"] == 30.0
    assert record["bound"] <= record["objective"]
    assert record["versions"]["ortools"] != "missing"
    json.dumps(record, allow_nan=False)  # every record is plain JSON


def test_run_job_records_exceptions_and_declines():
    head = '"format": "exactfit-instance/1", "units": 1'
    bad = run_job(Job("bad", "bad.json", f'{{{head}, "X": [[1]], "y": [1, 2]}}', "ortools", 5.0))
    assert bad["status"] == "error"
    assert "expected 1 labels" in bad["message"]
    # 30 points in d = 3: far above brute's face budget (1-D data of this size it now solves)
    text = json.dumps(
        {
            "format": "exactfit-instance/1",
            "units": 1,
            "X": [[i, i * i % 7, i % 5] for i in range(30)],
            "y": list(range(30)),
        }
    )
    declined = run_job(Job("big", "big.json", text, "brute", 5.0))
    assert declined["status"] == "unsupported"
    assert declined["message"]


def test_one_line_per_run_and_consistent(library, tmp_path):
    out = tmp_path / "r.jsonl"
    records = run_benchmark(discover([str(library)]), SOLVERS, time_limit=30, output=out)
    assert len(records) == 9
    assert load_records(out) == records
    assert {r["status"] for r in records} == {"optimal"}


def test_interrupted_run_loses_nothing_and_resume_completes(library, tmp_path):
    out = tmp_path / "r.jsonl"
    instances = discover([str(library)])

    def interrupt_after_four(done, total, record):
        if done == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_benchmark(instances, SOLVERS, time_limit=30, output=out, progress=interrupt_after_four)
    first = load_records(out)
    assert len(first) == 4  # every finished run is on disk
    # The process also died while writing a fifth line.
    with open(out, "a") as fh:
        fh.write('{"format": "exactfit-bench/1", "instance": "tiny_b", "sol')
    kept = out.read_bytes()[: out.read_bytes().rfind(b"\n") + 1]

    seen = []
    records = run_benchmark(
        instances, SOLVERS, time_limit=30, output=out, resume=True,
        progress=lambda done, total, record: seen.append((done, total)),
    )  # fmt: skip
    assert seen[-1] == (5, 5)  # only the five missing pairs ran
    assert out.read_bytes().startswith(kept)  # earlier lines untouched, torn line dropped
    on_disk = load_records(out)
    assert on_disk == records
    assert len(on_disk) == 9
    assert len({(r["instance"], r["solver"]) for r in on_disk}) == 9
    # Nothing left to do: a second resume runs nothing and changes nothing.
    before = out.read_bytes()
    run_benchmark(instances, SOLVERS, time_limit=30, output=out, resume=True)
    assert out.read_bytes() == before


def test_existing_results_need_resume_and_the_same_limit(library, tmp_path):
    out = tmp_path / "r.jsonl"
    instances = discover([str(library / "fit" / "tiny_a.json")])
    run_benchmark(instances, ["enum"], time_limit=30, output=out)
    with pytest.raises(InputError, match="pass --resume"):
        run_benchmark(instances, ["enum"], time_limit=30, output=out)
    with pytest.raises(InputError, match="time limit 30 s but --time-limit is 5 s"):
        run_benchmark(instances, ["enum"], time_limit=5, output=out, resume=True)


def test_process_pool_matches_in_process(library, tmp_path):
    instances = discover([str(library)])
    inline = run_benchmark(instances, SOLVERS, time_limit=30, output=tmp_path / "a.jsonl")
    pooled = run_benchmark(instances, SOLVERS, time_limit=30, output=tmp_path / "b.jsonl", jobs=2)
    assert_same_outcomes(inline, pooled)


def test_local_dask_cluster_matches_local_run(library, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    instances = discover([str(library)])
    local = run_benchmark(instances, SOLVERS, time_limit=30, output=tmp_path / "local.jsonl")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_benchmark(
            instances, SOLVERS, time_limit=30, output=tmp_path / "dask.jsonl", client=client
        )
        # The same through a scheduler address, as `--scheduler ADDRESS` does.
        by_address = run_benchmark(
            instances[:1], ["enum"], time_limit=30, output=tmp_path / "addr.jsonl",
            scheduler=cluster.scheduler_address,
        )  # fmt: skip
    assert_same_outcomes(local, remote)
    assert load_records(tmp_path / "dask.jsonl") == remote
    assert_same_outcomes([r for r in local if r["solver"] == "enum"][:1], by_address)


def test_sharded_enum_matches_single_process(make_problem, tmp_path):
    """Enumeration cells split over the executor give the single-process answer exactly."""
    distributed = pytest.importorskip("dask.distributed")
    from exactfit.io import write_instance

    write_instance(make_problem(14, 2, 1, 7), tmp_path / "mid.json")
    instances = discover([str(tmp_path / "mid.json")])
    single = run_benchmark(instances, ["enum"], time_limit=60, output=tmp_path / "one.jsonl")
    pooled = run_benchmark(
        instances, ["enum"], time_limit=60, output=tmp_path / "pool.jsonl", jobs=2, shards=3
    )
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        spread = run_benchmark(
            instances, ["enum"], time_limit=60, output=tmp_path / "dask.jsonl", client=client,
            shards=4,
        )  # fmt: skip
    assert single[0]["status"] == "optimal"
    for other, m in ((pooled, 3), (spread, 4)):
        assert other[0]["shards"] == m
        assert other[0]["status"] == single[0]["status"]
        assert other[0]["objective"] == single[0]["objective"]  # identical, not just close


def test_progress_only_on_a_terminal(library, tmp_path):
    """One live display: the [i/N] header stays, and a nested line shows the serial run in
    progress; nothing at all when the stream is not a terminal."""
    import io

    from exactfit.bench.runner import live_display, record_line

    with live_display(io.StringIO()) as hooks:
        assert hooks == {}

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    record = {"instance": "p", "solver": "enum", "status": "optimal", "wall_s": 0.5}
    assert record_line(1, 2, record) == "[1/2] p enum: optimal 0.50s"
    term = Terminal()
    starts = []
    with live_display(term) as hooks:
        started = hooks["started"]
        hooks["started"] = lambda job: (starts.append(job), started(job))
        run_benchmark(
            discover([str(library)]), ["enum"], time_limit=30, output=tmp_path / "r", **hooks
        )
    from terminal import screen

    text = term.getvalue()
    assert len(starts) == 3
    assert "[1/3] tiny_a enum: optimal" in text
    assert "\n  ↳ tiny_b" in text  # the nested line of the next run, under the header
    # the nested line is gone at the end; the header line is whole, with nothing stale
    (final,) = screen(text)
    assert final.startswith("[3/3] tiny_c enum: optimal ") and final.endswith("s")


def test_a_run_the_user_interrupted_is_not_recorded_and_resume_runs_it(library, tmp_path):
    """A Ctrl-C during a run (here: requested as the first run ends) writes nothing for it;
    an old record with limit 'interrupt' does not count as done on --resume."""
    from exactfit import interrupt

    out = tmp_path / "r.jsonl"
    instances = discover([str(library)])

    def ctrl_c_once(done, total, record):
        if done == 1:
            interrupt.request()

    with pytest.raises(KeyboardInterrupt):
        run_benchmark(instances, ["enum"], time_limit=30, output=out, progress=ctrl_c_once)
    first = out.read_text().splitlines()
    assert len(first) == 1
    stale = dict(json.loads(first[0]), instance="tiny_b", status="feasible", limit="interrupt")
    with open(out, "a") as fh:
        fh.write(json.dumps(stale) + "\n")
    records = run_benchmark(instances, ["enum"], time_limit=30, output=out, resume=True)
    assert sorted(r["instance"] for r in records) == ["tiny_a", "tiny_b", "tiny_c"]
    assert all(r["limit"] is None for r in load_records(out))


class _Terminal:
    """A fake terminal for the live display (rich draws on it directly)."""

    def __init__(self):
        import io

        self.buffer = io.StringIO()

    def write(self, text):
        return self.buffer.write(text)

    def flush(self):
        pass

    def isatty(self):
        return True


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_parallel_runs_show_one_nested_line_each(executor, library, tmp_path):
    """-j 2 and a Dask cluster: each run's worker forwards its progress, so every job gets a
    nested line (its instance and solver) with the solver's own figures, under the header;
    the lines go when their runs end."""
    from terminal import screen

    from exactfit.bench.runner import live_display

    instances = discover([str(library)])
    term = _Terminal()
    got = []
    with live_display(term) as hooks, contextlib.ExitStack() as stack:
        relay = hooks["relay"]
        receive = relay.receive
        relay.receive = lambda message: (got.append(message), receive(message))
        options = {"jobs": 2}
        if executor == "dask":
            distributed = pytest.importorskip("dask.distributed")
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
                )
            )
            options = {"client": stack.enter_context(distributed.Client(cluster))}
        records = run_benchmark(
            instances, ["enum", "ortools"], time_limit=30, output=tmp_path / "r", **hooks,
            **options,
        )  # fmt: skip
    assert len(records) == 6
    keys = {f"{r['instance']} {r['solver']}" for r in records}
    starts = {m["job"] for m in got if "start" in m}
    assert starts == keys  # every run announced itself from its worker
    snaps = [m for m in got if "snap" in m]
    # the forwarded snapshots are the solvers' own ("": an exact phase, whoever's answer)
    assert {m["snap"]["solver"] for m in snaps} - {""} == {"enum", "ortools"}
    for m in snaps:
        assert m["snap"]["solver"] in ("", m["job"].split()[1])
    text = term.buffer.getvalue()
    for key in keys:
        instance, solver = key.split()
        assert f"  ↳ {instance}  {solver}" in text
    # nothing is left of the nested lines: the final frame is the last header
    (final,) = screen(text)
    assert final.startswith("[6/6] ")
    assert not relay.display.lines


def test_forwarding_holds_back_and_merges_between_sends(monkeypatch):
    """At most FORWARD_PER_S sends a second per run: what is held back is merged into the
    next send (an incumbent reported in between is not lost); a new phase goes at once and
    starts its own work count."""
    from exactfit.bench import relay
    from exactfit.progress import Snapshot

    clock = [100.0]
    monkeypatch.setattr(relay.time, "monotonic", lambda: clock[0])
    box = relay._Outbox("p enum", lambda message: None)
    first = box.take(Snapshot("enum", "enumerate", incumbent=5.0, done=1, total=9, unit="cells"))
    assert first["job"] == "p enum" and first["snap"]["incumbent"] == 5.0
    assert box.take(Snapshot("enum", "enumerate", incumbent=3.0)) is None  # held back
    assert box.take(Snapshot("enum", "enumerate", bound=1.0, done=4, total=9, unit="cells")) is None
    clock[0] += 1 / relay.FORWARD_PER_S
    message = box.take(Snapshot("enum", "enumerate", done=6, total=9, unit="cells"))
    assert message["snap"] == {
        "solver": "enum", "phase": "enumerate", "incumbent": 3.0, "bound": 1.0,
        "done": 6, "total": 9, "unit": "cells",
    }  # fmt: skip
    now = box.take(Snapshot("enum", "search"))  # a new phase: at once, without the old count
    assert now["snap"]["phase"] == "search" and now["snap"]["done"] is None
    assert now["snap"]["incumbent"] == 3.0
