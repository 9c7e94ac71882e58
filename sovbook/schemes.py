"""Locator schemes: how each pinned text is divided, read from ``seeds/sources.json``.

Each source names its scheme under ``"locator"`` with the scheme's patterns; nothing about a
particular text is written in code. Two schemes exist, each with one small parser that turns
the raw text into a :class:`TextView`: the *reading flow* (the body with note blocks cut out,
each stretch tagged with its locator unit), the *notes* (each a separate segment) and the
*paragraphs*. :mod:`sovbook.locate` searches and labels views; it never looks at a raw text.

``printed-pages`` (a translated memoir with inline printed-page markers)
    ``first_page``, ``last_page``: the printed pages the text covers.
    ``page_marker``: a regular expression whose group 1 is a page number; a match with a
    number above ``first_page`` marks where that page begins (smaller numbers are note calls).
    ``note_call``: a note call in the running text (removed when matching).
    ``note_block``: matched at the start of a line that follows a blank line, it opens a note
    block; group 1 is the note's number. The block runs on over the following lines until a
    line starting with whitespace (where the body resumes), a blank line, or a line that
    matches ``note_block_end``.
    ``note_kinds``: a pattern found in a note's text, and what such a note is called.
    ``paragraphs``: a line of at most ``short_line`` characters that ends in one of
    ``sentence_end`` ends a paragraph; a line matching ``opener`` opens one; a note block ends
    the paragraph before it only where the line before the block ends in ``sentence_end``.

    Page intervals come from the page markers alone: a stretch between the markers for pages
    *m* and *n* lies on pages *m* to *n* − 1; before the first marker it starts at
    ``first_page``; after the last it ends at ``last_page``. Notes are placed where they are
    printed and are not taken as page ends.

``sections`` (an essay with headings and numbered notes)
    ``headings``: patterns matched against a whole block (a block is a run of non-blank lines);
    a block that matches one opens a section named by its plain text, or by the pattern's
    group ``name`` where it has one (``== (?P<name>.*) ==``). The first heading, the
    title, opens a section labelled with its first ``opening_label_words`` words and
    "(opening)".
    ``note_rule``: a block that opens the notes; ``note_block``: a note's block, group 1 its
    number; ``note_call``: a note call in the running text (removed when matching).
    ``front_matter``: pattern -> name, blocks that are not numbered (a byline, an author's note).
    Paragraphs are the blank-line separated blocks of the body, counted per section from the
    first block that is not front matter; a block whose plain text is empty (a separator such as
    ``*****``) is no paragraph but ends one. Page-break artefacts split some paragraphs: a block
    joins the previous one when the previous does not end in sentence-final punctuation and
    either the block starts in lower case or the previous ends on one of ``continuing_words``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Characters that markup normalisation maps (see sovbook.locate.normalise).
CHAR_MAP = {
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u2032": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2026": "...",
}
#: Markup removed from every text, whatever its scheme.
MARKUP_RES = (
    re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE),  # heading hashes
    re.compile(r"^[ \t]*---[ \t]*$", re.MULTILINE),  # note-block rule
    re.compile(r"\\(?=[^\w\s])"),  # backslash escapes
    re.compile(r"\*"),  # bold / italic
)
#: Markers removed when no scheme is given (a quotation, a word count): both schemes' defaults.
DEFAULT_MARKERS = (r"<sup>.*?</sup>", r"\(\d+\)")


class SchemeError(ValueError):
    """A source's locator scheme in seeds/sources.json is missing or malformed."""


# --------------------------------------------------------------------------- normalisation


def kill_mask(raw: str, markers: tuple[str, ...] = DEFAULT_MARKERS) -> bytearray:
    """1 for every raw character that normalisation removes (markup and the scheme's markers).

    When a marker is followed directly by punctuation, the blanks before it go with it
    (``"frenetic Vissarion" (2), who`` reads ``"frenetic Vissarion", who``)."""
    kill = bytearray(len(raw))
    marker_re = re.compile("|".join(f"(?:{m})" for m in markers), re.DOTALL)
    for m in marker_re.finditer(raw):
        s, e = m.span()
        if e < len(raw) and not raw[e].isspace() and not raw[e].isalnum():
            while s > 0 and raw[s - 1] in " \t":
                s -= 1
        kill[s:e] = b"\x01" * (e - s)
    for rx in MARKUP_RES:
        for m in rx.finditer(raw):
            s, e = m.span()
            kill[s:e] = b"\x01" * (e - s)
    return kill


def emit(raw: str, kill: bytearray, pieces) -> tuple[str, list[int], list[int | None]]:
    """Normalise the concatenation of raw ``pieces`` (start, end).

    Returns the normalised string, the raw offset of each of its characters and, per piece,
    the normalised index of its first non-space character (``None`` if it has none). Pieces
    that are not adjacent in the raw text are joined by a space."""
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
            rep = CHAR_MAP.get(ch, ch)
            out.extend(rep)
            offs.extend([i] * len(rep))
        firsts.append(first)
        prev_end = end
    return "".join(out), offs, firsts


# --------------------------------------------------------------------------- views


@dataclass
class Segment:
    """One searchable stretch: the reading flow, or one note."""

    text: str  # normalised
    offs: list[int]  # raw offset of each character of text
    unit_starts: list[int]  # normalised index where each unit begins (sorted)
    units: list[Any]  # the unit (scheme-specific tag) of each start
    note: int | None = None

    def unit_at(self, pos: int):
        i = bisect.bisect_right(self.unit_starts, pos) - 1
        return self.units[max(i, 0)] if self.units else None

    def units_text(self, first: int, last: int) -> str:
        """The normalised text of units ``first`` to ``last`` (indices into ``units``), stripped."""
        end = self.unit_starts[last + 1] if last + 1 < len(self.unit_starts) else len(self.text)
        return self.text[self.unit_starts[first] : end].strip()


@dataclass(frozen=True)
class Paragraph:
    """A paragraph (or a note, or front matter) of a text, for coverage and context."""

    source_id: str
    key: str  # stable key within the source, e.g. "¶ 14" or "§ 2 ¶ 3" or "note 3"
    kind: str  # "paragraph", "note", "front matter"
    label: (
        str  # human locator, e.g. "pp. 122–123, ¶ 14" or "§ Bureaucratic mode of production, ¶ 3"
    )
    start: int  # raw offsets
    end: int
    text: str  # normalised text
    number: int | None = None
    section: str | None = None
    pages: tuple[int, int] | None = None
    note: int | None = None
    name: str | None = None  # front matter: "byline", "author's note"; notes: their kind


@dataclass
class TextView:
    """A text as its scheme sees it (built once per text and cached by sovbook.locate)."""

    scheme: str
    segments: list[Segment]  # reading flow first, then the notes in order
    describe: Callable[[Segment, int, int], dict]  # locator fields for a normalised span
    paragraphs: list[Paragraph] = field(default_factory=list)
    page_stretches: list[dict] = field(default_factory=list)  # printed-pages only


def _make_segment(raw, kill, pieces, tags, note=None) -> Segment:
    text, offs, firsts = emit(raw, kill, pieces)
    starts, units = [], []
    for first, tag in zip(firsts, tags, strict=False):
        if first is None:
            continue
        if starts and starts[-1] == first:
            units[-1] = tag
        else:
            starts.append(first)
            units.append(tag)
    return Segment(text, offs, starts, units, note)


def pages_label(lo: int, hi: int) -> str:
    return f"p. {lo}" if lo == hi else f"pp. {lo}\u2013{hi}"


def _lines(raw: str) -> list[tuple[int, int]]:
    """(start, end) of each line, end excluding the newline."""
    out, pos = [], 0
    for line in raw.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


# --------------------------------------------------------------------------- printed pages


@dataclass(frozen=True)
class PageScheme:
    first_page: int
    last_page: int
    page_marker: str = r"\((\d+)\)"
    note_call: str = r"\(\d+\)"
    note_block: str = r"(\d+) (?=\S)"
    note_block_end: str | None = None
    note_kinds: tuple[tuple[str, str], ...] = ()
    short_line: int = 79
    sentence_end: str = ".!?:\"'\u2026"
    opener: str | None = None
    description: str = ""

    name = "printed-pages"

    @property
    def printed_pages(self) -> int:
        """How many printed pages the text spans, first and last included."""
        return self.last_page - self.first_page + 1

    @property
    def markers(self) -> tuple[str, ...]:
        return (self.page_marker, self.note_call)

    def _note_blocks(self, raw: str, lines) -> list[tuple[int, int, int, int]]:
        """(block start, block end, text start, number) of each note block."""
        opener = re.compile(self.note_block)
        ender = re.compile(self.note_block_end) if self.note_block_end else None
        notes, i = [], 1
        while i < len(lines):
            s, e = lines[i]
            m = opener.match(raw, s, e)
            ps, pe = lines[i - 1]
            if m and not raw[ps:pe].strip():
                j = i
                while (
                    j + 1 < len(lines)
                    and not (ender and ender.search(raw[lines[j][0] : lines[j][1]]))
                    and raw[lines[j + 1][0] : lines[j + 1][1]].strip()
                    and not raw[lines[j + 1][0] : lines[j + 1][1]][:1].isspace()
                ):
                    j += 1
                end = lines[j][1] + 1 if j + 1 < len(lines) else lines[j][1]
                notes.append((s, end, m.end(), int(m.group(1))))
                i = j + 1
            else:
                i += 1
        return notes

    def _paragraph_starts(self, raw: str, lines, notes) -> list[int]:
        """Raw offsets where a paragraph of the reading flow begins."""
        in_note = [any(s <= ls < e for s, e, _, _ in notes) for ls, _ in lines]
        opener = re.compile(self.opener) if self.opener else None
        starts: list[int] = []
        new = True  # the next body line opens a paragraph
        prev_text = ""
        for (ls, le), noted in zip(lines, in_note, strict=False):
            line = raw[ls:le]
            if noted:
                if prev_text and prev_text[-1] in self.sentence_end:
                    new = True
                continue
            if not line.strip():
                continue
            text = line.strip()
            if opener and opener.match(text):
                new = True
            if new:
                starts.append(ls + (len(line) - len(line.lstrip())))
                new = False
            if len(text) <= self.short_line and text[-1] in self.sentence_end:
                new = True
            prev_text = text
        return starts

    def view(self, source_id: str, raw: str) -> TextView:
        kill = kill_mask(raw, self.markers)
        lines = _lines(raw)
        notes = self._note_blocks(raw, lines)
        markers: list[tuple[int, int, int]] = []  # raw start, raw end, page
        for m in re.finditer(self.page_marker, raw):
            n = int(m.group(1))
            if n >= self.first_page and not any(s <= m.start() < e for s, e, _, _ in notes):
                markers.append((m.start(), m.end(), n))
        pages_seen = [n for _, _, n in markers]
        if pages_seen != sorted(pages_seen) or (pages_seen and pages_seen[-1] > self.last_page):
            raise SchemeError(
                f"{source_id}: page markers {pages_seen} are not in order within "
                f"pp. {self.first_page}-{self.last_page}"
            )
        # page interval of each stretch between markers (markers only)
        bounds = [self.first_page] + pages_seen
        intervals = [
            (lo, max(lo, (pages_seen[i] - 1) if i < len(pages_seen) else self.last_page))
            for i, lo in enumerate(bounds)
        ]
        marker_starts = [s for s, _, _ in markers]

        def stretch_at(pos: int) -> int:
            return bisect.bisect_right(marker_starts, pos)

        para_starts = self._paragraph_starts(raw, lines, notes)

        def para_at(pos: int) -> int:
            return max(bisect.bisect_right(para_starts, pos), 1)

        # cut points of the reading flow: markers, note blocks and paragraph starts
        cuts = sorted(
            {
                0,
                len(raw),
                *marker_starts,
                *(e for _, e, _ in markers),
                *para_starts,
                *(s for s, _, _, _ in notes),
                *(e for _, e, _, _ in notes),
            }
        )
        pieces, tags = [], []
        for a, b in zip(cuts, cuts[1:], strict=False):
            if a == b or any(s <= a < e for s, e, _, _ in notes):
                continue
            pieces.append((a, b))
            tags.append((stretch_at(a), para_at(a)))
        main = _make_segment(raw, kill, pieces, tags)
        segments = [main]
        note_pages, note_names = {}, {}
        for s, e, ts, k in notes:
            seg = _make_segment(raw, kill, [(ts, e)], [None], note=k)
            segments.append(seg)
            note_pages[k] = intervals[stretch_at(s)]
            note_names[k] = next(
                (name for pat, name in self.note_kinds if re.search(pat, seg.text)), "note"
            )

        def describe(seg: Segment, s: int, e: int) -> dict:
            if seg.note is not None:
                lo, hi = note_pages[seg.note]
                return dict(
                    label=f"{pages_label(lo, hi)}, {note_names[seg.note]} {seg.note}",
                    pages=(lo, hi),
                    note=seg.note,
                )
            (st1, _), (st2, _) = seg.unit_at(s), seg.unit_at(e - 1)
            lo, hi = intervals[st1][0], intervals[st2][1]
            return dict(label=pages_label(lo, hi), pages=(lo, hi))

        # paragraphs: the normalised text of each, with the pages it spans
        paragraphs: list[Paragraph] = []
        for number, _start in enumerate(para_starts, start=1):
            idx = [i for i, t in enumerate(main.units) if t[1] == number]
            if not idx:
                continue
            a, text = main.unit_starts[idx[0]], main.units_text(idx[0], idx[-1])
            lo, hi = intervals[main.units[idx[0]][0]][0], intervals[main.units[idx[-1]][0]][1]
            paragraphs.append(
                Paragraph(
                    source_id,
                    f"\u00b6 {number}",
                    "paragraph",
                    f"{pages_label(lo, hi)}, \u00b6 {number}",
                    main.offs[a],
                    main.offs[a + len(text) - 1] + 1,
                    text,
                    number=number,
                    pages=(lo, hi),
                )
            )
        for seg in segments[1:]:
            lo, hi = note_pages[seg.note]
            paragraphs.append(
                Paragraph(
                    source_id,
                    f"note {seg.note}",
                    "note",
                    f"{pages_label(lo, hi)}, {note_names[seg.note]} {seg.note}",
                    seg.offs[0],
                    seg.offs[-1] + 1,
                    seg.text,
                    note=seg.note,
                    pages=(lo, hi),
                    name=note_names[seg.note],
                )
            )

        # the stretches between page markers, for readers who check the page numbers
        openers = ["start of the excerpt"] + [f"page marker ({n})" for n in pages_seen]
        stretches = []
        for index, (lo, hi) in enumerate(intervals):
            first = next(
                (main.unit_starts[i] for i, t in enumerate(main.units) if t[0] == index), None
            )
            if first is None:
                continue
            words = main.text[first:].split()[:8]
            stretches.append(
                {
                    "opened_by": openers[index],
                    "first_words": " ".join(words) + " \u2026",
                    "low": lo,
                    "high": hi,
                    "label": pages_label(lo, hi),
                    "notes": [k for k in note_pages if note_pages[k] == (lo, hi)],
                }
            )
        return TextView(self.name, segments, describe, paragraphs, stretches)


# --------------------------------------------------------------------------- sections


_CONTINUING_WORDS = (
    "a an the of and or but nor to in on at for with by from into onto upon as than that which "
    "who whom whose "
    "its their his her our your my this these those"
)


@dataclass(frozen=True)
class SectionScheme:
    headings: tuple[str, ...] = (r"#{1,6}\s.*",)
    note_call: str = r"<sup>.*?</sup>"
    note_rule: str = r"---"
    note_block: str = r"<sup>\((\d+)\)</sup>"
    front_matter: tuple[tuple[str, str], ...] = ()
    opening_label_words: int = 4
    #: section heading -> the short label its locators use ("Bureaucratic mode"); a section not
    #: named here is labelled by its heading (the opening by its first words and "(opening)")
    section_labels: tuple[tuple[str, str], ...] = ()
    continuing_words: str = _CONTINUING_WORDS
    sentence_end: str = ".!?:;\"'"
    description: str = ""

    name = "sections"

    @property
    def markers(self) -> tuple[str, ...]:
        return (self.note_call,)

    def _continues(self, prev_plain: str, next_plain: str) -> bool:
        if not prev_plain or not next_plain or prev_plain[-1] in self.sentence_end:
            return False
        if next_plain[0].islower():
            return True
        last = re.sub(r"\W+$", "", prev_plain.rsplit(" ", 1)[-1]).lower()
        return last in self.continuing_words.split()

    def view(self, source_id: str, raw: str) -> TextView:
        kill = kill_mask(raw, self.markers)
        blocks = [m.span() for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", raw)]
        heading_res = [re.compile(h) for h in self.headings]
        front = [(re.compile(p), name) for p, name in self.front_matter]
        pieces, tags = [], []
        note_blocks: list[tuple[int, int, int, int]] = []  # start, end, number, section
        sections: list[str] = []
        labels: list[str] = []
        para = 0
        prev_plain: str | None = None
        in_notes = False
        fronts: dict[tuple[int, str], tuple[int, int]] = {}
        for s, e in blocks:
            block = raw[s:e].strip()
            if re.fullmatch(self.note_rule, block):
                in_notes = True
                continue
            m = re.match(self.note_block, block)
            if in_notes and m:
                note_blocks.append((s, e, int(m.group(1)), len(sections) - 1))
                continue
            in_notes = False
            plain = _plain(raw, kill, s, e)
            heading = next((m for rx in heading_res if (m := rx.fullmatch(block))), None)
            if heading:
                named = heading.groupdict().get("name")
                name = (named if named is not None else plain).rstrip(":").strip()
                if name in dict(self.section_labels):
                    label = dict(self.section_labels)[name]
                elif not sections:
                    short = " ".join(name.split()[: self.opening_label_words])
                    label = f"{short}\u2026 (opening)" if short != name else f"{name} (opening)"
                else:
                    label = name
                sections.append(name)
                labels.append(label)
                para, prev_plain = 0, None
                pieces.append((s, e))
                tags.append((len(sections) - 1, None))
                continue
            if not sections:
                sections.append("")
                labels.append("(untitled)")
            name = next((n for rx, n in front if para == 0 and rx.match(block)), None)
            if name:
                fronts[(len(sections) - 1, name)] = (s, e)
                pieces.append((s, e))
                tags.append((len(sections) - 1, name))
                continue
            if not plain:  # a separator such as *****
                prev_plain = None
                pieces.append((s, e))
                tags.append((len(sections) - 1, None))
                continue
            if prev_plain is None or not self._continues(prev_plain, plain):
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

        def where(p) -> str:
            if p is None:
                return "heading"
            return p if isinstance(p, str) else f"\u00b6 {p}"

        def describe(seg: Segment, s: int, e: int) -> dict:
            if seg.note is not None:
                sec = note_sections.get(seg.note, -1)
                if sec >= 0:
                    return dict(
                        label=f"\u00a7 {labels[sec]}, note {seg.note}",
                        section=sections[sec],
                        note=seg.note,
                    )
                return dict(label=f"note {seg.note}", note=seg.note)
            (sec1, p1), (sec2, p2) = seg.unit_at(s), seg.unit_at(e - 1)
            if sec1 == sec2:
                if p1 == p2:
                    at = where(p1)
                elif isinstance(p1, int) and isinstance(p2, int):
                    at = f"\u00b6 {p1}\u2013{p2}"
                else:
                    at = f"{where(p1)} to {where(p2)}"
                label = f"\u00a7 {labels[sec1]}, {at}"
            else:
                label = f"\u00a7 {labels[sec1]}, {where(p1)} to \u00a7 {labels[sec2]}, {where(p2)}"
            return dict(
                label=label, section=sections[sec1], paragraph=p1 if isinstance(p1, int) else None
            )

        paragraphs: list[Paragraph] = []
        spans: dict[tuple[int, Any], list[int]] = {}
        for i, tag in enumerate(main.units):
            if tag[1] is not None:
                spans.setdefault(tag, []).append(i)
        for (sec, p), idx in spans.items():
            a, text = main.unit_starts[idx[0]], main.units_text(idx[0], idx[-1])
            if not text:
                continue
            kind = "paragraph" if isinstance(p, int) else "front matter"
            paragraphs.append(
                Paragraph(
                    source_id,
                    f"\u00a7 {sec + 1} {where(p)}",
                    kind,
                    f"\u00a7 {labels[sec]}, {where(p)}",
                    main.offs[a],
                    main.offs[a + len(text) - 1] + 1,
                    text,
                    number=p if isinstance(p, int) else None,
                    section=sections[sec],
                    name=None if isinstance(p, int) else p,
                )
            )
        for seg in segments[1:]:
            sec = note_sections[seg.note]
            paragraphs.append(
                Paragraph(
                    source_id,
                    f"note {seg.note}",
                    "note",
                    f"\u00a7 {labels[sec]}, note {seg.note}",
                    seg.offs[0],
                    seg.offs[-1] + 1,
                    seg.text,
                    note=seg.note,
                    section=sections[sec],
                    name="note",
                )
            )
        return TextView(self.name, segments, describe, paragraphs)


def _plain(raw: str, kill: bytearray, s: int, e: int) -> str:
    return emit(raw, kill, [(s, e)])[0]


# --------------------------------------------------------------------------- reading the data

SCHEMES = {"printed-pages": PageScheme, "sections": SectionScheme}


def from_config(source_id: str, config: Any) -> PageScheme | SectionScheme:
    """The scheme a source's ``"locator"`` entry in seeds/sources.json describes."""
    where = f"seeds/sources.json, source {source_id!r}, field 'locator'"
    if not isinstance(config, dict) or "scheme" not in config:
        raise SchemeError(
            f"{where}: give an object with a 'scheme' ({' or '.join(SCHEMES)}) and its patterns"
        )
    config = dict(config)
    kind = config.pop("scheme")
    if kind not in SCHEMES:
        raise SchemeError(f"{where}: unknown scheme {kind!r}; known: {', '.join(SCHEMES)}")
    cls = SCHEMES[kind]
    if cls is PageScheme and "paragraphs" in config:
        config.update(config.pop("paragraphs"))
    if "headings" in config:
        config["headings"] = tuple(config["headings"])
    for key in ("note_kinds", "front_matter", "section_labels"):  # kept in order and hashable
        if isinstance(config.get(key), dict):
            config[key] = tuple(config[key].items())
    known = set(cls.__dataclass_fields__)
    unknown = set(config) - known
    if unknown:
        raise SchemeError(
            f"{where}: unknown key(s) {sorted(unknown)} for scheme {kind!r}; known: {sorted(known)}"
        )
    try:
        scheme = cls(**config)
    except TypeError as exc:
        raise SchemeError(f"{where}: {exc}") from None
    for key in ("page_marker", "note_call", "note_block", "note_block_end", "opener", "note_rule"):
        pattern = getattr(scheme, key, None)
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SchemeError(
                    f"{where}: {key} {pattern!r} is not a regular expression ({exc})"
                ) from None
    return scheme
