"""The PDF edition: written from the built book, it holds every chapter, a table of contents,
page numbers and the bibliography, and its charts are drawn (vector graphics, not blank boxes)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from tests.helpers import ROOT, toc_pages


@pytest.fixture(scope="module")
def written(built_root):
    """``sovbook pdf`` as the README gives it, in the built book, with its default (relative)
    output path: the finished command and the PDF it wrote."""
    output = built_root / "_build" / "pdf" / "book.pdf"
    output.unlink(missing_ok=True)
    sovbook = Path(sys.executable).with_name("sovbook")
    env = {k: v for k, v in os.environ.items() if k != "SOVBOOK_ROOT"}
    result = subprocess.run(
        [str(sovbook), "pdf"], cwd=built_root, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result, output


@pytest.fixture(scope="module")
def pdf(written):
    return PdfReader(str(written[1]))


@pytest.fixture(scope="module")
def page_texts(pdf):
    """The text of each PDF page, extracted once."""
    return [page.extract_text() for page in pdf.pages]


def _norm(text):
    text = unicodedata.normalize("NFKC", text)  # ligatures such as "ﬁ" back to letters
    text = text.translate(
        str.maketrans(
            {
                "\u2019": "'",
                "\u2018": "'",
                "\u201c": '"',
                "\u201d": '"',
                "\u2013": "-",
                "\u2014": "-",
            }
        )
    )
    return re.sub(r"\s+", "", text)


def test_pdf_holds_every_chapter_in_order(pdf, page_texts, html_dir):
    text = _norm(" ".join(page_texts))
    titles = [
        BeautifulSoup((html_dir / p).read_text(encoding="utf-8"), "html.parser")
        .find("h1")
        .get_text(" ", strip=True)
        .rstrip("#")
        .strip()
        for p in toc_pages(ROOT)
    ]
    contents = len(_norm(page_texts[0]))
    position = contents  # past the table of contents, each title after the one before
    for title in titles:
        found = text.find(_norm(title), position)
        assert found >= 0, f"chapter missing or out of order in the PDF: {title}"
        position = found
    outline = [getattr(o, "title", "") for o in pdf.outline if not isinstance(o, list)]
    for title in titles:
        assert any(_norm(title)[:20] in _norm(o) for o in outline), f"no bookmark for {title}"


def test_pdf_has_contents_page_numbers_and_bibliography(page_texts):
    first = page_texts[0]
    assert "Contents" in first
    n = len(page_texts)
    assert n >= 20
    assert f"1 / {n}" in first and f"{n} / {n}" in page_texts[-1]
    text = " ".join(page_texts)
    assert "Bibliography" in text and "Lenin's Gulag" in text.replace("’", "'")


def test_pdf_charts_are_drawn(pdf, page_texts, html_dir):
    texts = [_norm(t) for t in page_texts]
    text = "".join(texts)
    titles = []
    for page in toc_pages(ROOT):
        doc = BeautifulSoup((html_dir / page).read_text(encoding="utf-8"), "html.parser")
        titles += [
            f.select_one(".sovbook-chart-plot")["aria-label"]
            for f in doc.select("figure.sovbook-chart")
        ]
    assert len(titles) >= 10
    for title in titles:
        # once in the caption, once more in the chart itself: plotly draws its title as SVG text
        assert text.count(_norm(title)) >= 2, f"chart not drawn in the PDF: {title}"
    # rectangle, line and curve operators: vector drawing
    ops = rb"(?<![A-Za-z])(?:re|l|c)(?![A-Za-z])"
    chart_pages = [
        page for page, t in zip(pdf.pages, texts, strict=True) if any(_norm(c) in t for c in titles)
    ]
    paths = [len(re.findall(ops, page.get_contents().get_data())) for page in chart_pages]
    assert len(chart_pages) >= len(titles) // 2
    assert min(paths) > 50, f"vector path operations per chart page: {paths}: a chart looks blank"


def test_the_documented_command_writes_the_pdf(written, page_texts):
    """``sovbook pdf`` (run by the fixture above) says where it wrote the PDF, and it is the
    book."""
    result, output = written
    assert f"wrote {output}" in result.stdout
    assert len(page_texts) > len(toc_pages(ROOT))
