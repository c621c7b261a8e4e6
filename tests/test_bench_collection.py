"""`make bench` must run every benchmark: the target's own pytest line collects a test in each bench_*.py
(pytest's default collects test_*.py only, and the target once ended on "no tests ran")."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_bench_collects_every_benchmark_file():
    recipe = re.search(r"^bench:.*\n\t(?P<line>.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert recipe, "the Makefile has a bench target"
    args = shlex.split(recipe["line"])[1:]  # without $(VENV)/bin/pytest
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "--collect-only", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    files = {str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "benchmarks").glob("bench_*.py")}
    assert files and files <= collected, files - collected
