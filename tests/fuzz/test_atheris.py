"""The coverage-guided fuzzers' short budget in `make test` (`make fuzz` runs them for minutes): each target
runs a bounded number of inputs from the seed corpus in a process of its own, and fails on the first input
that breaks an invariant or raises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris ships wheels for x86_64 Linux only")
ROOT = Path(__file__).resolve().parents[2]
RUNS = os.environ.get("ATHERIS_RUNS", "4000")


@pytest.mark.parametrize("target", ["normalizer", "webhook"])
def test_the_coverage_guided_fuzzer_finds_no_failing_input(target: str, tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fuzz.atheris_targets",
            target,
            str(tmp_path / "corpus"),
            f"-runs={RUNS}",
            f"-artifact_prefix={tmp_path}/",
            "-max_len=4096",
            "-rss_limit_mb=2048",
            "-seed=1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    crashes = sorted(path.name for path in tmp_path.glob("crash-*"))
    assert completed.returncode == 0 and not crashes, (crashes, completed.stderr[-3000:])
    assert f"Done {RUNS} runs" in completed.stderr, completed.stderr[-1000:]
