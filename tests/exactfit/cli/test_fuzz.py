"""Fuzz test of every input the command line reads (issue 11, item 4).

Hypothesis mutates valid files of each kind (instance JSON, CSV, DIMACS graph and CNF,
hypergraph, solution JSON, bench JSONL, ``.solu``) and the values of command-line flags.  Each
case runs ``exactfit`` in-process in a fresh directory and must either be refused — exit code
2, exactly one line on stderr, nothing on stdout, no file left behind — or be a valid input
that runs to one of its command's exit codes.  No case may raise out of ``main`` (that is a
traceback) or take longer than ``CASE_TIMEOUT_S`` (a hang).

Deterministic: ``derandomize=True`` and explicit example counts (``COUNTS``, 1,140 in all);
no example database.  Run alone with
``PYTHONPATH=. python -m pytest -q -p no:cacheprovider tests/exactfit/cli/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactfit.cli import main

ROOT = Path(__file__).resolve().parents[3]
TINY = str(ROOT / "instances" / "fit" / "k2_n6_d1.json")
CASE_TIMEOUT_S = 20
COUNTS = {
    "instance": 200,
    "csv": 120,
    "graph": 120,
    "cnf": 120,
    "hypergraph": 100,
    "solution": 150,
    "jsonl": 100,
    "solu": 80,
    "flags": 150,
}
RAN: dict[str, int] = dict.fromkeys(COUNTS, 0)

# ------------------------------------------------------------------ the valid seeds
INSTANCE = {
    "format": "exactfit-instance/1",
    "X": [[0], [1], [2], ["3/2"]],
    "y": [0, 1, 0.5, "1/3"],
    "sample_weight": [1, 2, 1, 1],
    "units": 1,
    "bias": True,
    "output_signs": None,
    "weight_bound": None,
    "meta": {"seed": 1},
}
SOLUTION = {
    "format": "exactfit-solution/1",
    "status": "feasible",
    "objective": 1.25,
    "bound": 0.0,
    "gap": 1.0,
    "limit": "time",
    "proof": None,
    "proof_detail": None,
    "network": {"units": [{"a": 1, "w": [0.5], "b": "-1/4"}, {"a": -1, "w": [1], "b": 0}]},
    "solver": "enum",
    "wall_s": 0.1,
    "stats": {},
}
RECORD = {
    "format": "exactfit-bench/1",
    "instance": "k2_n6_d1",
    "path": TINY,
    "solver": "enum",
    "status": "optimal",
    "objective": 0.0053,
    "bound": 0.0053,
    "wall_s": 0.2,
    "limit": None,
    "time_limit": 10.0,
    "message": "",
}
CSV = "a,b,y\n0,1,0\n1,0,1\n2,1,1/2\n"
GRAPH = "c name: triangle\np edge 3 3\ne 1 2\ne 2 3 2\ne 1 3\n"
CNF = "c tiny\np cnf 3 2\n1 -2 3 0\n-1 2 -3 0\n"
HYPER = "p hyper 4 2\ne 1 2 3\ne 2 3 4\n"
SOLU = "=opt= k2_n6_d1 0.005303032539632679\n=best= other 1/3\n=inf= x\n=unkn= y\n"

# ------------------------------------------------------------------ the mutations
SPECIAL = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999999",
    "1" + "0" * 5000,
    '"1e999999"',
    '"' + "9" * 5000 + '"',
    "1e300",
    "-1e300",
    "1e-400",
    "[" * 3000,
    "]" * 3000,
    "\x00",
    "\ufeff",
    '"',
    "{",
    "}",
    ",",
    ":",
    "-",
    "1/0",
    '"1/0"',
    "-0",
    "true",
    "null",
    "💥",
    "\n",
    "\r\n",
    "0",
    "-1",
    "1000000000",
    "100000000",
    "99999999999999999999",
    "0.5",
    "abc",
    "1_000",
]
SMALL = st.integers(-3, 20).map(str)
HUGE = st.sampled_from(["100000000", "1000000000", "9" * 30, "1" + "0" * 5000, "-100000000"])
TOKEN = st.one_of(st.sampled_from(SPECIAL), SMALL, HUGE, st.text(max_size=8))

json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
        st.sampled_from(["1/3", "-2/7", "1e-30", "1e999999", "0", "nonnegative"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def text_mutation(draw, text: str) -> str:
    """``text`` truncated, with a token inserted or a number replaced, or lines shuffled."""
    kind = draw(st.sampled_from(["truncate", "insert", "number", "lines", "garbage"]))
    at = draw(st.integers(0, len(text)))
    if kind == "truncate":
        return text[:at]
    if kind == "insert":
        return text[:at] + draw(TOKEN) + text[at:]
    if kind == "number":
        spans = [m.span() for m in re.finditer(r"-?\d+(?:[./]\d+)?(?:e-?\d+)?", text)]
        if spans:
            a, b = draw(st.sampled_from(spans))
            return text[:a] + draw(TOKEN) + text[b:]
        return text + draw(TOKEN)
    if kind == "lines":
        lines = text.splitlines()
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        new = " ".join(draw(st.lists(TOKEN, min_size=0, max_size=5)))
        op = draw(st.sampled_from(["replace", "insert", "delete", "duplicate"]))
        if op == "replace" and lines:
            lines[i] = new
        elif op == "insert":
            lines.insert(i, new)
        elif op == "delete" and lines:
            del lines[i]
        elif lines:
            lines.insert(i, lines[i])
        return "\n".join(lines) + "\n"
    return draw(st.text(max_size=60))


@st.composite
def json_mutation(draw, base: dict) -> str:
    """A structural change of ``base`` (a key dropped, set or nested value replaced), or a
    textual mutation of its JSON."""
    data = json.loads(json.dumps(base))
    kind = draw(st.sampled_from(["drop", "set", "nested", "text", "text"]))
    if kind == "text":
        return draw(text_mutation(json.dumps(data)))
    keys = sorted(data)
    if kind == "drop":
        data.pop(draw(st.sampled_from(keys)))
    elif kind == "set":
        key = draw(st.one_of(st.sampled_from(keys), st.text(max_size=6)))
        data[key] = draw(json_value)
    else:
        node, key = data, draw(st.sampled_from(keys))
        for _ in range(draw(st.integers(0, 4))):  # walk down into lists and objects
            child = node[key]
            if isinstance(child, list) and child:
                node, key = child, draw(st.integers(0, len(child) - 1))
            elif isinstance(child, dict) and child:
                node, key = child, draw(st.sampled_from(sorted(child)))
            else:
                break
        node[key] = draw(json_value)
    return json.dumps(data)


# ------------------------------------------------------------------ running one case
class Hang(Exception):
    """A case ran past ``CASE_TIMEOUT_S``."""


def _alarm(signum, frame):
    raise Hang(f"case ran longer than {CASE_TIMEOUT_S} s")


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def run_case(files: dict[str, str], argv: list[str], ok_codes: set[int], output: str = ""):
    """Write ``files`` into a fresh directory, run ``exactfit ARGV`` there, check the contract."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        before = _listing(folder)
        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, CASE_TIMEOUT_S)
        try:
            os.chdir(folder)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    rc = main(argv)
                except SystemExit as exc:  # argparse usage errors
                    rc = exc.code
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
            os.chdir(cwd)
        after = _listing(folder)
    stderr = err.getvalue()
    assert "Traceback" not in stderr, stderr
    if rc == 2:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1, f"{argv}: {stderr!r}"
        assert len(lines[0]) < 1000, "a refusal must not echo a huge input"
        assert out.getvalue() == "", out.getvalue()[:200]
        assert after == before, f"{argv} left {sorted(after - before)}"
    else:
        assert rc in ok_codes, f"{argv}: exit {rc}, stderr {stderr[:300]!r}"
        assert after - before <= {output}, f"{argv} left {sorted(after - before)}"


def _fuzz(kind: str, strategy, check) -> None:
    """Run ``check`` on ``COUNTS[kind]`` examples of ``strategy``; count them."""

    @settings(
        max_examples=COUNTS[kind],
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value):
        RAN[kind] += 1
        check(value)

    run()
    # hypothesis may stop early only if it exhausted the space: each kind must really run
    assert RAN[kind] >= COUNTS[kind], RAN


SOLVE = {0, 10, 20, 1}
# ------------------------------------------------------------------ one test per kind


def test_fuzz_instance_json():
    _fuzz(
        "instance",
        json_mutation(INSTANCE),
        lambda t: run_case(
            {"i.json": t}, ["solve", "i.json", "--solver", "brute", "-o", "s.json"], SOLVE, "s.json"
        ),
    )


def test_fuzz_csv():
    argv = ["solve", "d.csv", "--solver", "brute", "--time-limit", "5"]
    _fuzz("csv", text_mutation(CSV), lambda t: run_case({"d.csv": t}, argv, SOLVE))


def test_fuzz_dimacs_graph():
    argv = ["reduce", "maxcut_to_relu", "g.col", "-o", "o.json"]
    _fuzz("graph", text_mutation(GRAPH), lambda t: run_case({"g.col": t}, argv, {0}, "o.json"))


def test_fuzz_dimacs_cnf():
    argv = ["reduce", "sat3_to_max2sat", "f.cnf", "-o", "o.cnf"]
    _fuzz("cnf", text_mutation(CNF), lambda t: run_case({"f.cnf": t}, argv, {0}, "o.cnf"))


def test_fuzz_hypergraph():
    argv = ["reduce", "coloring_to_relus", "h.hgr", "--units", "2", "-o", "o.json"]
    _fuzz("hypergraph", text_mutation(HYPER), lambda t: run_case({"h.hgr": t}, argv, {0}, "o.json"))


def test_fuzz_solution_json():
    argv = ["verify", TINY, "s.json"]
    _fuzz("solution", json_mutation(SOLUTION), lambda t: run_case({"s.json": t}, argv, {0, 1}))


@st.composite
def jsonl(draw) -> str:
    lines = [json.dumps(RECORD), json.dumps({**RECORD, "solver": "scip"})]
    i = draw(st.integers(0, 1))
    lines[i] = draw(json_mutation(RECORD))
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


def test_fuzz_bench_jsonl():
    argv = ["bench", "report", "r.jsonl", "--solu", "none.solu"]
    _fuzz("jsonl", jsonl(), lambda t: run_case({"r.jsonl": t, "none.solu": ""}, argv, {0, 1}))


def test_fuzz_solu():
    argv = ["bench", "report", "r.jsonl", "--solu", "x.solu"]
    files = {"r.jsonl": json.dumps(RECORD) + "\n"}
    _fuzz(
        "solu",
        text_mutation(SOLU),
        lambda t: run_case({**files, "x.solu": t}, argv, {0, 1}),
    )


FLAG_VALUE = st.one_of(st.sampled_from(SPECIAL), SMALL, HUGE, st.text(max_size=10))
# (argv template with one {} slot, accepted exit codes, output file a valid run may leave)
FLAG_CASES = [
    (["solve", TINY, "--solver", "{}", "--time-limit", "5"], SOLVE, ""),
    (["solve", TINY, "--solver", "brute", "--time-limit", "{}"], SOLVE, ""),
    (["solve", TINY, "--solver", "brute", "--units", "{}", "--time-limit", "5"], SOLVE, ""),
    (["solve", TINY, "--solver", "brute", "--signs", "{}"], SOLVE, ""),
    (["solve", TINY, "--solver", "enum", "--max-cells", "{}", "--time-limit", "5"], SOLVE, ""),
    (["solve", TINY, "--solver", "brute", "--weight-bound", "{}"], SOLVE, ""),
    (["solve", TINY, "--solver", "brute", "-o", "{}"], SOLVE, "*"),
    (["generate", "fit", "{}", "1", "-o", "g.json"], {0}, "g.json"),
    (["generate", "fit", "4", "1", "--digits", "{}", "-o", "g.json"], {0}, "g.json"),
    (["generate", "fit", "4", "1", "--noise", "{}", "-o", "g.json"], {0}, "g.json"),
    (["generate", "gnp", "{}", "0.5", "-o", "g.col"], {0}, "g.col"),
    (["generate", "named", "{}", "-o", "g.col"], {0}, "g.col"),
    (["generate", "hypergraph", "6", "{}", "3", "-o", "h.hgr"], {0}, "h.hgr"),
    (["generate", "random-3sat", "5", "{}", "-o", "f.cnf"], {0}, "f.cnf"),
    (["bench", TINY, "--solvers", "{}", "--time-limit", "5", "-o", "r.jsonl"], {0, 1}, "r.jsonl"),
    (["bench", "report", "r.jsonl", "--plot", "{}"], {0, 1}, "*"),
]


@st.composite
def flag_case(draw):
    template, codes, output = draw(st.sampled_from(FLAG_CASES))
    value = draw(FLAG_VALUE)
    if "\x00" in value:  # no OS accepts NUL in an argument
        value = value.replace("\x00", "")
    return [value if part == "{}" else part for part in template], codes, output, value


def _run_flags(case) -> None:
    argv, codes, output, value = case
    if output == "*":  # the value itself is the output path
        output = value
    files = {"r.jsonl": json.dumps(RECORD) + "\n"} if "report" in argv else {}
    run_case(files, argv, codes, output)


@pytest.mark.filterwarnings("ignore")
def test_fuzz_cli_flag_values():
    _fuzz("flags", flag_case(), _run_flags)


def test_fuzz_counts_add_up():
    assert sum(COUNTS.values()) >= 1000
