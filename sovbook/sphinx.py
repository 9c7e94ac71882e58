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
   Notebooks without a cached result are executed side by side, one kernel per
   core, before Sphinx reads them (:func:`execute_ahead`).
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
import hashlib
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
    config.nb_execution_cache_path = str(cache_root / key)
    if cache_root.is_dir():  # keep only the current inputs' cache
        for old in cache_root.iterdir():
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    execute_ahead(root, config)
    app.add_css_file("sovbook.css")
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def execute_ahead(root: Path, config) -> list[str]:
    """Execute, side by side, the notebooks the execution cache does not hold yet.

    myst-nb (``execute_notebooks: cache``) executes each notebook while Sphinx reads it, one
    after another, and the build process only waits on the kernel meanwhile. Here, once the
    data has validated, the book's notebooks that have no cached result are executed in a
    process pool, one kernel per core, by jupyter-cache's own execution worker (the one its
    ``local-parallel`` executor uses) into the same cache; myst-nb then finds every result
    cached. Nothing else changes: the cache keys on the notebook's code and on the inputs'
    hash (above), so no result is ever stale. A notebook that fails here is simply not
    cached: myst-nb executes it again while reading and reports the error as usual, failing
    the build. Returns the notebooks that had no cached result (a single one is left to
    myst-nb: there is nothing to run beside it)."""
    if config.nb_execution_mode != "cache":
        return []
    import multiprocessing
    import os
    from pathlib import PurePosixPath

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc, ExecutionWorkerTempMProc, ProcessData

    from .cli import notebooks

    candidates = [
        path for path in notebooks(root)
        if not any(PurePosixPath(path.as_posix()).match(p) for p in config.nb_execution_excludepatterns or ())
    ]
    # A note of the notebook files last found cached, so an unchanged book skips reading them
    # into jupyter-cache. It only saves time: myst-nb matches every notebook against the cache itself.
    note = Path(config.nb_execution_cache_path) / "executed-ahead"
    fingerprint = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()} {p.relative_to(root).as_posix()}\n" for p in candidates)
    if note.is_file() and note.read_text(encoding="utf-8") == fingerprint:
        return []
    cache = get_cache(config.nb_execution_cache_path)
    pending = []
    for path in candidates:
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            pending.append(path)
    if not pending:
        note.write_text(fingerprint, encoding="utf-8")
    if len(pending) < 2:  # nothing to run side by side: myst-nb executes it while reading
        return [str(p) for p in pending]
    records = [cache.add_nb_to_project(str(path)) for path in pending]
    worker = ExecutionWorkerTempMProc() if config.nb_execution_in_temp else ExecutionWorkerLocalMProc()
    jobs = [ProcessData(r.pk, r.uri, cache, config.nb_execution_timeout, config.nb_execution_allow_errors) for r in records]
    processes = min(len(jobs), os.cpu_count() or 1)
    LOGGER.info(f"sovbook: executing {len(jobs)} notebooks, {processes} at a time")
    with multiprocessing.Pool(processes=processes) as pool:
        pool.map(worker, jobs, chunksize=1)
    return [str(p) for p in pending]


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
    traces = _page_traces(app.env).get(pagename)
    if traces:
        app.add_js_file(plotlyjs.for_traces(traces).name, priority=600)
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


_FONTAWESOME_JS = re.compile(r'\s*<script defer src="[^"]*/fontawesome\.js[^"]*"></script>')


def _on_builder_inited(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):  # used by templates/layout.html
        templates.environment.filters["sovbook_without_fontawesome_js"] = lambda text: _FONTAWESOME_JS.sub("", str(text))


def _on_build_finished(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    write_data_zip(Path(app.confdir).resolve(), Path(app.outdir) / "_static" / DATA_ZIP)


def _page_traces(env) -> dict[str, set[str]]:
    if not hasattr(env, "sovbook_traces"):
        env.sovbook_traces = {}
    return env.sovbook_traces


def _on_env_purge_doc(app: Sphinx, env, docname: str) -> None:
    _page_traces(env).pop(docname, None)


def _on_env_merge_info(app: Sphinx, env, docnames, other) -> None:
    _page_traces(env).update({d: t for d, t in _page_traces(other).items() if d in docnames})


def _on_env_updated(app: Sphinx, env) -> None:
    """Copy into ``_static/`` the plotly.js bundles the pages need, before any page is
    written (so each page's script tag carries the file's checksum, as Sphinx's own do)."""
    if app.builder.format != "html":
        return
    for bundle in {plotlyjs.for_traces(traces) for traces in _page_traces(env).values() if traces}:
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
    reader opens only on demand. The code itself is unchanged.

    Also records the trace types of the page's charts, from which the page's plotly.js
    bundle is chosen (``html-page-context``) and copied (``env-updated``)."""
    for block in doctree.findall(nodes.literal_block):
        parent = block.parent
        if parent is not None and "cell_input" in parent.get("classes", []):
            block["language"] = "none"
    # the trace types of the page's charts, to choose and copy its plotly.js bundle
    traces = set()
    for raw in doctree.findall(nodes.raw):
        if "sovbook" in raw.get("classes", []):
            traces |= plotlyjs.traces_in(raw.astext())
    _page_traces(app.env)[app.env.docname] = traces


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _on_builder_inited)
    app.connect("doctree-read", _on_doctree_read)
    app.connect("env-purge-doc", _on_env_purge_doc)
    app.connect("env-merge-info", _on_env_merge_info)
    app.connect("env-updated", _on_env_updated)
    app.connect("config-inited", _on_config_inited, priority=100)
    app.connect("html-page-context", _on_page_context, priority=900)
    app.connect("build-finished", _on_build_finished)
    app.setup_extension("sovbook.reader")  # issue 12: the reader's edition (sovbook/reader.py)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
