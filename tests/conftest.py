"""Hypothesis profiles: deterministic by default, exploring on request.

CI must give the same verdict on the same commit, so the default profile ``ci`` draws every
property test's examples from a seed fixed by the test (``derandomize``) and keeps no example
database.  To hunt for new counterexamples run with ``HYPOTHESIS_PROFILE=explore`` (fresh
random examples, five times as many); a failure it finds becomes an explicit case in the test.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
