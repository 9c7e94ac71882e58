"""What the tests and the benchmark (``benchmarks/benchmark.py``) share: the book's root, copies of
its sources, its strict build command, and a quiet local HTTP server for the built pages.

Not part of the ``sovbook`` package: nothing here is needed to build or read the book.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = str(Path(sys.executable).with_name("jupyter-book"))
#: The README's strict build command (run in the book's root).
BUILD_CMD = [JUPYTER_BOOK, "build", ".", "-n", "-W", "--keep-going"]
#: Never copied: build output, environments, caches.
_NOT_SOURCES = shutil.ignore_patterns(
    "_build", ".venv", "__pycache__", ".git", "*.egg-info", ".ipynb_checkpoints"
)


def jupyter_book_build(root: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the book's strict build in ``root`` (as its own root: ``$SOVBOOK_ROOT`` is dropped);
    return the finished process."""
    env = {k: v for k, v in os.environ.items() if k != "SOVBOOK_ROOT"}
    return subprocess.run(
        [*BUILD_CMD, *extra], cwd=root, env=env, capture_output=True, text=True, timeout=900
    )


def copy_project(target: Path, execution_cache: bool = False) -> Path:
    """A copy of the book's sources (no build output, no venv) in ``target``, for tests that
    change them and for fresh builds. With ``execution_cache``, the execution cache of the
    last build in the working tree comes along (the build keeps only the entry for the
    current inputs, so a result is never stale)."""
    for name in ("_config.yml", "_toc.yml", "pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    for name in ("book", "data", "seeds", "sovbook"):
        shutil.copytree(ROOT / name, target / name, ignore=_NOT_SOURCES)
    cache = ROOT / "_build" / ".jupyter_cache"
    if execution_cache and cache.is_dir():
        shutil.copytree(cache, target / "_build" / ".jupyter_cache")
    return target


def copy_evidence(target: Path) -> Path:
    """A copy of what the evidence check reads (data, seeds, bibliography, config), to break."""
    for name in ("data", "seeds"):
        shutil.copytree(ROOT / name, target / name)
    (target / "book").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "book" / "references.bib", target / "book" / "references.bib")
    shutil.copy2(ROOT / "_config.yml", target / "_config.yml")
    return target


def toc_pages(root: Path = ROOT) -> list[str]:
    """Every page of the book, as paths relative to the html folder, in toc order."""
    from sovbook.project import toc_files

    return [f"{f}.html" for f in toc_files(root)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    routes: dict[str, Path] = {}
    delays: dict[str, float] = {}

    def log_message(self, *args):  # keep the output clean
        pass

    def do_GET(self):  # noqa: N802 (the standard library's name)
        for pattern, seconds in self.delays.items():
            if re.search(pattern, self.path.split("?", 1)[0]):
                time.sleep(seconds)  # this request's own thread: other requests go on
        super().do_GET()

    def translate_path(self, path):
        route = path.split("?", 1)[0]
        if route in self.routes:
            return str(self.routes[route])
        return super().translate_path(path)


@contextlib.contextmanager
def serve(
    directory: Path,
    routes: dict[str, Path] | None = None,
    delays: dict[str, float] | None = None,
) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (any free port) while the block runs; yields the base
    URL. ``routes`` maps more URL paths (``/x/y.js``) to files outside the directory; ``delays``
    maps a regular expression to the seconds a matching path waits before it is served (a slow
    connection, for that kind of file only)."""
    handler = type(
        "Handler", (_QuietHandler,), {"routes": dict(routes or {}), "delays": dict(delays or {})}
    )
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
