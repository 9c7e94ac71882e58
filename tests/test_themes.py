"""Themes are data: a theme added to ``data/`` with a chapter appears in every cross-theme count,
table and chart, and in the conclusion, with consistent counts. And the agreement measures are
computed correctly.

The fixture adds a fifth theme with two concordance rows (one agreed, one adjudicated) to a copy
of the book, then reads the package's tables and executes the conclusion notebook in that copy."""

from __future__ import annotations

import csv
import io
import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from sovbook import concordance, evidence
from tests.helpers import ROOT, copy_project

THEME = {
    "theme_id": "fixture",
    "order": "5",
    "label": "A fixture theme",
    "short_label": "fixture",
    "chapter": "book/fixture-theme",
    "question": "Does a theme added as data reach every count?",
}


def append(path, rows):
    with path.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writerows(rows)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def fifth_theme(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("fifth-theme"))
    data = root / "data"
    append(data / "themes.csv", [THEME])
    (root / "book" / "fixture-theme.md").write_text("# A fixture theme\n", encoding="utf-8")
    append(
        data / "claims.csv",
        [
            {
                "claim_id": "fixture-claim",
                "theme": "fixture",
                "quote_id": "el-emary-two-classes",
                "period": "soviet",
                "short_label": "fixture claim",
                "claim": "El-Emary holds that there were two classes (a test fixture).",
            }
        ],
    )
    append(
        data / "concordance.csv",
        [
            {
                "row_id": "fixture-1",
                "claim_id": "fixture-claim",
                "evidence_quote_id": "ciliga-exploited-serf",
                "chosen_by": "editors",
            },
            {
                "row_id": "fixture-2",
                "claim_id": "fixture-claim",
                "evidence_quote_id": "ciliga-workers-train",
                "chosen_by": "finder",
            },
        ],
    )
    append(
        data / "codings.csv",
        [
            {
                "row_id": "fixture-1",
                "coder_id": "editors",
                "stance": "supports",
                "reasoning": "Fixture.",
            },
            {
                "row_id": "fixture-1",
                "coder_id": "blind",
                "stance": "supports",
                "reasoning": "Fixture.",
            },
            {
                "row_id": "fixture-2",
                "coder_id": "editors",
                "stance": "complicates",
                "reasoning": "F.",
            },
            {
                "row_id": "fixture-2",
                "coder_id": "blind",
                "stance": "silent",
                "reasoning": "Fixture.",
            },
        ],
    )
    append(
        data / "adjudications.csv",
        [
            {
                "row_id": "fixture-2",
                "coder_id": "adjudicator",
                "coding_a": "editors",
                "stance": "complicates",
                "reason": "Fixture adjudication.",
            }
        ],
    )
    return root


def test_the_fifth_theme_validates_and_is_counted(fifth_theme):
    real = evidence.load(ROOT)
    ev = evidence.load(fifth_theme)
    assert list(concordance.themes(ev).index)[-1] == "fixture"
    counts = concordance.theme_counts(ev)
    assert counts.loc["fixture", "supports"] == 1 and counts.loc["fixture", "complicates"] == 1
    assert int(counts.drop(index="fixture").to_numpy().sum()) == len(concordance.rows(real))
    agreement = concordance.agreement(ev).set_index(["group", "name"])
    row = agreement.loc[("theme", THEME["label"])]
    assert (row["rows"], row["agreed"], row["percent"]) == (2, 1, 50)
    assert agreement.loc[("overall", "all rows"), "rows"] == len(concordance.rows(real)) + 2


def test_the_fifth_theme_is_in_the_cross_theme_chart(fifth_theme):
    ev = evidence.load(fifth_theme)
    spec = concordance.counts_chart(ev, by="theme").figure.to_plotly_json()
    categories = {y for trace in spec["data"] for y in trace["y"]}
    assert THEME["label"] in categories


def test_the_conclusion_counts_the_fifth_theme(fifth_theme):
    path = fifth_theme / "book" / "conclusion.ipynb"
    nb = nbformat.read(path, as_version=4)
    previous = os.environ.get("SOVBOOK_ROOT")
    os.environ["SOVBOOK_ROOT"] = str(fifth_theme)
    try:
        NotebookClient(
            nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    finally:
        if previous is None:
            del os.environ["SOVBOOK_ROOT"]
        else:
            os.environ["SOVBOOK_ROOT"] = previous
    glued = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                glued[name] = "".join(output["data"].values()).strip("'\"")
    real = evidence.load(ROOT)
    assert glued["n_themes"] == str(len(concordance.themes(real)) + 1)
    assert glued["n_rows"] == str(len(concordance.rows(real)) + 2)
    html = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert THEME["label"] in html


def test_cohen_kappa_on_known_tables():
    # Two coders, 10 items: agree on 7; marginals give chance agreement 0.5 -> kappa 0.4.
    a = ["s"] * 5 + ["c"] * 5
    b = ["s"] * 4 + ["c"] + ["s"] * 2 + ["c"] * 3
    assert concordance.cohen_kappa(a, b) == pytest.approx(0.4)
    assert concordance.cohen_kappa(a, a) == pytest.approx(1.0)
    # One category only: chance agreement is 1 and kappa is undefined (not a number).
    k = concordance.cohen_kappa(["s", "s"], ["s", "s"])
    assert k != k


def test_first_round_agreement_counts_a_superseded_coding_not_its_replacement():
    """A row recoded after the first round counts, in the first-round figures, with the coding
    it first had: making one superseded coding disagree lowers first-round agreement by one row
    and leaves the final figures alone."""
    ev = evidence.load()
    before = concordance.agreement(ev, first_round=True).iloc[0]
    final = concordance.agreement(ev).iloc[0]
    superseded = ev.tables["codings_superseded"].copy()
    rows = concordance.first_codings(ev).set_index("row_id")
    agreed = [
        r
        for r in superseded["row_id"].unique()
        if rows.loc[r, "stance_editors"] == rows.loc[r, "stance_blind"]
    ]
    assert agreed, "the test needs a recoded row whose first codings agreed"
    target = (superseded["row_id"] == agreed[0]) & (superseded["coder_id"] == "blind")
    other = "silent" if superseded.loc[target, "stance"].iloc[0] != "silent" else "supports"
    superseded.loc[target, "stance"] = other
    changed = evidence.Evidence(
        ev.root, {**ev.tables, "codings_superseded": superseded}, ev.sources, ev.locators
    )
    assert concordance.agreement(changed, first_round=True).iloc[0]["agreed"] == (
        before["agreed"] - 1
    )
    assert concordance.agreement(changed).iloc[0]["agreed"] == final["agreed"]


def test_every_adjudication_is_counted_once_by_whose_stance_it_chose():
    ev = evidence.load()
    followed = concordance.adjudications_followed(ev)
    assert sum(followed.values()) == len(ev.tables["adjudications"])
    changes = concordance.adjudication_changes(ev)
    assert set(changes["row_id"]) <= set(ev.tables["adjudications"]["row_id"])
    assert (changes["before"] != changes["after"]).all()


def test_stance_counts_by_stage_add_up_to_the_rows_of_each_stage():
    ev = evidence.load()
    stages = concordance.stance_counts_by_stage(ev)
    editors_rows = int((ev.tables["concordance"]["chosen_by"] == "editors").sum())
    assert stages.loc["editors-adjudicated"].sum() == editors_rows
    assert stages.loc["independently-adjudicated"].sum() == editors_rows
    final = concordance.theme_counts(ev).sum()
    assert stages.loc["with-finder-pairs"].to_dict() == final.to_dict()
    # the two adjudicated stages differ exactly on the rows whose adjudication changed
    moved = (stages.loc["editors-adjudicated"] - stages.loc["independently-adjudicated"]).abs()
    assert moved.sum() <= 2 * len(concordance.adjudication_changes(ev))
