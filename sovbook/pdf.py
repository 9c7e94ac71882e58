"""The PDF edition: the built pages, in ``_toc.yml`` order, printed by headless Chromium.

The articles of all pages are gathered into one print document (so page numbers run
through the whole book and the table of contents links to every chapter), the charts
are drawn there by the same plotly.js bundle as on the web pages, and Chromium prints it with
page numbers in the footer and a PDF outline built from the headings. Charts come out
as vector graphics (plotly draws SVG).

    sovbook pdf [--output _build/pdf/book.pdf]     # after building the book
"""

from __future__ import annotations

import html as html_lib
import os
from pathlib import Path

from . import plotlyjs, project

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial,
                    sans-serif;
       font-size: 10.5pt; line-height: 1.45; color: #111; max-width: none; margin: 0; }
h1 { font-size: 20pt; margin: 0 0 8pt 0; }
h2 { font-size: 14pt; margin: 14pt 0 6pt 0; }
h3 { font-size: 12pt; }
section.chapter { break-before: page; }
nav.toc { break-after: page; }
nav.toc ol { font-size: 12pt; line-height: 1.8; }
a { color: #0b4f8a; text-decoration: none; }
figure.sovbook-chart { break-inside: avoid; }
details.sovbook-chart-table { display: none; }
.sovbook-quotes { display: block; }
blockquote.sovbook-quote { break-inside: avoid; margin: 6pt 0; }
table { border-collapse: collapse; font-size: 9pt; break-inside: auto; }
th, td { border: 1px solid #999; padding: 2pt 4pt; vertical-align: top; }
.headerlink, .toggle-details__summary, .cell_input, details.hide, .above-input, .copybtn,
button, .bd-sidebar, .prev-next-area, .footer-article-items, .bd-footer {
  display: none !important;
}
.cell_output .output { margin: 0; }
"""


def _article(page: Path, index: int):
    from bs4 import BeautifulSoup

    doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = doc.select_one("article.bd-article") or doc.select_one("main") or doc.body
    for hidden in article.select(
        ".cell_input, details.hide, .headerlink, script:not(.sovbook-chart-json), .toggle-details"
    ):
        hidden.decompose()
    for node in article.select("[id]"):
        node["id"] = f"p{index}-{node['id']}"
    for node in article.select("[aria-labelledby]"):
        node["aria-labelledby"] = f"p{index}-{node['aria-labelledby']}"
    title_node = article.find("h1")
    title = title_node.get_text(" ", strip=True).rstrip("#").strip() if title_node else page.stem
    return title, article.decode_contents()


def print_document(html_dir: Path, out_dir: Path) -> Path:
    """Write the one-file print document into ``out_dir`` (outside the published site); return
    its path."""
    root = html_dir.parent.parent
    pages = [html_dir / f"{f}.html" for f in project.toc_files(root)]
    missing = [str(p) for p in pages if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"build the book first; missing: {', '.join(missing)}")
    chapters = [_article(p, i) for i, p in enumerate(pages)]
    toc = "".join(
        f'<li><a href="#chapter-{i}">{html_lib.escape(t)}</a></li>'
        for i, (t, _) in enumerate(chapters)
    )
    body = "".join(
        f'<section class="chapter" id="chapter-{i}">{content}</section>'
        for i, (_, content) in enumerate(chapters)
    )
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    title = html_lib.escape(str(config.get("title", "Book")))
    static = Path(os.path.relpath(html_dir / "_static", out_dir)).as_posix()
    bundle = plotlyjs.for_traces(plotlyjs.traces_in(body))
    if not (html_dir / "_static" / bundle.name).is_file():
        raise FileNotFoundError(
            f"build the book first; missing: {html_dir / '_static' / bundle.name}"
        )
    document = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{static}/sovbook.css">
<style>{PRINT_CSS}</style></head>
<body><nav class="toc"><h1>{title}</h1><h2>Contents</h2><ol>{toc}</ol></nav>
{body}
<script src="{static}/{bundle.name}"></script>
<script src="{static}/sovbook-charts.js"></script>
</body></html>"""
    out = out_dir / "print.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document, encoding="utf-8")
    return out


def write_pdf(html_dir: Path | None = None, output: Path | None = None) -> Path:
    """Print the built book to ``output`` with headless Chromium (started and closed here)."""
    from playwright.sync_api import sync_playwright

    from .browser import launch

    html_dir = Path(html_dir or project.root() / "_build" / "html").resolve()
    output = Path(output or html_dir.parent / "pdf" / "book.pdf").resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    document = print_document(html_dir, output.parent)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            _print(browser, document, output)
        finally:
            browser.close()
    return output


def _print(browser, document: Path, output: Path) -> None:
    context = browser.new_context(viewport={"width": 660, "height": 1000})
    try:
        page = context.new_page()
        page.goto(document.as_uri())
        if page.locator("figure.sovbook-chart").count():
            page.wait_for_function("() => window.sovbookAllChartsMs !== undefined", timeout=60000)
        page.emulate_media(media="print")
        page.pdf(
            path=str(output),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template='<div style="font-size:8pt;width:100%;text-align:center;color:#444;">'
            '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
            margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
            outline=True,
            tagged=True,
        )
    finally:
        context.close()
