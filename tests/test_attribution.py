"""Every paragraph that reports what one of the texts says carries its passage.

A paragraph *reports* when it names a text or its author ("El-Emary", "the witness", "the
excerpt", "the theory", "his chapter", "he" ...) with a verb of saying, arguing or showing
("writes", "argues", "calls", "reports", "describes", "explains", "forecasts" ...) within one
clause. Such a paragraph must carry a reference the reader can follow to the place in the text:
a ``{passage}`` role, or a quotation cell (``render.quote``, ``render.side_by_side`` ...)
directly before or after it. A paragraph that matches but reports nothing of the texts (a
sentence about the book's own counts, say) says so in a MyST comment line directly above it,
``% not a report: <why>``, which the reader does not see but a reviewer does.

Pages checked: those that compare or present the texts (the chapters, the conclusion, the
sources, the authors, the ledger and the timeline). The protocol, method, coverage,
reproducibility, glossary and passages pages describe the book's own apparatus."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from sovbook.project import toc_files
from tests.helpers import ROOT

APPARATUS_PAGES = {"protocol", "method", "coverage", "reproducibility", "glossary", "passages"}
SUBJECT = (
    r"El-Emary(?:'s)?|[Tt]he witness(?:'s)?|[Tt]he excerpt|Ciliga|[Tt]he theory|[Hh]is chapter"
    r"|[Tt]he chapter|[Hh]e|[Hh]is"
)
VERB = (
    r"writes|wrote|argues|argued|says|said|calls|called|puts|holds|held|reports|reported|"
    r"describes|described|names|gives|speaks|sees|saw|claims|explains|concludes|insists|dates|"
    r"denies|forecasts|forecast|predicts|lends|asks|tells|told|quotes|cites|notes|adds|attributes|"
    r"blames|presents|admits|refers|mentions|recalls|records|observes|declares|judges|expects|"
    r"ascribes|traces|defines|offers|answers|lists|recounts|generalises|compares|proposes"
)
REPORTING = re.compile(rf"\b(?:{SUBJECT})\b[^.;:]{{0,50}}?\b(?:{VERB})\b")
QUOTE_CELL = re.compile(r"render\.(?:quote|quotes|side_by_side|passage)\b")
EXEMPT = re.compile(r"(?m)^% not a report: \S")


def paragraphs(cells) -> list[tuple[str, bool]]:
    """(paragraph, whether a quotation cell stands directly before or after it) for the
    Markdown cells of a notebook; fenced blocks and headings are left out."""
    out = []
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"```.*?```", "", cell.source, flags=re.S)
        paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        before = (
            i > 0 and cells[i - 1].cell_type == "code" and QUOTE_CELL.search(cells[i - 1].source)
        )
        after = (
            i + 1 < len(cells)
            and cells[i + 1].cell_type == "code"
            and QUOTE_CELL.search(cells[i + 1].source)
        )
        for j, para in enumerate(paras):
            body = "\n".join(line for line in para.splitlines() if not line.startswith("#"))
            near = bool((before and j == 0) or (after and j == len(paras) - 1))
            out.append((body, near))
    return out


def unreferenced(cells) -> list[str]:
    """The reporting paragraphs without a passage, a neighbouring quotation or an exemption."""
    return [
        " ".join(para.split())[:160]
        for para, near in paragraphs(cells)
        if REPORTING.search(EXEMPT.sub("", para))
        and "{passage}" not in para
        and not near
        and not EXEMPT.search(para)
    ]


def pages() -> list[Path]:
    return [
        ROOT / f"{name}.ipynb"
        for name in toc_files(ROOT)
        if (ROOT / f"{name}.ipynb").is_file() and Path(name).name not in APPARATUS_PAGES
    ]


@pytest.mark.parametrize("path", pages(), ids=lambda p: p.stem)
def test_reported_content_carries_its_passage(path):
    missing = unreferenced(nbformat.read(path, as_version=4).cells)
    assert not missing, f"{path.name}: paragraphs that report a text without its passage: {missing}"


def test_exemptions_are_few_and_give_a_reason():
    exemptions = [
        line
        for path in pages()
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("% not a report:")
    ]
    assert len(exemptions) <= 12, exemptions
    assert all(len(line.split(":", 1)[1].split()) >= 3 for line in exemptions), exemptions


def test_the_check_finds_an_unreferenced_report():
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    cells = [
        md("El-Emary argues that the bureaucracy was a class.\n\nThe weather was fine."),
        md("The witness reports a joke ({passage}`ciliga-x`)."),
        md("He calls them the new elite."),
        code('render.quote(ev, "ciliga-workers-train")'),
        md("% not a report: a count the book makes\nThe excerpt has many words, he says."),
        md("The theory explains nothing here."),
    ]
    assert unreferenced(cells) == [
        "El-Emary argues that the bureaucracy was a class.",
        "The theory explains nothing here.",
    ]
