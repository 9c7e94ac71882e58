"""A maintainer adds a third source with data only: text + metadata + bibliography entry +
rows. Every check must pass with no change to the code (see book/method.md)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

from sovbook import evidence, render
from tests.helpers import ROOT, copy_evidence

FIXTURE = ROOT / "tests" / "fixtures" / "third-source"


def _append_rows(path, new_rows):
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    fields = list(rows[0].keys())
    rows += [{f: row.get(f, "") for f in fields} for row in new_rows]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return rows


def add_third_source(root):
    spec = json.loads((FIXTURE / "rows.json").read_text(encoding="utf-8"))
    ((_, meta),) = spec["sources.json"].items()
    text_path = FIXTURE / meta["file"]
    shutil.copy2(text_path, root / "seeds" / meta["file"])
    import hashlib

    meta = dict(meta, sha256=hashlib.sha256(text_path.read_bytes()).hexdigest())
    sources_json = root / "seeds" / "sources.json"
    data = json.loads(sources_json.read_text(encoding="utf-8"))
    data.update({next(iter(spec["sources.json"])): meta})
    sources_json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with open(root / "book" / "references.bib", "a", encoding="utf-8") as fh:
        fh.write("\n" + spec["bib"])
    _append_rows(root / "data" / "sources.csv", [spec["sources.csv"]])
    _append_rows(root / "data" / "quotes.csv", spec["quotes.csv"])
    claims = list(
        csv.DictReader(io.StringIO((root / "data" / "claims.csv").read_text(encoding="utf-8")))
    )
    _append_rows(
        root / "data" / "concordance.csv",
        [
            {
                "row_id": "fixture-row",
                "claim_id": claims[0]["claim_id"],
                "witness_quote_id": "fixture-close",
                "stance": "complicates",
                "reasoning": "Fixture row for the third-source test.",
            }
        ],
    )
    return spec


def test_a_third_source_needs_no_code_change(tmp_path):
    copy_evidence(tmp_path)
    spec = add_third_source(tmp_path)

    ev, problems = evidence.check(tmp_path)
    assert problems == [], "\n".join(map(str, problems))
    assert "fixture-notes" in ev.sources
    for quote_id, label in spec["expected_labels"].items():
        assert ev.locator(quote_id).label == label
    markup = render.quote(ev, "fixture-grain")._repr_mimebundle_()["text/html"]
    assert "Fixture notes" in markup and "p. 11" in markup
    assert len(ev["concordance"]) == len(evidence.load(ROOT)["concordance"]) + 1

    result = subprocess.run(
        [sys.executable, "-m", "sovbook", "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "", "SOVBOOK_ROOT": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr


def test_a_third_source_with_a_misquotation_is_caught(tmp_path):
    """The fixture test above could fail: the same setup with one wrong word is refused."""
    copy_evidence(tmp_path)
    add_third_source(tmp_path)
    path = tmp_path / "data" / "quotes.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("price of grain", "price of bread"),
        encoding="utf-8",
    )
    _, problems = evidence.check(tmp_path)
    assert any("fixture-grain" in str(p) and "price of grain" in str(p) for p in problems), (
        "\n".join(map(str, problems))
    )
