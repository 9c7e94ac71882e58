"""The book's files: where they are, which are its pages, and which of them a notebook's
outputs depend on.

The root is the folder holding ``_config.yml`` and ``data/datapackage.json``.
It is found from ``$SOVBOOK_ROOT`` if set, else by walking up from the current
directory (notebooks run in ``book/``), else next to this package.
The pages are the files ``_toc.yml`` lists, in its order.

jupyter-cache keys a notebook's result on its code cells only, so the Sphinx extension names
the execution cache after :func:`inputs_hash`: a change to any of :func:`input_files` (or to
the pandas, plotly or numpy release) starts a new cache and every notebook is executed again.
Those files are the evidence (``data/``, ``seeds/``, the bibliography) and the modules of this
package that the notebooks run: what their code imports and what that imports, read from the
import graph (:mod:`sovbook.imports`), never listed by hand. Editing a module no notebook
reaches (the PDF writer, the command line, the Sphinx extension) executes nothing again.
"""

from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path

from . import imports

#: Libraries whose release shapes notebook outputs (tables, figure JSON).
LIBRARIES = ("pandas", "plotly", "numpy")

#: The bibliography, relative to the root (checked against ``data/sources.csv``).
BIBLIOGRAPHY = Path("book") / "references.bib"


def _is_root(path: Path) -> bool:
    return (path / "_config.yml").is_file() and (path / "data" / "datapackage.json").is_file()


def root() -> Path:
    env = os.environ.get("SOVBOOK_ROOT")
    if env:
        path = Path(env).resolve()
        if not _is_root(path):
            raise FileNotFoundError(
                f"SOVBOOK_ROOT={env} holds no _config.yml and data/datapackage.json"
            )
        return path
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if _is_root(candidate):
            return candidate
    fallback = Path(__file__).resolve().parent.parent
    if _is_root(fallback):
        return fallback
    raise FileNotFoundError(
        "cannot find the book root (a folder with _config.yml and data/datapackage.json)"
    )


def seeds_dir(base: Path | None = None) -> Path:
    return (base or root()) / "seeds"


def data_dir(base: Path | None = None) -> Path:
    return (base or root()) / "data"


#: Files a notebook reads besides the evidence: the README, whose commands the reproducibility
#: page shows, and pyproject.toml, whose supported Pythons it lists.
PAGE_INPUTS = ("README.md", "pyproject.toml")


def evidence_files(root: Path) -> list[Path]:
    """The evidence: every file of ``data/`` and ``seeds/``, and the bibliography."""
    files: list[Path] = []
    for folder in ("data", "seeds"):
        files += [
            p
            for p in sorted((root / folder).rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        ]
    if (root / BIBLIOGRAPHY).is_file():
        files.append(root / BIBLIOGRAPHY)
    return files


def toc_files(root: Path) -> list[str]:
    """Every page of the book (paths relative to the root, without suffix), in ``_toc.yml``
    order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return files


def notebooks(root: Path) -> list[Path]:
    """The book's notebooks, in the order of ``_toc.yml``."""
    return [root / f"{f}.ipynb" for f in toc_files(root) if (root / f"{f}.ipynb").is_file()]


def notebook_modules(root: Path) -> set[str]:
    """The modules of the book's package (``root/sovbook``) that its notebooks run. A notebook
    whose code cannot be parsed counts as running every module. (A folder with the evidence
    but no ``_toc.yml`` has no notebooks.)"""
    graph = imports.import_graph(root / imports.PACKAGE)
    start: set[str] = set()
    for path in notebooks(root) if (root / "_toc.yml").is_file() else []:
        found = imports.notebook_imports(path, graph)
        if found is None:
            return set(graph)
        start |= found
    return imports.reached(graph, start)


def input_files(root: Path) -> list[Path]:
    """Every file, besides a notebook's own code, that can change a notebook's outputs: the
    evidence (:func:`evidence_files`), :data:`PAGE_INPUTS` and the package modules the notebooks
    run (:func:`notebook_modules`)."""
    paths = imports.module_paths(root / imports.PACKAGE)
    pages = [root / name for name in PAGE_INPUTS if (root / name).is_file()]
    return evidence_files(root) + pages + [paths[m] for m in sorted(notebook_modules(root))]


def inputs_hash(root: Path) -> str:
    """A short hash of :func:`input_files` and of the releases of :data:`LIBRARIES`."""
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    for dist in LIBRARIES:
        digest.update(f"{dist}=={metadata.version(dist)}\0".encode())
    digest.update(quotation_usage_fingerprint(root).encode())
    return digest.hexdigest()[:16]


#: Pages that show every quotation or report on coverage itself: naming a quotation there is not
#: using it (see :mod:`sovbook.coverage`).
INDEX_PAGES = ("book/passages", "book/coverage")


def page_sources(root: Path) -> dict[str, str]:
    """Each page's own text (toc path -> markdown and code of a notebook, or a MyST page), without
    stored outputs, leaving out :data:`INDEX_PAGES`."""
    import nbformat

    texts = {}
    for name in toc_files(root):
        if name in INDEX_PAGES:
            continue
        notebook, page = root / f"{name}.ipynb", root / f"{name}.md"
        if notebook.is_file():
            texts[name] = "\n".join(
                cell.source for cell in nbformat.read(notebook, as_version=4).cells
            )
        elif page.is_file():
            texts[name] = page.read_text(encoding="utf-8")
    return texts


def quotation_usage(root: Path, quote_ids) -> dict[str, list[str]]:
    """quote_id -> the pages (toc paths) whose source names it, in toc order."""
    import re

    ids = set(quote_ids)
    out: dict[str, list[str]] = {}
    for page, text in page_sources(root).items():
        for token in sorted(
            set(re.findall(r"(?<![a-z0-9-])[a-z0-9]+(?:-[a-z0-9]+)+(?![a-z0-9-])", text))
        ):
            if token in ids:
                out.setdefault(token, []).append(page)
    return out


def quotation_usage_fingerprint(root: Path) -> str:
    """A hash of which quotation ids each page names: part of the execution-cache key, so that the
    coverage page is executed again when a chapter starts or stops quoting a passage."""
    import re

    quotes_csv = root / "data" / "quotes.csv"
    if not quotes_csv.is_file() or not (root / "_toc.yml").is_file():
        return ""
    ids = set(
        re.findall(
            r"^([a-z0-9]+(?:-[a-z0-9]+)*),", quotes_csv.read_text(encoding="utf-8"), flags=re.M
        )
    )
    usage = quotation_usage(root, ids)
    lines = sorted(f"{page}:{quote_id}" for quote_id, pages in usage.items() for page in pages)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
