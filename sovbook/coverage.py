"""Coverage: which paragraphs of each text the book engages, and which it leaves out and why.

A paragraph is **engaged** when the book quotes a passage in it on a page (a quotation id in a
page's code or in a ``{passage}`` reference) or codes a passage in it in the concordance (as a
claim's passage or as the evidence of a row). Every other paragraph must be named in
``data/coverage_gaps.csv`` with the reason it is left out; the evidence check refuses a paragraph
that is neither, and a gap for a paragraph the book engages.

Paragraphs come from each text's locator scheme (:func:`sovbook.locate.paragraphs`): for the
eyewitness excerpt, the paragraphs its line breaks show; for El-Emary's chapter, the paragraphs of
each section, counted from the first after the byline and the author's note. The share engaged is
taken over paragraphs of the running text; front matter and notes are listed but not counted.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import locate, project
from .problem import Problem


def _uses(tables: dict[str, pd.DataFrame], root: Path) -> dict[str, list[str]]:
    """quote_id -> where the book uses it: pages, and 'concordance' for coded passages."""
    quote_ids = list(tables["quotes"]["quote_id"])
    uses = {q: list(p) for q, p in project.quotation_usage(root, quote_ids).items()}
    claims = tables.get("claims")
    if claims is not None:
        for quote_id in claims["quote_id"]:
            uses.setdefault(quote_id, []).append("concordance (claim)")
    conc = tables.get("concordance")
    if conc is not None:
        for quote_id in conc["evidence_quote_id"].dropna():
            uses.setdefault(quote_id, []).append("concordance (evidence)")
    return {q: list(dict.fromkeys(v)) for q, v in uses.items()}


def paragraph_table(
    tables: dict[str, pd.DataFrame], locators: dict, root: Path, source_id: str
) -> pd.DataFrame:
    """One row per paragraph (then front matter and notes) of one seed text, with ``engaged``,
    ``quotes`` (ids in it that the book uses), ``where`` (pages and concordance) and ``reason``
    (from data/coverage_gaps.csv)."""
    uses = _uses(tables, root)
    gaps = tables["coverage_gaps"]
    reasons = dict(
        zip(
            gaps.loc[gaps["source_id"] == source_id, "paragraph"],
            gaps.loc[gaps["source_id"] == source_id, "reason"],
            strict=False,
        )
    )
    rows = []
    for para in locate.paragraphs(source_id, base=root):
        inside = []
        for quote_id, loc in locators.items():
            if loc.source_id != source_id or quote_id not in uses:
                continue
            if para.kind == "note":
                hit = loc.note == para.note
            else:
                hit = loc.note is None and loc.start < para.end and para.start < loc.end
            if hit:
                inside.append(quote_id)
        where = list(dict.fromkeys(w for q in inside for w in uses[q]))
        rows.append(
            {
                "source_id": source_id,
                "key": para.key,
                "kind": para.kind,
                "label": para.label,
                "number": para.number,
                "section": para.section,
                "note": para.note,
                "first_words": " ".join(para.text.split()[:9]) + " \u2026",
                "engaged": bool(inside),
                "quotes": inside,
                "where": where,
                "reason": reasons.get(para.key),
            }
        )
    return pd.DataFrame(rows)


def problems(ctx):
    """The evidence rule (see :func:`sovbook.evidence.every_paragraph_engaged_or_explained`)."""

    seen_keys = {}
    for source_id in ctx.seeds:
        if source_id not in set(ctx.tables["sources"]["source_id"]):
            continue
        role = ctx.role(source_id)
        if role not in ("eyewitness", "theory"):
            continue
        table = paragraph_table(ctx.tables, ctx.locators, ctx.root, source_id)
        seen_keys[source_id] = dict(zip(table["key"], table["engaged"], strict=False))
        for row in table.itertuples(index=False):
            if row.kind == "paragraph" and not row.engaged and not row.reason:
                yield Problem(
                    "data/coverage_gaps.csv",
                    f"paragraph {row.key!r} of {source_id!r} ({row.label}: "
                    f"\u201c{row.first_words}\u201d) is neither quoted nor coded by the book: "
                    "quote or code it, "
                    "or add a row giving the reason it is left out",
                    None,
                    "paragraph",
                    f"source_id={source_id}",
                )
    for index, key, row in ctx.rows("coverage_gaps"):
        known = seen_keys.get(row["source_id"])
        if known is None:
            continue
        if row["paragraph"] not in known:
            yield Problem(
                "data/coverage_gaps.csv",
                f"no paragraph {row['paragraph']!r} in {row['source_id']!r}; keys "
                f"look like {next(iter(known))!r}",
                index,
                "paragraph",
                key,
            )
        elif known[row["paragraph"]]:
            yield Problem(
                "data/coverage_gaps.csv",
                f"paragraph {row['paragraph']!r} of {row['source_id']!r} is engaged "
                "by the book, so it is not left out: remove the row",
                index,
                "paragraph",
                key,
            )


# --------------------------------------------------------------------------- the reader's view


def table(ev, source_id: str) -> pd.DataFrame:
    return paragraph_table(ev.tables, ev.locators, ev.root, source_id)


def share(ev, source_id: str) -> tuple[int, int]:
    """(engaged, total) over the paragraphs of the running text."""
    frame = table(ev, source_id)
    body = frame[frame["kind"] == "paragraph"]
    return int(body["engaged"].sum()), len(body)


def _page_title(ev, page: str) -> str:
    if page.startswith("concordance"):
        return page
    themes = ev["themes"].set_index("chapter")
    if page in themes.index:
        return f"chapter \u201c{themes.loc[page, 'label']}\u201d"
    return page.split("/")[-1].replace("-", " ")


def chart(ev, source_id: str, *, title: str, source_label: str):
    """The text's paragraphs in reading order, one cell each, coloured by engagement."""
    import plotly.graph_objects as go

    from . import charts

    frame = table(ev, source_id)
    body = frame[frame["kind"] == "paragraph"].reset_index(drop=True)
    body["order"] = range(1, len(body) + 1)
    colour = {True: charts.OKABE_ITO["bluish_green"], False: charts.OKABE_ITO["vermillion"]}
    fig = go.Figure()
    for engaged, name in (
        (True, "engaged (quoted or coded)"),
        (False, "not engaged (reason given)"),
    ):
        part = body[body["engaged"] == engaged]
        hover = [
            f"<b>{r.label}</b><br>{charts.wrap(r.first_words, 60)}<br>"
            + (
                "used: " + charts.wrap("; ".join(_page_title(ev, w) for w in r.where), 60)
                if engaged
                else "left out: " + charts.wrap(r.reason or "", 60)
            )
            for r in part.itertuples(index=False)
        ]
        fig.add_trace(
            go.Bar(
                x=part["order"],
                y=[1] * len(part),
                name=name,
                marker={"color": colour[engaged]},
                hovertext=hover,
                hoverinfo="text",
                width=0.9,
            )
        )
    fig.update_yaxes(showticklabels=False, range=[0, 1], fixedrange=True)
    fig.update_xaxes(range=[0.4, len(body) + 0.6], dtick=5 if len(body) > 20 else 1)
    engaged, total = int(body["engaged"].sum()), len(body)
    data = pd.DataFrame(
        {
            "paragraph": body["label"],
            "opens with": body["first_words"],
            "engaged": body["engaged"].map({True: "yes", False: "no"}),
            "where the book uses it, or why not": [
                "; ".join(_page_title(ev, w) for w in r.where) if r.engaged else (r.reason or "")
                for r in body.itertuples(index=False)
            ],
        }
    )
    return charts.chart(
        fig,
        title=title,
        x_title="paragraph, in reading order (number)",
        y_title="engaged (one cell per paragraph)",
        source=(
            f"{source_label}; paragraphs by the text's locator scheme (seeds/sources.json); "
            "data/coverage_gaps.csv"
        ),
        caption=(
            f"Each cell is one paragraph of {source_label}, in reading order: {engaged} of "
            f"{total} are quoted on a "
            "page or coded in the concordance; the hover text and the table give where, or why "
            "a paragraph is "
            "left out."
        ),
        table=data,
        height=260,
        legend_title="paragraph",
    )
