"""Fixtures shared by the tests: the book is built once per test session, from a fresh copy of
its sources, served on 127.0.0.1 and opened in headless Chromium through Playwright. Helpers
that are not fixtures are in ``tests/helpers.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT, copy_project, jupyter_book_build, serve


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_root(tmp_path_factory) -> Path:
    """A fresh copy of the book, built once per session with the README's strict command. The
    execution cache of the working tree's last build comes along, so notebooks the README's
    setup command has executed are not executed again; Sphinx reads and writes every page."""
    built = copy_project(tmp_path_factory.mktemp("book"), execution_cache=True)
    result = jupyter_book_build(built)
    if result.returncode != 0 or "build succeeded" not in result.stdout:
        pytest.fail(f"strict build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
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
