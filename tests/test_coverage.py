"""The coverage goals of the evidence issue, measured on the book's own data: at least 80 % of
El-Emary's paragraphs and 90 % of the excerpt's are quoted or coded, and every paragraph left out
is named with a reason (the evidence check refuses one that is not)."""

from __future__ import annotations

import pytest

from sovbook import coverage, evidence
from tests.helpers import ROOT

GOALS = {"el-emary": 0.80, "ciliga": 0.90}


@pytest.mark.parametrize("source_id", sorted(GOALS))
def test_coverage_meets_its_goal(source_id):
    engaged, total = coverage.share(evidence.load(ROOT), source_id)
    assert total > 0
    assert engaged / total >= GOALS[source_id], (
        f"{source_id}: {engaged} of {total} paragraphs engaged, goal {GOALS[source_id]:.0%}"
    )


@pytest.mark.parametrize("source_id", sorted(GOALS))
def test_every_paragraph_left_out_has_a_reason(source_id):
    table = coverage.table(evidence.load(ROOT), source_id)
    body = table[table["kind"] == "paragraph"]
    left_out = body[~body["engaged"]]
    assert left_out["reason"].notna().all(), list(left_out["key"])
    assert body["engaged"].sum() + len(left_out) == len(body)
