"""Command line: ``sovbook check`` (validate the evidence), ``sovbook execute``
(re-execute the notebooks in place, storing their outputs), ``sovbook pdf``
(write the PDF edition from a built book) and ``sovbook plotly-bundle`` (after a
plotly upgrade, fetch the matching plotly.js basic bundle from npm)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import project


def cmd_check(args) -> int:
    from . import evidence

    root = project.root()
    start = time.perf_counter()
    ev, problems = evidence.check(root)
    took = time.perf_counter() - start
    if problems:
        print(evidence.EvidenceError(problems), file=sys.stderr)
        return 1
    assert ev is not None
    counts = ", ".join(f"{name} {len(table)}" for name, table in ev.tables.items())
    print(f"evidence OK in {took:.2f} s: {len(ev.locators)} quotations located; rows: {counts}")
    return 0


def cmd_execute(args) -> int:
    from . import evidence
    from .execution import execute_notebook

    root = project.root()
    targets = [Path(p).resolve() for p in args.notebooks] or project.notebooks(root)

    evidence.load(root)  # fail fast, with the data's own message
    for path in targets:
        start = time.perf_counter()
        execute_notebook(path)
        print(f"executed {path.relative_to(root)} in {time.perf_counter() - start:.1f} s")
    return 0


def cmd_pdf(args) -> int:
    from .pdf import write_pdf

    root = project.root()
    out = write_pdf(root / "_build" / "html", Path(args.output) if args.output else None)
    print(f"wrote {out}")
    return 0


def cmd_plotly_bundle(args) -> int:
    from . import plotlyjs

    pinned = plotlyjs.update(args.version)
    plotlyjs.check()
    print(
        f"sovbook/vendor/{pinned['file']}: {pinned['package']}@{pinned['version']}, "
        f"traces {', '.join(pinned['traces'])}, sha256 {pinned['sha256']}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sovbook", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "check", help="validate data/, seeds/ and the bibliography without building the book"
    ).set_defaults(func=cmd_check)
    p = sub.add_parser("execute", help="re-execute notebooks in place (all in _toc.yml by default)")
    p.add_argument("notebooks", nargs="*")
    p.set_defaults(func=cmd_execute)
    p = sub.add_parser("pdf", help="write the PDF edition from _build/html (build the book first)")
    p.add_argument(
        "--output", help="where to write the PDF (default: _build/pdf/book.pdf in the book's root)"
    )
    p.set_defaults(func=cmd_pdf)
    p = sub.add_parser(
        "plotly-bundle",
        help="fetch the plotly.js basic bundle matching the installed plotly (needs npm)",
    )
    p.add_argument(
        "--version", help="plotly.js release (default: the one the installed plotly package ships)"
    )
    p.set_defaults(func=cmd_plotly_bundle)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
