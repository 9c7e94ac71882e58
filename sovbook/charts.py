"""Chart styling: one look for every chart in the book.

A notebook builds a plotly figure and hands it to :func:`chart`, which

* applies the book's template (fonts, colour-blind-safe Okabe–Ito palette),
* requires a title, axis titles with units, a source line, a caption and a
  data table (the text alternative for screen readers),
* stores all of that in ``layout.meta["sovbook"]`` so the Sphinx renderer
  (:mod:`sovbook.sphinx`) can write the figure caption, the source line and
  the data table under the chart,
* and displays as the plotly JSON MIME type only: no JavaScript and no random
  ids are stored in the notebook, so outputs are byte-identical on re-execution.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .plotlyjs import PLOTLY_MIME

#: Okabe & Ito (2008) palette, safe for the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: One colour per kind of evidence, used in every chart.
SOURCE_COLOURS = {
    "ciliga": OKABE_ITO["vermillion"],
    "el-emary": OKABE_ITO["blue"],
    "record": OKABE_ITO["bluish_green"],
    "both": OKABE_ITO["reddish_purple"],
}

#: Colours of the concordance stances.
STANCE_COLOURS = {
    "supports": OKABE_ITO["bluish_green"],
    "complicates": OKABE_ITO["orange"],
    "contradicts": OKABE_ITO["vermillion"],
    "silent": "#7f7f7f",
}

SEQUENCE = [
    OKABE_ITO[k]
    for k in ("blue", "vermillion", "bluish_green", "orange", "reddish_purple", "sky_blue", "black")
]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


class ChartError(ValueError):
    """A chart lacks something every chart must have."""


def _require(name: str, value: Any) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ChartError(f"a chart needs a non-empty {name}")


def _plain(value: Any) -> Any:
    """A JSON-safe, deterministic version of a table cell."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if isinstance(value, (int, str, bool)):
        return value
    if pd.isna(value):
        return None
    return str(value)


@dataclass
class Chart:
    """A finished chart: figure plus what the reader needs around it."""

    figure: go.Figure
    title: str
    caption: str
    source: str
    table: pd.DataFrame
    height: int = 420
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The figure as plain JSON (what the notebook stores)."""
        return json.loads(self.figure.to_json(validate=False, engine="json"))

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            PLOTLY_MIME: self.to_json(),
            "text/plain": f"{self.title}. {self.caption} Source: {self.source}",
        }


def chart(
    fig: go.Figure,
    *,
    title: str,
    x_title: str,
    y_title: str,
    source: str,
    caption: str,
    table: pd.DataFrame,
    height: int = 420,
    legend_title: str | None = None,
) -> Chart:
    """Style ``fig`` and attach the caption, source line and data table.

    ``x_title`` and ``y_title`` must name their units (e.g. "share of population (%)").
    ``table`` is the text alternative shown under the chart: the same numbers, in rows.
    """
    for name, value in (
        ("title", title),
        ("x_title", x_title),
        ("y_title", y_title),
        ("source", source),
        ("caption", caption),
    ):
        _require(name, value)
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ChartError(
            f"chart {title!r}: a chart needs a non-empty data table (its text alternative)"
        )
    meta = {
        "title": title,
        "caption": caption,
        "source": source,
        "table": {
            "columns": [str(c) for c in table.columns],
            "rows": [[_plain(v) for v in row] for row in table.itertuples(index=False, name=None)],
        },
    }
    fig.update_layout(
        template=None,
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 13, "color": "#222222"},
        colorway=SEQUENCE,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        height=height,
        margin={"l": 70, "r": 20, "t": 60, "b": 40},
        hoverlabel={"bgcolor": "#ffffff", "font": {"family": FONT, "size": 12}, "align": "left"},
        legend={
            "title": {"text": legend_title} if legend_title else None,
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
            "bgcolor": "rgba(255,255,255,0.8)",
        },
        meta={"sovbook": meta},
    )
    axis = {
        "showline": True,
        "linecolor": "#444444",
        "gridcolor": "#e5e5e5",
        "zeroline": False,
        "ticks": "outside",
        "automargin": True,
    }
    fig.update_xaxes(title={"text": x_title}, **axis)
    fig.update_yaxes(title={"text": y_title}, **axis)
    return Chart(
        figure=fig,
        title=title,
        caption=caption,
        source=source,
        table=table,
        height=height,
        meta=meta,
    )


def hover_lines(*columns: Iterable[str]) -> list[str]:
    """Join several per-point text columns (of the same length) into one hover text per point,
    with ``<br>`` between lines."""
    return [
        "<br>".join(str(part) for part in parts if part) for parts in zip(*columns, strict=True)
    ]


def wrap(label: str, width: int = 28) -> str:
    """Break a long axis label into lines of at most ``width`` characters (plotly's ``<br>``)."""
    words, lines, line = str(label).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)
