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
