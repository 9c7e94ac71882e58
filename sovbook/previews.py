"""Previews without leaving the page: what a citation, a glossary term or a passage reference
points to, shown over the link on hover, on keyboard focus and on tap
(``static/sovbook-reader.js`` draws them).

Three kinds of target are previewed, recognised in the written HTML of every page:

* a bibliography entry: ``<div class="citation" id="…">`` (sphinxcontrib-bibtex);
* a glossary term: ``<dt id="term-…">`` and the ``<dd>`` after it (Sphinx glossaries);
* a quotation: ``<blockquote class="sovbook-quote …" id="quote-…">`` (sovbook.quotations_html),
  which a passage reference (``<a class="sovbook-passage" href="…#quote-…">``) points to.

A target on the same page is read from the page itself by the script. For a link to a target
on another page, the target's text is copied at build time into the linking page, in one
``<script type="application/json" id="sovbook-previews">`` block keyed by the link's ``href``
as written: previews need no request, so they work offline and from ``file://``.
(sphinx-tippy, the existing extension for this, was not used: it names its per-page script
files with random ``uuid4()`` values, so two builds would differ, and it loads tippy.js and
popper from unpkg by default.)
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

BLOCK_ID = "sovbook-previews"
BLOCK_RE = re.compile(
    r'<script type="application/json" id="sovbook-previews">.*?</script>\n?', re.DOTALL
)
_ARTICLE_RE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.DOTALL)
_LINK_RE = re.compile(r'<a\s[^>]*?href="(?P<href>[^"#]*#[^"]+)"[^>]*>', re.DOTALL)
_OPEN_TAG = re.compile(r"<(?P<tag>div|dt|dd|blockquote)\b[^>]*?\bid=\"(?P<id>[^\"]+)\"[^>]*>")
_DD_AFTER = re.compile(r"\s*(<dd\b)")
_ID_ATTR = re.compile(r'\s(?:id|aria-labelledby|aria-describedby)="[^"]*"')
_STRIP = (
    re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL),
    re.compile(r'<div class="sovbook-quote-tools">.*?</div>', re.DOTALL),
    re.compile(r'<details class="sovbook-quote-context">.*?</details>', re.DOTALL),
    re.compile(r'<span class="fn-bracket">.*?</span>', re.DOTALL),
    re.compile(
        r'<span class="label">[^<]*</span>'
    ),  # a bibliography entry's number (after its brackets went)
)


def element_end(page: str, start: int, tag: str) -> int:
    """The index just past the element opening at ``start`` (counting nested same-name tags)."""
    opening = re.compile(rf"<{tag}\b[^>]*>|</{tag}\s*>", re.IGNORECASE)
    depth = 0
    for match in opening.finditer(page, start):
        depth += -1 if match.group(0).startswith("</") else 1
        if depth == 0:
            return match.end()
    return len(page)


def _inner(outer: str) -> str:
    return outer[outer.index(">") + 1 : outer.rindex("<")]


def _clean(fragment: str) -> str:
    for pattern in _STRIP:
        fragment = pattern.sub("", fragment)
    return _ID_ATTR.sub("", fragment).strip()


def targets(page: str) -> dict[str, tuple[str, str]]:
    """The previewable elements of a page: ``{id: (kind, html)}``."""
    found: dict[str, tuple[str, str]] = {}
    for match in _OPEN_TAG.finditer(page):
        tag, ident, opening = match["tag"], html.unescape(match["id"]), match.group(0)
        end = element_end(page, match.start(), tag)
        outer = page[match.start() : end]
        if tag == "div" and re.search(r'class="citation"', opening):
            found[ident] = ("Bibliography", _clean(_inner(outer)))
        elif tag == "dt" and ident.startswith("term-"):
            after = _DD_AFTER.match(page, end)
            definition = ""
            if after:
                dd_start = after.start(1)
                definition = _inner(page[dd_start : element_end(page, dd_start, "dd")])
            found[ident] = (
                "Glossary",
                f"<p><strong>{_clean(_inner(outer))}</strong></p>{_clean(definition)}",
            )
        elif tag == "blockquote" and "sovbook-quote" in opening and ident.startswith("quote-"):
            found[ident] = ("Quotation", _clean(_inner(outer)))
    return found


def page_links(page: str) -> list[str]:
    """Hrefs with a fragment in the page's article (the theme's navigation is not previewed)."""
    article = _ARTICLE_RE.search(page)
    body = article.group(1) if article else page
    return [html.unescape(m["href"]) for m in _LINK_RE.finditer(body)]


def preview_map(
    page_path: str, page: str, all_targets: dict[str, dict[str, tuple[str, str]]]
) -> dict[str, dict]:
    """For each link of ``page`` (at ``page_path``, relative to the html root) to a target on
    another page: ``{href: {"kind": …, "html": …}}``."""
    out: dict[str, dict] = {}
    here = posixpath.dirname(page_path)
    for href in page_links(page):
        path, _, fragment = href.partition("#")
        if not path or re.match(r"^[a-z][a-z0-9+.-]*:", path, re.I):
            continue  # in-page (the script reads the page) or another site
        target_page = posixpath.normpath(posixpath.join(here, path.split("?")[0]))
        if target_page == page_path:
            continue
        found = all_targets.get(target_page, {}).get(fragment)
        if found and found[0] == "Quotation" and f'id="{fragment}"' in page:
            continue  # the quotation is on this page too: the script reads it from here
        if found:
            out[href] = {"kind": found[0], "html": found[1]}
    return out


def _without_titles(page: str, hrefs: set[str]) -> str:
    """Links whose target is previewed lose their ``title`` (the preview shows the same text,
    and a native tooltip would cover it)."""

    def one(match: re.Match) -> str:
        tag = match.group(0)
        found = re.search(r'\shref="([^"]*)"', tag)
        if found and html.unescape(found.group(1)) in hrefs:
            return re.sub(r'\stitle="[^"]*"', "", tag)
        return tag

    return re.sub(r"<a\s[^>]*>", one, page)


def with_previews(page: str, previews: dict[str, dict]) -> str:
    """``page`` with its previews block (replacing an earlier one); none if nothing to preview."""
    page = BLOCK_RE.sub("", page)
    if not previews:
        return page
    page = _without_titles(page, set(previews))
    payload = json.dumps(
        previews, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).replace("</", "<\\/")
    block = f'<script type="application/json" id="{BLOCK_ID}">{payload}</script>'
    at = page.rindex("</body>")
    return page[:at] + block + "\n" + page[at:]


def collect(pages: dict[str, str]) -> dict[str, dict[str, tuple[str, str]]]:
    """``targets`` of every page, keyed by the page's path relative to the html root."""
    return {path: targets(text) for path, text in pages.items()}


def relative(html_dir: Path, page: Path) -> str:
    return page.relative_to(html_dir).as_posix()
