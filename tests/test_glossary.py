"""The glossary is used: a term's first use on a page links to its entry.

Read from the pages' sources: the prose of every page (Markdown cells of the notebooks, MyST
pages), with code, headings, inline code, italics (book titles, a word mentioned as a word) and
other roles masked out. A glossary term (a line of a
``{glossary}`` block in ``book/glossary.ipynb``) that occurs in a page's prose must be linked with
``{term}`` at or before its first plain occurrence. Terms match whole words, plurals included;
the first letter may be capitalised at the start of a sentence, except for "soviet" (the council),
whose capitalised form is the adjective of "Soviet Union".

A few apparatus words are ordinary English words too ("record", "claim", "period", "stance",
"coverage"); the test cannot tell their senses apart, so for these it asks only that each chapter
(the theme chapters and the conclusion) links them once."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import nbformat
import pytest

from sovbook.project import toc_files
from tests.helpers import ROOT

GLOSSARY = "book/glossary"
#: Apparatus words that are also ordinary English words.
ORDINARY_WORDS = {"record", "claim", "period", "stance", "coverage"}
#: Terms matched only as written (their capitalised form means something else).
AS_WRITTEN = {"soviet"}

ROLE = re.compile(r"\{([a-z:-]+)\}`([^`]*)`")
MASKED = [
    re.compile(r"```.*?```", re.S),  # directives and fenced code
    re.compile(r"(?m)^#.*$"),  # headings
    re.compile(r"(?m)^%.*$"),  # MyST comments
    re.compile(r"`[^`]*`"),  # inline code (after roles are read)
    re.compile(r"<[^>]+>"),  # HTML tags
    re.compile(r"(?<!\*)\*(?!\*)[^*\n]+(?<!\*)\*(?!\*)"),  # italics: titles, a word as a word
]


def markdown(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = nbformat.read(path, as_version=4).cells
        return "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


def page_source(root: Path, name: str) -> tuple[Path, str] | None:
    for suffix in (".ipynb", ".md"):
        if (root / f"{name}{suffix}").is_file():
            return root / f"{name}{suffix}", markdown(root / f"{name}{suffix}")
    return None


def glossary_terms(root: Path) -> list[str]:
    _, text = page_source(root, GLOSSARY)
    terms = []
    for block in re.findall(r"```\{glossary\}\n(.*?)```", text, re.S):
        terms += [line.strip() for line in block.splitlines() if line and not line[0].isspace()]
    return terms


def links(text: str) -> list[tuple[int, str]]:
    """(position, target term) of every ``{term}`` role: ``{term}`x``` or ``{term}`x <t>```."""
    out = []
    for m in ROLE.finditer(text):
        if m.group(1) == "term":
            target = re.search(r"<([^>]*)>\s*$", m.group(2))
            out.append((m.start(), (target.group(1) if target else m.group(2)).strip()))
    return out


def mask(text: str) -> str:
    """``text`` with roles, code, headings and tags blanked (positions kept)."""
    blank = lambda m: re.sub(r"[^\n]", " ", m.group(0))  # noqa: E731
    text = ROLE.sub(blank, text)
    for rx in MASKED:
        text = rx.sub(blank, text)
    return text


def term_pattern(term: str) -> re.Pattern:
    head, rest = term[0], re.escape(term[1:])
    if term in AS_WRITTEN or not head.isalpha():
        first = re.escape(head)
    else:
        first = f"[{head.lower()}{head.upper()}]"
    return re.compile(rf"(?<![\w-]){first}{rest}(?:e?s)?(?![\w-])")


def unlinked_first_uses(text: str, terms: list[str], ordinary: bool) -> list[tuple[str, str]]:
    """(term, context) for each term whose first plain use comes before any link to it; with
    ``ordinary``, the ordinary-word terms need only one link if they occur at all."""
    plain, linked = mask(text), links(text)
    found = []
    for term in terms:
        first_link = min((p for p, t in linked if t.lower() == term.lower()), default=None)
        use = term_pattern(term).search(plain)
        if term in ORDINARY_WORDS:
            if ordinary and use and first_link is None:
                found.append((term, plain[max(0, use.start() - 50) : use.end() + 30]))
            continue
        if use and (first_link is None or first_link > use.start()):
            found.append((term, " ".join(plain[max(0, use.start() - 50) : use.end() + 30].split())))
    return found


@cache
def chapters() -> set[str]:
    with (ROOT / "data" / "themes.csv").open(encoding="utf-8") as f:
        return {row["chapter"] for row in csv.DictReader(f)} | {"book/conclusion"}


def pages() -> list[str]:
    return [n for n in toc_files(ROOT) if n != GLOSSARY and page_source(ROOT, n)]


def test_glossary_has_the_terms_the_issue_names():
    terms = {t.lower() for t in glossary_terms(ROOT)}
    assert len(terms) >= 25
    for term in ["isolator", "gpu", "nkvd", "kolkhoz", "sovkhoz", "komsomol", "kulak", "nep"]:
        assert term in terms
    for term in ["concordance", "stance", "testimony mode", "locator", "verdict", "cohen's kappa"]:
        assert term in terms


@pytest.mark.parametrize("page", pages())
def test_first_use_links_to_the_glossary(page):
    _, text = page_source(ROOT, page)
    missing = unlinked_first_uses(text, glossary_terms(ROOT), ordinary=page in chapters())
    assert not missing, f"{page}: first uses not linked to the glossary: {missing}"


def test_the_check_finds_an_unlinked_first_use():
    terms = ["kolkhoz", "soviet", "NEP", "stance"]
    text = (
        "# The kolkhoz\n\nThe Soviet Union had kolkhozes; later {term}`kolkhoz` again. "
        "Under the {term}`NEP` the NEP grew. `soviet` in code. A stance."
    )
    assert [t for t, _ in unlinked_first_uses(text, terms, ordinary=True)] == [
        "kolkhoz",
        "stance",
    ]
    assert unlinked_first_uses(text, terms, ordinary=False)[0][0] == "kolkhoz"
    linked = "Under {term}`kolkhozes <kolkhoz>` the Kolkhoz grew; soviets met."
    assert [t for t, _ in unlinked_first_uses(linked, terms, ordinary=False)] == ["soviet"]
