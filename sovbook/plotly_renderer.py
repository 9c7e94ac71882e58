"""How a chart reaches the page: the myst-nb MIME renderer for plotly figure JSON.

:class:`PlotlyRenderer` is a myst-nb MIME render plugin (entry point group
``myst_nb.mime_renderers``, declared in ``pyproject.toml``) for ``application/vnd.plotly.v1+json``
outputs. It writes, with :func:`chart_html`, a ``<figure>`` with a deterministic id, the figure
JSON, a caption with the source line and the data table (all read from the figure's
``layout.meta.sovbook``, which :func:`sovbook.charts.chart` stores), and the figure's trace
types, from which :mod:`sovbook.pages` chooses the page's plotly.js bundle. Nothing here runs in
the browser: ``static/sovbook-charts.js`` draws the figure.
"""

from __future__ import annotations

import html
import json
from typing import Any

from docutils import nodes

from . import plotlyjs

CHART_CLASS = "sovbook-chart"


def _table_html(table: dict[str, Any]) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table["columns"])
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{'' if v is None else html.escape(str(v))}</td>" for v in row)
        + "</tr>"
        for row in table["rows"]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def chart_html(figure: dict[str, Any], chart_id: str) -> str:
    """The HTML of one chart: a ``<figure>`` with plot, caption, source line and data table."""
    meta = figure.get("layout", {}).get("meta", {}).get("sovbook")
    if not meta:
        raise ValueError(
            "plotly output without layout.meta.sovbook: draw charts with sovbook.charts.chart()"
        )
    height = int(figure.get("layout", {}).get("height", 420))
    # the table is written as HTML below, not carried in the figure JSON
    layout = {k: v for k, v in figure.get("layout", {}).items() if k != "meta"}
    payload = json.dumps(
        {"data": figure.get("data", []), "layout": layout},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).replace("</", "<\\/")
    title = html.escape(meta["title"])
    traces = html.escape(" ".join(plotlyjs.trace_types(figure)))
    return (
        f'<figure class="{CHART_CLASS}" id="{chart_id}" aria-labelledby="{chart_id}-title" '
        f'{plotlyjs.TRACES_ATTR}="{traces}">'
        f'<div class="sovbook-chart-plot" role="img" aria-label="{title}" '
        f'style="min-height:{height}px"></div>'
        f'<script type="application/json" class="sovbook-chart-json">{payload}</script>'
        f'<figcaption><span class="sovbook-chart-title" id="{chart_id}-title">{title}.</span> '
        f"{html.escape(meta['caption'])} "
        f'<span class="sovbook-chart-source">Source: {html.escape(meta["source"])}</span>'
        "</figcaption>"
        '<details class="sovbook-chart-table"><summary>The data in this chart, as a table</summary>'
        f"{_table_html(meta['table'])}</details>"
        "</figure>"
    )


class PlotlyRenderer:
    """myst-nb MIME render plugin for plotly figure JSON."""

    mime_priority_overrides = [
        ("html", plotlyjs.PLOTLY_MIME, 5),
        ("dirhtml", plotlyjs.PLOTLY_MIME, 5),
        ("singlehtml", plotlyjs.PLOTLY_MIME, 5),
    ]

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        if data.mime_type != plotlyjs.PLOTLY_MIME or inline:
            return None
        figure = data.content if isinstance(data.content, dict) else json.loads(data.string)
        chart_id = f"chart-{data.cell_index}-{data.output_index}"
        try:
            markup = chart_html(figure, chart_id)
        except (KeyError, ValueError) as exc:
            renderer.logger.warning(
                f"cannot render chart in cell {data.cell_index}: {exc}", subtype="sovbook_chart"
            )
            return []
        return [nodes.raw("", markup, format="html", classes=["output", "sovbook"])]
