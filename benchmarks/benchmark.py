"""Benchmark: prints where the book's time and bytes go. Not a test: it measures.

    .venv/bin/python -m benchmarks.benchmark [--skip-nbval] [--skip-browser]
        [--skip-lighthouse] [--runs 5]

(from the book's root). The book's copy, its build command and the local HTTP server are the
tests' own (``tests/helpers.py``).

Works on a temporary copy of the book, so the working tree's _build is untouched.
Measures: a cold strict build (no _build at all), a warm rebuild (nothing changed),
the bare execution time of the same notebooks (nbclient, one after another, no
Sphinx), strict nbval, the HTML bytes of each page, the bytes of each notebook, the
time from scrolling each chart into view (page loaded, plotly.js not loaded yet: it loads
as the reader starts scrolling) until it is drawn in headless Chromium, on a cold browser
cache and within the book, and Lighthouse's scores for every page (sovbook.lighthouse:
the pinned Lighthouse from npm, default mobile profile, the book served gzip-compressed).

The cold build executes the notebooks side by side, one kernel per core
(sovbook.execution.execute_ahead); the sum of their execution times inside the build is
printed too, so the gain from running them side by side can be read off. The floor
for a chart is the time to load and evaluate plotly.js alone: printed for the basic
bundle the chart pages load and for the full bundle in the plotly package.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sovbook import lighthouse, plotlyjs, project
from sovbook.execution import execute_notebook
from tests.helpers import copy_project, jupyter_book_build, serve

GOALS = {
    "cold build / bare execution": 1.5,
    "cold build (s)": 60.0,
    "warm rebuild (s)": 2.0,
    "chapter HTML (KB)": 100.0,
    "notebook (KB)": 100.0,
    "chart drawn after it is scrolled into view (ms)": 1000.0,
}
BUNDLE_ROUTE = "__plotlyjs__"
#: scroll chart ``i`` into view; resolve with the ms until it is drawn (sovbook-charts.js sets
#: data-drawn-ms), 0 for a chart already drawn (it was in view when the page loaded)
SCROLL_AND_TIME = """i => new Promise(done => {
    const figure = document.querySelectorAll('figure.sovbook-chart')[i];
    if (figure.getAttribute('data-drawn') === 'true') {
        figure.scrollIntoView({block: 'center'}); done(0); return;
    }
    const start = performance.now();
    figure.scrollIntoView({block: 'center'});
    const check = () => figure.getAttribute('data-drawn') === 'true'
        ? done(Number(figure.getAttribute('data-drawn-ms')) - start)
        : requestAnimationFrame(check);
    check(); })"""


def _timed(run: Callable[[], subprocess.CompletedProcess]) -> float:
    """Seconds ``run`` takes to finish a command; the benchmark stops if the command fails."""
    start = time.perf_counter()
    result = run()
    took = time.perf_counter() - start
    if result.returncode != 0:
        command = " ".join(map(str, result.args))
        sys.exit(f"command failed: {command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return took


def _line(name: str, value: float, unit: str = "", goal_key: str | None = None) -> None:
    goal = GOALS.get(goal_key) if goal_key else None
    verdict = "" if goal is None else ("  ok" if value <= goal else f"  OVER goal {goal:g}")
    print(f"  {name:<48} {value:>10.2f} {unit}{verdict}")


def _spread(name: str, values: list[float], goal_key: str | None = None) -> None:
    _line(name, statistics.median(values), "ms", goal_key)
    print(f"  {'':<48} {'':>10} [{min(values):.0f}-{max(values):.0f} ms]")


def _execution_seconds(work: Path) -> float:
    """The notebooks' execution times as jupyter-cache recorded them during the build."""
    from jupyter_cache import get_cache

    (folder,) = [p for p in (work / "_build" / ".jupyter_cache").iterdir() if p.is_dir()]
    return sum(
        r.data.get("execution_seconds") or 0.0 for r in get_cache(folder).list_cache_records()
    )


def _chart_times(html: Path, pages: list[str], runs: int) -> dict[str, dict]:
    """Per chart page, ``runs`` loads on a cold browser cache and within the book (ms)."""
    bundles = {f"/{BUNDLE_ROUTE}/{b.name}": b.path for b in (plotlyjs.basic(), plotlyjs.full())}
    with serve(html, routes=bundles) as base:  # the plotly.js bundles alone, for the floor below
        return _load_pages(base, html, pages, runs)


def _load_pages(base: str, html: Path, pages: list[str], runs: int) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    from sovbook.browser import launch

    out: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = launch(p)
        warm_context = browser.new_context()  # a reader moving through the book: plotly.js cached
        warm_page = warm_context.new_page()
        chart_pages = [
            p for p in pages if 'class="sovbook-chart"' in (html / p).read_text(encoding="utf-8")
        ]
        if chart_pages:  # the reader has already seen a chart in the book
            warm_page.goto(f"{base}/{chart_pages[-1]}", wait_until="load")
            warm_page.evaluate(SCROLL_AND_TIME, 0)
        for page_path in chart_pages:
            record = {
                "count": (html / page_path)
                .read_text(encoding="utf-8")
                .count('class="sovbook-chart"'),
                "first": [],
                "every": [],
                "warm": [],
            }
            for _ in range(runs):
                context = browser.new_context()  # cold: a new profile, nothing cached
                page = context.new_page()
                page.goto(f"{base}/{page_path}", wait_until="load")
                page.wait_for_timeout(300)  # the page has settled; the reader starts scrolling
                times = [page.evaluate(SCROLL_AND_TIME, i) for i in range(record["count"])]
                record["first"].append(times[0])
                record["every"].append(max(times))
                context.close()
                warm_page.goto(f"{base}/{page_path}", wait_until="load")
                warm_page.wait_for_timeout(300)
                record["warm"].append(warm_page.evaluate(SCROLL_AND_TIME, 0))
            out[page_path] = record
        warm_context.close()
        # the floor: a blank page that only loads and evaluates plotly.js, for the bundle the
        # chart pages load and for the full bundle in the plotly package (see sovbook.plotlyjs)
        for bundle in (plotlyjs.basic(), plotlyjs.full()):
            floors = []
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/genindex.html")
                floors.append(
                    page.evaluate(
                        """src => new Promise((done, fail) => {
                             const t = performance.now();
                             const s = document.createElement('script');
                             s.src = src;
                             s.onload = () => done(performance.now() - t);
                             s.onerror = () => fail(new Error(src));
                             document.head.appendChild(s);
                           })""",
                        f"{base}/{BUNDLE_ROUTE}/{bundle.name}",
                    )
                )
                context.close()
            out[f"{bundle.name} ({bundle.path.stat().st_size / 1e6:.1f} MB) alone"] = {
                "count": 0,
                "first": floors,
            }
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skip-nbval", action="store_true")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="page loads per chart page (the median is compared with the goal)",
    )
    parser.add_argument(
        "--skip-lighthouse",
        action="store_true",
        help="do not run Lighthouse (it needs npm the first time)",
    )
    parser.add_argument(
        "--lighthouse-runs",
        type=int,
        default=1,
        help="Lighthouse runs per page (the median by performance is printed)",
    )
    args = parser.parse_args(argv)
    root = project.root()
    nbs = project.notebooks(root)
    print(f"benchmark of {root} on {os.cpu_count()} cores; {len(nbs)} notebooks\n")

    with tempfile.TemporaryDirectory(prefix="sovbook-bench-") as tmp:
        work = copy_project(Path(tmp))
        cold = _timed(lambda: jupyter_book_build(work))
        in_build = _execution_seconds(work)
        warm = _timed(lambda: jupyter_book_build(work))
        bare_start = time.perf_counter()
        for nb in project.notebooks(work):
            execute_notebook(nb)
        bare = time.perf_counter() - bare_start
        nbval = None
        if not args.skip_nbval:
            notebooks = [str(p.relative_to(work)) for p in project.notebooks(work)]
            pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval"]
            nbval = _timed(
                lambda: subprocess.run(
                    [*pytest, *notebooks], cwd=work, capture_output=True, text=True
                )
            )
        html = work / "_build" / "html"
        pages = [f"{f}.html" for f in project.toc_files(work)]
        sizes = {p: (html / p).stat().st_size for p in pages}
        charts = {} if args.skip_browser else _chart_times(html, pages, args.runs)
        audits = (
            {}
            if args.skip_lighthouse
            else lighthouse.audit(html, lighthouse.book_pages(work), args.lighthouse_runs)
        )

    print("time")
    _line("cold strict build", cold, "s", "cold build (s)")
    _line("  its notebooks' execution times, summed", in_build, "s")
    _line("warm rebuild (nothing changed)", warm, "s", "warm rebuild (s)")
    _line("bare execution of the notebooks, one by one", bare, "s")
    _line(
        "cold build / bare execution",
        cold / bare if bare else float("nan"),
        "x",
        "cold build / bare execution",
    )
    if nbval is not None:
        _line("strict nbval over the notebooks", nbval, "s")
    print("\npage HTML")
    for page, size in sizes.items():
        _line(page, size / 1024, "KB", "chapter HTML (KB)")
    print("\nnotebooks")
    for nb in nbs:
        _line(nb.relative_to(root).as_posix(), nb.stat().st_size / 1024, "KB", "notebook (KB)")
    if charts:
        print(
            "\ncharts drawn after being scrolled into view (page loaded, plotly.js not yet): "
            f"median of {args.runs} loads [fastest-slowest]"
        )
        for page, record in charts.items():
            if not record["count"]:
                _spread(f"{page}: load and evaluate, cold cache", record["first"])
                continue
            count = record["count"]
            goal = "chart drawn after it is scrolled into view (ms)"
            _spread(f"{page}: first of {count}, cold cache", record["first"], goal)
            _spread(f"{page}: slowest of {count}, cold cache", record["every"], goal)
            _spread(f"{page}: first, within the book (cached)", record["warm"], goal)
    if audits:
        print()
        lighthouse.print_table(audits)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
