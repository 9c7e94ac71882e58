"""Fixtures shared by the tests: the book is built once per test session, from a fresh copy of
its sources, served on 127.0.0.1 and opened in headless Chromium through Playwright. Helpers
that are not fixtures are in ``tests/helpers.py``.

The README's test command runs the tests on every core (pytest-xdist, ``--dist loadgroup``).
The workers share the session's build (:func:`built_root`); the root ``conftest.py`` keeps
together what must run in one process.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from filelock import FileLock

from tests.helpers import ROOT, copy_project, jupyter_book_build, serve


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def _build_fresh_copy(target: Path) -> str | None:
    """Copy the book into ``target`` and build it; ``None`` on success, else the build's log."""
    copy_project(target, execution_cache=True)
    result = jupyter_book_build(target)
    if result.returncode != 0 or "build succeeded" not in result.stdout:
        return f"strict build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return None


@pytest.fixture(scope="session")
def built_root(tmp_path_factory) -> Path:
    """A fresh copy of the book, built once per session with the README's strict command. The
    execution cache of the working tree's last build comes along, so notebooks the README's
    setup command has executed are not executed again; Sphinx reads and writes every page.

    Under pytest-xdist the workers share one build: the first worker to need it builds it under
    a file lock and records the outcome; the others wait for the lock and read the outcome (a
    failed build fails their tests too, with the same log). Tests only read the built copy."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        built = tmp_path_factory.mktemp("book")
        failure = _build_fresh_copy(built)
        if failure:
            pytest.fail(failure)
        return built
    built = tmp_path_factory.getbasetemp().parent / "shared-book"
    outcome = built.with_name("shared-book.outcome.json")
    with FileLock(str(built) + ".lock"):
        if not outcome.is_file():
            built.mkdir()
            outcome.write_text(json.dumps({"failure": _build_fresh_copy(built)}), encoding="utf-8")
    failure = json.loads(outcome.read_text(encoding="utf-8"))["failure"]
    if failure:
        pytest.fail(failure)
    return built


@pytest.fixture(scope="session")
def html_dir(built_root) -> Path:
    """The built book's HTML."""
    return built_root / "_build" / "html"


@pytest.fixture(scope="session")
def server(html_dir):
    with serve(html_dir) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from sovbook.browser import chromium_path, launch

    if not Path(chromium_path()).exists():
        pytest.fail(
            f"Chromium not found at {chromium_path()}: "
            "install Debian's chromium or set SOVBOOK_CHROMIUM"
        )
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
