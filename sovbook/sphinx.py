"""The book's Sphinx extension (loaded from ``_config.yml``).

It does four things:

1. **Stops a build on bad data.** At ``config-inited`` it runs the same
   validation as ``sovbook check`` (:func:`sovbook.evidence.load`) and raises
   before any notebook is executed or any chart drawn. A pass is stamped under
   the inputs' hash (below), so an unchanged book is not validated twice.
2. **Never shows stale results.** jupyter-cache keys only on code-cell source,
   so the execution cache folder is named after a hash of everything a notebook
   reads besides its own code (:func:`sovbook.project.inputs_hash`: ``data/``,
   ``seeds/``, the bibliography, the ``sovbook`` package and the versions of
   pandas, plotly and numpy). Any change there is a new cache (and, since the
   setting changes, Sphinx re-reads every page).
3. **Draws plotly charts offline.** :class:`PlotlyRenderer` is a myst-nb MIME
   render plugin (entry point group ``myst_nb.mime_renderers``) for
   ``application/vnd.plotly.v1+json``. It writes a ``<figure>`` with a
   deterministic id, the figure JSON, a caption with the source line and the
   data table. plotly.js is loaded only on pages that have a chart: the release
   shipped inside the installed plotly package, as the smallest bundle that draws
   the page's trace types (:mod:`sovbook.plotlyjs`), copied to ``_static/``.
4. **Loads nothing from the internet.** Scripts of extensions that would
   (thebe, require.js, MathJax from a CDN) are dropped from every page.
"""
from __future__ import annotations

import filecmp
import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from . import plotlyjs, project
from .plotlyjs import PLOTLY_MIME

LOGGER = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
CHART_CLASS = "sovbook-chart"
#: What every page may load, besides its own _static files.
_UNWANTED_SCRIPT_MARKERS = ("thebe", "require.js", "require.min.js", "mathjax", "://")


# --------------------------------------------------------------------------- inputs


def _on_config_inited(app: Sphinx, config) -> None:
    root = Path(app.confdir).resolve()
    cache_root = Path(app.outdir).resolve().parent / ".jupyter_cache"
    key = project.inputs_hash(root)
    # Validation is a function of the inputs the key hashes (data, seeds, this package), so a
    # stamp under the key's cache folder records that these exact inputs passed.
    stamp = cache_root / key / "evidence-validated"
    if not stamp.is_file():
        from . import evidence

        try:
            evidence.load(root)
        except evidence.EvidenceError as exc:
            raise ExtensionError(f"the book's data does not validate; nothing was built:\n{exc}") from None
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text("ok\n", encoding="utf-8")
    try:
        plotlyjs.check()
    except plotlyjs.PlotlyBundleError as exc:
        raise ExtensionError(f"plotly.js: {exc}") from None
    app.sovbook_bundles = {}  # name -> Bundle, filled by the pages that draw charts
    config.nb_execution_cache_path = str(cache_root / key)
    if cache_root.is_dir():  # keep only the current inputs' cache
        for old in cache_root.iterdir():
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    app.add_css_file("sovbook.css")
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.templates_path = [str(TEMPLATES), *config.templates_path]


# --------------------------------------------------------------------------- pages


#: ARIA roles that docutils writes on citations and that axe-core rejects (deprecated
#: ``doc-biblioentry``, a ``list`` whose children are not list items). The elements keep
#: their meaning from the surrounding markup.
_ARIA_FIXES = (
    (re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"'), r"\1"),
    (re.compile(r'(<div) role="list"( class="citation-list")'), r"\1\2"),
)


def _on_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" in context:
        for pattern, replacement in _ARIA_FIXES:
            context["body"] = pattern.sub(replacement, context["body"])
    traces = plotlyjs.traces_in(context.get("body", ""))
    if traces:
        bundle = plotlyjs.for_traces(traces)
        app.sovbook_bundles[bundle.name] = bundle
        app.add_js_file(bundle.name, priority=600)
        app.add_js_file("sovbook-charts.js", priority=601)
    scripts = context.get("script_files")
    if scripts is not None:
        # filter in place: the builder keeps a reference to this list
        scripts[:] = [
            script
            for script in scripts
            if not any(m in str(getattr(script, "filename", script) or "").lower() for m in _UNWANTED_SCRIPT_MARKERS)
            and "THEBE" not in str(getattr(script, "attributes", {}).get("body", ""))
        ]


DATA_ZIP = "downloads/sovbook-data.zip"


def write_data_zip(root: Path, target: Path) -> Path:
    """The data package, the seed texts and the bibliography as one zip for readers to download.

    Entries are sorted and carry a fixed timestamp, so the same inputs give the same bytes."""
    import zipfile

    files = [p for p in project.input_files(root) if not p.is_relative_to(root / "sovbook")]
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            name = path.relative_to(root).as_posix()
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return target


def _on_build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    write_data_zip(Path(app.confdir).resolve(), Path(app.outdir) / "_static" / DATA_ZIP)
    for bundle in getattr(app, "sovbook_bundles", {}).values():
        target = Path(app.outdir) / "_static" / bundle.name
        if not target.is_file() or not filecmp.cmp(target, bundle.path, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(bundle.path, target)


# --------------------------------------------------------------------------- charts


def _table_html(table: dict[str, Any]) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table["columns"])
    rows = "".join(
        "<tr>" + "".join(f"<td>{'' if v is None else html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in table["rows"]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def chart_html(figure: dict[str, Any], chart_id: str) -> str:
    """The HTML of one chart: a ``<figure>`` with plot, caption, source line and data table."""
    meta = figure.get("layout", {}).get("meta", {}).get("sovbook")
    if not meta:
        raise ValueError("plotly output without layout.meta.sovbook: draw charts with sovbook.charts.chart()")
    height = int(figure.get("layout", {}).get("height", 420))
    layout = {k: v for k, v in figure.get("layout", {}).items() if k != "meta"}  # the table is written as HTML below
    payload = json.dumps(
        {"data": figure.get("data", []), "layout": layout},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).replace("</", "<\\/")
    title = html.escape(meta["title"])
    return (
        f'<figure class="{CHART_CLASS}" id="{chart_id}" aria-labelledby="{chart_id}-title" '
        f'{plotlyjs.TRACES_ATTR}="{html.escape(" ".join(plotlyjs.trace_types(figure)))}">'
        f'<div class="sovbook-chart-plot" role="img" aria-label="{title}" style="min-height:{height}px"></div>'
        f'<script type="application/json" class="sovbook-chart-json">{payload}</script>'
        f'<figcaption><span class="sovbook-chart-title" id="{chart_id}-title">{title}.</span> '
        f'{html.escape(meta["caption"])} '
        f'<span class="sovbook-chart-source">Source: {html.escape(meta["source"])}</span></figcaption>'
        f'<details class="sovbook-chart-table"><summary>The data in this chart, as a table</summary>'
        f"{_table_html(meta['table'])}</details>"
        "</figure>"
    )


class PlotlyRenderer:
    """myst-nb MIME render plugin for plotly figure JSON."""

    mime_priority_overrides = [
        ("html", PLOTLY_MIME, 5),
        ("dirhtml", PLOTLY_MIME, 5),
        ("singlehtml", PLOTLY_MIME, 5),
    ]

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        if data.mime_type != PLOTLY_MIME or inline:
            return None
        figure = data.content if isinstance(data.content, dict) else json.loads(data.string)
        chart_id = f"chart-{data.cell_index}-{data.output_index}"
        try:
            markup = chart_html(figure, chart_id)
        except (KeyError, ValueError) as exc:
            renderer.logger.warning(f"cannot render chart in cell {data.cell_index}: {exc}", subtype="sovbook_chart")
            return []
        return [nodes.raw("", markup, format="html", classes=["output", "sovbook"])]


def _on_doctree_read(app: Sphinx, doctree) -> None:
    """Notebook code is hidden behind a toggle and shown as plain monospace text: syntax
    colouring multiplies a chapter's HTML about sixfold (a span per token), for code the
    reader opens only on demand. The code itself is unchanged."""
    for block in doctree.findall(nodes.literal_block):
        parent = block.parent
        if parent is not None and "cell_input" in parent.get("classes", []):
            block["language"] = "none"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", _on_doctree_read)
    app.connect("config-inited", _on_config_inited, priority=100)
    app.connect("html-page-context", _on_page_context, priority=900)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
