"""Where the public benchmark data is: ``../shared/bench`` beside the project, read in place.

Its README asks that it never be copied into the repository, so tests that need it skip with the
reason when it is absent; CI sets ``C2M_REQUIRE_BENCH=1``, which turns a missing folder into a
failed run instead of a silently thinner one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"

if os.environ.get("C2M_REQUIRE_BENCH") == "1" and not BENCH.is_dir():
    raise RuntimeError(f"C2M_REQUIRE_BENCH=1 but the benchmark data is not at {BENCH}")

needs_bench = pytest.mark.skipif(
    not BENCH.is_dir(), reason=f"the benchmark data is not at {BENCH} (see docs/development.md)"
)
