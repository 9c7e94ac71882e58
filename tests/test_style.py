"""Lint and format: ruff (pinned in requirements.txt, configured in pyproject.toml) passes over
the package, the tests, the benchmark and the book's notebooks, and fails the test run on a
violation; and the notebooks read as teaching code (title first, short cells, prose before each)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from sovbook.project import notebooks
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


# ---------------------------------------------------------------- notebooks that teach

#: the longest code cell a notebook may hold (longer logic belongs in the package)
MAX_CELL_LINES = 40


def notebook_shape_problems(nb) -> list[str]:
    """What keeps a notebook from reading as teaching code: a first cell that is not the title
    (a markdown ``# `` heading), a code cell over :data:`MAX_CELL_LINES` lines, a code cell
    after the setup cell with no prose right before it, or a second way of gluing (myst-nb's
    ``glue`` called directly instead of ``render.say``)."""
    problems = []
    cells = nb.cells
    if not cells or cells[0].cell_type != "markdown" or not cells[0].source.startswith("# "):
        problems.append("the first cell is not the title")
    code = [i for i, c in enumerate(cells) if c.cell_type == "code"]
    for i in code:
        lines = len(cells[i].source.splitlines())
        if lines > MAX_CELL_LINES:
            problems.append(f"cell {i}: {lines} lines of code (at most {MAX_CELL_LINES})")
    for i in code[1:]:
        if cells[i - 1].cell_type != "markdown":
            problems.append(f"cell {i}: no prose before it")
    for i in code:
        if re.search(r"\bmyst_nb\b|(?<![.\w])glue\(", cells[i].source):
            problems.append(f"cell {i}: glues with myst-nb directly (use render.say)")
    return problems


@pytest.mark.parametrize("path", notebooks(ROOT), ids=lambda p: p.name)
def test_notebooks_teach(path):
    assert notebook_shape_problems(nbformat.read(path, as_version=4)) == []


def test_the_notebook_check_can_fail():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("\n".join(f"y{i} = {i}" for i in range(MAX_CELL_LINES + 1))),
        nbformat.v4.new_markdown_cell("The value, glued."),
        nbformat.v4.new_code_cell("from myst_nb import glue\n\nglue('x', 1, display=False)"),
    ]
    assert notebook_shape_problems(nb) == [
        "the first cell is not the title",
        f"cell 1: {MAX_CELL_LINES + 1} lines of code (at most {MAX_CELL_LINES})",
        "cell 1: no prose before it",
        "cell 3: glues with myst-nb directly (use render.say)",
    ]
