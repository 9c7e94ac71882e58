"""Find a quotation in a seed text and say where it stands.

``locate(source_id, quote)`` returns a :class:`Locator`: the raw character
offsets of the quotation in the seed file and a human locator (a printed page
or range of pages for the eyewitness excerpt, section and paragraph for
El-Emary's essay, a note number for a quotation inside a note). A quotation
that is not in the text raises :class:`QuoteNotFound`, whose message shows the
nearest passage.

How a text is divided (its pages or sections, paragraphs and notes) is its
*locator scheme*, read from ``seeds/sources.json`` by :mod:`sovbook.schemes`;
this module only normalises, searches and labels.

Matching
--------
Matching is exact after :func:`normalise`, which only

* removes markup: ``*`` (bold/italic, also when escaped as ``\\*``), backslash
  escapes, heading hashes at line starts, ``---`` lines, and the text's page and
  note markers as its scheme names them (``(122)``, ``(1)``, ``<sup>(1)</sup>``).
  When a marker is followed directly by punctuation, the blanks before it go
  with it (``"frenetic Vissarion" (2), who`` reads ``"frenetic Vissarion", who``);
* maps typographic quotes to ``"``/``'``, dashes to ``-`` and ``…`` to ``...``;
* turns every run of whitespace into one space and strips the ends.

Case and all other punctuation are kept (``formula : the land`` does not match
``formula: the land``). In a quotation, ``…``, ``[...]`` and ``[…]`` mark an
omission: the parts between them must each be found, in this order and without
overlapping, within one segment (the reading flow or one note). A plain ``...``
is literal text. A match must not begin or end inside a word (``the land``
does not match in ``the landowners``). When a quotation occurs more than once,
the first occurrence is returned: the reading flow is searched first, then the
notes in their order; within a segment the leftmost match wins.

Labels
------
``p. 122`` / ``pp. 122–123``; ``pp. 122–123, translator's note 1``;
``§ Bureaucratic mode of production, ¶ 3`` (``¶ 3–4`` across paragraphs,
``heading`` for a heading, ``byline`` or ``author's note`` for front matter,
``§ A, ¶ 5 to § B, ¶ 1`` across sections); ``§ Bureaucratic mode of production,
note 11`` (the section where the note block stands). ``paragraph`` is the
paragraph where the match starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import schemes, sources

__all__ = [
    "Locator",
    "QuoteNotFound",
    "locate",
    "locate_all",
    "normalise",
    "page_segments",
    "paragraphs",
    "paragraph_of",
    "text_view",
]


class QuoteNotFound(ValueError):
    """A quotation is not in the seed text (after normalisation)."""


@dataclass(frozen=True)
class Locator:
    source_id: str
    label: str
    start: int
    end: int
    pages: tuple[int, int] | None = None
    section: str | None = None
    paragraph: int | None = None
    note: int | None = None


# --------------------------------------------------------------------------
# Normalisation


def normalise(text: str, markers: tuple[str, ...] = schemes.DEFAULT_MARKERS) -> str:
    """The normalised comparison form of ``text`` (see the module docstring); ``markers`` are the
    page and note markers to remove (by default, the markers of both seed texts' schemes)."""
    return schemes.emit(text, schemes.kill_mask(text, markers), [(0, len(text))])[0]


_ELLIPSIS_RE = re.compile(r"\[\s*(?:\.\.\.|\u2026)\s*\]|\u2026")


def _quote_parts(quote: str) -> list[str]:
    if not isinstance(quote, str):
        raise TypeError(f"quote must be a str, not {type(quote).__name__}")
    parts = [p for p in (normalise(p) for p in _ELLIPSIS_RE.split(quote)) if p]
    if not parts or any(len(p.replace(" ", "")) < 3 for p in parts):
        raise ValueError(
            "quote too short to locate (each part needs at least 3 non-space characters): "
            f"{quote!r}"
        )
    return parts


# --------------------------------------------------------------------------
# Views, one per text and scheme (cached on the text and its scheme)


@lru_cache(maxsize=16)
def _view(source_id: str, text: str, scheme) -> schemes.TextView:
    return scheme.view(source_id, text)


def _source_view(source_id: str, base: Path | None):
    src = sources.get(source_id, base)
    return src, _view(source_id, src.text, src.scheme)


def text_view(source_id: str, *, base: Path | None = None) -> schemes.TextView:
    """The scheme's view of one seed text: its searchable segments and its paragraphs."""
    return _source_view(source_id, base)[1]


def paragraphs(source_id: str, *, base: Path | None = None) -> list[schemes.Paragraph]:
    """Every paragraph of a seed text in reading order, then its notes (see
    :mod:`sovbook.schemes`)."""
    return list(text_view(source_id, base=base).paragraphs)


def paragraph_of(locator: Locator, *, base: Path | None = None) -> schemes.Paragraph | None:
    """The paragraph (or note) in which a located quotation begins."""
    for para in text_view(locator.source_id, base=base).paragraphs:
        if para.kind != "note" and locator.note is None and para.start <= locator.start < para.end:
            return para
        if para.kind == "note" and para.note == locator.note and locator.note is not None:
            return para
    return None


# --------------------------------------------------------------------------
# Locating


def _find(text: str, part: str, pos: int) -> int:
    """Leftmost index >= pos where ``part`` occurs without cutting a word in two."""
    while True:
        i = text.find(part, pos)
        if i < 0:
            return i
        j = i + len(part)
        if not (i > 0 and text[i - 1].isalnum() and part[0].isalnum()) and not (
            j < len(text) and text[j].isalnum() and part[-1].isalnum()
        ):
            return i
        pos = i + 1


def _find_parts(text: str, parts: list[str]) -> tuple[int, list[tuple[int, int]]]:
    """Leftmost in-order match of parts; returns (number of parts found, spans)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in parts:
        i = _find(text, part, pos)
        if i < 0:
            return len(spans), spans
        spans.append((i, i + len(part)))
        pos = i + len(part)
    return len(spans), spans


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _nearest(view: schemes.TextView, part: str) -> tuple[float, schemes.Segment, int, int] | None:
    from rapidfuzz import fuzz

    best = None
    for seg in view.segments:
        if not seg.text:
            continue
        al = fuzz.partial_ratio_alignment(part, seg.text)
        if best is None or al.score > best[0]:
            best = (al.score, seg, al.dest_start, al.dest_end)
    return best


def _not_found(src, view: schemes.TextView, parts: list[str]) -> QuoteNotFound:
    quote = " [...] ".join(parts)
    lines = [f"quote not found in {src.id} (seeds/{src.file}):", f'  quote:   "{_short(quote)}"']
    failed = parts[0]
    if len(parts) > 1:
        best_n, best_seg = -1, None
        for seg in view.segments:
            n, _ = _find_parts(seg.text, parts)
            if n > best_n:
                best_n, best_seg = n, seg
        failed = parts[best_n]
        where = "" if best_seg.note is None else f" (in note {best_seg.note})"
        msg = f"  part {best_n + 1} of {len(parts)} not found"
        if best_n:
            msg += f" after part {best_n}{where}"
            if _find(best_seg.text, failed, 0) >= 0:
                msg += " (it occurs earlier: the parts must be in the text's order)"
        lines.append(msg + f': "{_short(failed)}"')
    near = _nearest(view, failed)
    if near is not None:
        score, seg, s, e = near
        # widen the aligned window to whole words for display
        while s > 0 and seg.text[s - 1] != " ":
            s -= 1
        while e < len(seg.text) and seg.text[e] != " ":
            e += 1
        label = view.describe(seg, s, max(e, s + 1))["label"]
        lines.append(
            f'  nearest: "{_short(seg.text[s:e], 160)}" (similarity {score:.0f}%, {label})'
        )
    return QuoteNotFound("\n".join(lines))


def locate(source_id: str, quote: str, *, base: Path | None = None) -> Locator:
    """Where ``quote`` stands in the seed text ``source_id``.

    Returns the first occurrence (main flow before notes, leftmost first).
    Raises ``ValueError`` for an empty or too short quote, ``QuoteNotFound``
    when it is not in the text, ``KeyError`` for an unknown source.
    """
    parts = _quote_parts(quote)
    src, view = _source_view(source_id, base)
    for seg in view.segments:
        n, spans = _find_parts(seg.text, parts)
        if n == len(parts):
            s, e = spans[0][0], spans[-1][1]
            fields = view.describe(seg, s, e)
            return Locator(
                source_id=source_id, start=seg.offs[s], end=seg.offs[e - 1] + 1, **fields
            )
    raise _not_found(src, view, parts)


def locate_all(source_id: str, quotes: Iterable[str], *, base: Path | None = None) -> list[Locator]:
    """``locate`` for several quotes from one source, in order."""
    return [locate(source_id, q, base=base) for q in quotes]


def page_segments(source_id: str, *, base: Path | None = None) -> list[dict]:
    """For a paginated source: each stretch of running text between two page markers, what
    opens it, its first words, the page interval the markers allow and the notes printed in it.
    Used to show readers how the eyewitness locators are computed."""
    view = text_view(source_id, base=base)
    if view.scheme != "printed-pages":
        raise ValueError(f"{source_id!r} is not located by printed pages")
    return [dict(stretch) for stretch in view.page_stretches]
