"""The concordance: claims of each text set against passages of the other, coded twice.

One home for the method the chapters share (see book/protocol):

* the vocabularies (:func:`stances`, :func:`modes`, :func:`periods`, :func:`themes`), read from
  ``data/``;
* :func:`rows`: every concordance row with its claim, its direction, both codings, the
  adjudication where they differ and the **final stance** the book uses;
* :func:`agreement`: percent agreement and Cohen's kappa, overall and by group;
* the reader's tables and charts of one theme (:func:`claims_table`, :func:`rows_table`,
  :func:`stance_chart`) and of all themes (:func:`theme_counts`), so a theme added to
  ``data/themes.csv`` appears everywhere with the same counts.
"""

from __future__ import annotations

import math

import pandas as pd

from .evidence import Evidence, coding_coders, final_stances, periods_overlap

#: The direction of a row, from the role of the source whose claim it tests.
DIRECTIONS = {
    "theory": "El-Emary's claims, tested against the eyewitness",
    "eyewitness": "the witness's claims, tested against El-Emary",
}
SHORT_DIRECTIONS = {"theory": "theory → eyewitness", "eyewitness": "eyewitness → theory"}


# --------------------------------------------------------------------------- vocabularies


def stances(ev: Evidence) -> pd.DataFrame:
    """The stance vocabulary in its order (index: stance_id)."""
    return ev["stances"].sort_values("order").set_index("stance_id")


def modes(ev: Evidence) -> pd.DataFrame:
    return ev["testimony_modes"].sort_values("order").set_index("mode_id")


def periods(ev: Evidence) -> pd.DataFrame:
    return ev["periods"].set_index("period_id")


def themes(ev: Evidence) -> pd.DataFrame:
    """The themes in their order (index: theme_id)."""
    return ev["themes"].sort_values("order").set_index("theme_id")


def coders(ev: Evidence) -> list[str]:
    """The ids of the two coders who code every row, first coder first (the adjudicator, who
    decides only disagreements, is not one of them)."""
    return coding_coders(ev["coders"])


def overlap(ev: Evidence, a: str, b: str) -> bool:
    return periods_overlap(ev["periods"], a, b)


# --------------------------------------------------------------------------- rows


def source_role(ev: Evidence, quote_id: str) -> str:
    source_id = ev.quote(quote_id)["source_id"]
    return ev.source_row(source_id)["role"]


def rows(ev: Evidence, theme: str | None = None) -> pd.DataFrame:
    """One row per concordance row, in theme, claim and row order, with:

    ``theme``, ``claim_id``, ``claim``, ``short_label``, ``claim_quote_id``, ``claim_period``,
    ``direction`` (role of the claim's source: theory or eyewitness), ``evidence_quote_id``,
    ``evidence_mode``, ``evidence_period``, one ``stance_<coder>`` and ``reason_<coder>`` per
    coder, ``agree``, ``adjudicated_reason`` and ``stance`` (the final stance)."""
    claims = ev["claims"].rename(columns={"quote_id": "claim_quote_id", "period": "claim_period"})
    conc = ev["concordance"].merge(claims, on="claim_id", how="left")
    conc["direction"] = conc["claim_quote_id"].map(lambda q: source_role(ev, q))
    quotes = ev["quotes"].set_index("quote_id")
    present = conc["evidence_quote_id"].notna()
    conc["evidence_mode"] = conc["evidence_quote_id"].map(quotes["mode"]).where(present)
    conc["evidence_period"] = conc["evidence_quote_id"].map(quotes["period"]).where(present)
    codings = ev["codings"]
    ids = coders(ev)
    for coder in ids:
        mine = codings[codings["coder_id"] == coder].set_index("row_id")
        conc[f"stance_{coder}"] = conc["row_id"].map(mine["stance"])
        conc[f"reason_{coder}"] = conc["row_id"].map(mine["reasoning"])
    conc["agree"] = conc[[f"stance_{c}" for c in ids]].nunique(axis=1) == 1
    adjudications = ev["adjudications"].set_index("row_id")
    conc["adjudicated_reason"] = conc["row_id"].map(adjudications["reason"])
    conc["adjudicated_coding_a"] = conc["row_id"].map(adjudications["coding_a"])
    final = final_stances(ev.tables, ids)
    conc["stance"] = conc["row_id"].map(final)
    order_theme = {t: i for i, t in enumerate(themes(ev).index)}
    order_claim = {c: i for i, c in enumerate(ev["claims"]["claim_id"])}
    order_row = {r: i for i, r in enumerate(ev["concordance"]["row_id"])}
    conc = (
        conc.assign(
            _t=conc["theme"].map(order_theme),
            _c=conc["claim_id"].map(order_claim),
            _r=conc["row_id"].map(order_row),
        )
        .sort_values(["_t", "_c", "_r"])
        .drop(columns=["_t", "_c", "_r"])
        .reset_index(drop=True)
    )
    if theme is not None:
        conc = conc[conc["theme"] == theme].reset_index(drop=True)
    return conc


# --------------------------------------------------------------------------- agreement


def cohen_kappa(first: list[str], second: list[str]) -> float:
    """Cohen's kappa of two codings of the same items (NaN when chance agreement is total)."""
    if len(first) != len(second) or not first:
        raise ValueError("kappa needs two codings of the same, non-empty set of items")
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=False)) / n
    labels = set(first) | set(second)
    expected = sum((first.count(k) / n) * (second.count(k) / n) for k in labels)
    if expected == 1:
        return math.nan
    return (observed - expected) / (1 - expected)


def first_codings(ev: Evidence) -> pd.DataFrame:
    """Each row's codings as first given, before any recoding: a coding later superseded
    (``data/codings_superseded.csv``) in place of the one that replaced it. Columns as
    :func:`rows`, with ``stance_<coder>`` the first-round stances."""
    table = rows(ev)
    superseded = ev["codings_superseded"]
    for coder in coders(ev):
        earlier = superseded[superseded["coder_id"] == coder].set_index("row_id")["stance"]
        column = f"stance_{coder}"
        table[column] = table["row_id"].map(earlier).fillna(table[column])
    return table


def agreement(ev: Evidence, *, first_round: bool = False) -> pd.DataFrame:
    """Percent agreement and Cohen's kappa of the two coders: overall, per theme, per direction;
    of the final codings, or with ``first_round`` of the codings as first given
    (:func:`first_codings`).

    Columns: ``group`` (overall, theme, direction), ``name``, ``rows``, ``agreed``,
    ``percent`` (0-100) and ``kappa``."""
    table = first_codings(ev) if first_round else rows(ev)
    first, second = coders(ev)[:2]
    out = []

    def add(group, name, part):
        a, b = list(part[f"stance_{first}"]), list(part[f"stance_{second}"])
        agreed = sum(x == y for x, y in zip(a, b, strict=False))
        out.append(
            {
                "group": group,
                "name": name,
                "rows": len(part),
                "agreed": agreed,
                "percent": 100 * agreed / len(part),
                "kappa": cohen_kappa(a, b),
            }
        )

    add("overall", "all rows", table)
    for theme_id, theme in themes(ev).iterrows():
        part = table[table["theme"] == theme_id]
        if len(part):
            add("theme", theme["label"], part)
    for role, name in DIRECTIONS.items():
        part = table[table["direction"] == role]
        if len(part):
            add("direction", name, part)
    return pd.DataFrame(out)


def confusion(ev: Evidence) -> pd.DataFrame:
    """Rows: the first coder's stance; columns: the second coder's; cells: rows."""
    table = rows(ev)
    first, second = coders(ev)[:2]
    order = list(stances(ev).index)
    return pd.crosstab(table[f"stance_{first}"], table[f"stance_{second}"]).reindex(
        index=order, columns=order, fill_value=0
    )


# --------------------------------------------------------------------------- counts


def theme_counts(ev: Evidence, by: str = "theme") -> pd.DataFrame:
    """Final stances counted per theme (or per direction), rows in order, every stance a column."""
    table = rows(ev)
    order = list(stances(ev).index)
    if by == "theme":
        index = list(themes(ev).index)
    else:
        index = list(DIRECTIONS)
    return (
        table.groupby([by, "stance"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=index, columns=order, fill_value=0)
    )


# --------------------------------------------------------------------------- reader's tables


def vocabulary_label(ev: Evidence, table: str, key: str) -> str:
    frame = {"stances": stances, "modes": modes, "periods": periods}[table](ev)
    return str(frame.loc[key, "label"])


def passage_label(ev: Evidence, quote_id) -> str:
    """'p. 124, first-hand observation' for a passage; 'the whole text' for none."""
    if not isinstance(quote_id, str) or not quote_id:
        return "no passage bears on it (the whole text read)"
    return (
        f"{ev.locator(quote_id).label}; {vocabulary_label(ev, 'modes', ev.quote(quote_id)['mode'])}"
    )


def stance_table(ev: Evidence) -> pd.DataFrame:
    table = stances(ev)
    return pd.DataFrame(
        {
            "stance": table["label"],
            "definition": table["definition"],
            "decision rule": table["decision_rule"],
            "example": table["example"],
        }
    )


def mode_table(ev: Evidence) -> pd.DataFrame:
    table = modes(ev)
    text = {"eyewitness": "the eyewitness excerpt", "theory": "El-Emary's chapter"}
    return pd.DataFrame(
        {
            "mode": table["label"],
            "in": table["applies_to"].map(text),
            "what it covers": table["definition"],
            "can be the evidence of a row": table["can_be_evidence"],
        }
    )


def period_table(ev: Evidence) -> pd.DataFrame:
    table = periods(ev)

    def years(row):
        if row["from_year"] is None:
            return "any"
        if row["until_year"] is None:
            return f"from {row['from_year']}"
        return f"{row['from_year']}\u2013{row['until_year'] - 1}"

    return pd.DataFrame({"period": table["label"], "years": table.apply(years, axis=1)})


def adjudication_changes(ev: Evidence) -> pd.DataFrame:
    """The rows whose independent adjudication differs from the adjudication it replaced
    (``data/adjudications_superseded.csv``). Columns: ``row_id``, ``before`` (the superseded
    stance and its coder), ``after`` (the adjudicator's stance), ``follows`` (the coder whose
    coding the adjudicator's stance equals: a coder id, or ``neither``)."""
    now = ev["adjudications"].set_index("row_id")
    before = ev["adjudications_superseded"]
    codings = ev["codings"].pivot(index="row_id", columns="coder_id", values="stance")
    out = []
    for _, old in before.iterrows():
        row_id = old["row_id"]
        if row_id not in now.index or now.loc[row_id, "stance"] == old["stance"]:
            continue
        stance = now.loc[row_id, "stance"]
        follows = [c for c in coders(ev) if codings.loc[row_id, c] == stance]
        out.append(
            {
                "row_id": row_id,
                "before": old["stance"],
                "before_by": old["coder_id"],
                "after": stance,
                "follows": follows[0] if follows else "neither",
            }
        )
    return pd.DataFrame(out, columns=["row_id", "before", "before_by", "after", "follows"])


#: The stages by which this edition's stances were reached, for :func:`stance_counts_by_stage`.
STAGES = {
    "editors-adjudicated": "the previous edition: the editors' pairs and their own adjudications",
    "independently-adjudicated": "the editors' pairs, recoded where corrected, decided by the "
    "adjudicator",
    "with-finder-pairs": "with the finder's pairs added",
}


#: The first coding round of this edition: codings superseded in it or later were the previous
#: edition's, and are what the first stage of :func:`stance_counts_by_stage` counts.
EDITION_FIRST_ROUND = 4


def stance_counts_by_stage(ev: Evidence) -> pd.DataFrame:
    """Final stances counted at each stage of this edition's process (index: :data:`STAGES`,
    columns: the stances in order): the editors' pairs as the previous edition had them (the
    codings as they stood before this edition's rounds, the editors' own adjudications of
    ``data/adjudications_superseded.csv``), the same pairs with today's codings and the
    independent adjudications, and every row, the counter-evidence finder's pairs included."""
    ids = coders(ev)
    superseded = ev["adjudications_superseded"]
    editors_adjudications = superseded[superseded["coder_id"].isin(ids)]
    earlier = ev["codings_superseded"]
    earlier = earlier[earlier["superseded_in_round"] >= EDITION_FIRST_ROUND]
    earlier = earlier.drop_duplicates(["row_id", "coder_id"], keep="first")
    codings = ev["codings"].set_index(["row_id", "coder_id"])
    for _, old in earlier.iterrows():
        codings.loc[(old["row_id"], old["coder_id"]), "stance"] = old["stance"]
    editors_rows = set(ev["concordance"].query("chosen_by == 'editors'")["row_id"])
    before_tables = {
        **ev.tables,
        "codings": codings.reset_index(),
        "adjudications": editors_adjudications.drop(columns=["superseded_because"]),
    }
    stages = {
        "editors-adjudicated": final_stances(before_tables, ids),
        "independently-adjudicated": final_stances(ev.tables, ids),
        "with-finder-pairs": final_stances(ev.tables, ids),
    }
    order = list(stances(ev).index)
    out = {}
    for stage, final in stages.items():
        kept = (
            final
            if stage == "with-finder-pairs"
            else {r: v for r, v in final.items() if r in editors_rows}
        )
        out[stage] = pd.Series(list(kept.values())).value_counts().reindex(order, fill_value=0)
    return pd.DataFrame(out).T


def adjudications_followed(ev: Evidence) -> dict[str, int]:
    """How many adjudications chose each coder's stance (by coder id), or ``neither``."""
    codings = ev["codings"].pivot(index="row_id", columns="coder_id", values="stance")
    counts = {c: 0 for c in coders(ev)} | {"neither": 0}
    for _, adj in ev["adjudications"].iterrows():
        follows = [c for c in coders(ev) if codings.loc[adj["row_id"], c] == adj["stance"]]
        counts[follows[0] if follows else "neither"] += 1
    return counts


def agreement_table(ev: Evidence, *, first_round: bool = False) -> pd.DataFrame:
    """:func:`agreement` written for readers."""
    table = agreement(ev, first_round=first_round)
    group_names = {"overall": "all rows", "theme": "theme", "direction": "direction"}
    return pd.DataFrame(
        {
            "group": table["group"].map(group_names),
            "rows": table["name"],
            "rows coded": table["rows"],
            "same stance": table["agreed"],
            "percent agreement": table["percent"].map(lambda p: f"{p:.0f} %"),
            "Cohen's kappa": table["kappa"].map(
                lambda k: "not defined" if math.isnan(k) else f"{k:.2f}"
            ),
        }
    )


def claims_table(ev: Evidence, theme: str) -> pd.DataFrame:
    """The theme's claims for readers: who claims it, the claim, its place and period."""
    claims = ev["claims"][ev["claims"]["theme"] == theme]
    who = {"theory": "El-Emary", "eyewitness": "the witness"}
    return pd.DataFrame(
        {
            "claim": claims["short_label"].values,
            "whose": [who[source_role(ev, q)] for q in claims["quote_id"]],
            "what the text says (editors' paraphrase)": claims["claim"].values,
            "where": [ev.locator(q).label for q in claims["quote_id"]],
            "period it speaks of": [vocabulary_label(ev, "periods", p) for p in claims["period"]],
        }
    )


def rows_table(ev: Evidence, theme: str) -> pd.DataFrame:
    """The theme's rows for readers: claim, passage (place and mode), both codings and the final
    stance."""
    table = rows(ev, theme)
    first, second = coders(ev)[:2]
    label = lambda s: vocabulary_label(ev, "stances", s) if isinstance(s, str) else ""  # noqa: E731
    coder_labels = ev["coders"].set_index("coder_id")["label"]

    def why(row):
        if row["agree"]:
            return row[f"reason_{first}"]
        a = row["adjudicated_coding_a"]
        b = next(c for c in (first, second) if c != a)
        return (
            f"Adjudicated (coding A: {coder_labels[a]}; coding B: {coder_labels[b]}): "
            f"{row['adjudicated_reason']}"
        )

    return pd.DataFrame(
        {
            "claim": table["short_label"],
            # the editors' paraphrase, marked as such and never in quotation marks, so that no
            # reader takes it for the text's words (the words are one click away on the page
            # of every quotation)
            "passage of the other text (in paraphrase)": [
                (
                    f"{ev.quote(q)['paraphrase']} ({passage_label(ev, q)})"
                    if isinstance(q, str) and q
                    else passage_label(ev, q)
                )
                for q in table["evidence_quote_id"]
            ],
            "first coder": table[f"stance_{first}"].map(label),
            "second coder": table[f"stance_{second}"].map(label),
            "stance used": table["stance"].map(label),
            "why": table.apply(why, axis=1),
        }
    )


def stance_chart(ev: Evidence, theme: str, *, height: int | None = None):
    """A horizontal stacked bar chart of final stances per claim of one theme (both directions)."""
    import plotly.graph_objects as go

    from . import charts

    table = rows(ev, theme)
    vocab = stances(ev)
    claims = ev["claims"][ev["claims"]["theme"] == theme]
    who = {"theory": "El-Emary", "eyewitness": "witness"}
    labels = {
        c: charts.wrap(f"{who[source_role(ev, q)]}: {s}", 34)
        for c, q, s in zip(
            claims["claim_id"], claims["quote_id"], claims["short_label"], strict=False
        )
    }
    order = list(claims["claim_id"])
    fig = go.Figure()
    counts_rows = []
    for stance_id, stance in vocab.iterrows():
        xs, hovers = [], []
        for claim_id in order:
            part = table[(table["claim_id"] == claim_id) & (table["stance"] == stance_id)]
            xs.append(len(part))
            places = "; ".join(passage_label(ev, q) for q in part["evidence_quote_id"])
            hovers.append(
                f"{labels[claim_id]}<br>{stance['label']}: {len(part)}"
                + (f"<br>{places}" if len(part) else "")
            )
        counts_rows.append(xs)
        if sum(xs):
            fig.add_trace(
                go.Bar(
                    y=[labels[c] for c in order],
                    x=xs,
                    orientation="h",
                    name=stance["label"],
                    marker={"color": stance["colour"]},
                    hovertext=hovers,
                    hoverinfo="text",
                )
            )
    fig.update_layout(barmode="stack", legend={"traceorder": "normal", "orientation": "h"})
    fig.update_yaxes(categoryorder="array", categoryarray=[labels[c] for c in order][::-1])
    fig.update_xaxes(dtick=1)
    data = pd.DataFrame(
        {
            "claim": [labels[c].replace("<br>", " ") for c in order],
            **{vocab.loc[s, "label"]: r for s, r in zip(vocab.index, counts_rows, strict=False)},
        }
    )
    theme_label = themes(ev).loc[theme, "label"]
    return charts.chart(
        fig,
        title=f"{theme_label}: the stance of the other text on each claim",
        x_title="concordance rows (count)",
        y_title="claim (whose, short label)",
        source="data/claims.csv, data/concordance.csv, data/codings.csv, data/adjudications.csv",
        caption=(
            f"For each claim of the theme \u201c{theme_label}\u201d, El-Emary's and the "
            "witness's, the number of "
            "passages of the other text with each final stance (agreed by both coders or "
            "adjudicated). "
            "A bar counts passages, not the weight of their evidence."
        ),
        table=data,
        height=height or max(320, 60 + 44 * len(order)),
        legend_title="stance",
    )


def mode_counts(ev: Evidence, direction: str = "theory") -> pd.DataFrame:
    """Rows with a passage, counted by the passage's testimony mode (rows) and final stance
    (columns), for one direction (by default El-Emary's claims tested against the eyewitness)."""
    table = rows(ev)
    table = table[(table["direction"] == direction) & table["evidence_quote_id"].notna()]
    order = [m for m in modes(ev).index if m in set(table["evidence_mode"])]
    return (
        table.groupby(["evidence_mode", "stance"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=order, columns=list(stances(ev).index), fill_value=0)
    )


def counts_chart(ev: Evidence, by: str = "theme"):
    """Final stances stacked per theme (or per direction): the conclusion's chart, read from the
    data."""
    import plotly.graph_objects as go

    from . import charts

    counts = theme_counts(ev, by=by)
    vocab = stances(ev)
    names = themes(ev)["label"] if by == "theme" else pd.Series(DIRECTIONS)
    labels = [charts.wrap(str(names[i]), 30) for i in counts.index]
    fig = go.Figure()
    for stance_id, stance in vocab.iterrows():
        fig.add_trace(
            go.Bar(
                y=labels,
                x=counts[stance_id],
                name=stance["label"],
                orientation="h",
                marker_color=stance["colour"],
                hovertext=[
                    f"{names[i]}: {n} row(s) '{stance['label']}'"
                    for i, n in counts[stance_id].items()
                ],
                hoverinfo="text",
            )
        )
    fig.update_layout(barmode="stack", legend={"orientation": "h"})
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1])
    table = counts.rename(
        index=lambda i: str(names[i]), columns=lambda s: vocab.loc[s, "label"]
    ).reset_index(names="theme" if by == "theme" else "direction")
    what = "theme" if by == "theme" else "direction of the test"
    return charts.chart(
        fig,
        title=f"The stances used, by {what}",
        x_title="concordance rows (count)",
        y_title=what,
        source=(
            "data/claims.csv, data/concordance.csv, data/codings.csv, data/adjudications.csv, "
            "data/themes.csv"
        ),
        caption=(
            f"For each {what}, how many concordance rows have each final stance (agreed by the "
            "two coders or "
            "adjudicated). A row counts a passage, not the weight of its evidence."
        ),
        table=table,
        height=120 + 70 * len(counts),
        legend_title="stance",
    )
