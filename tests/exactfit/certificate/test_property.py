"""Property tests (hypothesis) on ill-conditioned data: the bounds that decide an answer are
valid lower bounds and the certified answer is the exact optimum."""

from __future__ import annotations

from fractions import Fraction

from adversarial import near_collinear, near_coplanar, near_duplicates, tiny_features
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exactfit import get_solver
from exactfit.certificate import check_certificate
from exactfit.problem import exact_loss
from exactfit.result import Proof

ENUM, BRUTE = get_solver("enum"), get_solver("brute")

ILL = st.one_of(
    st.builds(near_collinear, st.integers(0, 10**6), st.sampled_from([3, 6, 9]), st.integers(3, 6)),
    st.builds(near_coplanar, st.integers(0, 10**6), st.sampled_from([3, 6, 9]), st.integers(4, 5)),
    st.builds(
        near_duplicates,
        st.integers(0, 10**6),
        st.sampled_from([Fraction(1, 10**e) for e in (4, 7, 10, 12)]),
        st.integers(3, 6),
    ),
    st.builds(
        tiny_features,
        st.integers(0, 10**6),
        # tiny and huge feature scales (the labels keep their size)
        st.sampled_from([Fraction(10) ** e for e in (-7, -6, -5, 3, 5)]),
        st.integers(2, 5),
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ILL)
def test_every_certified_bound_is_below_the_exact_optimum(problem):
    """The checker's least bound over all leaves and fixes (the pruning bounds of the proof)
    never exceeds the exact optimum, and the certified loss is that optimum (within the gap)."""
    r = ENUM.solve(problem)
    assert r.proof is Proof.EXACT
    v = check_certificate(problem, r.certificate)
    assert v.ok, v.reason
    opt = exact_loss(problem, BRUTE.solve(problem).network)
    assert v.bound <= opt <= v.upper
    assert v.upper - v.bound <= v.upper * Fraction(1, 10**10)
