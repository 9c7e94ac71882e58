"""What the reader gets, in a real browser: every page of the built book is opened
in headless Chromium; every chart must be drawn, no request may leave 127.0.0.1,
no console error, page error or failed response may occur, and axe-core must find
no accessibility violation of any impact, in light and in dark mode."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

from sovbook import plotlyjs
from tests.helpers import ROOT, toc_pages

PAGES = toc_pages(ROOT) + ["genindex.html", "search.html"]


def draw_every_chart(page, timeout=15000):
    """Scroll each chart of the page into view and wait until it is drawn (charts are drawn as
    they near the viewport, see sovbook/static/sovbook-charts.js). Returns how many there are."""
    charts = page.locator("figure.sovbook-chart")
    count = charts.count()
    for index in range(count):
        charts.nth(index).scroll_into_view_if_needed()
        page.wait_for_function(
            "i => "
            "document.querySelectorAll('figure.sovbook-chart')[i]"
            ".getAttribute('data-drawn') === 'true'",
            arg=index,
            timeout=timeout,
        )
    return count


def _violations(page):
    from axe_playwright_python.sync_playwright import Axe

    # the theme fades colours in (CSS transitions): measure contrast once they have settled
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')", timeout=10000
    )
    response = Axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in response["violations"]
    ]


#: search fields and buttons the reader can see (the search dialog's own field is not one)
_VISIBLE_SEARCH_BOXES = """() => Array.from(document.querySelectorAll(
    '.search-button-field, .search-button__button, form.bd-search input[type=search]'))
  .filter(e => !e.closest('dialog') && e.offsetParent !== null
               && e.getBoundingClientRect().width > 0).length"""
PHONE_VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def dark_violations(browser, server):
    """axe-core in dark mode (the theme follows the reader's colour scheme)."""
    out = {}
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    for page_path in PAGES:
        page.goto(f"{server}/{page_path}", wait_until="load")
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        draw_every_chart(page)  # the charts too, in their dark-mode colours
        out[page_path] = _violations(page)
    context.close()
    return out


@pytest.fixture(scope="module")
def visits(browser, server, html_dir):
    """Open every page once; record requests, errors, chart state and accessibility violations."""
    results = {}
    for page_path in PAGES:
        context = browser.new_context(color_scheme="light")
        page = context.new_page()
        record = {"requests": [], "errors": [], "failed": []}
        page.on("request", lambda r, rec=record: rec["requests"].append(r.url))
        page.on(
            "console",
            lambda m, rec=record: (
                rec["errors"].append(f"console.{m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e, rec=record: rec["errors"].append(f"pageerror: {e}"))
        page.on(
            "requestfailed", lambda r, rec=record: rec["failed"].append(f"{r.url} ({r.failure})")
        )
        page.on(
            "response",
            lambda r, rec=record: (
                rec["failed"].append(f"{r.url} -> HTTP {r.status}") if r.status >= 400 else None
            ),
        )
        page.goto(f"{server}/{page_path}", wait_until="load")
        expected = len(
            BeautifulSoup((html_dir / page_path).read_text(encoding="utf-8"), "html.parser").select(
                "figure.sovbook-chart"
            )
        )
        if expected:
            draw_every_chart(page)
        page.wait_for_timeout(300)  # let late scripts report
        record["expected_charts"] = expected
        record["drawn"] = page.locator(
            "figure.sovbook-chart[data-drawn=true] .sovbook-chart-plot svg.main-svg"
        ).count()
        record["drawn_figures"] = page.locator("figure.sovbook-chart[data-drawn=true]").count()
        record["traces"] = page.evaluate(
            "() => Array.from(document.querySelectorAll("
            "'figure.sovbook-chart .sovbook-chart-plot')).map(d => (d.data || []).length)"
        )
        record["icons"] = page.evaluate(
            """async () => {
                 await document.fonts.ready;
                 return Array.from(document.querySelectorAll('i[class*="fa-"]'))
                   .filter(i => i.offsetParent !== null)
                   .map(i => {
                     const before = getComputedStyle(i, '::before');
                     const width = i.getBoundingClientRect().width;
                     return [i.className.trim(), before.content, before.fontFamily, width];
                   });
               }"""
        )
        record["plotly"] = page.evaluate(
            "() => typeof Plotly === 'undefined' ? null"
            " : [Plotly.version, Object.keys(Plotly.PlotSchema.get().traces).sort()]"
        )
        # axe-core fetches stylesheets itself (and resolves the theme's @import against the page,
        # asking for a /basic.css that does not exist): what it requests is not the page's doing,
        # so the page's own requests and errors are frozen before it runs.
        record = {k: (list(v) if isinstance(v, list) else v) for k, v in record.items()}
        record["violations"] = _violations(page)
        record["search_boxes"] = {"desktop": page.evaluate(_VISIBLE_SEARCH_BOXES)}
        page.set_viewport_size(PHONE_VIEWPORT)  # the layout follows the width
        record["search_boxes"]["phone"] = page.evaluate(_VISIBLE_SEARCH_BOXES)
        results[page_path] = record
        context.close()
    return results


@pytest.mark.parametrize("page_path", PAGES)
def test_no_request_leaves_the_machine(visits, page_path):
    hosts = {
        urlparse(u).hostname
        for u in visits[page_path]["requests"]
        if not u.startswith(("data:", "blob:", "about:"))
    }
    assert hosts <= {"127.0.0.1"}, f"{page_path} requested {sorted(hosts - {'127.0.0.1'})}"


@pytest.mark.parametrize("page_path", PAGES)
def test_no_errors(visits, page_path):
    problems = visits[page_path]["errors"] + visits[page_path]["failed"]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("page_path", PAGES)
def test_every_chart_is_drawn(visits, page_path):
    record = visits[page_path]
    assert record["drawn_figures"] == record["expected_charts"]
    assert all(n > 0 for n in record["traces"]), f"{page_path}: a chart was drawn with no data"


@pytest.mark.parametrize("page_path", PAGES)
def test_icons_are_drawn_without_fontawesome_js(visits, page_path):
    """The theme's icons come from its bundled icon font (fontawesome.js is not loaded)."""
    icons = visits[page_path]["icons"]
    assert icons, f"{page_path}: no visible icon"
    assert not any(
        "fontawesome" in url
        for url in visits[page_path]["requests"]
        if url.endswith(".js") or ".js?" in url
    )
    for name, content, family, width in icons:
        assert content not in ("none", "normal", '""') and "Font Awesome" in family and width > 0, (
            f"{page_path}: icon {name!r} not drawn"
        )


@pytest.mark.parametrize("page_path", PAGES)
def test_charts_are_drawn_by_the_installed_plotly_release(visits, page_path, html_dir):
    """The bundle a page loads is the plotly.js release the plotly package ships, and the
    vendored basic bundle registers exactly the trace types its pin claims."""
    record = visits[page_path]
    if not record["expected_charts"]:
        assert record["plotly"] is None, f"{page_path} loads plotly.js without a chart"
        return
    version, registered = record["plotly"]
    assert version == plotlyjs.release(plotlyjs.full().path)
    traces = plotlyjs.traces_in((html_dir / page_path).read_text(encoding="utf-8"))
    bundle = plotlyjs.for_traces(traces)
    assert traces <= set(registered)
    if bundle.traces is not None:
        assert set(registered) == bundle.traces


def test_the_book_has_charts(visits):
    """The chart test above is not vacuous: the book's chapters do carry charts."""
    assert sum(r["expected_charts"] for r in visits.values()) >= 2
    assert sum(r["drawn_figures"] for r in visits.values()) == sum(
        r["expected_charts"] for r in visits.values()
    )


@pytest.mark.parametrize("page_path", PAGES)
def test_one_search_box(visits, page_path):
    """One search box in sight, on a desktop (1280 px wide) and at a phone's width (390 px)."""
    assert visits[page_path]["search_boxes"] == {"desktop": 1, "phone": 1}


@pytest.mark.parametrize("page_path", PAGES)
def test_no_accessibility_violations(visits, page_path):
    assert visits[page_path]["violations"] == []


@pytest.mark.parametrize("page_path", PAGES)
def test_no_accessibility_violations_in_dark_mode(dark_violations, page_path):
    assert dark_violations[page_path] == []
