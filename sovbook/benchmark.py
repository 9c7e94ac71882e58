"""Benchmark: prints where the book's time and bytes go. Not a test: it measures.

    python -m sovbook.benchmark [--skip-nbval] [--skip-browser]

Works on a temporary copy of the book, so the working tree's _build is untouched.
Measures: a cold strict build (no _build at all), a warm rebuild (nothing changed),
the bare execution time of the same notebooks (nbclient, no Sphinx), strict nbval,
the HTML bytes of each page, the bytes of each notebook, and the time from
navigation start until the first (and every) chart on each page is drawn in
headless Chromium.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import plotlyjs, project
from .cli import execute_notebook, notebooks, toc_files

GOALS = {
    "cold build / bare execution": 1.5,
    "cold build (s)": 60.0,
    "warm rebuild (s)": 2.0,
    "chapter HTML (KB)": 100.0,
    "notebook (KB)": 100.0,
    "first chart drawn (ms)": 1000.0,
}
BUNDLE_ROUTE = "__plotlyjs__"
BUILD = [str(Path(sys.executable).with_name("jupyter-book")), "build", ".", "-n", "-W", "--keep-going"]


def _copy(root: Path, target: Path) -> Path:
    ignore = shutil.ignore_patterns("_build", ".venv", "__pycache__", ".git", "*.egg-info", ".ipynb_checkpoints")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, target / name)
    for name in ("book", "data", "seeds", "sovbook"):
        shutil.copytree(root / name, target / name, ignore=ignore)
    return target


def _timed(cmd: list[str], cwd: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "SOVBOOK_ROOT"}
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return took


def _line(name: str, value: float, unit: str = "", goal_key: str | None = None) -> None:
    goal = GOALS.get(goal_key) if goal_key else None
    verdict = "" if goal is None else ("  ok" if value <= goal else f"  OVER goal {goal:g}")
    print(f"  {name:<48} {value:>10.2f} {unit}{verdict}")


def _chart_times(html: Path, pages: list[str]) -> dict[str, tuple[float, float, int, float]]:
    from playwright.sync_api import sync_playwright

    from .browser import launch

    bundles = {b.name: b.path for b in (plotlyjs.basic(), plotlyjs.full())}

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def translate_path(self, path):  # the plotly.js bundles themselves, for the floor below
            prefix = f"/{BUNDLE_ROUTE}/"
            if path.startswith(prefix) and path[len(prefix):] in bundles:
                return str(bundles[path[len(prefix):]])
            return super().translate_path(path)

    handler = functools.partial(Quiet, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    out: dict[str, tuple[float, float, int, float]] = {}
    with sync_playwright() as p:
        browser = launch(p)
        warm_context = browser.new_context()  # a reader moving through the book: plotly.js cached
        warm_page = warm_context.new_page()
        chart_pages = [p for p in pages if 'class="sovbook-chart"' in (html / p).read_text(encoding="utf-8")]
        if chart_pages:  # the reader has already opened one chart page
            warm_page.goto(f"{base}/{chart_pages[-1]}")
            warm_page.wait_for_function("() => window.sovbookAllChartsMs !== undefined", timeout=30000)
        for page_path in pages:
            text = (html / page_path).read_text(encoding="utf-8")
            count = text.count('class="sovbook-chart"')
            if not count:
                continue
            context = browser.new_context()  # cold: no cached plotly.js
            page = context.new_page()
            page.goto(f"{base}/{page_path}")
            page.wait_for_function("() => window.sovbookAllChartsMs !== undefined", timeout=30000)
            first = page.evaluate("window.sovbookFirstChartMs")
            every = page.evaluate("window.sovbookAllChartsMs")
            context.close()
            warm_page.goto(f"{base}/{page_path}")
            warm_page.wait_for_function("() => window.sovbookAllChartsMs !== undefined", timeout=30000)
            warm = warm_page.evaluate("window.sovbookFirstChartMs")
            out[page_path] = (first, every, count, warm)
        warm_context.close()
        # the floor: a blank page that only loads and evaluates plotly.js, for the bundle the
        # chart pages load and for the full bundle in the plotly package (see sovbook.plotlyjs)
        for bundle in (plotlyjs.basic(), plotlyjs.full()):
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/genindex.html")
            floor = page.evaluate(
                """src => new Promise((done, fail) => { const t = performance.now(); const s = document.createElement('script');
                     s.src = src; s.onload = () => done(performance.now() - t); s.onerror = () => fail(new Error(src));
                     document.head.appendChild(s); })""",
                f"{base}/{BUNDLE_ROUTE}/{bundle.name}",
            )
            out[f"{bundle.name} ({bundle.path.stat().st_size / 1e6:.1f} MB) alone"] = (floor, floor, 0, float("nan"))
            context.close()
        browser.close()
    httpd.shutdown()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-nbval", action="store_true")
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args(argv)
    root = project.root()
    nbs = notebooks(root)
    print(f"benchmark of {root} on {os.cpu_count()} cores; {len(nbs)} notebooks\n")

    with tempfile.TemporaryDirectory(prefix="sovbook-bench-") as tmp:
        work = _copy(root, Path(tmp))
        cold = _timed(BUILD, work)
        warm = _timed(BUILD, work)
        bare_start = time.perf_counter()
        for nb in notebooks(work):
            execute_notebook(nb)
        bare = time.perf_counter() - bare_start
        nbval = None
        if not args.skip_nbval:
            nbval = _timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", *[str(p.relative_to(work)) for p in notebooks(work)]], work)
        html = work / "_build" / "html"
        pages = [f"{f}.html" for f in toc_files(work)]
        sizes = {p: (html / p).stat().st_size for p in pages}
        charts = {} if args.skip_browser else _chart_times(html, pages)

    print("time")
    _line("cold strict build", cold, "s", "cold build (s)")
    _line("warm rebuild (nothing changed)", warm, "s", "warm rebuild (s)")
    _line("bare execution of the notebooks", bare, "s")
    _line("cold build / bare execution", cold / bare if bare else float("nan"), "x", "cold build / bare execution")
    if nbval is not None:
        _line("strict nbval over the notebooks", nbval, "s")
    print("\npage HTML")
    for page, size in sizes.items():
        _line(page, size / 1024, "KB", "chapter HTML (KB)")
    print("\nnotebooks")
    for nb in nbs:
        _line(nb.relative_to(root).as_posix(), nb.stat().st_size / 1024, "KB", "notebook (KB)")
    if charts:
        print("\ncharts drawn after navigation start")
        for page, (first, every, count, warm) in charts.items():
            if not count:
                _line(f"{page}: load and evaluate, cold cache", first, "ms")
                continue
            _line(f"{page}: first of {count}, cold cache", first, "ms", "first chart drawn (ms)")
            _line(f"{page}: all {count}, cold cache", every, "ms")
            _line(f"{page}: first, within the book (cached)", warm, "ms", "first chart drawn (ms)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
