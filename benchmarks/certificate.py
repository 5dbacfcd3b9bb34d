"""Benchmark: what the exact certificate costs, on the cases of ``benchmarks/enumeration.py``.

For each case (the data model of that benchmark, its first seed) prints: enum's time (wall, and
CPU under ``cpu f`` / ``cpu x``) without the
certificate (``certify=False``, proof "tolerance"), the certified default (proof "exact"),
their ratio, the certificate's nodes and leaves, the time of the independent checker on it,
and whether the certified answer's exact loss is within the proof's relative gap of the float
one (``=``) or lower (``<``: the prover found a better network).  Times are the minimum over
``--repeat`` runs.

``--library`` runs the two-unit instances of ``instances/fit`` instead (those ``enum`` takes).

Usage::

    python benchmarks/certificate.py                 # every case of enumeration.py
    python benchmarks/certificate.py --cases 200x3 20x2x2 --sigmas 0.4 --repeat 3
    python benchmarks/certificate.py --library --repeat 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from enumeration import cases_from

from exactfit import get_solver
from exactfit.certificate import check_certificate
from exactfit.io import read_instance
from exactfit.problem import exact_loss
from exactfit.result import Proof
from exactfit.solvers.enumeration.prover import GAP_RTOL


def _best(f, repeat: int):
    """``(result, min wall s, min CPU s)`` over ``repeat`` runs (CPU time is the steadier
    figure on a shared machine)."""
    out, best, cpu = None, float("inf"), float("inf")
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = f()
        best = min(best, time.perf_counter() - t)
        cpu = min(cpu, time.process_time() - c)
    return out, best, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", nargs="*", help="cases as NxD or NxDxK (default: all)")
    ap.add_argument("--sigmas", nargs="*", type=float, help="noise levels (enumeration.py's)")
    ap.add_argument("--library", action="store_true", help="the two-unit library instances")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (minimum is shown)")
    args = ap.parse_args(argv)
    enum = get_solver("enum")
    if args.library:
        root = Path(__file__).resolve().parent.parent / "instances" / "fit"
        problems = [(f.stem, read_instance(f)) for f in sorted(root.glob("*.json"))]
        problems = [(s, p) for s, p in problems if p.units > 1 and enum.unsupported(p) is None]
    else:
        cases = cases_from(args.cases, args.sigmas)
        problems = [(f"{c.n}x{c.d}x{c.k} s={c.sigma:g}", c.problem(0)) for c in cases]
    head = (
        f"{'case':>22} {'float s':>9} {'exact s':>9} {'ratio':>6} {'cpu f':>7} {'cpu x':>7} "
        f"{'ratio':>6} {'nodes':>7} {'leaves':>7} {'check s':>8} {'proof':>6} {'loss':>5}"
    )
    print(head)
    print("-" * len(head))
    for name, problem in problems:
        plain, t_plain, c_plain = _best(lambda p=problem: enum.solve(p, certify=False), args.repeat)
        cert_r, t_cert, c_cert = _best(lambda p=problem: enum.solve(p), args.repeat)
        cert = cert_r.certificate
        if cert is None:
            print(
                f"{name:>22} {t_plain:9.3f} {t_cert:9.3f} {'':6} {c_plain:7.2f} {c_cert:7.2f}"
                f"  no certificate: {cert_r.message}",
                flush=True,
            )
            continue
        verdict, t_check, _ = _best(lambda p=problem, c=cert: check_certificate(p, c), args.repeat)
        old = exact_loss(problem, plain.network)
        same = "<" if cert.upper < old * (1 - GAP_RTOL) else "="
        proof = "exact" if cert_r.proof is Proof.EXACT and verdict.ok else "FAIL"
        print(
            f"{name:>22} {t_plain:9.3f} {t_cert:9.3f} {t_cert / t_plain:6.2f} "
            f"{c_plain:7.2f} {c_cert:7.2f} {c_cert / c_plain:6.2f} {cert.size():>7,} "
            f"{verdict.leaves:>7,} {t_check:8.3f} {proof:>6} {same:>5}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
