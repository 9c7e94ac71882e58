"""Lighthouse on every page of a built book, as a reader's phone would load it.

Lighthouse (pinned: :data:`VERSION`, from the npm registry; the build never needs npm) runs
with its default mobile profile (simulated slow 4G and a 4x slower CPU) against the book served
gzip-compressed from 127.0.0.1, the way a static host serves it, in Debian's Chromium. Each
page's category scores and first contentful paint, largest contentful paint, total blocking
time and cumulative layout shift are printed against :data:`GOALS`.

    python -m sovbook.lighthouse [_build/html] [--runs 3]      # or as part of sovbook.benchmark

Lighthouse is installed once into ``$SOVBOOK_LIGHTHOUSE_DIR`` (default
``~/.cache/sovbook/lighthouse-<version>``) with ``npm install --save-exact``.
Scores of the performance category depend on the machine's load: the load average is
printed with each page, and ``--runs`` takes the median run of several.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from .browser import CHROMIUM_ARGS, chromium_path

VERSION = "12.2.3"
#: what every page must reach (scores 0..1, times in ms)
GOALS = {
    "performance": 0.95,
    "accessibility": 1.0,
    "best-practices": 1.0,
    "seo": 1.0,
    "first-contentful-paint": 1800.0,
    "cumulative-layout-shift": 0.0,
}
_COMPRESSED_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "font/ttf",
    "font/otf",
)


class LighthouseError(RuntimeError):
    pass


def install_dir() -> Path:
    return Path(
        os.environ.get("SOVBOOK_LIGHTHOUSE_DIR")
        or Path.home() / ".cache" / "sovbook" / f"lighthouse-{VERSION}"
    )


def ensure_installed(npm: str = "npm") -> Path:
    """The pinned Lighthouse's command, installed from npm if it is not there yet."""
    folder = install_dir()
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    manifest = folder / "node_modules" / "lighthouse" / "package.json"
    if (
        binary.is_file()
        and manifest.is_file()
        and json.loads(manifest.read_text())["version"] == VERSION
    ):
        return binary
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(folder),
            "--save-exact",
            "--no-audit",
            "--no-fund",
            f"lighthouse@{VERSION}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not binary.is_file():
        raise LighthouseError(f"npm install lighthouse@{VERSION} failed:\n{result.stderr[-2000:]}")
    return binary


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text ones gzip-compressed when the client accepts it (as static hosts do)."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        ctype = self.guess_type(path)
        if (
            os.path.isfile(path)
            and "gzip" in self.headers.get("Accept-Encoding", "")
            and ctype.startswith(_COMPRESSED_TYPES)
        ):
            with open(path, "rb") as handle:
                data = gzip.compress(handle.read(), compresslevel=6, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return io.BytesIO(data)
        return super().send_head()


def serve(html_dir: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(GzipHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def run_once(binary: Path, url: str) -> dict:
    """One Lighthouse run (default mobile profile) of ``url``: scores and metrics."""
    flags = " ".join(CHROMIUM_ARGS)
    env = {**os.environ, "CHROME_PATH": chromium_path()}
    result = subprocess.run(
        [
            str(binary),
            url,
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            f"--chrome-flags={flags}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    if result.returncode != 0:
        raise LighthouseError(f"lighthouse {url} failed:\n{result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    audits = report["audits"]
    out = {name: category["score"] for name, category in report["categories"].items()}
    for metric in (
        "first-contentful-paint",
        "largest-contentful-paint",
        "total-blocking-time",
        "cumulative-layout-shift",
        "speed-index",
    ):
        out[metric] = audits[metric]["numericValue"]
    weighted = {
        ref["id"]
        for category in report["categories"].values()
        for ref in category["auditRefs"]
        if ref.get("weight")
    }
    out["failed"] = sorted(
        name
        for name, audit in audits.items()
        if name in weighted
        and audit.get("scoreDisplayMode") == "binary"
        and audit.get("score") == 0
    )
    return out


def audit(
    html_dir: Path, pages: list[str], runs: int = 1, binary: Path | None = None
) -> dict[str, dict]:
    """Lighthouse on each page (the median run by performance score when ``runs`` > 1)."""
    binary = binary or ensure_installed()
    httpd, base = serve(html_dir)
    results: dict[str, dict] = {}
    try:
        for page in pages:
            load = os.getloadavg()[0]
            tries = sorted(
                (run_once(binary, f"{base}/{page}") for _ in range(runs)),
                key=lambda r: r["performance"],
            )
            chosen = dict(tries[len(tries) // 2])
            chosen["load"] = load
            chosen["runs"] = [t["performance"] for t in tries]
            results[page] = chosen
    finally:
        httpd.shutdown()
    return results


def meets(record: dict) -> list[str]:
    """The goals a page's record misses."""
    misses = []
    for key, goal in GOALS.items():
        value = record[key]
        if key in ("first-contentful-paint", "cumulative-layout-shift"):
            if value > goal + (0.0005 if key == "cumulative-layout-shift" else 0):
                misses.append(key)
        elif value is None or value < goal:
            misses.append(key)
    return misses


def print_table(results: dict[str, dict]) -> None:
    print(
        f"Lighthouse {VERSION}, default mobile profile, gzip-served from 127.0.0.1; goals: "
        "performance >= 0.95, accessibility/best practices/SEO 1.0, FCP <= 1.8 s, CLS 0"
    )
    head = (
        f"  {'page':<36} {'perf':>5} {'a11y':>5} {'b.p.':>5} {'SEO':>5} {'FCP s':>6} "
        f"{'LCP s':>6} {'TBT ms':>7} {'CLS':>6} {'load':>5}"
    )
    print(head)
    for page, r in results.items():
        misses = meets(r)
        verdict = "ok" if not misses else "MISSES " + ", ".join(misses)
        print(
            f"  {page:<36} {r['performance']:>5.2f} {r['accessibility']:>5.2f} "
            f"{r['best-practices']:>5.2f} {r['seo']:>5.2f} "
            f"{r['first-contentful-paint'] / 1000:>6.2f} "
            f"{r['largest-contentful-paint'] / 1000:>6.2f} {r['total-blocking-time']:>7.0f} "
            f"{r['cumulative-layout-shift']:>6.3f} {r['load']:>5.2f}  {verdict}"
            + (f" (runs: {', '.join(f'{p:.2f}' for p in r['runs'])})" if len(r["runs"]) > 1 else "")
            + (f"; failed audits: {', '.join(r['failed'])}" if r["failed"] else "")
        )


def book_pages(root: Path) -> list[str]:
    from .project import toc_files

    return [f"{f}.html" for f in toc_files(root)] + ["genindex.html", "search.html"]


def main(argv: list[str] | None = None) -> int:
    from . import project

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "html", nargs="?", help="the built book (default: _build/html of the book's root)"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="runs per page; the median by performance is printed"
    )
    args = parser.parse_args(argv)
    root = project.root()
    html = Path(args.html) if args.html else root / "_build" / "html"
    results = audit(html, book_pages(root), args.runs)
    print_table(results)
    return 0 if all(not meets(r) for r in results.values()) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
