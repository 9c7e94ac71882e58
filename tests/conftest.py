"""Shared fixtures: the book is built once per test session, served on 127.0.0.1,
and opened in headless Chromium through Playwright."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = str(Path(sys.executable).with_name("jupyter-book"))
BUILD_CMD = [JUPYTER_BOOK, "build", ".", "-n", "-W", "--keep-going", "--all"]


def jupyter_book_build(root: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the book's strict build in ``root``; return the finished process."""
    env = {k: v for k, v in os.environ.items() if k != "SOVBOOK_ROOT"}
    return subprocess.run(
        [*BUILD_CMD, *extra], cwd=root, env=env, capture_output=True, text=True, timeout=900
    )


def copy_project(target: Path) -> Path:
    """A copy of the book's sources (no build output, no venv) for tests that change them."""
    ignore = shutil.ignore_patterns("_build", ".venv", "__pycache__", ".git", "*.egg-info", ".ipynb_checkpoints")
    for name in ("_config.yml", "_toc.yml", "pyproject.toml", "requirements.txt"):
        shutil.copy2(ROOT / name, target / name)
    for name in ("book", "data", "seeds", "sovbook"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    return target


def copy_evidence(target: Path) -> Path:
    """A copy of what the evidence check reads (data, seeds, bibliography, config) for tests that break it."""
    for name in ("data", "seeds"):
        shutil.copytree(ROOT / name, target / name)
    (target / "book").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "book" / "references.bib", target / "book" / "references.bib")
    shutil.copy2(ROOT / "_config.yml", target / "_config.yml")
    return target


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The built book: one strict build per session (the execution cache keeps it quick)."""
    result = jupyter_book_build(ROOT)
    if result.returncode != 0 or "build succeeded" not in result.stdout:
        pytest.fail(f"strict build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return ROOT / "_build" / "html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="session")
def server(html_dir):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from sovbook.browser import chromium_path, launch

    if not Path(chromium_path()).exists():
        pytest.fail(f"Chromium not found at {chromium_path()}: install Debian's chromium or set SOVBOOK_CHROMIUM")
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def toc_pages(root: Path = ROOT) -> list[str]:
    """Every page of the book, as paths relative to the html folder, in toc order."""
    from sovbook.cli import toc_files

    return [f"{f}.html" for f in toc_files(root)]
