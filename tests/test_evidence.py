"""The evidence layer refuses bad input with a message naming file, row, field and problem,
accepts a BOM + CRLF file unchanged, and escapes data on its way to HTML."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pandas as pd
import pytest

from sovbook import evidence, render
from tests.helpers import ROOT, copy_evidence


@pytest.fixture()
def book(tmp_path):
    """A copy of the book's evidence (data, seeds, bibliography) to break."""
    return copy_evidence(tmp_path)


def read(path):
    text = path.read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def write(path, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def problems_of(root):
    _, problems = evidence.check(root)
    return [str(p) for p in problems]


def edit(root, table, row_index, field, value):
    path = root / "data" / f"{table}.csv"
    rows = read(path)
    rows[row_index][field] = value
    write(path, rows)
    return rows[row_index]


def first_index(root, table, predicate):
    for i, row in enumerate(read(root / "data" / f"{table}.csv")):
        if predicate(row):
            return i
    raise AssertionError(f"no suitable row in {table}")


def assert_one(problems, *needles):
    hits = [p for p in problems if all(n in p for n in needles)]
    assert hits, f"expected a problem with {needles}, got:\n" + "\n".join(problems)


def test_the_real_evidence_validates():
    ev = evidence.load(ROOT)
    assert len(ev.locators) == len(ev["quotes"]) > 0
    for name in (
        "sources",
        "quotes",
        "figures",
        "records",
        "citations",
        "events",
        "event_mentions",
        "claims",
        "concordance",
        "codings",
        "adjudications",
        "stances",
        "testimony_modes",
        "periods",
        "themes",
        "coders",
        "verdicts",
        "context_facts",
    ):
        assert name in ev.tables and len(ev[name]) > 0, name


def test_wrong_type(book):
    i = first_index(book, "figures", lambda r: r["value"])
    edit(book, "figures", i, "value", "eighty-two")
    assert_one(problems_of(book), "data/figures.csv", f"row {i + 1}", "'value'", "eighty-two")


def test_out_of_range(book):
    i = first_index(book, "figures", lambda r: r["value"])
    edit(book, "figures", i, "value", "-5")
    assert_one(problems_of(book), "data/figures.csv", f"row {i + 1}", "'value'", "constraint")


def test_low_above_high(book):
    i = first_index(book, "figures", lambda r: r["low"] and r["high"])
    row = edit(book, "figures", i, "low", "99999999999")
    assert_one(
        problems_of(book),
        "data/figures.csv",
        f"row {i + 1}",
        row["figure_id"],
        "'low'",
        "greater than high",
    )


def test_value_outside_allowed_set(book):
    edit(book, "figures", 0, "check_status", "probably")
    assert_one(
        problems_of(book), "data/figures.csv", "row 1", "'check_status'", "probably", "verdicts.csv"
    )


def test_unknown_source(book):
    edit(book, "quotes", 0, "source_id", "nobody")
    assert_one(problems_of(book), "data/quotes.csv", "row 1", "nobody")


def test_missing_citation(book):
    edit(book, "figures", 0, "quote_id", "")
    assert_one(problems_of(book), "data/figures.csv", "row 1", "'quote_id'")


def test_duplicate_id(book):
    path = book / "data" / "figures.csv"
    rows = read(path)
    rows.append(dict(rows[0]))
    write(path, rows)
    assert_one(problems_of(book), "data/figures.csv", f"row {len(rows)}", "primary-key")


def test_quote_altered_by_one_word(book):
    rows = read(book / "data" / "quotes.csv")
    words = rows[0]["text"].split()
    original = words[len(words) // 2]
    words[len(words) // 2] = "banana"
    edit(book, "quotes", 0, "text", " ".join(words))
    problems = problems_of(book)
    assert_one(
        problems, "data/quotes.csv", "row 1", rows[0]["quote_id"], "'text'", "nearest", original
    )


def test_truncated_row(book):
    path = book / "data" / "figures.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = ",".join(next(csv.reader([lines[1]]))[:3]) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    assert_one(problems_of(book), "data/figures.csv", "row 1", "missing cell")


def test_unknown_id_in_a_list(book):
    i = first_index(book, "figures", lambda r: r["record_ids"])
    edit(book, "figures", i, "record_ids", "no-such-record")
    assert_one(
        problems_of(book), "data/figures.csv", f"row {i + 1}", "'record_ids'", "no-such-record"
    )


def test_bib_key_missing_from_bibliography(book):
    edit(book, "sources", 0, "bib_key", "nosuchkey2000")
    problems = problems_of(book)
    assert_one(problems, "data/sources.csv", "row 1", "'bib_key'", "nosuchkey2000")


def _coding_index(root, row_id, coder):
    return first_index(root, "codings", lambda r: r["row_id"] == row_id and r["coder_id"] == coder)


def _agreed_row(root, stance="supports"):
    codings = read(root / "data" / "codings.csv")
    by_row = {}
    for r in codings:
        by_row.setdefault(r["row_id"], {})[r["coder_id"]] = r["stance"]
    return next(
        row for row, s in by_row.items() if len(set(s.values())) == 1 and stance in s.values()
    )


def test_a_row_with_one_coding_is_refused(book):
    row_id = _agreed_row(book)
    path = book / "data" / "codings.csv"
    write(path, [r for r in read(path) if not (r["row_id"] == row_id and r["coder_id"] == "blind")])
    assert_one(
        problems_of(book),
        "data/concordance.csv",
        row_id,
        "1 coding(s)",
        "missing the coding of blind",
    )


def test_an_unknown_stance_is_refused(book):
    i = _coding_index(book, _agreed_row(book), "blind")
    edit(book, "codings", i, "stance", "maybe")
    assert_one(
        problems_of(book), "data/codings.csv", f"row {i + 1}", "'stance'", "'maybe'", "stances.csv"
    )


def test_an_unknown_testimony_mode_is_refused(book):
    edit(book, "quotes", 0, "mode", "hearsay")
    assert_one(
        problems_of(book), "data/quotes.csv", "row 1", "'mode'", "'hearsay'", "testimony_modes.csv"
    )


def test_a_disagreement_without_adjudication_is_refused(book):
    row_id = _agreed_row(book, "supports")
    edit(book, "codings", _coding_index(book, row_id, "blind"), "stance", "complicates")
    assert_one(problems_of(book), "data/concordance.csv", row_id, "disagree", "no adjudication")


def test_an_adjudication_where_the_coders_agreed_is_refused(book):
    row_id = _agreed_row(book)
    path = book / "data" / "adjudications.csv"
    rows = read(path)
    rows.append(
        {
            "row_id": row_id,
            "coder_id": "adjudicator",
            "coding_a": "editors",
            "stance": "complicates",
            "reason": "second thoughts",
        }
    )
    write(path, rows)
    assert_one(
        problems_of(book), "data/adjudications.csv", f"row {len(rows)}", row_id, "agree", "may not"
    )


@pytest.mark.parametrize("coder", ["editors", "blind"])
def test_an_adjudication_by_one_of_the_two_coders_is_refused(book, coder):
    """Whoever coded a row does not adjudicate it: only a coder of role 'adjudicator' may."""
    edit(book, "adjudications", 0, "coder_id", coder)
    assert_one(
        problems_of(book), "data/adjudications.csv", "row 1", "'coder_id'", coder, "never by one"
    )


def test_a_translators_note_as_evidence_is_refused(book):
    i = first_index(book, "concordance", lambda r: r["evidence_quote_id"].startswith("ciliga-"))
    edit(book, "concordance", i, "evidence_quote_id", "ciliga-strike-note")
    assert_one(
        problems_of(book),
        "data/concordance.csv",
        f"row {i + 1}",
        "ciliga-strike-note",
        "never evidence",
    )


def test_supports_across_periods_that_do_not_overlap_is_refused(book):
    row_id = _agreed_row(book, "supports")
    row = next(r for r in read(book / "data" / "concordance.csv") if r["row_id"] == row_id)
    claim = next(c for c in read(book / "data" / "claims.csv") if c["claim_id"] == row["claim_id"])
    # move the claim to a period that shares no year with any of the witness's or theory's periods
    edit(
        book,
        "claims",
        first_index(book, "claims", lambda c: c is not None and c["claim_id"] == claim["claim_id"]),
        "period",
        "before-1917",
    )
    edit(
        book,
        "quotes",
        first_index(book, "quotes", lambda q: q["quote_id"] == row["evidence_quote_id"]),
        "period",
        "1929-1935",
    )
    assert_one(problems_of(book), "data/concordance.csv", row_id, "'supports'", "do not overlap")


def test_a_verdict_without_its_record_is_refused(book):
    i = first_index(book, "figures", lambda r: r["check_status"] == "consistent")
    edit(book, "figures", i, "basis_record_id", "")
    assert_one(
        problems_of(book),
        "data/figures.csv",
        f"row {i + 1}",
        "'basis_record_id'",
        "must name the record",
    )


def test_differs_on_the_line_of_agreement_is_refused(book):
    i = first_index(book, "figures", lambda r: r["figure_id"] == "el-emary-large-industry-workers")
    edit(book, "figures", i, "check_status", "differs")
    assert_one(
        problems_of(book), "data/figures.csv", f"row {i + 1}", "'check_status'", "line of agreement"
    )


def test_edited_seed_is_refused(book):
    seed = next((book / "seeds").glob("*.txt"))
    seed.write_bytes(seed.read_bytes() + b" ")
    assert_one(problems_of(book), f"seeds/{seed.name}", "sha256")


def test_bom_and_crlf_are_accepted_unchanged(book):
    for path in (book / "data").glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    before = {p.name: p.read_bytes() for p in (book / "data").glob("*.csv")}
    ev, problems = evidence.check(book)
    assert problems == []
    plain = evidence.load(ROOT)
    for name, table in plain.tables.items():
        pd.testing.assert_frame_equal(ev.tables[name], table, check_dtype=False)
    assert before == {p.name: p.read_bytes() for p in (book / "data").glob("*.csv")}, (
        "the loader must not rewrite files"
    )


def test_check_command_exits_non_zero_with_the_message(book):
    edit(book, "figures", 0, "check_status", "probably")
    result = subprocess.run(
        [sys.executable, "-m", "sovbook", "check"],
        cwd=book,
        capture_output=True,
        text=True,
        env={"PATH": "", "SOVBOOK_ROOT": str(book)},
    )
    assert result.returncode == 1
    assert "data/figures.csv, row 1" in result.stderr and "probably" in result.stderr


def test_check_command_passes_on_the_real_data():
    result = subprocess.run(
        [sys.executable, "-m", "sovbook", "check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "quotations located" in result.stdout


def test_text_from_data_is_escaped_in_html():
    ev = evidence.load(ROOT)
    quote_id = ev["quotes"]["quote_id"].iloc[0]
    ev.tables["quotes"].loc[0, "text"] = '<script>alert("x")</script>'
    try:
        markup = render.quote(ev, quote_id)._repr_mimebundle_()["text/html"]
    finally:
        evidence._CACHE.clear()
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    table = render.table(
        pd.DataFrame({"a": ["<b>bold</b>"]}), caption="<i>c</i>"
    )._repr_mimebundle_()["text/html"]
    assert "<b>" not in table and "&lt;b&gt;" in table and "<i>" not in table


@pytest.fixture()
def whole_book(tmp_path):
    """A copy of the whole book's sources (pages included), for the rules that read pages."""
    from tests.helpers import copy_project

    return copy_project(tmp_path)


def test_a_theme_without_its_chapter_is_refused(whole_book):
    edit(whole_book, "themes", 0, "chapter", "book/no-such-chapter")
    assert_one(
        problems_of(whole_book),
        "data/themes.csv, row 1",
        "field 'chapter'",
        "'book/no-such-chapter' is not a page of the book",
    )


def test_a_paragraph_neither_engaged_nor_explained_is_refused(whole_book):
    path = whole_book / "data" / "coverage_gaps.csv"
    rows = read(path)
    gone = rows.pop(0)
    write(path, rows)
    assert_one(problems_of(whole_book), gone["source_id"], gone["paragraph"])


def test_a_gap_the_book_engages_is_refused(whole_book):
    path = whole_book / "data" / "coverage_gaps.csv"
    rows = read(path)
    rows.append({"source_id": "ciliga", "paragraph": "\u00b6 1", "reason": "said to be left out"})
    write(path, rows)
    assert_one(problems_of(whole_book), "data/coverage_gaps.csv", "\u00b6 1")


def test_a_pair_coded_supports_one_way_and_contradicts_the_other_is_refused(book):
    """surplus-labor-rent-1 and surplus-formula-2 read the same two passages in the two
    directions; both are 'supports'. Recoding one as 'contradicts' (by both coders, so no
    adjudication is involved) is refused, until a reason is recorded."""
    for coder in ("editors", "blind"):
        edit(
            book,
            "codings",
            _coding_index(book, "surplus-formula-2", coder),
            "stance",
            "contradicts",
        )
    assert_one(
        problems_of(book),
        "data/concordance.csv",
        "surplus-labor-rent-1",
        "'contradicts'",
        "cannot both stand",
    )
    path = book / "data" / "direction_notes.csv"
    notes = read(path)
    notes.append(
        {
            "row_id": "surplus-labor-rent-1",
            "other_row_id": "surplus-formula-2",
            "reason": "The claims differ in what they assert of the same passages.",
        }
    )
    write(path, notes)
    assert not [p for p in problems_of(book) if "cannot both stand" in str(p)]
