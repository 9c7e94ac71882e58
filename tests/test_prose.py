"""No number typed into prose: every figure in a page's text comes through glue from data/.

Markdown cells and MyST pages are read with code, roles (glue, cite, doc), inline code, HTML tags,
link targets and list markers removed; what remains may not contain a free-standing number.
Identifiers such as "sha256" are words, not numbers."""

from __future__ import annotations

import re

import nbformat
import pytest

from sovbook.project import toc_files
from tests.helpers import ROOT

NUMBER = re.compile(r"(?<![A-Za-z0-9_])\d[\d,.]*(?![A-Za-z0-9_])")


def prose(text: str) -> str:
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"(?m)^%.*$", "", text)  # MyST comments: not shown
    text = re.sub(r"\{[a-z:-]+\}`[^`]*`", "", text)  # roles: {glue:text}`x`, {cite:p}`k`, {doc}`p`
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"(?m)^\s*\d+\.\s", "", text)  # numbered list markers
    return text


def pages():
    for name in toc_files(ROOT):
        nb, md = ROOT / f"{name}.ipynb", ROOT / f"{name}.md"
        if nb.is_file():
            yield (
                nb,
                "\n".join(
                    c.source
                    for c in nbformat.read(nb, as_version=4).cells
                    if c.cell_type == "markdown"
                ),
            )
        elif md.is_file():
            yield md, md.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path, text", list(pages()), ids=lambda v: v.name if hasattr(v, "name") else ""
)
def test_no_number_typed_into_prose(path, text):
    found = [
        (line.strip()[:100], NUMBER.findall(line))
        for line in prose(text).splitlines()
        if NUMBER.search(line)
    ]
    assert not found, f"{path.name}: numbers typed into prose (glue them from data/): {found}"


def test_the_check_can_fail():
    assert NUMBER.findall(
        prose("In 1917 about 82 % lived in villages; {glue:text}`x` and `sha256`.")
    ) == ["1917", "82"]


#: A sentence that reports what the coders or the adjudicator did: who coded, agreed, found,
#: kept or chose something.
CODING_REPORT = re.compile(
    r"\b(both coders|the coders|the second coder|the first coder|second coder's|"
    r"the editors coded|the editors first (?:read|coded)|adjudicat\w*|adjudicator)\b",
    re.I,
)
#: Words of the stance vocabulary, and verbs that report a coding's outcome.
STANCE_WORDS = re.compile(
    r"\b(support(?:s|ed|ing)?|complicat(?:es|ed|ing)|contradict(?:s|ed|ion|ing)?|silent|"
    r"not comparable|strain(?:s|ed)?|agree(?:s|d)?|disagree(?:s|d)?|kept|sided|found|chose|"
    r"cannot bear|bears? on)\b",
    re.I,
)
#: What carries data into a sentence.
DATA_ROLE = re.compile(r"\{(stance|coding|glue:text|glue)\}`")
#: Sentences that describe the method, not a result (the protocol's rules), may name coders
#: and stances without data: they are in the protocol page's rule sections and the method page.
METHOD_PAGES = {"method.md", "protocol.ipynb", "glossary.ipynb"}


def sentences(text: str) -> list[str]:
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"(?m)^%.*$", "", text)
    text = re.sub(r"(?m)^#.*$", "", text)
    out = []
    # paragraphs and list items are read apart, then cut into sentences
    for block in re.split(r"\n\s*\n|\n(?=\s*[-*] )", text):
        flat = re.sub(r"\s+", " ", block)
        out += [s.strip() for s in re.split(r"(?<=[.!?:])\s+(?=[A-Z*\"(])", flat) if s.strip()]
    return out


def typed_coding_reports(text: str) -> list[str]:
    """Sentences that report what the coders did, with a stance or an outcome, and carry no data
    role: the stance, the coding or the figure was typed."""
    return [
        s[:160]
        for s in sentences(text)
        if CODING_REPORT.search(s) and STANCE_WORDS.search(s) and not DATA_ROLE.search(s)
    ]


@pytest.mark.parametrize(
    "path, text",
    [(p, t) for p, t in pages() if p.name not in METHOD_PAGES],
    ids=lambda v: v.name if hasattr(v, "name") else "",
)
def test_no_stance_or_coding_typed_into_prose(path, text):
    """A sentence that says what the coders or the adjudicator found takes the stance from the
    data ({stance}, {coding} or a glued value), so that it cannot drift from the tables."""
    found = typed_coding_reports(text)
    assert not found, f"{path.name}: coding results typed into prose: {found}"


def test_the_coding_check_finds_a_typed_stance():
    stale = (
        "It is of the NEP years, and the coders agree that it cannot bear on a mechanism of the "
        "planned economy."
    )
    assert typed_coding_reports(stale) == [stale[:160]]
    bound = "Here {coding}`surplus-formula-2`, and the row stands."
    assert typed_coding_reports("The coders agree, and " + bound) == []
