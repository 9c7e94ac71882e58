"""The ``{passage}`` role: a reference from the prose to a quotation, by its id.

``{passage}`ciliga-them-and-us``` renders the quotation's computed locator (``p. 121``) as a link
to the quotation: on the same page when the page shows it, else on the page that lists every
quotation (``book/passages``), where it stands in its context. The link carries the quotation's
id (``data-quote``) so that a preview can show the words on hover. An unknown id is an error,
so the strict build stops on a reference to nothing.

Every sentence of the book that reports what a text says carries such a reference, or stands
right before the quotation it reports (tests/test_attribution.py).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

INDEX_PAGE = "book/passages"
ANCHOR = "quote-{}"


class passage_ref(nodes.Inline, nodes.TextElement):
    """A reference to a quotation; ``quote_id`` names it, ``inpage`` says the page shows it."""


#: The evidence, loaded once per build (srcdir -> Evidence): the inputs cannot change while Sphinx
#: reads and writes, and hashing them again for each of some three hundred references would be
#: most of the build's time. Emptied when a build starts and when it ends.
_LOADED: dict[str, Any] = {}


def build_evidence(app_or_env):
    """The validated evidence of the book being built (:func:`sovbook.evidence.load`), loaded at
    most once per build."""
    from . import evidence

    env = getattr(app_or_env, "env", app_or_env)
    srcdir = str(Path(env.srcdir).resolve())
    if srcdir not in _LOADED:
        _LOADED[srcdir] = evidence.load(Path(srcdir))
    return _LOADED[srcdir]


def _forget_evidence(app: Sphinx, *args) -> None:
    _LOADED.pop(str(Path(app.srcdir).resolve()), None)


def passage_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    quote_id = text.strip()
    env = inliner.document.settings.env
    ev = build_evidence(env)
    if quote_id not in ev.locators:
        message = inliner.reporter.error(
            f"{{passage}} refers to {quote_id!r}, which is no quotation in data/quotes.csv",
            line=lineno,
        )
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    node = passage_ref(rawtext, ev.locator(quote_id).label, quote_id=quote_id, inpage=False)
    return [node], []


def _quotes_on_page(doctree) -> set[str]:
    import re

    ids = set()
    for raw in doctree.findall(nodes.raw):
        ids |= set(re.findall(r'data-quote="([a-z0-9-]+)"', raw.astext()))
    return ids


def _on_doctree_resolved(app: Sphinx, doctree, docname: str) -> None:
    shown = _quotes_on_page(doctree)
    for node in doctree.findall(passage_ref):
        node["inpage"] = node["quote_id"] in shown or docname == INDEX_PAGE


def visit_passage_html(self, node) -> None:
    quote_id = node["quote_id"]
    anchor = ANCHOR.format(quote_id)
    if node.get("inpage"):
        href = f"#{anchor}"
    else:
        href = f"{self.builder.get_relative_uri(self.builder.current_docname, INDEX_PAGE)}#{anchor}"
    self.body.append(
        f'<a class="sovbook-passage reference internal" href="{html.escape(href)}" '
        f'data-quote="{html.escape(quote_id)}">'
    )


def depart_passage_html(self, node) -> None:
    self.body.append("</a>")


def visit_passage_text(self, node) -> None:
    pass


def depart_passage_text(self, node) -> None:
    pass


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(
        passage_ref,
        html=(visit_passage_html, depart_passage_html),
        latex=(visit_passage_text, depart_passage_text),
        text=(visit_passage_text, depart_passage_text),
    )
    app.add_role("passage", passage_role)
    app.connect("doctree-resolved", _on_doctree_resolved)
    app.connect("builder-inited", _forget_evidence)
    app.connect("build-finished", _forget_evidence)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
