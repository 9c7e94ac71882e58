"""The build itself: bad data stops it before anything is drawn, a notebook that
raises fails it, and a data edit always changes the next build (no stale cache).

Each test works on a copy of the book whose table of contents is cut down to the
landing page and one small probe notebook, so the real mechanism (the Sphinx
extension, jupyter-cache, myst-nb) runs in seconds.
"""

from __future__ import annotations

import csv
import io
import re
import shutil

import nbformat
import pytest

from tests.helpers import ROOT, copy_project, jupyter_book_build

PROBE = """\
from myst_nb import glue
from sovbook import evidence
ev = evidence.load()
figures = ev["figures"].set_index("figure_id")
glue("probe_value", figures.loc[FIGURE, "value"], display=False)
print("probe value:", figures.loc[FIGURE, "value"])
"""


def _first_valued_figure(root):
    with open(root / "data" / "figures.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["value"]:
                return row["figure_id"], row["value"]
    raise AssertionError("no figure with a single value")


def _make_probe_book(tmp_path, code, *more):
    """A copy of the book whose pages are one probe notebook running ``code`` (plus one
    more notebook, ``book/probe1``, ``book/probe2``..., for each of ``more``)."""
    root = copy_project(tmp_path)
    names = []
    for index, source in enumerate((code, *more)):
        name = f"probe{index or ''}"
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        glued = "The value is {glue:text}`probe_value`." if "glue(" in source else ""
        nb.cells = [
            nbformat.v4.new_markdown_cell(f"# Probe {index}\n\n{glued}"),
            nbformat.v4.new_code_cell(source, metadata={"tags": ["hide-input"]}),
        ]
        nbformat.write(nb, root / "book" / f"{name}.ipynb")
        names.append(f"book/{name}")
    chapters = "".join(f"  - file: {name}\n" for name in names[1:])
    toc = f"format: jb-book\nroot: {names[0]}\n" + (f"chapters:\n{chapters}" if chapters else "")
    (root / "_toc.yml").write_text(toc, encoding="utf-8")
    return root


def _set_cell(path, key_field, key, field, value):
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    fields = list(rows[0].keys())
    for row in rows:
        if row[key_field] == key:
            row[field] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def probe_built(tmp_path_factory):
    """The probe book (its notebook glues a figure's value), built once; tests that start from
    a built book work on a copy (:func:`_copy_built`). Returns its root, the figure and value."""
    figure_id, value = _first_valued_figure(ROOT)
    root = _make_probe_book(
        tmp_path_factory.mktemp("probe"), PROBE.replace("FIGURE", repr(figure_id))
    )
    first = jupyter_book_build(root)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "Executing notebook" in first.stdout
    return root, figure_id, value


def _copy_built(probe_built, tmp_path):
    return shutil.copytree(probe_built[0], tmp_path / "book")


def test_a_data_edit_changes_the_next_build(probe_built, tmp_path):
    _, figure_id, value = probe_built
    root = _copy_built(probe_built, tmp_path)
    page = root / "_build" / "html" / "book" / "probe.html"
    assert re.search(rf"probe value: {float(value):g}(\.0)?\b", page.read_text(encoding="utf-8"))

    # editing code no notebook runs (the PDF writer, the command line) executes nothing again
    cache = root / "_build" / ".jupyter_cache"
    key = [p.name for p in cache.iterdir() if p.is_dir()]
    for module in ("pdf.py", "cli.py"):
        with open(root / "sovbook" / module, "a", encoding="utf-8") as fh:
            fh.write("\n# an edit that changes no notebook's output\n")
    again = jupyter_book_build(root)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert [p.name for p in cache.iterdir() if p.is_dir()] == key
    assert "Executing notebook" not in again.stdout and "sovbook: executing" not in again.stdout

    new_value = str(int(float(value)) + 1)
    _set_cell(root / "data" / "figures.csv", "figure_id", figure_id, "value", new_value)
    edited = jupyter_book_build(root)
    assert edited.returncode == 0, edited.stdout[-3000:] + edited.stderr[-3000:]
    assert "Executing notebook" in edited.stdout, "a data edit must re-execute the notebook"
    html = page.read_text(encoding="utf-8")
    assert re.search(rf"probe value: {new_value}(\.0)?\b", html), (
        "the page still shows the old value"
    )


def test_bad_data_stops_the_build_before_anything_is_drawn(tmp_path):
    root = _make_probe_book(tmp_path, "print('never runs')")
    quotes = root / "data" / "quotes.csv"
    rows = list(csv.DictReader(io.StringIO(quotes.read_text(encoding="utf-8"))))
    target = rows[0]
    words = target["text"].split()
    words[len(words) // 2] = "zzzz"
    _set_cell(quotes, "quote_id", target["quote_id"], "text", " ".join(words))
    result = jupyter_book_build(root)
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "data/quotes.csv, row 1" in out and "'text'" in out and "nearest" in out
    assert not (root / "_build" / "html" / "book" / "probe.html").exists(), (
        "nothing may be written after bad data"
    )


def _assert_execution_failed(result, root, name, message):
    """The build failed because notebook ``book/<name>.ipynb`` raised: the log names it as a
    failed execution and its saved traceback holds the exception's ``message``."""
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert f"book/{name}.ipynb: WARNING: Executing notebook failed" in out, out[-3000:]
    report = root / "_build" / "html" / "reports" / "book" / f"{name}.err.log"
    traceback = re.sub(r"\x1b\[[0-9;]*m", "", report.read_text(encoding="utf-8"))  # no colours
    assert f"RuntimeError: {message}" in traceback


def test_a_notebook_that_raises_fails_the_build(tmp_path):
    root = _make_probe_book(tmp_path, "raise RuntimeError('boom in probe')")
    result = jupyter_book_build(root)
    _assert_execution_failed(result, root, "probe", "boom in probe")


def test_a_bibliography_edit_is_validated_again(probe_built, tmp_path):
    """The validation stamp is keyed on the inputs, the bibliography included."""
    root = _copy_built(probe_built, tmp_path)
    bib = root / "book" / "references.bib"
    bib.write_text(
        re.sub(r"@(\w+)\{pipesleninsgulag,", r"@\1{renamedkey,", bib.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    second = jupyter_book_build(root)
    assert second.returncode != 0
    assert "pipesleninsgulag" in second.stdout + second.stderr


def test_uncached_notebooks_run_side_by_side_and_are_read_from_the_cache(tmp_path):
    root = _make_probe_book(tmp_path, "print('first probe ran')", "print('second probe ran')")
    first = jupyter_book_build(root)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "sovbook: executing 2 notebooks" in first.stdout
    assert (
        first.stdout.count("Using cached notebook") == 2
        and "Executing notebook" not in first.stdout
    )
    for name, text in (("probe", "first probe ran"), ("probe1", "second probe ran")):
        assert text in (root / "_build" / "html" / "book" / f"{name}.html").read_text(
            encoding="utf-8"
        )
    again = jupyter_book_build(root, "--all")
    assert again.returncode == 0 and "sovbook: executing" not in again.stdout


def test_a_notebook_that_raises_beside_another_fails_the_build(tmp_path):
    root = _make_probe_book(
        tmp_path, "print('fine')", "raise RuntimeError('boom in the second probe')"
    )
    result = jupyter_book_build(root)
    assert "sovbook: executing 2 notebooks" in result.stdout
    _assert_execution_failed(result, root, "probe1", "boom in the second probe")
