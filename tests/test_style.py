"""Lint and format: ruff (pinned in requirements.txt, configured in pyproject.toml) passes over
the package, the tests, the benchmark and the book's notebooks, and fails the test run on a
violation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

RUFF = str(Path(sys.executable).with_name("ruff"))


def _ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([RUFF, *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("command", [("check", "."), ("format", "--check", ".")], ids=" ".join)
def test_ruff_passes(command):
    result = _ruff(*command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_covers_the_package_the_tests_the_benchmark_and_the_notebooks():
    result = _ruff("check", "--show-files", ".")
    assert result.returncode == 0, result.stderr
    checked = {Path(line).resolve().relative_to(ROOT).as_posix() for line in result.stdout.split()}
    listed = subprocess.run(
        ["git", "ls-files", "--", "sovbook/*.py", "tests/*.py", "benchmarks/*.py", "book/*.ipynb"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    tracked = set(listed.stdout.split())
    assert {
        "sovbook/sphinx.py",
        "tests/helpers.py",
        "benchmarks/benchmark.py",
        "book/class-categories.ipynb",
    } <= tracked
    assert tracked - checked == set()


def test_ruff_fails_on_a_violation(tmp_path):
    """The two checks above can fail: with the project's settings, an unused import and a line
    over 100 characters are lint errors, and unformatted code fails the format check."""
    (tmp_path / "bad.py").write_text(
        "import os\nx = {'a':1}\ny = '" + "z" * 100 + "'\n", encoding="utf-8"
    )
    config = str(ROOT / "pyproject.toml")
    lint = _ruff("check", "--config", config, "bad.py", cwd=tmp_path)
    assert lint.returncode == 1 and "F401" in lint.stdout and "E501" in lint.stdout, lint.stdout
    form = _ruff("format", "--check", "--config", config, "bad.py", cwd=tmp_path)
    assert form.returncode == 1 and "bad.py" in form.stdout, form.stdout
