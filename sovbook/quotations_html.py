"""Quotations as the reader's objects (build time, from the HTML the notebooks display).

:mod:`sovbook.render` writes every quotation as ::

    <blockquote class="sovbook-quote source-<source_id>" data-quote="<quote_id>">
      [<p class="sovbook-label">label</p>] <p>“text”</p><footer>citation</footer></blockquote>

(several may sit in one ``<div class="sovbook-quotes">``). When a page is written
(``doctree-resolved``) each of them gets, keyed on its ``data-quote`` id only:

* a permalink anchor ``id="quote-<quote_id>"`` (the first time the quotation appears on the
  page; a later repeat on the same page links to that first one and gets no duplicate id),
  shown as a link;
* a "Copy with citation" button (``static/sovbook-reader.js`` copies the quotation, its
  footer, which holds author, title and locator, and the permalink; a live region announces it);
* an "In context" disclosure: the surrounding sentences of the pinned seed text with the
  quoted words marked. It is computed here, with the quotation checker's own functions:
  :func:`sovbook.locate.locate` gives the raw character offsets of the quotation in the seed
  file and :func:`sovbook.locate.normalise` turns the raw text around it into the text the
  checker compares (markup, page and note markers removed).

A code cell whose only output is quotations loses its "Show code cell source" toggle: its
input is dropped from the page (the code stays in the notebook, and in the downloadable
``.ipynb``). Nothing in the stored notebook outputs changes.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

#: One quotation as sovbook.render writes it (quotations never nest).
QUOTE_RE = re.compile(
    r'<blockquote class="(?P<classes>sovbook-quote(?: [^"]*)?)" '
    r'data-quote="(?P<id>[^"]+)"(?P<rest>[^>]*)>'
    r"(?P<body>.*?)</blockquote>",
    re.DOTALL,
)
_WRAPPER_RE = re.compile(r'<div class="sovbook-(?:quotes|quote-list)">|</div>')
#: How a quotation marks an omission (the same forms sovbook.locate splits on).
_ELLIPSIS_RE = re.compile(r"\[\s*(?:\.\.\.|\u2026)\s*\]|\u2026")
#: The end of a sentence: final punctuation, closing quotes or brackets, then blanks.
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+")
_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)+")
#: At most this many characters of context on either side of a quotation.
CONTEXT_CHARS = 150
ANCHOR_PREFIX = "quote-"


def anchor(quote_id: str) -> str:
    """The permalink id of a quotation (``quote-<quote_id>``)."""
    return ANCHOR_PREFIX + quote_id


def is_quotations_only(markup: str) -> bool:
    """True when an output's HTML is nothing but quotations (optionally in their wrapper)."""
    if not QUOTE_RE.search(markup):
        return False
    rest = _WRAPPER_RE.sub("", QUOTE_RE.sub("", markup))
    return not rest.strip()


# --------------------------------------------------------------------------- context


def _cut_before(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return "\u2026" + (cut[space + 1 :] if 0 <= space < 40 else cut)


def _cut_after(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit - 40 else cut) + "\u2026"


def context_window(raw: str, start: int, end: int) -> tuple[int, int]:
    """Raw offsets of the context of ``raw[start:end]``: from the start of the sentence before
    the quotation's first sentence to the end of the sentence after its last one. A paragraph
    break (a blank line) ends a sentence too, so a quotation that is a whole paragraph gets
    the end of the paragraph before and the start of the one after."""
    ends = {0, len(raw)}
    ends.update(m.end() for m in _SENTENCE_END.finditer(raw))
    ends.update(m.end() for m in _PARAGRAPH_BREAK.finditer(raw))
    bounds = sorted(ends)
    before = [b for b in bounds if b <= start]
    lo = before[-2] if len(before) >= 2 else before[-1]
    # a sentence end inside the quotation's last characters (it may close on ``."``) is its own end
    after = [b for b in bounds if b > end]  # a boundary includes the blanks after a sentence
    hi = after[1] if len(after) >= 2 else after[-1]
    return lo, hi


def _joined(raw: str, left: int, right: int, normalise) -> str:
    """The normalised text of ``raw[left:right]`` with a blank kept at either end if the raw has
    one."""
    text = raw[left:right]
    piece = normalise(text)
    if not piece:
        return ""
    # a blank at either end, even behind markup (``**``, ``#``), separates it from the quotation
    lead = " " if re.match(r"[*#\\]*\s", text) else ""
    tail = " " if re.search(r"\s[*#\\]*$", text) else ""
    return lead + piece + tail


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _marked(quoted: str, quote_text: str, normalise) -> str:
    """``quoted`` (normalised seed text spanned by the quotation) as HTML, each quoted part in
    ``<mark>``; words the quotation leaves out (``[…]``) stay unmarked."""
    parts = [p for p in (normalise(p) for p in _ELLIPSIS_RE.split(quote_text)) if p]
    runs: list[list[int]] = []  # [start, end) of each marked run in ``quoted``
    pos = 0
    for part in parts:
        found = quoted.find(part, pos)
        if found >= 0:
            runs.append([found, found + len(part)])
            pos = found + len(part)
            continue
        # a note printed inside the quotation's span: mark the quotation word by word, so that
        # the note's words between them stay unmarked
        for word in part.split():
            hit = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)").search(quoted, pos)
            if hit is None:
                return f"<mark>{_text(quoted)}</mark>"
            if (
                runs
                and runs[-1][1] <= hit.start()
                and not quoted[runs[-1][1] : hit.start()].strip()
            ):
                runs[-1][1] = hit.end()
            else:
                runs.append([hit.start(), hit.end()])
            pos = hit.end()
    pieces, pos = [], 0
    for start, end in runs:
        pieces.append(_text(quoted[pos:start]))
        pieces.append(f"<mark>{_text(quoted[start:end])}</mark>")
        pos = end
    pieces.append(_text(quoted[pos:]))
    return "".join(pieces)


@cache
def context_html(root: str, source_id: str, quote_text: str) -> str:
    """The "in context" paragraph of one quotation: normalised seed text around it, quoted words
    marked."""
    from . import locate, sources

    raw = sources.get(source_id, Path(root)).text
    where = locate.locate(source_id, quote_text, base=Path(root))
    lo, hi = context_window(raw, where.start, where.end)
    before = _cut_before(_joined(raw, lo, where.start, locate.normalise), CONTEXT_CHARS)
    after = _cut_after(_joined(raw, where.end, hi, locate.normalise), CONTEXT_CHARS)
    quoted = locate.normalise(raw[where.start : where.end])
    return f"{_text(before)}{_marked(quoted, quote_text, locate.normalise)}{_text(after)}"


# --------------------------------------------------------------------------- markup


def enhance(markup: str, seen: set[str], context) -> str:
    """``markup`` with every quotation given its anchor, permalink, copy button and context.

    ``seen`` holds the quotation ids already anchored on this page (updated here);
    ``context(quote_id)`` returns the context HTML, or ``None`` to leave it out."""

    def one(match: re.Match) -> str:
        quote_id = html.unescape(match["id"])
        target = anchor(quote_id)
        first = quote_id not in seen
        seen.add(quote_id)
        ident = f' id="{html.escape(target)}"' if first else ""
        href = html.escape("#" + target)
        tools = (
            '<div class="sovbook-quote-tools">'
            f'<a class="sovbook-quote-link" href="{href}">Permalink</a>'
            '<button type="button" class="sovbook-quote-copy">Copy with citation</button>'
            "</div>"
        )
        found = context(quote_id)
        details = (
            '<details class="sovbook-quote-context"><summary>In context</summary>'
            f'<p class="sovbook-context">{found}</p></details>'
            if found
            else ""
        )
        return (
            f'<blockquote class="{match["classes"]}" '
            f'data-quote="{match["id"]}"{match["rest"]}{ident}>'
            f"{match['body']}{tools}{details}</blockquote>"
        )

    return QUOTE_RE.sub(one, markup)


# --------------------------------------------------------------------------- Sphinx


def _cell_of(node: nodes.Node):
    """The notebook code cell container that holds ``node``, if any."""
    while node is not None:
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            return node
        node = node.parent
    return None


def _raw_html(node: nodes.Node) -> bool:
    return isinstance(node, nodes.raw) and "html" in node.get("format", "").split()


def drop_quotation_cell_inputs(doctree: nodes.document) -> int:
    """Remove the code (and its show/hide toggle) of cells whose outputs are only quotations.
    Returns how many cells were changed."""
    changed = 0
    for cell in list(
        doctree.findall(
            lambda n: isinstance(n, nodes.container) and n.get("nb_element") == "cell_code"
        )
    ):
        outputs = [
            c
            for c in cell.children
            if isinstance(c, nodes.container) and c.get("nb_element") == "cell_code_output"
        ]
        if len(outputs) != 1:
            continue
        shown = [
            n
            for n in outputs[0].findall(nodes.Element)
            if n is not outputs[0] and not isinstance(n, nodes.container)
        ]
        if not shown or not all(_raw_html(n) and is_quotations_only(n.astext()) for n in shown):
            continue
        for child in list(cell.children):
            if child is outputs[0]:
                continue
            cell.remove(child)  # the input, or myst-nb's toggle wrapping it
        cell.attributes.pop("hide_mode", None)
        cell["classes"] = [c for c in cell["classes"] if c != "tag_hide-input"] + [
            "sovbook-quote-cell"
        ]
        changed += 1
    return changed


def _on_doctree_resolved(app, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    drop_quotation_cell_inputs(doctree)
    root = str(Path(app.confdir).resolve())

    def context(quote_id: str) -> str | None:
        from . import locate
        from .passages import build_evidence

        try:
            row = build_evidence(app).quote(quote_id)
        except KeyError:
            _warn(
                docname,
                f"quotation {quote_id!r} is not in data/quotes.csv: shown without its context",
            )
            return None
        try:
            return context_html(root, str(row["source_id"]), str(row["text"]))
        except (locate.QuoteNotFound, ValueError, KeyError) as exc:
            _warn(docname, f"quotation {quote_id!r}: no context ({exc})")
            return None

    seen: set[str] = set()
    for raw in list(doctree.findall(nodes.raw)):
        if not _raw_html(raw) or "sovbook-quote" not in raw.astext():
            continue
        markup = raw.astext()
        new = enhance(markup, seen, context)
        if new != markup:
            raw.replace_self(
                nodes.raw(raw.rawsource, new, format=raw["format"], classes=raw.get("classes", []))
            )


def _warn(docname: str, message: str) -> None:
    LOGGER.warning(message, location=docname, type="sovbook", subtype="quotation")


def setup(app) -> None:
    # after myst-nb has wrapped hidden code in its toggle (a post-transform), before the page is
    # written
    app.connect("doctree-resolved", _on_doctree_resolved)
