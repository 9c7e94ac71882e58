"""What a page's ``<head>`` says and loads.

* **A meta description on every page**: the page's own (``html_meta: description`` in its
  front matter, which Sphinx already writes) or else the first paragraph of its text, cut
  at a word to about 160 characters; the index and search pages get one naming the book.
* **Nothing blocks the first paint** (:func:`deferred_scripts`, applied to the written page):
  every external script is deferred (they keep their order and run before
  ``DOMContentLoaded``); Sphinx's ``documentation_options.js`` (a few lines the inline page
  options need at once) is written inline instead; the theme's ``<link rel="preload">`` of
  its deferred scripts is dropped (a preloaded script is fetched as if it blocked rendering);
  Sphinx's search scripts and the whole search index, which the theme loads on every page
  for its search-as-you-type (off in this book), are left to the search page; and the plotly.js
  bundle's script tag goes: its address moves to a ``data-sovbook-plotly`` attribute of the
  ``sovbook-charts.js`` tag, from which that script loads plotly.js when the reader nears a chart.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes

DESCRIPTION_CHARS = 160
_DESCRIPTION_RE = re.compile(r'<meta\s+name="description"', re.IGNORECASE)
_SEARCH_SCRIPTS = ("searchtools.js", "language_data.js", "searchindex.js")
_SCRIPT_TAG = re.compile(r"<script(?P<attrs>\s[^>]*?)?\s*>\s*</script>", re.IGNORECASE)
_PRELOAD_SCRIPT = re.compile(r'\s*<link rel="preload" as="script" href="[^"]*"\s*/?>')


def _skipped(node: nodes.Node) -> bool:
    """Inside code cells' input or output, raw HTML, admonitions, tables or figures."""
    while node is not None:
        if isinstance(
            node,
            (
                nodes.raw,
                nodes.literal_block,
                nodes.Admonition,
                nodes.table,
                nodes.figure,
                nodes.sidebar,
            ),
        ):
            return True
        if isinstance(node, nodes.container) and str(node.get("nb_element", "")).startswith(
            "cell_code"
        ):
            return True
        node = node.parent
    return False


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(",;:") + "…"


def first_paragraph(doctree: nodes.document) -> str:
    for paragraph in doctree.findall(nodes.paragraph):
        if _skipped(paragraph):
            continue
        text = " ".join(paragraph.astext().split())
        if len(text) >= 40:
            return text
    return ""


def description(pagename: str, context: dict, doctree) -> str | None:
    """The description to add, or None when the page already has one."""
    if _DESCRIPTION_RE.search(str(context.get("metatags", ""))):
        return None
    text = first_paragraph(doctree) if doctree is not None else ""
    if not text:
        book = context.get("docstitle") or context.get("project") or ""
        title = re.sub(r"<[^>]+>", "", str(context.get("title") or "")).strip()
        text = f"{title}: {book}" if title and title != book else str(book)
        if pagename == "genindex":
            text = f"Index of terms of the book {book}"
        elif pagename == "search":
            text = f"Search the text of the book {book}"
    return shorten(html.unescape(text)) or None


def on_page_context(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.builder.format != "html":
        return
    found = description(pagename, context, doctree)
    if found:
        meta = f'<meta name="description" content="{html.escape(found, quote=True)}" />\n'
        context["metatags"] = str(context.get("metatags", "")) + meta


# --------------------------------------------------------------------------- scripts


def _src(attrs: str) -> str | None:
    found = re.search(r'\ssrc="([^"]*)"', attrs)
    return found.group(1) if found else None


_INLINE = re.compile(r"<script>(?P<body>(?:(?!</script>).)*?)</script>", re.DOTALL)
_BETWEEN = re.compile(r"(?:\s|<script defer\b[^>]*></script>)*")


def merged_inline_scripts(page: str) -> str:
    """Runs of attribute-less inline scripts in ``<head>`` with nothing but blanks and deferred
    scripts between them become one script, where the first stood: deferred scripts run after
    every inline one anyway, so the order in which the code runs does not change. Fewer
    scripts, and fewer hashes in the page's Content-Security-Policy."""
    end = page.find("</head>")
    if end < 0:
        return page
    head, rest = page[:end], page[end:]
    out, pos = [], 0
    while True:
        match = _INLINE.search(head, pos)
        if not match:
            out.append(head[pos:])
            break
        bodies, kept, cursor = [match["body"].strip()], [], match.end()
        while True:
            between = _BETWEEN.match(head, cursor)
            following = _INLINE.match(head, between.end())
            if not following:
                break
            kept.append(head[cursor : between.end()])
            bodies.append(following["body"].strip())
            cursor = following.end()
        out.append(head[pos : match.start()])
        out.append("<script>" + "\n".join(bodies) + "</script>")
        out.extend(re.findall(r"<script defer\b[^>]*></script>", "".join(kept)))
        pos = cursor
    return "".join(out) + rest


def deferred_scripts(page: str, page_path: str, static_dir: Path, search_as_you_type: bool) -> str:
    """The written ``page`` with its scripts as the module docstring says."""
    page = _PRELOAD_SCRIPT.sub("", page)
    plotly: list[str] = []

    def one(match: re.Match) -> str:
        attrs = match["attrs"] or ""
        src = _src(attrs)
        if src is None:
            return match.group(0)
        name = src.split("?")[0].rsplit("/", 1)[-1]
        if name == "documentation_options.js":
            body = (static_dir / name).read_text(encoding="utf-8").strip()
            return f"<script>{body}</script>"
        if name in _SEARCH_SCRIPTS and page_path != "search.html" and not search_as_you_type:
            return ""
        if name.startswith("plotly") and name.endswith(".js"):
            plotly.append(src)
            return ""
        if re.search(r"\s(defer|async)\b|\stype=", attrs):
            return match.group(0)
        return f"<script defer{attrs}></script>"

    page = _SCRIPT_TAG.sub(one, page)
    page = merged_inline_scripts(page)
    if plotly:
        charts = re.search(r'<script\b[^>]*\ssrc="[^"]*/sovbook-charts\.js[^"]*"', page)
        if not charts:
            raise ValueError(f"{page_path}: a plotly.js bundle but no sovbook-charts.js to load it")
        page = page[: charts.end()] + f' data-sovbook-plotly="{plotly[0]}"' + page[charts.end() :]
    return page
