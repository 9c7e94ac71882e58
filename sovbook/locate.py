"""Find a quotation in a seed text and say where it stands.

``locate(source_id, quote)`` returns a :class:`Locator`: the raw character
offsets of the quotation in the seed file and a human locator (a printed page
for the eyewitness excerpt, section and paragraph for El-Emary's essay, a note
number for a quotation inside a note).  A quotation that is not in the text
raises :class:`QuoteNotFound`, whose message shows the nearest passage.

Matching
--------
Matching is exact after :func:`normalise`, which only

* removes markup: ``*`` (bold/italic, also when escaped as ``\\*``), backslash
  escapes, heading hashes at line starts, ``---`` lines, ``<sup>…</sup>``
  together with their content (footnote markers);
* removes parenthesised pure digits such as ``(122)`` or ``(1)`` (printed-page
  and footnote markers).  When a marker is followed directly by punctuation,
  the blanks before it go with it (``"frenetic Vissarion" (2), who`` reads
  ``"frenetic Vissarion", who``);
* maps typographic quotes to ``"``/``'``, dashes to ``-`` and ``…`` to ``...``;
* turns every run of whitespace into one space and strips the ends.

Case and all other punctuation are kept (``formula : the land`` does not match
``formula: the land``).  In a quotation, ``…``, ``[...]`` and ``[…]`` mark an
omission: the parts between them must each be found, in this order and without
overlapping, within one segment (the main flow or one note).  A plain ``...``
is literal text.  A match must not begin or end inside a word (``the land``
does not match in ``the landowners``).  When a quotation occurs more than once, the first
occurrence is returned: the main flow is searched first, then the notes in
their order; within a segment the leftmost match wins.

Reading flow and notes
----------------------
Each text is searched as its *main flow* (the body with the note blocks cut
out, so that a sentence interrupted by a page-foot note still matches),
followed by every note as a separate segment (no match runs from the body into
a note, or from one note into another).

* Eyewitness (``ciliga``): a note block is a line ``<n> <text>`` right after a
  blank line; it runs on over the following lines until a line starting with
  whitespace (where the body resumes) or until a line ending in
  ``(Translator's note.)``.  The number ``n`` itself is not part of the note
  text.
* El-Emary: a ``---`` line opens a note block; the block's paragraphs each start
  with ``<sup>(n)</sup>``; it ends at the first paragraph that does not.

Eyewitness pages
----------------
Boundaries in the main flow are the page markers ``(n)`` with
``n >= first_page`` (smaller numbers are footnote references) and the note
blocks (a page-foot note ends its page).  For each body segment between two
consecutive boundaries an interval ``[lo, hi]`` of possible printed pages is
computed:

1. from the markers: ``lo`` = number of the last marker before the segment
   (``first_page`` if none), ``hi`` = number of the next marker minus 1
   (``last_page`` if none);
2. forward pass, in reading order: a note block between segments ``a`` and
   ``b`` means ``b`` is on the page after ``a``, so ``b.lo >= a.lo + 1``;
3. backward pass, in reverse order: likewise ``a.hi <= b.hi - 1``.

When a bound from a note contradicts the interval (``lo > hi``), nothing is
guessed: the segment gets the range covering both readings, ``[min, max]`` of
its interval and the interval the note implies (``[a.lo+1, a.hi+1]`` forward,
``[b.lo-1, b.hi-1]`` backward).  Because the forward pass runs first, a
conflict is charged to the segment *after* the note (the note says "new page",
the marker after it says "same page"); the segment before the note keeps the
page given by the marker that opens it.  For the excerpt pp. 121-127 this
yields: start->(122) p. 121; (122)->note 1 p. 122; note 1->(124) p. 123;
(124)->(125) p. 124; (125)->note 2 p. 125; note 2->(126) pp. 125-126;
(126)->(127) p. 126; (127)->note 3 p. 127; after note 3 pp. 127-128 (by the
note it is p. 128, beyond the stated last page 127).
A quotation spanning segments gets the union of their intervals.  A note is on
the page of the body segment just before its block.

El-Emary sections and paragraphs
--------------------------------
Sections open at markdown headings (the document title opens the first one)
and at a paragraph that is one bold line ending in ``:`` of fewer than 100
characters.  Section names are the heading's plain text without a trailing
colon; the title's section is labelled with the title's first four words and
"(opening)".  Paragraphs are the blank-line separated blocks of the main flow
(the byline and the bold lines under the title count as paragraphs of the
opening section; ``*****`` separator lines are not paragraphs but do end one).
Page-break artefacts split some paragraphs; a block is merged into the
previous block of the same section when the previous one (plain text) does
not end in sentence-final punctuation (``. ! ? : ; " '``) and either the block
starts with a lower-case letter or the previous block ends with a word that
cannot end a sentence (articles, prepositions, conjunctions, possessives; see
``_CONTINUING_WORDS``).  Note blocks between the two are ignored.

Labels
------
``p. 122`` / ``pp. 125–126``; ``p. 122, translator's note 1``;
``§ Bureaucratic mode of production, ¶ 3`` (``¶ 3–4`` across paragraphs,
``heading`` for a heading, ``§ A, ¶ 5 to § B, ¶ 1`` across sections);
``§ Bureaucratic mode of production, note 11`` (the section where the note
block stands).  ``paragraph`` is the paragraph where the match starts.

The normalised view of each text is built once and cached on the text itself.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from . import sources

__all__ = ["Locator", "QuoteNotFound", "locate", "locate_all", "normalise", "page_segments"]


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

_CHAR_MAP = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2026": "...",
}

_MARKER_RE = re.compile(r"<sup>.*?</sup>|\(\d+\)", re.DOTALL)
_KILL_RES = (
    re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE),  # heading hashes
    re.compile(r"^[ \t]*---[ \t]*$", re.MULTILINE),  # note-block rule
    re.compile(r"\\(?=[^\w\s])"),  # backslash escapes
    re.compile(r"\*"),  # bold / italic
)


def _kill_mask(raw: str) -> bytearray:
    """1 for every raw character that normalisation removes."""
    kill = bytearray(len(raw))
    for m in _MARKER_RE.finditer(raw):
        s, e = m.span()
        if e < len(raw) and not raw[e].isspace() and not raw[e].isalnum():
            while s > 0 and raw[s - 1] in " \t":
                s -= 1
        kill[s:e] = b"\x01" * (e - s)
    for rx in _KILL_RES:
        for m in rx.finditer(raw):
            s, e = m.span()
            kill[s:e] = b"\x01" * (e - s)
    return kill


def _emit(raw: str, kill: bytearray, pieces: Iterable[tuple[int, int]]):
    """Normalise the concatenation of raw ``pieces`` (start, end).

    Returns the normalised string, the raw offset of each of its characters
    and, per piece, the normalised index of its first non-space character
    (``None`` if it has none).  Pieces that are not adjacent in the raw text
    are joined by a space.
    """
    out: list[str] = []
    offs: list[int] = []
    firsts: list[int | None] = []
    pending: int | None = None  # raw offset of a pending whitespace run
    prev_end: int | None = None
    for start, end in pieces:
        if prev_end is not None and prev_end != start and pending is None:
            pending = start
        first = None
        for i in range(start, end):
            if kill[i]:
                continue
            ch = raw[i]
            if ch.isspace():
                if pending is None:
                    pending = i
                continue
            if pending is not None:
                if out:
                    out.append(" ")
                    offs.append(pending)
                pending = None
            if first is None:
                first = len(out)
            rep = _CHAR_MAP.get(ch, ch)
            out.extend(rep)
            offs.extend([i] * len(rep))
        firsts.append(first)
        prev_end = end
    return "".join(out), offs, firsts


def normalise(text: str) -> str:
    """The normalised comparison form of ``text`` (see the module docstring)."""
    return _emit(text, _kill_mask(text), [(0, len(text))])[0]


_ELLIPSIS_RE = re.compile(r"\[\s*(?:\.\.\.|\u2026)\s*\]|\u2026")


def _quote_parts(quote: str) -> list[str]:
    if not isinstance(quote, str):
        raise TypeError(f"quote must be a str, not {type(quote).__name__}")
    parts = [p for p in (normalise(p) for p in _ELLIPSIS_RE.split(quote)) if p]
    if not parts or any(len(p.replace(" ", "")) < 3 for p in parts):
        raise ValueError(
            f"quote too short to locate (each part needs at least 3 non-space characters): {quote!r}"
        )
    return parts


# --------------------------------------------------------------------------
# Per-source views


@dataclass
class _Segment:
    text: str  # normalised
    offs: list[int]  # raw offset of each character of text
    unit_starts: list[int]  # normalised index where each unit begins (sorted)
    units: list[object]  # the unit info for each start
    note: int | None = None  # note number, for a note segment


@dataclass
class _View:
    kind: str  # "pages" or "sections"
    segments: list[_Segment]  # main flow first, then notes
    pages: list[tuple[int, int]] | None = None  # per page-segment (ciliga)
    note_pages: dict[int, tuple[int, int]] | None = None
    note_labels: dict[int, str] | None = None  # "translator's note" / "note"
    sections: list[str] | None = None  # section names (el-emary)
    section_labels: list[str] | None = None
    note_sections: dict[int, int] | None = None


def _make_segment(raw, kill, pieces, tags, note=None) -> _Segment:
    text, offs, firsts = _emit(raw, kill, pieces)
    starts, units = [], []
    for first, tag in zip(firsts, tags):
        if first is None:
            continue
        if starts and starts[-1] == first:
            units[-1] = tag
        else:
            starts.append(first)
            units.append(tag)
    return _Segment(text, offs, starts, units, note)


# ---- eyewitness: printed pages

_BLANK_RE = re.compile(r"[ \t]*$")


def _lines(raw: str) -> list[tuple[int, int]]:
    """(start, end) of each line, end excluding the newline."""
    out, pos = [], 0
    for line in raw.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _page_notes(raw: str) -> list[tuple[int, int, int, int]]:
    """Eyewitness note blocks: (block start, block end, text start, number)."""
    lines = _lines(raw)
    notes = []
    i = 1
    while i < len(lines):
        s, e = lines[i]
        m = re.match(r"(\d+) (?=\S)", raw[s:e])
        ps, pe = lines[i - 1]
        if m and not raw[ps:pe].strip():
            j = i
            while (
                j + 1 < len(lines)
                and not raw[lines[j][0]:lines[j][1]].rstrip().endswith("(Translator's note.)")
                and raw[lines[j + 1][0]:lines[j + 1][1]].strip()
                and not raw[lines[j + 1][0]:lines[j + 1][1]][:1].isspace()
            ):
                j += 1
            end = lines[j][1] + 1 if j + 1 < len(lines) else lines[j][1]
            notes.append((s, end, s + m.end(), int(m.group(1))))
            i = j + 1
        else:
            i += 1
    return notes


def _widen(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (min(a[0], b[0]), max(a[1], b[1]))


def _page_intervals(events, first_page: int, last_page: int) -> list[tuple[int, int]]:
    """Per body segment, the interval of possible pages (see the module docstring).

    ``events`` are the boundaries in reading order: ("marker", n) or ("note", k).
    """
    n_seg = len(events) + 1
    markers = [(i, ev[1]) for i, ev in enumerate(events) if ev[0] == "marker"]
    segs: list[tuple[int, int]] = []
    for i in range(n_seg):
        before = [n for j, n in markers if j < i]
        after = [n for j, n in markers if j >= i]
        lo = before[-1] if before else first_page
        hi = after[0] - 1 if after else last_page
        segs.append((lo, hi) if lo <= hi else (hi, lo))
    for i in range(1, n_seg):  # forward: lower bounds
        if events[i - 1][0] != "note":
            continue
        a, b = segs[i - 1], segs[i]
        cand = (a[0] + 1, a[1] + 1)
        if cand[0] > b[0]:
            segs[i] = (cand[0], b[1]) if cand[0] <= b[1] else _widen(b, cand)
    for i in range(n_seg - 2, -1, -1):  # backward: upper bounds
        if events[i][0] != "note":
            continue
        a, b = segs[i], segs[i + 1]
        cand = (b[0] - 1, b[1] - 1)
        if cand[1] < a[1]:
            segs[i] = (a[0], cand[1]) if cand[1] >= a[0] else _widen(a, cand)
    return segs


def _page_view(raw: str, first_page: int, last_page: int) -> _View:
    kill = _kill_mask(raw)
    notes = _page_notes(raw)
    events: list[tuple[int, int, tuple]] = []  # (raw start, raw end, event)
    for m in re.finditer(r"\((\d+)\)", raw):
        n = int(m.group(1))
        if n >= first_page and not any(s <= m.start() < e for s, e, _, _ in notes):
            events.append((m.start(), m.end(), ("marker", n)))
    for s, e, _, k in notes:
        events.append((s, e, ("note", k)))
    events.sort()
    pieces, pos = [], 0
    for s, e, ev in events:
        pieces.append((pos, s))
        pos = s if ev[0] == "marker" else e
    pieces.append((pos, len(raw)))
    evs = [ev for _, _, ev in events]
    pages = _page_intervals(evs, first_page, last_page)
    main = _make_segment(raw, kill, pieces, list(range(len(pieces))))
    segments = [main]
    note_pages, note_labels = {}, {}
    for idx, ev in enumerate(evs):
        if ev[0] == "note":
            note_pages[ev[1]] = pages[idx]
    for s, e, ts, k in notes:
        seg = _make_segment(raw, kill, [(ts, e)], [None], note=k)
        segments.append(seg)
        note_labels[k] = "translator's note" if "(Translator's note.)" in seg.text else "note"
    return _View("pages", segments, pages=pages, note_pages=note_pages, note_labels=note_labels)


# ---- El-Emary: sections and paragraphs

_SENTENCE_END = set(".!?:;\"'")
_CONTINUING_WORDS = frozenset(
    "a an the of and or but nor to in on at for with by from into onto upon as than that which who whom whose "
    "its their his her our your my this these those".split()
)
_BOLD_HEADING_RE = re.compile(r"\*\*[^\n]+:\*\*")


def _continues(prev_plain: str, next_plain: str) -> bool:
    if not prev_plain or not next_plain or prev_plain[-1] in _SENTENCE_END:
        return False
    if next_plain[0].islower():
        return True
    last = re.sub(r"\W+$", "", prev_plain.rsplit(" ", 1)[-1]).lower()
    return last in _CONTINUING_WORDS


def _section_view(raw: str) -> _View:
    kill = _kill_mask(raw)
    blocks = [m.span() for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", raw)]
    pieces, tags = [], []
    note_blocks: list[tuple[int, int, int, int]] = []  # start, end, number, section
    sections: list[str] = []
    section_labels: list[str] = []
    para = 0
    prev_plain: str | None = None  # last body block of the current paragraph run
    in_notes = False
    for s, e in blocks:
        block = raw[s:e].strip()
        if block == "---":
            in_notes = True
            continue
        m = re.match(r"<sup>\((\d+)\)</sup>", block)
        if in_notes and m:
            note_blocks.append((s, e, int(m.group(1)), len(sections) - 1))
            continue
        in_notes = False
        plain = normalise(block)
        heading = block.startswith("#") or (
            "\n" not in block and _BOLD_HEADING_RE.fullmatch(block) is not None and len(plain) < 100
        )
        if heading:
            name = plain.rstrip(":").strip()
            level = len(block) - len(block.lstrip("#"))
            if level and not sections and level <= 2:
                short = " ".join(name.split()[:4])
                label = f"{short}\u2026 (opening)" if short != name else f"{name} (opening)"
            else:
                label = name
            sections.append(name)
            section_labels.append(label)
            para = 0
            prev_plain = None
            pieces.append((s, e))
            tags.append((len(sections) - 1, None))
            continue
        if not sections:  # body before any heading
            sections.append("")
            section_labels.append("(untitled)")
        if not plain:  # separator such as **\*\*\*\*\***
            prev_plain = None
            pieces.append((s, e))
            tags.append((len(sections) - 1, None))
            continue
        if prev_plain is None or not _continues(prev_plain, plain):
            para += 1
        prev_plain = plain
        pieces.append((s, e))
        tags.append((len(sections) - 1, para))
    main = _make_segment(raw, kill, pieces, tags)
    segments = [main]
    note_sections = {}
    for s, e, k, sec in note_blocks:
        segments.append(_make_segment(raw, kill, [(s, e)], [None], note=k))
        note_sections[k] = sec
    return _View(
        "sections", segments, sections=sections, section_labels=section_labels, note_sections=note_sections
    )


@lru_cache(maxsize=16)
def _view(source_id: str, text: str, first_page: int | None, last_page: int | None) -> _View:
    """The searchable view of one text, cached on the text itself (so an edited seed is re-read)."""
    if first_page is not None:
        return _page_view(text, first_page, last_page if last_page is not None else first_page)
    return _section_view(text)


def _source_view(source_id: str, base: Path | None):
    src = sources.get(source_id, base)
    return src, _view(source_id, src.text, src.first_page, src.last_page)


# --------------------------------------------------------------------------
# Labels


def _pages_label(lo: int, hi: int) -> str:
    return f"p. {lo}" if lo == hi else f"pp. {lo}\u2013{hi}"


def _unit_at(seg: _Segment, pos: int):
    i = bisect.bisect_right(seg.unit_starts, pos) - 1
    return seg.units[max(i, 0)] if seg.units else None


def _describe(view: _View, seg: _Segment, s: int, e: int) -> dict:
    """Locator fields (without source_id/start/end) for normalised span [s, e) of seg."""
    if view.kind == "pages":
        if seg.note is not None:
            lo, hi = view.note_pages[seg.note]
            label = f"{_pages_label(lo, hi)}, {view.note_labels[seg.note]} {seg.note}"
            return dict(label=label, pages=(lo, hi), note=seg.note)
        spanned = view.pages[_unit_at(seg, s) : _unit_at(seg, e - 1) + 1]
        lo, hi = min(p[0] for p in spanned), max(p[1] for p in spanned)
        return dict(label=_pages_label(lo, hi), pages=(lo, hi))
    if seg.note is not None:
        sec = view.note_sections.get(seg.note, -1)
        if sec >= 0:
            return dict(
                label=f"\u00a7 {view.section_labels[sec]}, note {seg.note}",
                section=view.sections[sec],
                note=seg.note,
            )
        return dict(label=f"note {seg.note}", note=seg.note)
    (sec1, p1), (sec2, p2) = _unit_at(seg, s), _unit_at(seg, e - 1)

    def par(p):
        return "heading" if p is None else f"\u00b6 {p}"

    if sec1 == sec2:
        if p1 == p2:
            where = par(p1)
        elif p1 is not None and p2 is not None:
            where = f"\u00b6 {p1}\u2013{p2}"
        else:
            where = f"{par(p1)} to {par(p2)}"
        label = f"\u00a7 {view.section_labels[sec1]}, {where}"
    else:
        label = f"\u00a7 {view.section_labels[sec1]}, {par(p1)} to \u00a7 {view.section_labels[sec2]}, {par(p2)}"
    return dict(label=label, section=view.sections[sec1], paragraph=p1)


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


def _nearest(view: _View, part: str) -> tuple[float, _Segment, int, int] | None:
    from rapidfuzz import fuzz

    best = None
    for seg in view.segments:
        if not seg.text:
            continue
        al = fuzz.partial_ratio_alignment(part, seg.text)
        if best is None or al.score > best[0]:
            best = (al.score, seg, al.dest_start, al.dest_end)
    return best


def _not_found(src, view: _View, parts: list[str]) -> QuoteNotFound:
    quote = " [...] ".join(parts)
    lines = [f"quote not found in {src.id} (seeds/{src.file}):", f"  quote:   \"{_short(quote)}\""]
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
        lines.append(msg + f": \"{_short(failed)}\"")
    near = _nearest(view, failed)
    if near is not None:
        score, seg, s, e = near
        # widen the aligned window to whole words for display
        while s > 0 and seg.text[s - 1] != " ":
            s -= 1
        while e < len(seg.text) and seg.text[e] != " ":
            e += 1
        label = _describe(view, seg, s, max(e, s + 1))["label"]
        lines.append(f"  nearest: \"{_short(seg.text[s:e], 160)}\" (similarity {score:.0f}%, {label})")
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
            fields = _describe(view, seg, s, e)
            return Locator(source_id=source_id, start=seg.offs[s], end=seg.offs[e - 1] + 1, **fields)
    raise _not_found(src, view, parts)


def locate_all(source_id: str, quotes: Iterable[str], *, base: Path | None = None) -> list[Locator]:
    """``locate`` for several quotes from one source, in order."""
    return [locate(source_id, q, base=base) for q in quotes]


def page_segments(source_id: str, *, base: Path | None = None) -> list[dict]:
    """For a paginated source: each stretch of running text between two pieces of page
    evidence, what opens it (the start, a page marker or a page-foot note), its first
    words and the page interval the evidence allows. Used to show readers how the
    eyewitness locators are computed."""
    src, view = _source_view(source_id, base)
    if view.kind != "pages":
        raise ValueError(f"{source_id!r} is not located by printed pages")
    raw = src.text
    notes = _page_notes(raw)
    events = []
    for m in re.finditer(r"\((\d+)\)", raw):
        n = int(m.group(1))
        if n >= src.first_page and not any(s <= m.start() < e for s, e, _, _ in notes):
            events.append((m.start(), f"page marker ({n})"))
    for s, _, _, k in notes:
        events.append((s, f"page-foot note {k}"))
    events.sort()
    openers = ["start of the excerpt"] + [label for _, label in events]
    main = view.segments[0]
    out = []
    for index, (lo, hi) in enumerate(view.pages):
        try:
            start = main.unit_starts[main.units.index(index)]
        except ValueError:
            continue
        words = main.text[start:].split()[:8]
        out.append({"opened_by": openers[index], "first_words": " ".join(words) + " …", "low": lo, "high": hi, "label": _pages_label(lo, hi)})
    return out
