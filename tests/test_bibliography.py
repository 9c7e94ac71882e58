"""The bibliography can be trusted at a glance: a dated work shows its year, and a web
encyclopedia entry is cited as an entry of that encyclopedia, not as a work by its subject.

Read from ``book/references.bib`` with pybtex (the parser the build uses)."""

from __future__ import annotations

import pytest
from pybtex.database import parse_string

from tests.helpers import ROOT

#: Entries that are publications in their own right: they must carry a year.
DATED_TYPES = {"book", "article", "incollection", "inproceedings"}
#: Words in ``howpublished`` that mark a web encyclopedia entry.
ENCYCLOPEDIA = ("wikipedia", "encyclopedia", "1914-1918-online")


def entries(text: str):
    return parse_string(text, "bibtex").entries.items()


def problems(text: str) -> list[str]:
    found = []
    for key, entry in entries(text):
        fields = {k.lower(): v for k, v in entry.fields.items()}
        title = fields.get("title", "").strip("{}")
        has_author = bool(entry.persons.get("author"))
        if (entry.type in DATED_TYPES or has_author) and "year" not in fields:
            note = fields.get("note", "").lower()
            if "could be traced" not in note and "undated" not in note:
                found.append(f"{key}: a work with an author or a {entry.type} needs its year")
        published = fields.get("howpublished", "").lower()
        if not has_author and any(word in published for word in ENCYCLOPEDIA):
            if ":" not in title:
                found.append(
                    f"{key}: an encyclopedia entry is cited by its title alone ({title!r}); "
                    "name the encyclopedia in it (e.g. 'Wikipedia: Ante Ciliga')"
                )
    return found


def test_dated_works_and_encyclopedia_entries_are_cited_as_such():
    assert problems((ROOT / "book" / "references.bib").read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "bad, needle",
    [
        ("@book{b, author = {Moon, David}, title = {The Russian Peasantry}}", "needs its year"),
        (
            "@misc{w, title = {Ante Ciliga}, howpublished = {Wikipedia, en.wikipedia.org}}",
            "encyclopedia entry",
        ),
    ],
)
def test_the_check_refuses_an_undated_book_and_a_bare_entry(bad, needle):
    assert any(needle in p for p in problems(bad))
