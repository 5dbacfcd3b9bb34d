"""The shipped JSON Schemas agree with the readers: every library instance and every written
solution is accepted by both, and each malformed case is refused by both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import exactfit
from exactfit.errors import InputError
from exactfit.generate import planted_fit
from exactfit.io import problem_from_dict, read_instance, read_solution, solution_to_dict
from exactfit.limits import MAX_UNITS
from exactfit.numbers import NUMBER_PATTERN
from exactfit.schema import load_schema, schema_errors, validate

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted(
    p for p in (ROOT / "instances").rglob("*.json") if '"exactfit-instance/1"' in p.read_text()
)
GOOD = {"format": "exactfit-instance/1", "units": 1, "X": [[0], [1]], "y": [0, "1/2"]}


def _errors(data, name):
    schema = load_schema(name)
    return schema_errors(data, schema, schema, "")


def test_the_library_is_not_empty():
    assert len(LIBRARY) >= 50


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_schema_and_reader_accept_every_library_instance(path):
    assert _errors(json.loads(path.read_text()), "instance") == []
    assert read_instance(path).n >= 1


MALFORMED = [
    ("not-object", [1, 2]),
    ("no-format", {k: v for k, v in GOOD.items() if k != "format"}),
    ("no-units", {k: v for k, v in GOOD.items() if k != "units"}),
    ("no-X", {k: v for k, v in GOOD.items() if k != "X"}),
    ("other-format", {**GOOD, "format": "exactfit-instance/2"}),
    ("unknown-key", {**GOOD, "unitz": 2}),
    ("units-zero", {**GOOD, "units": 0}),
    ("units-huge", {**GOOD, "units": MAX_UNITS + 1}),
    ("units-bool", {**GOOD, "units": True}),
    ("units-string", {**GOOD, "units": "1"}),
    ("bias-string", {**GOOD, "bias": "no"}),
    ("X-empty", {**GOOD, "X": []}),
    ("X-flat", {**GOOD, "X": [0, 1]}),
    ("X-empty-row", {**GOOD, "X": [[], []]}),
    ("X-bool", {**GOOD, "X": [[True], [1]]}),
    ("X-word", {**GOOD, "X": [["abc"], [1]]}),
    ("X-underscore", {**GOOD, "X": [["1_000"], [1]]}),
    ("y-empty", {**GOOD, "y": []}),
    ("y-null", {**GOOD, "y": [None, 1]}),
    ("signs-word", {**GOOD, "output_signs": "positive"}),
    ("signs-two", {**GOOD, "output_signs": [2]}),
    ("signs-bool", {**GOOD, "output_signs": [True]}),
    ("bound-word", {**GOOD, "weight_bound": "big"}),
    ("weights-object", {**GOOD, "sample_weight": {"a": 1}}),
    ("meta-list", {**GOOD, "meta": [1]}),
]


@pytest.mark.parametrize("data", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_schema_and_reader_refuse_malformed_instances(data):
    assert _errors(data, "instance") != []
    with pytest.raises(InputError, match=r"instance\.schema\.json"):
        problem_from_dict(data, "case")


def test_the_error_names_the_path_and_what_belongs_there():
    with pytest.raises(InputError) as info:
        validate({**GOOD, "X": [[0], ["abc"]]}, "instance", "f.json")
    assert str(info.value) == (
        "f.json: at /X/1/0: expected a number, or a string like '3/7' or '-0.25' (an exact "
        "rational), found 'abc' (schema instance.schema.json, docs/formats.md)"
    )


def test_schema_constants_match_the_code():
    inst = load_schema("instance")
    assert inst["properties"]["units"]["maximum"] == MAX_UNITS
    assert inst["$defs"]["number"]["oneOf"][1]["pattern"] == NUMBER_PATTERN
    assert inst["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert load_schema("solution")["$defs"]["number"] == inst["$defs"]["number"]


@pytest.fixture(scope="module")
def solutions():
    problem = planted_fit(6, 1, noise=0.1, seed=3)
    out = [solution_to_dict(exactfit.solve(problem, s, time_limit=20)) for s in ("enum", "brute")]
    out.append(
        solution_to_dict(exactfit.solve(planted_fit(30, 2, seed=1), "scip", time_limit=0.01))
    )
    return out


def test_schema_and_reader_accept_written_solutions(solutions, tmp_path):
    assert {s["status"] for s in solutions} >= {"optimal"}
    for i, sol in enumerate(solutions):
        assert _errors(sol, "solution") == []
        path = tmp_path / f"s{i}.json"
        path.write_text(json.dumps(sol))
        assert read_solution(path).status == sol["status"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"network": None}, "/network"),
        ({"status": "solved"}, "/status"),
        ({"proof": "certain"}, "/proof"),
        ({"status": "feasible", "proof": "exact"}, "/proof"),
        ({"limit": "patience"}, "/limit"),
        ({"objective": "0.5"}, "/objective"),
        ({"wall_s": -1}, "/wall_s"),
        ({"netwrok": {}}, "the key 'netwrok'"),
        ({"network": {"units": []}}, "/network"),
        ({"network": {"units": [{"a": 2, "w": [1], "b": 0}]}}, "/network/units/0/a"),
        ({"objective_exact": "0.5"}, "/objective_exact"),
    ],
)
def test_schema_and_reader_refuse_malformed_solutions(solutions, tmp_path, change, where):
    bad = {**solutions[0], **change}
    assert _errors(bad, "solution") != []
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(InputError, match=r"solution\.schema\.json") as info:
        read_solution(path)
    assert where in str(info.value)


def test_validator_json_semantics():
    schema = {"type": "integer", "enum": [1, -1]}
    assert schema_errors(True, schema, schema, "") != []  # true is not 1 in JSON
    assert schema_errors(1.0, schema, schema, "") == []  # 1.0 is the integer 1
    one_of = {"oneOf": [{"type": "number"}, {"type": "integer"}]}
    assert schema_errors(2, one_of, one_of, "") != []  # matches both: not exactly one
    assert schema_errors(2.5, one_of, one_of, "") == []
