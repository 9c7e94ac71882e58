"""The book's Sphinx extension (``sovbook.sphinx`` in ``_config.yml``).

:func:`setup` connects it to the build. This module does what happens before any page is
read (``config-inited``); the other modules named below do the rest.

1. **Stops a build on bad data.** The same validation as ``sovbook check``
   (:func:`sovbook.evidence.load`) runs and raises before any notebook is executed or any chart
   drawn. A pass is stamped under the hash of the inputs and of the checking code, so an
   unchanged book is not validated again at this point; pages that reference passages load the
   evidence (validating it) once per build (:func:`sovbook.passages.build_evidence`).
   A vendored plotly.js bundle that was edited or is another release stops the build too.
2. **Never shows stale results.** jupyter-cache keys only on code-cell source, so the execution
   cache folder is named after :func:`sovbook.project.inputs_hash` (the evidence, the package
   modules the notebooks import, the pandas, plotly and numpy releases). Any change there is a
   new cache (and, since the setting changes, Sphinx reads every page again). The extension's
   own code is the environment version (:func:`code_version`), so a change to it, too, makes
   Sphinx read every page again (without executing anything).
3. **Executes notebooks side by side**, one kernel per core, before Sphinx reads them
   (:func:`sovbook.execution.execute_ahead`).
4. **Draws plotly charts offline**: :class:`sovbook.plotly_renderer.PlotlyRenderer` writes each
   chart's HTML; :mod:`sovbook.pages` gives each page the plotly.js bundle its charts need, drops
   scripts that would load from the internet and fixes ARIA roles; the extension's ``static/``
   and ``templates/`` folders are added to the build's.
5. **Writes the data archive** readers download (:mod:`sovbook.downloads`) when an HTML build
   finishes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from platform import python_version
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from . import imports, pages, plotlyjs, project
from .downloads import DATA_ZIP, write_data_zip
from .execution import execute_ahead
from .plotly_renderer import PlotlyRenderer, chart_html

__all__ = ["DATA_ZIP", "PlotlyRenderer", "chart_html", "execute_ahead", "setup", "write_data_zip"]

LOGGER = logging.getLogger(__name__)
PACKAGE_DIR = Path(__file__).parent
STATIC = PACKAGE_DIR / "static"
TEMPLATES = PACKAGE_DIR / "templates"


def _on_config_inited(app: Sphinx, config) -> None:
    root = Path(app.confdir).resolve()
    cache_root = Path(app.outdir).resolve().parent / ".jupyter_cache"
    key = project.inputs_hash(root)
    # Validation is a function of the evidence (in the key) and of the code that checks it, so
    # a stamp named after both records that these exact inputs passed.
    checker = imports.code_hash(PACKAGE_DIR, ["sovbook.evidence"])[:16]
    stamp = cache_root / key / f"evidence-validated-{checker}"
    if not stamp.is_file():
        from . import evidence

        try:
            evidence.load(root)
        except evidence.EvidenceError as exc:
            raise ExtensionError(
                f"the book's data does not validate; nothing was built:\n{exc}"
            ) from None
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text("ok\n", encoding="utf-8")
    try:
        plotlyjs.check()
    except plotlyjs.PlotlyBundleError as exc:
        raise ExtensionError(f"plotly.js: {exc}") from None
    config.nb_execution_cache_path = str(cache_root / key)
    if cache_root.is_dir():  # keep only the current inputs' cache
        for old in cache_root.iterdir():
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    execute_ahead(root, config, log=LOGGER.info)
    # The Python that builds the pages, for the reproducibility page: written into the page by
    # the build, since a stored notebook is the same whichever supported Python executed it.
    config.myst_substitutions = {**config.myst_substitutions, "build_python": python_version()}
    app.add_css_file("sovbook.css")
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def _on_build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    write_data_zip(Path(app.confdir).resolve(), Path(app.outdir) / "_static" / DATA_ZIP)


def code_version(package_dir: Path = PACKAGE_DIR) -> int:
    """A number that changes whenever the code of this extension, or of a package module it
    imports, changes: Sphinx keeps its environment (the pages it has read) only while every
    extension's ``env_version`` is the same, so a change to the chart markup, say, makes it
    read every page again (from the execution cache)."""
    return int(imports.code_hash(package_dir, [__name__])[:8], 16)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", pages.on_builder_inited)
    app.connect("doctree-read", pages.on_doctree_read)
    app.connect("env-purge-doc", pages.on_env_purge_doc)
    app.connect("env-merge-info", pages.on_env_merge_info)
    app.connect("env-updated", pages.on_env_updated)
    app.connect("config-inited", _on_config_inited, priority=100)
    app.connect("html-page-context", pages.on_page_context, priority=900)
    app.connect("build-finished", _on_build_finished)
    app.setup_extension("sovbook.reader")  # the reader's edition (sovbook/reader.py)
    return {
        "version": "1",
        "env_version": code_version(),
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
