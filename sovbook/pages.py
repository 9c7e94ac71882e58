"""What the Sphinx extension does to the pages of the HTML build.

* Each page loads plotly.js only if it has a chart, and then the smallest bundle that draws the
  page's trace types (:mod:`sovbook.plotlyjs`): the trace types are recorded when a page is
  read (``doctree-read``, kept across parallel reads and purges), the bundles copied into
  ``_static/`` before any page is written (``env-updated``, so each script tag carries the
  file's checksum) and the script tags added as each page is written (``html-page-context``).
* Notebook code, hidden behind a toggle, is shown as plain monospace text (``doctree-read``).
* Nothing is loaded from the internet: scripts of extensions that would (thebe, require.js,
  MathJax from a CDN) are dropped from every page, and so is the theme's ``fontawesome.js``
  (through a template filter used by ``templates/layout.html``).
* ARIA roles that docutils writes on citations and that axe-core rejects are removed.
"""

from __future__ import annotations

import filecmp
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from . import plotlyjs

#: What no page may load (besides its own _static files, nothing from another host).
_UNWANTED_SCRIPT_MARKERS = ("thebe", "require.js", "require.min.js", "mathjax", "://")

#: ARIA roles that docutils writes on citations and that axe-core rejects (deprecated
#: ``doc-biblioentry``, a ``list`` whose children are not list items). The elements keep
#: their meaning from the surrounding markup.
_ARIA_FIXES = (
    (re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"'), r"\1"),
    (re.compile(r'(<div) role="list"( class="citation-list")'), r"\1\2"),
)

_FONTAWESOME_JS = re.compile(r'\s*<script defer src="[^"]*/fontawesome\.js[^"]*"></script>')


def page_traces(env) -> dict[str, set[str]]:
    """The trace types of each page's charts, by page name (kept in the build environment)."""
    if not hasattr(env, "sovbook_traces"):
        env.sovbook_traces = {}
    return env.sovbook_traces


def on_builder_inited(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):  # see templates/layout.html
        templates.environment.filters["sovbook_without_fontawesome_js"] = lambda text: (
            _FONTAWESOME_JS.sub("", str(text))
        )


def on_doctree_read(app: Sphinx, doctree) -> None:
    """Notebook code is hidden behind a toggle and shown as plain monospace text: syntax
    colouring multiplies a chapter's HTML about sixfold (a span per token), for code the
    reader opens only on demand. The code itself is unchanged.

    Also records the trace types of the page's charts, from which the page's plotly.js
    bundle is chosen (``html-page-context``) and copied (``env-updated``)."""
    for block in doctree.findall(nodes.literal_block):
        parent = block.parent
        if parent is not None and "cell_input" in parent.get("classes", []):
            block["language"] = "none"
    traces = set()
    for raw in doctree.findall(nodes.raw):
        if "sovbook" in raw.get("classes", []):
            traces |= plotlyjs.traces_in(raw.astext())
    page_traces(app.env)[app.env.docname] = traces


def on_env_purge_doc(app: Sphinx, env, docname: str) -> None:
    page_traces(env).pop(docname, None)


def on_env_merge_info(app: Sphinx, env, docnames, other) -> None:
    page_traces(env).update({d: t for d, t in page_traces(other).items() if d in docnames})


def on_env_updated(app: Sphinx, env) -> None:
    """Copy into ``_static/`` the plotly.js bundles the pages need, before any page is
    written (so each page's script tag carries the file's checksum, as Sphinx's own do)."""
    if app.builder.format != "html":
        return
    for bundle in {plotlyjs.for_traces(t) for t in page_traces(env).values() if t}:
        target = Path(app.outdir) / "_static" / bundle.name
        if not target.is_file() or not filecmp.cmp(target, bundle.path, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(bundle.path, target)


def _unwanted(script) -> bool:
    name = str(getattr(script, "filename", script) or "").lower()
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return any(marker in name for marker in _UNWANTED_SCRIPT_MARKERS) or "THEBE" in body


def on_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" in context:
        for pattern, replacement in _ARIA_FIXES:
            context["body"] = pattern.sub(replacement, context["body"])
    traces = page_traces(app.env).get(pagename)
    if traces:
        app.add_js_file(plotlyjs.for_traces(traces).name, priority=600)
        app.add_js_file("sovbook-charts.js", priority=601)
    scripts = context.get("script_files")
    if scripts is not None:  # filter in place: the builder keeps a reference to this list
        scripts[:] = [script for script in scripts if not _unwanted(script)]
