"""Two fresh builds of the same sources give byte-identical pages, and re-executing a notebook
writes its stored file again, byte for byte."""

from __future__ import annotations

import json

import nbformat
import pytest

from sovbook.execution import execute_notebook
from sovbook.project import notebooks
from tests.helpers import ROOT, copy_project, jupyter_book_build

#: The one page that reports measurements of the build itself (myst-nb's execution statistics:
#: when and how long each notebook ran). It is expected to differ between builds, and so are its
#: words in the search index; everything else must not.
BUILD_REPORT_PAGES = {"book/reproducibility.html"}
BUILD_REPORT_DOCS = {p.removesuffix(".html") for p in BUILD_REPORT_PAGES}


def _search_index_without_build_report(raw: bytes) -> dict:
    text = raw.decode("utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    drop = {i for i, name in enumerate(index["docnames"]) if name in BUILD_REPORT_DOCS}
    for key in ("terms", "titleterms"):
        cleaned = {}
        for term, postings in index[key].items():
            postings = [postings] if isinstance(postings, int) else postings
            kept = [d for d in postings if d not in drop]
            if kept:
                cleaned[term] = kept
        index[key] = cleaned
    return index


def _pages(html_dir):
    return {
        p.relative_to(html_dir).as_posix(): p.read_bytes()
        for p in sorted(html_dir.rglob("*"))
        if p.is_file()
        and p.suffix in {".html", ".js", ".css", ".json", ".inv"}
        and "_print" not in p.parts
    }


def test_two_fresh_builds_are_byte_identical(html_dir, tmp_path):
    """The session's build (a fresh copy; its notebooks executed by the README's setup build, or
    by the session build itself when there was none) and a second fresh copy built here, its
    notebooks executed anew: two fresh builds, two executions of every notebook."""
    root = copy_project(tmp_path)
    assert not (root / "_build").exists()
    result = jupyter_book_build(root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Executing notebook" in result.stdout or "sovbook: executing" in result.stdout
    first, second = _pages(html_dir), _pages(root / "_build" / "html")
    assert first.keys() == second.keys()
    differing = sorted(
        p
        for p in first
        if first[p] != second[p] and p not in BUILD_REPORT_PAGES and p != "searchindex.js"
    )
    assert differing == [], f"pages differ between two fresh builds: {differing}"
    assert _search_index_without_build_report(
        first["searchindex.js"]
    ) == _search_index_without_build_report(second["searchindex.js"])
    assert len(first) > 10


def _outputs(nb) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells], sort_keys=True)


@pytest.mark.parametrize(
    "nb_path", notebooks(ROOT)[:1] + notebooks(ROOT)[-2:-1], ids=lambda p: p.name
)
def test_re_execution_reproduces_the_stored_notebook(tmp_path, nb_path):
    """``sovbook execute`` on a fresh copy writes the stored notebook again, byte for byte: the
    same outputs, and nothing that changes from run to run (no timestamps, execution counts or
    kernel details that vary)."""
    root = copy_project(tmp_path)
    target = root / nb_path.relative_to(ROOT)
    execute_notebook(target)
    if target.read_bytes() != nb_path.read_bytes():
        stored = nbformat.read(nb_path, as_version=4)
        fresh = nbformat.read(target, as_version=4)
        assert _outputs(fresh) == _outputs(stored), (
            f"{nb_path.name}: stored outputs are stale; run `sovbook execute`"
        )
        raise AssertionError(f"{nb_path.name}: same outputs, but the file differs once executed")


@pytest.mark.parametrize("nb_path", notebooks(ROOT), ids=lambda p: p.name)
def test_a_stored_notebook_records_nothing_that_varies_by_interpreter(nb_path):
    """The book supports several Pythons (3.11 of any patch, 3.12, 3.13): a stored notebook must
    be the same file whichever of them executed it, so it may not record the interpreter's
    version (the kernel's ``language_info.version``) or any output that names it."""
    import platform

    nb = nbformat.read(nb_path, as_version=4)
    assert "version" not in nb.metadata.get("language_info", {}), (
        f"{nb_path.name} records the Python it was executed with; run `sovbook execute`"
    )
    assert platform.python_version() not in _outputs(nb), (
        f"{nb_path.name}: an output names this interpreter's version"
    )
