"""Word counts in the two texts, with one cleaning for every count in the book.

Each seed text is normalised as for quotation matching (:func:`sovbook.locate.normalise`: markup,
page and note markers removed, typographic quotes and dashes mapped) and counted whole, notes
included. A word is a run of letters, optionally joined to another run by an apostrophe or a
hyphen. A pattern is a regular expression matched case-insensitively on whole words.
"""

from __future__ import annotations

import re

import pandas as pd

from . import locate, sources

WORD_RE = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*")
#: Rates are given per this many words.
RATE_BASE = 1000


def text(source_id: str) -> str:
    """The normalised text of a seed, as every count reads it."""
    return locate.normalise(sources.get(source_id).text)


def words(source_id: str) -> int:
    return len(WORD_RE.findall(text(source_id)))


def count(source_id: str, pattern: str) -> int:
    """Matches of a whole-word, case-insensitive pattern in the normalised text."""
    return len(re.findall(rf"\b(?:{pattern})\b", text(source_id), flags=re.IGNORECASE))


def table(terms: pd.DataFrame, source_ids=("ciliga", "el-emary")) -> pd.DataFrame:
    """One row per term (columns ``term_id``, ``label``, ``pattern``, and ``group`` if given): the
    count and the rate per :data:`RATE_BASE` words in each text."""
    rows = []
    for term in terms.to_dict("records"):
        row = {k: term[k] for k in ("term_id", "label", "group") if k in term}
        for source_id in source_ids:
            n = count(source_id, term["pattern"])
            row[f"{source_id} count"] = n
            row[f"{source_id} rate"] = round(n * RATE_BASE / words(source_id), 2)
        rows.append(row)
    return pd.DataFrame(rows)
