"""A maintainer adds a third source with data only: text + metadata + bibliography entry +
rows. Every check must pass with no change to the code (see book/method.md)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys

import pytest

from sovbook import evidence, render
from tests.helpers import ROOT, copy_evidence

FIXTURES = ROOT / "tests" / "fixtures"
#: One fixture per locator scheme, each in a format of its own (other page markers, other notes).
SCHEMES = ["third-source-pages", "third-source-sections"]


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


def add_third_source(root, fixture="third-source-pages"):
    """Add a fixture text by data alone: the text, its metadata and locator scheme, a bibliography
    entry, its quotations, a claim or a concordance row, and both coders' codings."""
    spec = json.loads((FIXTURES / fixture / "rows.json").read_text(encoding="utf-8"))
    ((source_id, meta),) = spec["sources.json"].items()
    text_path = FIXTURES / fixture / meta["file"]
    shutil.copy2(text_path, root / "seeds" / meta["file"])
    meta = dict(meta, sha256=hashlib.sha256(text_path.read_bytes()).hexdigest())
    sources_json = root / "seeds" / "sources.json"
    data = json.loads(sources_json.read_text(encoding="utf-8"))
    data[source_id] = meta
    sources_json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with open(root / "book" / "references.bib", "a", encoding="utf-8") as fh:
        fh.write("\n" + spec["bib"])
    _append_rows(root / "data" / "sources.csv", [spec["sources.csv"]])
    _append_rows(root / "data" / "quotes.csv", spec["quotes.csv"])
    first_quote = spec["quotes.csv"][0]["quote_id"]
    if (
        spec["sources.csv"]["role"] == "eyewitness"
    ):  # a witness passage tested against a theory claim
        claim_id = next(r for r in _rows(root, "claims") if r["claim_id"].startswith("class-"))[
            "claim_id"
        ]
        evidence_id = first_quote
    else:  # a theory claim tested against a witness passage
        claim_id = "class-fixture-claim"
        _append_rows(
            root / "data" / "claims.csv",
            [
                {
                    "claim_id": claim_id,
                    "theme": "class",
                    "quote_id": first_quote,
                    "period": "soviet",
                    "short_label": "fixture claim",
                    "claim": "The fixture holds that its bureaucracy decided everything.",
                }
            ],
        )
        evidence_id = "ciliga-them-and-us"
    _append_rows(
        root / "data" / "concordance.csv",
        [
            {
                "row_id": "fixture-row",
                "claim_id": claim_id,
                "evidence_quote_id": evidence_id,
                "chosen_by": "editors",
            }
        ],
    )
    _append_rows(
        root / "data" / "codings.csv",
        [
            {
                "row_id": "fixture-row",
                "coder_id": coder,
                "stance": "complicates",
                "reasoning": "Fixture.",
            }
            for coder in ("editors", "blind")
        ],
    )
    return spec


def _rows(root, table):
    return list(
        csv.DictReader(io.StringIO((root / "data" / f"{table}.csv").read_text(encoding="utf-8")))
    )


@pytest.mark.parametrize("fixture", SCHEMES)
def test_a_third_source_needs_no_code_change(tmp_path, fixture):
    copy_evidence(tmp_path)
    spec = add_third_source(tmp_path, fixture)
    ((source_id, _),) = spec["sources.json"].items()

    ev, problems = evidence.check(tmp_path)
    assert problems == [], "\n".join(map(str, problems))
    assert source_id in ev.sources
    for quote_id, label in spec["expected_labels"].items():
        assert ev.locator(quote_id).label == label
    first = spec["quotes.csv"][0]["quote_id"]
    markup = render.quote(ev, first)._repr_mimebundle_()["text/html"]
    assert spec["sources.csv"]["title"] in markup and spec["expected_labels"][first] in markup
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


def test_a_third_source_with_its_scheme_misconfigured_is_caught(tmp_path):
    """...and so is a fixture whose page markers are described with the wrong pattern: its
    quotations then fall on the wrong pages."""
    copy_evidence(tmp_path)
    add_third_source(tmp_path)
    sources_json = tmp_path / "seeds" / "sources.json"
    data = json.loads(sources_json.read_text(encoding="utf-8"))
    data["fixture-notes"]["locator"]["page_marker"] = r"\(p\. (\d+)\)"  # the text writes [p. 11]
    sources_json.write_text(json.dumps(data), encoding="utf-8")
    ev, problems = evidence.check(tmp_path)
    assert problems == [] and ev.locator("fixture-close").label != "p. 12"
