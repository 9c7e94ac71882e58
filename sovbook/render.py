"""How quotations and tables reach the page.

Every string that comes from ``data/`` is HTML-escaped here, so a quotation
or a note can never inject markup into the book. Notebooks display the objects
returned by these functions; they never paste a quotation into prose.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import pandas as pd

from .evidence import Evidence


class HTML:
    """A block of trusted HTML built from escaped data (displays as text/html)."""

    def __init__(self, markup: str, text: str):
        self.markup = markup
        self.text = text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.markup, "text/plain": self.text}

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.text


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def quote_markup(evidence: Evidence, quote_id: str, *, label: str | None = None) -> tuple[str, str]:
    row = evidence.quote(quote_id)
    source_id = row["source_id"]
    cite = evidence.citation(quote_id)
    heading = f'<p class="sovbook-label">{_e(label)}</p>' if label else ""
    markup = (
        f'<blockquote class="sovbook-quote source-{_e(source_id)}" data-quote="{_e(quote_id)}">'
        f"{heading}<p>“{_e(row['text'])}”</p>"
        f"<footer>{_e(cite)}</footer></blockquote>"
    )
    text = f"“{row['text']}” ({cite})"
    return markup, text


def quote(evidence: Evidence, quote_id: str, *, label: str | None = None) -> HTML:
    """One quotation with its computed locator."""
    markup, text = quote_markup(evidence, quote_id, label=label)
    return HTML(markup, text)


def side_by_side(
    evidence: Evidence,
    pairs: Sequence[tuple[str, str]] | Iterable[str],
    *,
    labels: Sequence[str] | None = None,
) -> HTML:
    """Quotations set beside each other (e.g. the witness and the theory on one point).

    ``pairs`` is a sequence of quote ids; ``labels`` optionally names each column.
    """
    ids = list(pairs)
    labels = list(labels) if labels else [None] * len(ids)
    if len(labels) != len(ids):
        raise ValueError("side_by_side: one label per quotation")
    parts = [quote_markup(evidence, qid, label=lab) for qid, lab in zip(ids, labels, strict=True)]
    markup = '<div class="sovbook-quotes">' + "".join(m for m, _ in parts) + "</div>"
    text = "\n".join(t for _, t in parts)
    return HTML(markup, text)


def stack(
    evidence: Evidence, quote_ids: Iterable[str], *, labels: Sequence[str] | None = None
) -> HTML:
    """Quotations one after another (a list of passages, as on the page of every quotation)."""
    ids = list(quote_ids)
    labels = list(labels) if labels else [None] * len(ids)
    if len(labels) != len(ids):
        raise ValueError("stack: one label per quotation")
    parts = [quote_markup(evidence, qid, label=lab) for qid, lab in zip(ids, labels, strict=False)]
    return HTML(
        '<div class="sovbook-quote-list">' + "".join(m for m, _ in parts) + "</div>",
        "\n".join(t for _, t in parts),
    )


def table(frame: pd.DataFrame, *, caption: str) -> HTML:
    """A plain, accessible HTML table with a caption (every cell escaped)."""
    if not caption:
        raise ValueError("a table needs a caption")
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e('' if pd.isna(v) else v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    markup = (
        f'<table class="sovbook-table"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
    return HTML(markup, f"Table: {caption} ({len(frame)} rows)")


class Plain:
    """A string to ``glue`` into prose: ``glue("name", Plain("…"), display=False)``.

    myst-nb's ``{glue:text}`` role reads the stored text back with ``ast.literal_eval``, so a bare
    ``2,345`` would come back as the tuple ``(2, 345)``. The text is therefore stored (``repr``)
    as a Python string literal, which reads back as exactly this text; used inside an f-string or
    ``str()`` it is the plain text.
    """

    def __init__(self, text: str):
        self.text = str(text)

    def __repr__(self) -> str:
        return repr(self.text)

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)


def say(name: str, value) -> None:
    """Glue a value into the prose, where ``{glue:text}`name``` shows it: the one way the book's
    notebooks glue. Format numbers and dates first (:func:`number`, :func:`millions`,
    :func:`date`)."""
    from myst_nb import glue

    glue(name, value if isinstance(value, Plain) else Plain(str(value)), display=False)


MONTHS = (
    "January February March April May June July August September October November December"
).split()


def date(iso: str) -> Plain:
    """A date of ``data/`` (``1942``, ``1935-12``, ``1942-01-01``) written in words, the same on
    every platform: ``1942``, ``December 1935``, ``1 January 1942``. Anything else is returned as
    it is."""
    import re

    text = str(iso)
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not match:
        return Plain(text)
    year, month, day = match.groups()
    if not month:
        return Plain(year)
    words = f"{MONTHS[int(month) - 1]} {year}"
    return Plain(f"{int(day)} {words}" if day else words)


def dated(iso: str) -> Plain:
    """A date of ``data/`` with the preposition English gives it: ``on 9 May 2020``,
    ``in May 1932``, ``in 1932``, so that prose never reads "in 9 May 2020"."""
    import re

    words = date(iso)
    day = re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(iso))
    return Plain(f"{'on' if day else 'in'} {words}")


def record_date(records, record_id: str) -> Plain:
    """The date of an outside record, written in words (:func:`date` of its ``as_of``);
    ``records`` is ``data/records.csv`` indexed by ``record_id``, as the chapters hold it."""
    return date(records.loc[record_id, "as_of"])


def number(value: float, unit: str = "") -> Plain:
    """A number written for prose: thousands separated, no trailing ``.0``; ``unit`` appended."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
    return Plain(f"{text}{' ' + unit if unit else ''}")


def millions(persons: float, decimals: int = 1) -> Plain:
    """Persons written in millions, without float noise: ``3.5 million``, ``10 million``."""
    text = f"{persons / 1e6:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Plain(f"{text} million")


#: How a unit of data/figures.csv and data/records.csv is written after a number.
UNIT_WORDS = {
    "percent": " %",
    "persons": " people",
    "members": " members",
    "ratio": " to 1",
    "countries": " countries",
    "days": " days",
    "months": " months",
    "years": " years",
    "years-of-age": " years old",
    "year": "",
    "century": "th century",
    "classes": " classes",
}


def amount(row) -> str:
    """A figure or record row (``value``, or ``low``/``high``, and ``unit``) as the text gives it:
    ``82 %``, ``8,000,000–15,000,000 people``, ``at most 3,000,000 people``,
    ``more than 30 people``."""
    unit = UNIT_WORDS.get(row["unit"], " " + row["unit"])
    fmt = (lambda v: f"{v:g}") if row["unit"] in ("year", "century") else (lambda v: f"{v:,.10g}")
    present = lambda v: v is not None and not pd.isna(v)  # noqa: E731
    if present(row["value"]):
        return f"{fmt(row['value'])}{unit}"
    if present(row["low"]) and present(row["high"]):
        return f"{fmt(row['low'])}–{fmt(row['high'])}{unit}"
    if present(row["high"]):
        return f"at most {fmt(row['high'])}{unit}"
    return f"more than {fmt(row['low'])}{unit}"


def passage(evidence: Evidence, quote_id, missing: str = "(no passage)") -> str:
    """A short pointer to a quotation for readers' tables: its paraphrase and computed locator
    (never the machine id), or ``missing``."""
    if not isinstance(quote_id, str) or not quote_id:
        return missing
    return (
        f"\u201c{evidence.quote(quote_id)['paraphrase']}\u201d ({evidence.locator(quote_id).label})"
    )
