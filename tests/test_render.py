"""Glued text reaches the page exactly as written (myst-nb reads glued text with literal_eval)."""

from __future__ import annotations

import pytest
from myst_nb.core.variables import format_plain_text

from sovbook import render


@pytest.mark.parametrize(
    "value, expected",
    [
        (render.number(2345), "2,345"),
        (render.number(1777043), "1,777,043"),
        (render.number(82, "%"), "82 %"),
        (render.number(17.9, "%"), "17.9 %"),
        (render.Plain("1926-10"), "1926-10"),
        (render.Plain("2, 3"), "2, 3"),
    ],
)
def test_glued_text_round_trips(value, expected):
    assert format_plain_text(repr(value), "") == expected


def test_bare_text_would_not_round_trip():
    """Why Plain quotes its text: the unquoted form is mangled."""
    assert format_plain_text("2,345", "") != "2,345"


def test_glued_text_reads_plainly_inside_other_text():
    """A Plain inside an f-string is its text, not its repr (which would add quotation marks)."""
    assert f"about {render.millions(8_000_000)}" == "about 8 million"
    assert str(render.number(25000)) == "25,000"


@pytest.mark.parametrize(
    "row, expected",
    [
        ({"value": 82, "low": None, "high": None, "unit": "percent"}, "82 %"),
        (
            {"value": None, "low": 8_000_000, "high": 15_000_000, "unit": "persons"},
            "8,000,000–15,000,000 people",
        ),
        (
            {"value": None, "low": None, "high": 3_000_000, "unit": "persons"},
            "at most 3,000,000 people",
        ),
        (
            {"value": None, "low": 30, "high": float("nan"), "unit": "persons"},
            "more than 30 people",
        ),
        ({"value": 1928, "low": None, "high": None, "unit": "year"}, "1928"),
    ],
)
def test_amount_writes_a_figure_as_the_text_gives_it(row, expected):
    assert render.amount(row) == expected


def test_millions():
    assert [
        str(render.millions(v, d))
        for v, d in ((3_500_000, 1), (10_000_000, 1), (1_777_043, 2), (125_640_021, 1))
    ] == ["3.5 million", "10 million", "1.78 million", "125.6 million"]


def test_a_record_date_is_written_in_words():
    import pandas as pd

    records = pd.DataFrame(
        {"record_id": ["a", "b", "c"], "as_of": ["1942-01-01", "1935-12", "1917"]}
    ).set_index("record_id")
    written = [render.record_date(records, r).text for r in ("a", "b", "c")]
    assert written == ["1 January 1942", "December 1935", "1917"]
    with pytest.raises(KeyError):
        render.record_date(records, "no-such-record")


def test_a_date_takes_the_preposition_english_gives_it():
    assert render.dated("2020-05-09").text == "on 9 May 2020"
    assert render.dated("1932-05").text == "in May 1932"
    assert render.dated("1932").text == "in 1932"


def test_no_page_reads_in_before_a_day(html_dir):
    """'in 9 May 2020' is not English: a full date in the prose takes 'on' (render.dated)."""
    import re

    bad = re.compile(
        r"\bin (\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
        r"November|December) \d{4})"
    )
    pages = sorted((html_dir / "book").glob("*.html"))
    assert pages
    found = []
    for page in pages:
        text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
        found += [f"{page.name}: {m.group(0)}" for m in bad.finditer(re.sub(r"\s+", " ", text))]
    assert not found, found
