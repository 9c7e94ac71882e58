"""The reader's edition (issue 12), on the built book and in headless Chromium.

* quotations: no code toggle, a permalink anchor, copy with citation (keyboard, live region),
  and the context from the pinned text with the quoted words marked;
* previews of citations, glossary terms and passage references on hover, focus and tap;
* charts: drawn when they near the viewport with their height reserved, in the theme's
  colours in dark mode (following the theme switch), in a phone layout at 390 x 844;
* a Content-Security-Policy on every page that refuses another origin's script and image;
  a meta description on every page; nothing in <head> that blocks painting (one search box
  on every page is checked in tests/test_browser.py, on its one visit of each page).

Speed itself is measured by the benchmark (``python -m sovbook.benchmark``), not here.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading

import nbformat
import pytest
from bs4 import BeautifulSoup

from sovbook import previews, quotations_html, security
from sovbook.locate import normalise
from sovbook.project import notebooks
from tests.helpers import ROOT, serve, toc_pages
from tests.test_browser import draw_every_chart

PAGES = toc_pages(ROOT) + ["genindex.html", "search.html"]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
#: the viewport and device of Lighthouse's default mobile profile
LIGHTHOUSE_MOBILE = {
    "viewport": {"width": 412, "height": 823},
    "device_scale_factor": 1.75,
    "is_mobile": True,
    "has_touch": True,
}


def soup(html_dir, page):
    return BeautifulSoup((html_dir / page).read_text(encoding="utf-8"), "html.parser")


def chart_pages(html_dir):
    return [
        p for p in PAGES if 'class="sovbook-chart"' in (html_dir / p).read_text(encoding="utf-8")
    ]


def quote_pages(html_dir):
    return [p for p in PAGES if "sovbook-quote " in (html_dir / p).read_text(encoding="utf-8")]


# =========================================================================== quotations (HTML)


def test_quotations_are_readers_objects(html_dir):
    """Every quotation: its id anchor once per page, a permalink, a copy button and its context."""
    from sovbook import evidence

    ev = evidence.load(ROOT)
    checked = 0
    for page in quote_pages(html_dir):
        doc = soup(html_dir, page)
        ids = [e["id"] for e in doc.select("[id]")]
        assert len(ids) == len(set(ids)), f"{page}: duplicate ids"
        anchored = set()
        for quote in doc.select("blockquote.sovbook-quote"):
            quote_id = quote["data-quote"]
            target = f"quote-{quote_id}"
            if quote_id in anchored:
                assert not quote.get("id"), f"{page}: a repeated quotation carries an id again"
            else:
                assert quote.get("id") == target, f"{page}: {quote_id} has no permalink anchor"
                anchored.add(quote_id)
            link = quote.select_one("a.sovbook-quote-link")
            assert link and link["href"] == f"#{target}" and link.get_text(strip=True)
            button = quote.select_one("button.sovbook-quote-copy")
            assert button and button.get("type") == "button" and "citation" in button.get_text()
            context = quote.select_one("details.sovbook-quote-context")
            assert context and context.summary.get_text(strip=True) == "In context"
            marked = " ".join(m.get_text() for m in context.select("mark"))
            text = ev.quote(quote_id)["text"]
            if "…" not in text and "[...]" not in text:
                assert normalise(marked) == normalise(text), (
                    f"{page}: {quote_id}: the marked words are not the quotation"
                )
            whole = context.select_one("p.sovbook-context").get_text()
            assert len(normalise(whole)) > len(normalise(marked)) + 20, (
                f"{page}: {quote_id}: no surrounding text"
            )
            checked += 1
    assert checked >= 30


def test_quotation_cells_have_no_code_toggle(html_dir):
    """A cell whose outputs are only quotations shows no "Show code cell source"; its code
    stays in the notebook and in the downloadable .ipynb."""
    cells = 0
    for page in quote_pages(html_dir):
        doc = soup(html_dir, page)
        for quote in doc.select("blockquote.sovbook-quote"):
            cell = quote.find_parent("div", class_="cell")
            if cell is None:
                continue
            assert "sovbook-quote-cell" in cell["class"], (
                f"{page}: a quotation cell still has its toggle"
            )
            assert not cell.select(".cell_input, details.hide"), (
                f"{page}: quotation cell shows code"
            )
            cells += 1
    assert cells >= 20
    for nb_path in notebooks(ROOT):
        source = html_dir / "_sources" / nb_path.relative_to(ROOT)
        if not source.is_file():
            continue
        built = nbformat.reads(source.read_text(encoding="utf-8"), as_version=4)
        stored = nbformat.read(nb_path, as_version=4)
        assert [c.source for c in built.cells] == [c.source for c in stored.cells], (
            f"{source}: code missing"
        )


def test_quotation_markup_can_fail():
    """The rules above catch a second anchor, a missing context and non-quotation outputs."""
    markup = (
        '<blockquote class="sovbook-quote source-x" '
        'data-quote="q1"><p>“a”</p><footer>c</footer></blockquote>'
        '<blockquote class="sovbook-quote source-x" '
        'data-quote="q1"><p>“a”</p><footer>c</footer></blockquote>'
    )
    out = quotations_html.enhance(markup, set(), lambda q: "before <mark>a</mark> after")
    assert out.count('id="quote-q1"') == 1 and out.count('href="#quote-q1"') == 2
    assert out.count("<mark>") == 2
    assert quotations_html.is_quotations_only('<div class="sovbook-quotes">' + markup + "</div>")
    assert quotations_html.is_quotations_only(
        '<div class="sovbook-quote-list">' + markup + "</div>"
    )
    assert not quotations_html.is_quotations_only(markup + "<p>and a table</p>")
    assert not quotations_html.is_quotations_only("<table></table>")


def test_context_marks_each_part_of_an_elided_quotation():
    marked = quotations_html._marked(
        "the land is ours and the wheat is theirs", "the land is ours […] is theirs", normalise
    )
    assert marked == "<mark>the land is ours</mark> and the wheat <mark>is theirs</mark>"
    # a translator's note printed inside the quotation's span stays unmarked
    marked = quotations_html._marked(
        "in the place of 2 A nickname. (Translator's note.) the present machine",
        "in the place of the present machine",
        normalise,
    )
    assert marked == (
        "<mark>in the place of</mark> 2 A nickname. (Translator's note.) "
        "<mark>the present machine</mark>"
    )
    raw = "First one. Second one here. The quoted words stand. Then after. Far away."
    start = raw.index("The quoted")
    lo, hi = quotations_html.context_window(raw, start, start + len("The quoted words stand."))
    assert raw[lo:hi].strip() == "Second one here. The quoted words stand. Then after."


# =========================================================================== head, policy (HTML)


@pytest.mark.parametrize("page", PAGES)
def test_head_blocks_nothing_and_links_one_stylesheet(html_dir, page):
    text = (html_dir / page).read_text(encoding="utf-8")
    head = text[: text.index("</head>")]
    for tag in re.findall(r"<script\b[^>]*\ssrc=[^>]*>", head):
        assert re.search(r"\s(defer|async)\b", tag) or 'type="text/plain"' in tag, (
            f"{page}: render-blocking {tag}"
        )
    assert 'rel="preload" as="script"' not in head
    sheets = re.findall(r'<link\b[^>]*rel="stylesheet"[^>]*>', head)
    assert len(sheets) == 1, f"{page}: {len(sheets)} stylesheets"
    href = re.search(r'href="([^"?]+)', sheets[0]).group(1)
    bundle = (html_dir / page).parent / href
    assert bundle.is_file()
    css = bundle.read_text(encoding="utf-8")
    fonts = re.findall(r"url\(([^)]+\.(?:woff2?|ttf))\)", css)
    assert fonts, "the icon font is declared"
    for font in fonts:
        path = bundle.parent / font.strip("\"'")
        assert path.is_file() and path.stat().st_size < 16_000, f"icon font {font} is not a subset"
    assert "searchindex.js" not in head or page == "search.html"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_a_description(html_dir, page):
    metas = soup(html_dir, page).select('meta[name="description"]')
    assert len(metas) == 1, f"{page}: {len(metas)} descriptions"
    assert 20 <= len(metas[0]["content"]) <= 200


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_a_content_security_policy(html_dir, page):
    text = (html_dir / page).read_text(encoding="utf-8")
    metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', text)
    assert len(metas) == 1, f"{page}: {len(metas)} policies"
    policy = metas[0]
    head = text[: text.index("</head>")]
    assert head.index("Content-Security-Policy") < head.index("<script"), (
        "the policy must precede every script"
    )
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert not re.search(
        r"://|\*|https?:|\b[a-z0-9-]+\.[a-z]{2,}\b", policy.replace("'self'", "")
    ), f"a host in {policy}"
    listed = set(re.findall(r"'sha256-[^']+'", policy))
    assert listed == {security.script_hash(b) for b in security.inline_scripts(text)}, (
        f"{page}: hashes differ from inline scripts"
    )
    assert security.inline_handlers(text) == [], f"{page}: inline event handlers"


def test_policy_checks_can_fail():
    page = '<html><head><meta charset="utf-8"><script>a()</script></head><body><button onclick="x()">b</button></body></html>'
    with_policy = security.with_policy(page)
    assert security.script_hash("a()") in with_policy
    assert security.inline_handlers(with_policy)  # a handler left in a page is found
    assert (
        security.without_inline_handlers('<button onclick="window.print()">')
        == "<button data-sovbook-print>"
    )


def test_previews_of_targets_on_other_pages_are_embedded():
    """A glossary term and a passage reference to a quotation on another page (synthetic pages:
    the book has no glossary page yet) are copied into the linking page at build time."""
    glossary = (
        '<html><body><article class="bd-article"><dl class="simple glossary"><dt '
        'id="term-bureaucracy">bureaucracy'
        '<a class="headerlink" href="#term-bureaucracy">#</a></dt><dd><p>The ruling '
        "stratum.</p></dd></dl>"
        "</article></body></html>"
    )
    passages = (
        '<html><body><article class="bd-article"><blockquote class="sovbook-quote '
        'source-ciliga" data-quote="q1" id="quote-q1">'
        '<p>“Them”</p><footer>Ciliga, p. 122</footer><div class="sovbook-quote-tools"><a '
        'href="#quote-q1">Permalink</a></div>'
        "</blockquote></article></body></html>"
    )
    chapter = (
        '<html><body><article class="bd-article"><p><a class="reference internal" '
        'href="glossary.html#term-bureaucracy">'
        '<span class="xref std std-term">bureaucracy</span></a> and <a class="sovbook-passage '
        'reference internal" '
        'href="passages.html#quote-q1" data-quote="q1">p. 122</a> <a '
        'href="chapter.html#nowhere">x</a></p></article></body></html>'
    )
    pages = {
        "book/glossary.html": glossary,
        "book/passages.html": passages,
        "book/chapter.html": chapter,
    }
    found = previews.preview_map("book/chapter.html", chapter, previews.collect(pages))
    assert set(found) == {"glossary.html#term-bureaucracy", "passages.html#quote-q1"}
    assert (
        found["glossary.html#term-bureaucracy"]["kind"] == "Glossary"
        and "ruling stratum" in found["glossary.html#term-bureaucracy"]["html"]
    )
    assert (
        found["passages.html#quote-q1"]["kind"] == "Quotation"
        and "Permalink" not in found["passages.html#quote-q1"]["html"]
    )
    out = previews.with_previews(chapter, found)
    block = re.search(
        r'<script type="application/json" id="sovbook-previews">(.*?)</script>', out
    ).group(1)
    assert json.loads(block) == found and previews.with_previews(out, found) == out  # idempotent


# =========================================================================== browser


@pytest.fixture()
def context_factory(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _watch_errors(page):
    errors = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    return errors


def test_permalink_copy_and_context_in_the_browser(context_factory, server, html_dir):
    page_path = quote_pages(html_dir)[0]
    quote_id = soup(html_dir, page_path).select_one("blockquote.sovbook-quote[id]")["data-quote"]
    context = context_factory(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors = _watch_errors(page)
    page.goto(f"{server}/{page_path}#quote-{quote_id}", wait_until="load")
    quote = page.locator(f"#quote-{quote_id}")
    assert (
        page.evaluate(
            "() => document.querySelector(':target') && document.querySelector(':target').id"
        )
        == f"quote-{quote_id}"
    )
    assert quote.is_visible() and quote.bounding_box()["y"] < 900
    # keyboard: focus the permalink, Tab to the copy button, press Enter
    quote.locator("a.sovbook-quote-link").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "sovbook-quote-copy"
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('sovbook-live').textContent.includes('copied')"
    )
    assert page.locator("#sovbook-live").get_attribute("role") == "status"
    copied = page.evaluate("navigator.clipboard.readText()")
    footer = quote.locator("footer").inner_text().strip()
    assert footer in copied and f"#quote-{quote_id}" in copied
    assert quote.locator("p:not(.sovbook-label)").first.inner_text().strip() in copied
    # the context opens from the keyboard and shows the marked words
    summary = quote.locator("details.sovbook-quote-context summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert quote.locator("details.sovbook-quote-context mark").first.is_visible()
    assert errors == []


def _preview_text(page):
    page.wait_for_function("() => !document.getElementById('sovbook-preview').hidden")
    return page.locator("#sovbook-preview").inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_citation_preview_on_hover_focus_and_tap(context_factory, server, html_dir, scheme):
    from tests.test_browser import _violations

    page_path = "book/class-categories.html"
    link_selector = 'article a.reference.internal[href*="bibliography.html#"]'
    href = soup(html_dir, page_path).select_one(link_selector)["href"]
    entry_id = href.split("#")[1]
    entry = " ".join(
        soup(html_dir, "book/bibliography.html")
        .select_one(f"div.citation#{entry_id} p")
        .get_text(" ")
        .split()
    )
    page = context_factory(color_scheme=scheme).new_page()
    errors = _watch_errors(page)
    page.goto(f"{server}/{page_path}", wait_until="load")
    link = page.locator(link_selector).first
    link.hover()
    shown = " ".join(_preview_text(page).split())
    assert shown.upper().startswith("BIBLIOGRAPHY") and entry[:60] in shown
    assert link.get_attribute("aria-describedby") == "sovbook-preview"
    assert _violations(page) == [], "the open preview must pass axe-core"
    page.mouse.move(0, 0)
    page.wait_for_function("() => document.getElementById('sovbook-preview').hidden")
    # keyboard focus shows it, Escape hides it
    link.focus()
    _preview_text(page)
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.getElementById('sovbook-preview').hidden")
    assert errors == []


def test_tap_shows_the_preview_and_a_second_tap_follows_the_link(context_factory, server):
    page = context_factory(**PHONE).new_page()
    errors = _watch_errors(page)
    page.goto(f"{server}/book/class-categories.html", wait_until="load")
    link = page.locator('article a.reference.internal[href*="bibliography.html#"]').first
    link.scroll_into_view_if_needed()
    link.tap()
    assert "Tap the link again" in _preview_text(page)
    assert page.url.endswith("class-categories.html")
    link.tap()
    page.wait_for_url("**/bibliography.html#*")
    assert errors == []


def test_glossary_term_and_passage_previews(context_factory, server, html_dir):
    """A glossary term and a passage reference, as Sphinx and the book's passage role write
    them, added to a chapter in the browser: each shows its target's text."""
    page_path = quote_pages(html_dir)[0]
    quote_id = soup(html_dir, page_path).select_one("blockquote.sovbook-quote[id]")["data-quote"]
    page = context_factory().new_page()
    errors = _watch_errors(page)
    page.goto(f"{server}/{page_path}", wait_until="load")
    page.evaluate(
        """quoteId => {
             const article = document.querySelector('article.bd-article');
             const p = document.createElement('p');
             p.innerHTML = 'See <a id="t-link" class="reference internal" href="#term-bureaucracy"><span class="xref std std-term">bureaucracy</span></a>' +
               ' and <a id="p-link" class="sovbook-passage reference internal" href="passages.html#quote-' + quoteId + '" data-quote="' + quoteId + '">p. 122</a>.';
             const dl = document.createElement('dl');
             dl.className = 'simple glossary';
             dl.innerHTML = '<dt id="term-bureaucracy">bureaucracy<a class="headerlink" href="#term-bureaucracy">#</a></dt><dd><p>The ruling stratum of officials.</p></dd>';
             article.prepend(dl); article.prepend(p);
           }""",
        quote_id,
    )
    page.locator("#t-link").hover()
    shown = _preview_text(page)
    assert (
        "GLOSSARY" in shown.upper() and "ruling stratum of officials" in shown and "#" not in shown
    )
    page.mouse.move(0, 0)
    page.wait_for_function("() => document.getElementById('sovbook-preview').hidden")
    page.locator("#p-link").focus()
    shown = _preview_text(page)
    quote_text = page.locator(f"#quote-{quote_id} p:not(.sovbook-label)").first.inner_text().strip()
    assert (
        "QUOTATION" in shown.upper()
        and quote_text[:40] in shown
        and "Copy with citation" not in shown
    )
    assert errors == []


def _contrast(a, b):
    def lum(rgb):
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _rgb(text):
    text = text.strip().lower()
    if text.startswith("#"):
        h = text[1:] if len(text) == 7 else "".join(c * 2 for c in text[1:])
        return [int(h[i : i + 2], 16) for i in (0, 2, 4)]
    return [float(v) for v in re.findall(r"[\d.]+", text)[:3]]


_CHART_COLOURS = """() => Array.from(document.querySelectorAll('figure.sovbook-chart[data-drawn=true] .sovbook-chart-plot')).map(d => {
    const L = d._fullLayout; return [L.paper_bgcolor, L.plot_bgcolor, L.font.color, L.title.font.color]; })"""


_CHARTS_ON_PAGE_GROUND = """() => {
    const rgb = c => c.startsWith('#') ? [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16)).join(',') : c.match(/[\\d.]+/g).slice(0, 3).join(',');
    const ground = rgb(getComputedStyle(document.body).backgroundColor);
    return Array.from(document.querySelectorAll('figure.sovbook-chart[data-drawn=true] .sovbook-chart-plot'))
      .every(d => rgb(d._fullLayout.paper_bgcolor) === ground); }"""


def _theme_background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_charts_follow_dark_mode_and_the_theme_switch(context_factory, server, html_dir):
    page_path = chart_pages(html_dir)[0]
    page = context_factory(color_scheme="dark").new_page()
    errors = _watch_errors(page)
    page.goto(f"{server}/{page_path}", wait_until="load")
    draw_every_chart(page)
    body = _rgb(_theme_background(page))
    for paper, plot, ink, title in page.evaluate(_CHART_COLOURS):
        assert _rgb(paper) == body and _rgb(plot) == body, "the chart ground is the page's"
        assert _contrast(_rgb(ink), body) >= 4.5 and _contrast(_rgb(title), body) >= 4.5
    # the reader switches the theme: the charts follow
    for wanted in ("light", "dark"):
        for _ in range(3):
            if page.evaluate("document.documentElement.dataset.theme") == wanted:
                break
            page.locator(".theme-switch-button").first.click()
        assert page.evaluate("document.documentElement.dataset.theme") == wanted
        page.wait_for_function(_CHARTS_ON_PAGE_GROUND)
        for paper, _, ink, _ in page.evaluate(_CHART_COLOURS):
            assert _contrast(_rgb(ink), _rgb(paper)) >= 4.5
    assert errors == []


_PHONE_CHECK = """() => Array.from(document.querySelectorAll('figure.sovbook-chart')).map(f => {
    const d = f.querySelector('.sovbook-chart-plot'); const L = d._fullLayout; const svg = d.querySelector('svg.main-svg').getBoundingClientRect();
    const cut = Array.from(d.querySelectorAll('.xtitle, .ytitle, .gtitle, .annotation-text, .xtick text, .legendtext')).filter(t => {
        const r = t.getBoundingClientRect(); return r.width > 0 && (r.left < svg.left - 1 || r.right > svg.right + 1 || r.top < svg.top - 1 || r.bottom > svg.bottom + 1); })
      .map(t => t.textContent.slice(0, 40));
    return {id: f.id, share: L._size.w / L.width, cut: cut, titles: d.querySelectorAll('.xtitle, .ytitle').length}; })"""


@pytest.mark.parametrize("page_path", PAGES)
def test_phone_layout(context_factory, server, html_dir, page_path):
    """At 390 x 844: no sideways scroll; every chart keeps at least 45 % of its width for the
    plot, and no title, label or legend entry is cut."""
    page = context_factory(**PHONE).new_page()
    errors = _watch_errors(page)
    page.goto(f"{server}/{page_path}", wait_until="load")
    draw_every_chart(page)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page scrolls sideways"
    for chart in page.evaluate(_PHONE_CHECK):
        assert chart["share"] >= 0.45, (
            f"{chart['id']}: plot is {chart['share']:.0%} of the chart's width"
        )
        assert chart["cut"] == [], f"{chart['id']}: cut: {chart['cut']}"
        assert chart["titles"] == 2
    assert errors == []


def test_phone_check_can_fail(context_factory, server, html_dir):
    """The same check on a chart drawn with its desktop layout at phone width fails."""
    page_path = next(p for p in chart_pages(html_dir) if p != "book/timeline.html")
    page = context_factory(**PHONE).new_page()
    page.goto(f"{server}/{page_path}", wait_until="load")
    draw_every_chart(page)
    page.evaluate("""() => Promise.all(Array.from(document.querySelectorAll('figure.sovbook-chart')).map(f => {
        const spec = JSON.parse(f.querySelector('script.sovbook-chart-json').textContent);
        return Plotly.react(f.querySelector('.sovbook-chart-plot'), spec.data, spec.layout); }))""")
    charts = page.evaluate(_PHONE_CHECK)
    assert any(c["share"] < 0.45 or c["cut"] for c in charts)


_SHIFT_OBSERVER = (
    "window.__shift = 0; new PerformanceObserver(l => { for (const e of l.getEntries()) if "
    "(!e.hadRecentInput) window.__shift += e.value; })"
    ".observe({type: 'layout-shift', buffered: true});"
)
_CHART_HEIGHTS = (
    "() => Array.from(document.querySelectorAll('figure.sovbook-chart')).map(f => "
    "f.getBoundingClientRect().height)"
)


@pytest.fixture(scope="module")
def first_loads(browser, html_dir):
    """Every page loaded as Lighthouse loads it (412 x 823, no interaction), all pages at once,
    from a server that sends fonts half a second late (they arrive after the first paint, as on a
    slow phone connection). For each page: the layout shift until 1.2 s after its load, whether
    plotly.js was fetched, the first chart's top, and the charts' heights before and after each
    chart is scrolled into view and drawn."""
    with serve(html_dir, delays={r"\.(woff2?|ttf)$": 0.5}) as base:
        opened = []
        for page_path in PAGES:
            context = browser.new_context(**LIGHTHOUSE_MOBILE)
            context.add_init_script(_SHIFT_OBSERVER)
            page = context.new_page()
            requested = []
            page.on("request", lambda r, seen=requested: seen.append(r.url))
            page.goto(f"{base}/{page_path}", wait_until="commit")
            opened.append((page_path, context, page, requested))
        for _, _, page, _ in opened:
            page.wait_for_load_state("load")
        opened[-1][2].wait_for_timeout(1200)  # the last page loaded: each has had 1.2 s since
        records = {}
        for page_path, context, page, requested in opened:
            record = {"shift": page.evaluate("window.__shift")}
            record["plotly_fetched"] = any("/plotly" in u for u in requested)
            record["first_chart_top"] = page.evaluate(
                "(document.querySelector('figure.sovbook-chart') || {getBoundingClientRect: "
                "() => ({top: null})}).getBoundingClientRect().top"
            )
            record["heights"] = page.evaluate(_CHART_HEIGHTS)
            draw_every_chart(page)
            record["heights_drawn"] = page.evaluate(_CHART_HEIGHTS)
            records[page_path] = record
            context.close()
    return records


@pytest.mark.parametrize("page_path", PAGES)
def test_nothing_shifts_and_plotly_waits_for_the_reader(first_loads, page_path):
    """No layout shift, and plotly.js is not fetched unless a chart is in view; a chart scrolled
    into view is then drawn at the height reserved for it."""
    record = first_loads[page_path]
    assert record["shift"] == 0, f"{page_path}: layout shift {record['shift']}"
    if record["first_chart_top"] is None:
        assert not record["plotly_fetched"], f"{page_path}: plotly.js fetched without a chart"
        return
    assert record["plotly_fetched"] == (record["first_chart_top"] < 823), (
        f"{page_path}: plotly.js fetched {record['plotly_fetched']}, "
        f"first chart at {record['first_chart_top']}px"
    )
    before, after = record["heights"], record["heights_drawn"]
    assert all(abs(a - b) <= 1 for a, b in zip(before, after, strict=True)), (
        f"{page_path}: chart heights {before} -> {after}"
    )


class _Recorder(http.server.SimpleHTTPRequestHandler):
    requests: list = []

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header(
            "Content-Type", "image/png" if self.path.endswith(".png") else "text/javascript"
        )
        self.end_headers()
        self.wfile.write(b"window.__foreign = 1;" if self.path.endswith(".js") else b"")

    def log_message(self, *args):
        pass


@pytest.fixture()
def other_origin():
    _Recorder.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.requests
    httpd.shutdown()


_INJECT = """origin => new Promise(done => {
    const refused = [];
    document.addEventListener('securitypolicyviolation', e => refused.push(e.violatedDirective.split(' ')[0] + ' ' + (e.blockedURI || '')));
    const s = document.createElement('script'); s.src = origin + '/probe.js'; document.head.appendChild(s);
    const i = document.createElement('img'); i.src = origin + '/probe.png'; document.body.appendChild(i);
    const inline = document.createElement('script'); inline.textContent = 'window.__inline = 1;'; document.head.appendChild(inline);
    setTimeout(() => done({refused: refused, foreign: window.__foreign || 0, inline: window.__inline || 0}), 800);
})"""


def test_the_policy_refuses_another_origin(
    context_factory, server, html_dir, other_origin, tmp_path
):
    """The page itself refuses a script, an image and an inline script it was not built with;
    the same page without its policy lets all three through (so the check can fail)."""
    origin, requests = other_origin
    page_path = chart_pages(html_dir)[0]
    page = context_factory().new_page()
    page.goto(f"{server}/{page_path}", wait_until="load")
    result = page.evaluate(_INJECT, origin)
    assert result["foreign"] == 0 and result["inline"] == 0
    assert any(r.startswith("script-src") and "probe.js" in r for r in result["refused"])
    assert any(r.startswith("img-src") and "probe.png" in r for r in result["refused"])
    assert requests == [], f"the other origin was asked for {requests}"
    draw_every_chart(page)  # the page's own scripts, plotly.js included, still run under the policy

    # control: the same page without its policy, served from another local folder (a page
    # fulfilled by Playwright itself would not count as loopback and be refused anyway)
    bare_dir = tmp_path / "bare"
    bare_dir.mkdir()
    (bare_dir / "page.html").write_text(
        security.META_RE.sub("", (html_dir / page_path).read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    handler = functools.partial(_Quiet, directory=str(bare_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        control = context_factory().new_page()
        control.goto(f"http://127.0.0.1:{httpd.server_address[1]}/page.html", wait_until="load")
        result = control.evaluate(_INJECT, origin)
    finally:
        httpd.shutdown()
    assert result["foreign"] == 1 and result["inline"] == 1 and result["refused"] == [], (
        result,
        requests,
    )
    assert "/probe.png" in requests and "/probe.js" in requests


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_pages_work_from_file_urls(context_factory, html_dir):
    """Opened straight from disk (file://), a chapter still draws its charts and shows previews."""
    page_path = chart_pages(html_dir)[0]
    page = context_factory().new_page()
    errors = _watch_errors(page)
    page.goto((html_dir / page_path).as_uri(), wait_until="load")
    draw_every_chart(page)
    link = page.locator('article a.reference.internal[href*="bibliography.html#"]')
    if link.count():
        link.first.hover()
        _preview_text(page)
    assert errors == []


def test_description_comes_from_front_matter_or_the_first_paragraph():
    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    from sovbook import pagehead

    doc = new_document("page", get_default_settings(Parser))
    code = nodes.container(nb_element="cell_code_output")
    code += nodes.paragraph(
        text="Output of a code cell, long enough to be taken for a first paragraph."
    )
    doc += code
    doc += nodes.paragraph(text="Short.")
    doc += nodes.paragraph(
        text="The first paragraph of prose, which says what the page is about " * 4
    )
    found = pagehead.description("book/page", {"metatags": ""}, doc)
    assert (
        found.startswith("The first paragraph of prose")
        and len(found) <= 160
        and found.endswith("…")
    )
    assert (
        pagehead.description(
            "book/page", {"metatags": '<meta name="description" content="Own." />'}, doc
        )
        is None
    )
    assert "Search" in pagehead.description("search", {"docstitle": "The Book"}, None)


def test_print_button_works_without_its_inline_handler(context_factory, server):
    """The theme's "Print to PDF" lost its onclick (the policy would block it); the reader's
    script prints."""
    context = context_factory()
    context.add_init_script(
        "window.__printed = 0; window.print = () => { window.__printed += 1; };"
    )
    page = context.new_page()
    errors = _watch_errors(page)
    page.goto(f"{server}/book/intro.html", wait_until="load")
    page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
    page.locator("[data-sovbook-print]").click()
    assert page.evaluate("window.__printed") == 1
    assert errors == []


def test_inline_scripts_in_head_are_merged_in_order():
    from sovbook.pagehead import merged_inline_scripts

    page = (
        '<head><script data-cfasync="false">mode()</script><link rel="stylesheet" href="a.css" />'
        "<script>one()</script> <script defer "
        'src="x.js"></script>\n<script>two()</script><script>three()</script>'
        "</head><body><script>four()</script></body>"
    )
    out = merged_inline_scripts(page)
    assert security.inline_scripts(out) == ["mode()", "one()\ntwo()\nthree()", "four()"]
    assert '<script defer src="x.js"></script>' in out and merged_inline_scripts(out) == out


def test_quotation_tools_are_not_printed(context_factory, server, html_dir):
    page = context_factory().new_page()
    page.goto(f"{server}/{quote_pages(html_dir)[0]}", wait_until="load")
    tools = page.locator(".sovbook-quote-tools").first
    assert tools.is_visible()
    page.emulate_media(media="print")
    assert (
        not tools.is_visible()
        and not page.locator("details.sovbook-quote-context").first.is_visible()
    )
