"""The package's shape: no import cycle, and an execution cache key that covers exactly the
code the notebooks run (editing the PDF writer re-executes nothing; editing the evidence
loader re-executes everything)."""

from __future__ import annotations

import json

import pytest

from sovbook import imports, project, sphinx
from tests.helpers import ROOT, copy_evidence, copy_project

#: Modules no notebook runs: editing them must not re-execute anything.
NOT_RUN_BY_NOTEBOOKS = {
    "sovbook.browser",
    "sovbook.cli",
    "sovbook.downloads",
    "sovbook.execution",
    "sovbook.pages",
    "sovbook.pdf",
    "sovbook.plotly_renderer",
    "sovbook.sphinx",
}
#: Modules the chapters run (they import them, or what they import does).
RUN_BY_NOTEBOOKS = {
    "sovbook",
    "sovbook.charts",
    "sovbook.evidence",
    "sovbook.locate",
    "sovbook.project",
    "sovbook.render",
    "sovbook.sources",
}


def test_no_import_cycle_in_the_package():
    graph = imports.import_graph(ROOT / "sovbook")
    assert len(graph) >= 15
    assert imports.cycles(graph) == []


def test_the_cycle_check_can_fail(tmp_path):
    """Two modules importing each other (one of them only inside a function) are a cycle; a
    third that imports one of them is not part of it."""
    package = tmp_path / "sovbook"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package."""\n', encoding="utf-8")
    (package / "cli.py").write_text("def main():\n    from .pdf import write\n", encoding="utf-8")
    (package / "pdf.py").write_text("from . import cli\n\nwrite = None\n", encoding="utf-8")
    (package / "other.py").write_text("import sovbook.pdf\n", encoding="utf-8")
    graph = imports.import_graph(package)
    assert graph["sovbook.other"] == {"sovbook.pdf"}
    assert imports.cycles(graph) == [["sovbook.cli", "sovbook.pdf"]]


def _edit(path):
    original = path.read_bytes()
    path.write_bytes(original + b"\n# an edit\n")
    return original


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("book"))


def test_the_cache_key_covers_exactly_the_code_the_notebooks_run(book):
    modules = project.notebook_modules(book)
    assert modules >= RUN_BY_NOTEBOOKS and not modules & NOT_RUN_BY_NOTEBOOKS
    key = project.inputs_hash(book)
    changed_the_key = set()
    for name, path in imports.module_paths(book / "sovbook").items():
        original = _edit(path)
        try:
            if project.inputs_hash(book) != key:
                changed_the_key.add(name)
        finally:
            path.write_bytes(original)
    assert changed_the_key == modules
    assert project.inputs_hash(book) == key


def test_the_cache_key_follows_the_notebooks_imports(book):
    """The modules are read from the notebooks' code: a notebook that starts importing the PDF
    writer brings it (and what it imports) into the key."""
    notebook = project.notebooks(book)[0]
    original = notebook.read_bytes()
    nb = json.loads(original)
    nb["cells"].append(
        {
            "cell_type": "code",
            "id": "imports-the-pdf-writer",
            "metadata": {},
            "source": "%matplotlib inline\nfrom sovbook.pdf import write_pdf\n",
            "outputs": [],
            "execution_count": None,
        }
    )
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    try:
        assert {"sovbook.pdf", "sovbook.browser"} <= project.notebook_modules(book)
        key = project.inputs_hash(book)
        pdf = book / "sovbook" / "pdf.py"
        original_pdf = _edit(pdf)
        assert project.inputs_hash(book) != key
        pdf.write_bytes(original_pdf)
    finally:
        notebook.write_bytes(original)


def test_a_notebook_that_cannot_be_parsed_makes_every_module_count(book):
    notebook = project.notebooks(book)[0]
    original = notebook.read_bytes()
    nb = json.loads(original)
    nb["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "source": "def broken(:\n",
            "outputs": [],
            "execution_count": None,
        }
    )
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    try:
        assert project.notebook_modules(book) == set(imports.module_paths(book / "sovbook"))
    finally:
        notebook.write_bytes(original)


def test_a_folder_with_the_evidence_alone_has_a_key(tmp_path):
    """``evidence.load`` keys what it has loaded on the inputs' hash, also in a folder with the
    evidence but no pages (the tests' evidence copies)."""
    copy_evidence(tmp_path)
    assert project.notebook_modules(tmp_path) == set()
    assert len(project.inputs_hash(tmp_path)) == 16


def test_the_extension_version_follows_the_extension_code(book):
    """Sphinx reads every page again (without executing anything) when the extension's code
    changes: its ``env_version`` is a hash of the modules the extension imports."""
    package = book / "sovbook"
    version = sphinx.code_version(package)
    assert sphinx.code_version() == sphinx.code_version(ROOT / "sovbook")
    for name, changes in (("plotly_renderer.py", True), ("pages.py", True), ("cli.py", False)):
        original = _edit(package / name)
        try:
            assert (sphinx.code_version(package) != version) is changes, name
        finally:
            (package / name).write_bytes(original)
