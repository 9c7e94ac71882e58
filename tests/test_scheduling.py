"""The README's test command shares its tests between cores (pytest-xdist, ``--dist loadgroup``)
and relies on the root ``conftest.py`` to keep together what must run in one process. Checked on
a small suite run in a subprocess with the installed pytest and pytest-xdist: tests that rest on
one module-scoped fixture run in one worker, which sets the fixture up once, in order; each of the
other tests is a unit of work of its own, for whichever worker is free. (Under pytest 9.2,
pytest-xdist 3.8 stops grouping silently, pytest-dev/pytest-xdist#1386: this test would say so.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from tests.helpers import ROOT

SUITE = """\
import os

import pytest


@pytest.fixture(scope="module")
def shared():
    with open(os.environ["SETUPS"], "a", encoding="utf-8") as fh:
        fh.write(os.environ.get("PYTEST_XDIST_WORKER", "main") + "\\n")


@pytest.mark.parametrize("i", range(8))
def test_on_the_shared_fixture(shared, i):
    with open(os.environ["ORDER"], "a", encoding="utf-8") as fh:
        fh.write(f"{i}\\n")


@pytest.mark.parametrize("i", range(8))
def test_alone(i):
    pass
"""


def _run(folder, conftest: bool):
    if conftest:
        shutil.copy2(ROOT / "conftest.py", folder / "conftest.py")
    (folder / "test_suite.py").write_text(SUITE, encoding="utf-8")
    env = {**os.environ, "SETUPS": str(folder / "setups"), "ORDER": str(folder / "order")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v"]
        + ["-p", "no:cacheprovider", "test_suite.py"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    workers = {
        name: set(re.findall(rf"\[(gw\d)\][^\n]*PASSED[^\n]*{name}", result.stdout))
        for name in ("test_on_the_shared_fixture", "test_alone")
    }
    # in the report, a grouped test's id carries its group after "@"
    passed = re.findall(r"PASSED (\S+)", result.stdout)
    workers["grouped"] = {i.split("::")[-1].split("[")[0] for i in passed if "@" in i}
    setups = (folder / "setups").read_text(encoding="utf-8").split()
    order = (folder / "order").read_text(encoding="utf-8").split()
    return workers, setups, order


def test_a_group_runs_in_one_worker_and_the_rest_are_units_of_their_own(tmp_path):
    workers, setups, order = _run(tmp_path, conftest=True)
    assert len(workers["test_on_the_shared_fixture"]) == 1, workers
    assert len(setups) == 1, f"the module fixture was set up in {setups}"
    assert order == [str(i) for i in range(8)], order
    assert workers["grouped"] == {"test_on_the_shared_fixture"}, workers


def test_without_the_groups_the_fixture_is_set_up_in_each_worker(tmp_path):
    """The check above can fail: without the root conftest's groups, both workers set the
    module fixture up."""
    workers, setups, _ = _run(tmp_path, conftest=False)
    assert len(setups) == 2 and len(workers["test_on_the_shared_fixture"]) == 2
