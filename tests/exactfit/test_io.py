"""Instance and solution files: exact round trips, CSV, atomic writes, one-line errors."""

import json
from fractions import Fraction as F

import pytest

from exactfit.errors import InputError
from exactfit.generate import planted_fit
from exactfit.io import (
    dump_number,
    read_csv,
    read_instance,
    read_solution,
    write_instance,
    write_solution,
)
from exactfit.problem import FitProblem, InvalidInstance, ReluNetwork, Unit
from exactfit.result import finalize


@pytest.mark.parametrize(
    ("value", "dumped"),
    [(F(3), 3), (F(1, 4), 0.25), (F(1, 3), "1/3"), (F(-2, 7), "-2/7"), (0.1, 0.1)],
)
def test_dump_number_is_exact(value, dumped):
    assert dump_number(value) == dumped
    assert F(dumped) == F(value)


def test_instance_round_trip_is_exact(tmp_path):
    p = FitProblem(
        [["1/3", 0.1], [2, "-5/7"]],
        ["1/9", 2],
        sample_weight=[1, "3/2"],
        units=2,
        bias=False,
        output_signs=[1, -1],
        weight_bound="7/3",
        meta={"seed": 4},
    )
    path = tmp_path / "p.json"
    write_instance(p, path)
    q = read_instance(path)
    assert (q.X, q.y, q.sample_weight) == (p.X, p.y, p.sample_weight)
    assert (q.units, q.bias, q.output_signs, q.weight_bound) == (2, False, (1, -1), F(7, 3))
    assert dict(q.meta) == {"seed": 4}


def test_solution_round_trip(tmp_path):
    p = planted_fit(6, 1, seed=2)
    net = ReluNetwork((Unit(1, (0.5,), -0.25),))
    r = finalize(p, net, bound=0.0, solver="test", wall_s=0.1, proven=False)
    path = tmp_path / "s.json"
    write_solution(r, path)
    s = read_solution(path)
    assert s.network == net
    assert s.objective == r.objective and s.status == "feasible" and s.bound == 0.0


def test_csv(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,label,b\n1,2,3\n0.5,1/3,-1\n")
    p = read_csv(path, target="label")
    assert ((F(1), F(3)), (F(1, 2), F(-1))) == p.X
    assert p.y == (F(2), F(1, 3))
    assert read_instance(path).y == (F(3), F(-1))  # default target: last column


HEAD = '"format": "exactfit-instance/1", "units": 1'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "malformed JSON at line 1 column 2"),
        ('{"X": [[1]], "y": [NaN]}', "found NaN in the JSON"),
        (f'{{{HEAD}, "X": [[1], [1, 2]], "y": [1, 2]}}', "ragged rows"),
        (f'{{{HEAD}, "X": [[1]]}}', "at /y: expected a non-empty list of numbers"),
        ('{"units": 1, "X": [[1]], "y": [1]}', "at /format: expected the string"),
        ('{"format": "exactfit-instance/1", "X": [[1]], "y": [1]}', "at /units: expected an"),
        (f'{{{HEAD}, "X": [[1]], "y": [1], "unitz": 2}}', "found the key 'unitz'"),
        ("[1, 2]", "at /: expected an instance object"),
        (
            '{"format": "other/2", "units": 1, "X": [[1]], "y": [1]}',
            "at /format: expected the string 'exactfit-instance/1', found 'other/2'",
        ),
        (f'{{{HEAD}, "X": [[1]], "y": [1], "bias": "no"}}', "at /bias: expected true or false"),
        (f'{{{HEAD}, "X": [[1]], "y": ["1e999999"]}}', "decimal exponent within ±1000"),
        pytest.param(
            f'{{{HEAD}, "X": [[1]], "y": [1{"0" * 5000}]}}', "at most 1000 digits", id="digits"
        ),
        pytest.param("[" * 100_000 + "]" * 100_000, "nested at most 64 levels", id="deep"),
    ],
)
def test_bad_instances(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_instance(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file():
    with pytest.raises(InputError, match="no such file"):
        read_instance("/nonexistent/x.json")


def test_csv_errors(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,2\n3\n")
    with pytest.raises(InvalidInstance, match="line 3 has 1 cells but the header has 2"):
        read_csv(path)
    with pytest.raises(InvalidInstance, match="no column named 'z'"):
        read_csv(path, target="z")


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    path = tmp_path / "out.json"
    p = FitProblem([[1]], [1], meta={"bad": object()})
    with pytest.raises(TypeError):
        write_instance(p, path)
    assert list(tmp_path.iterdir()) == []


def test_solution_json_fields(tmp_path):
    p = planted_fit(5, 1, seed=1)
    r = finalize(
        p, ReluNetwork((Unit(1, (1.0,), 0.0),)), bound=None, solver="x", wall_s=0.0, proven=False
    )
    path = tmp_path / "s.json"
    write_solution(r, path)
    data = json.loads(path.read_text())
    assert data["format"] == "exactfit-solution/1"
    assert set(data) >= {"status", "objective", "bound", "network", "solver", "wall_s", "stats"}
    assert (
        data["objective_exact"] == f"{r.objective_exact.numerator}/{r.objective_exact.denominator}"
    )


def test_the_proof_level_round_trips_and_is_validated(tmp_path):
    import exactfit

    p = planted_fit(6, 1, noise=0.0, seed=2)  # realizable: enum proves 0 exactly
    r = exactfit.solve(p, "enum")
    assert r.proof is not None and r.proof.value == "exact"
    path = tmp_path / "s.json"
    write_solution(r, path)
    s = read_solution(path)
    assert s.proof == "exact" and s.proof_detail == r.proof_detail
    data = json.loads(path.read_text())
    for proof, status, message in (
        ("certain", "optimal", "at /proof: expected null, 'exact' or 'tolerance', found 'certain'"),
        ("exact", "feasible", "at /proof: expected null .only an optimal solution carries a proof"),
    ):
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({**data, "proof": proof, "status": status}))
        with pytest.raises(InvalidInstance, match=message):
            read_solution(bad)


def _peak_bytes(fn):
    """The peak of memory allocated while ``fn()`` runs (it must raise InputError)."""
    import tracemalloc

    from exactfit.errors import InputError

    tracemalloc.start()
    try:
        with pytest.raises(InputError) as info:
            fn()
        return tracemalloc.get_traced_memory()[1], str(info.value)
    finally:
        tracemalloc.stop()


def test_a_json_document_of_too_many_values_is_refused_on_its_raw_text():
    """3·10⁶ numbers: refused by the count of commas before the parser allocates a value
    (a full parse would allocate a list of 3·10⁶ entries, 24 MB of pointers alone)."""
    from exactfit.files import parse_json
    from exactfit.limits import MAX_JSON_VALUES

    text = '{"y": [' + "0," * (3 * 10**6) + "0]}"
    peak, message = _peak_bytes(lambda: parse_json(text, "big.json"))
    assert message == (
        f"big.json: expected at most {MAX_JSON_VALUES:,} values in the JSON document, "
        f"found up to {3 * 10**6 + 1:,} (its commas + 1); subsample the data"
    )
    assert peak < 10**6


def test_an_instance_of_too_many_numbers_stops_while_parsing(tmp_path):
    """1.5·10⁶ numbers, under the value cap: the parse stops at the first number over the
    instance cap (the message is the parser's, not the data check's after a whole parse)."""
    from exactfit.io import read_instance
    from exactfit.limits import MAX_ENTRIES, MAX_EXTRA_NUMBERS

    n = 500_000
    path = tmp_path / "big.json"
    rows = ",".join(["[0,0]"] * n)
    path.write_text(f'{{"format": "exactfit-instance/1", "units": 1, "X": [{rows}], '
                    f'"y": [{",".join(["0"] * n)}]}}')  # fmt: skip
    _, message = _peak_bytes(lambda: read_instance(path))
    cap = MAX_ENTRIES + MAX_EXTRA_NUMBERS
    assert message == (
        f"{path}: expected at most {cap:,} numbers in the document, found more; subsample the "
        "data or reduce the features"
    )


def test_a_csv_of_too_many_cells_is_refused_on_its_raw_text(tmp_path):
    from exactfit.io import read_csv

    path = tmp_path / "big.csv"
    path.write_text("x,y\n" + "0,0\n" * 600_000)
    size = path.stat().st_size
    peak, message = _peak_bytes(lambda: read_csv(path))
    assert "expected a CSV of at most 1,010,000 cells, found up to 1,200,003" in message
    assert peak < 3 * size  # the file read (bytes, then str), and nothing of the cells
