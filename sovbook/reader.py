"""The reader's edition (issue 12): fast first paint, quotations as objects, previews, charts
that follow the reader, a security policy. Loaded by :mod:`sovbook.sphinx`.

At build time:

* quotations get their permalink, copy button and context when each page is written
  (:mod:`sovbook.quotations_html`, ``doctree-resolved``);
* each page gets a meta description (:mod:`sovbook.pagehead`, ``html-page-context``);
* once every page is written (``build-finished``), every page of the site is rewritten in one
  pass: scripts deferred (:func:`sovbook.pagehead.deferred_scripts`), stylesheets replaced by one
  bundle with a subset icon font (:mod:`sovbook.assets`), cross-page previews embedded
  (:mod:`sovbook.previews`), and the Content-Security-Policy written last, with the hashes of
  the inline scripts the page ends up with (:mod:`sovbook.security`). The pass works on every
  page in the output folder, written in this build or an earlier one, and gives the same
  bytes when run again on its own output.

In the browser, ``static/sovbook-reader.js`` (every page) runs the copy buttons, the previews
and the print button; ``static/sovbook-charts.js`` (pages with charts) loads plotly.js when a
chart nears the viewport and draws it in the theme's colours and, on a phone, in a phone layout.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from sphinx.util import logging

from . import assets, pagehead, previews, quotations_html, security

LOGGER = logging.getLogger(__name__)
READER_JS = "sovbook-reader.js"
BUNDLE_PREFIX = "sovbook-styles-"
MANIFEST = "sovbook-styles.json"  # in the doctree folder: which sheets each bundle holds
_STYLESHEET = re.compile(r"<link\b(?=[^>]*\brel=\"stylesheet\")[^>]*>")
_HREF = re.compile(r'\bhref="([^"]+)"')
_BUNDLE_NAME = re.compile(rf"_static/({re.escape(BUNDLE_PREFIX)}[0-9a-f]+\.css)")


def _pages(outdir: Path) -> dict[str, Path]:
    """Every HTML page of the site, keyed by its path relative to the output folder."""
    skip = {"_static", "_sources", "_images", "_downloads"}
    return {
        p.relative_to(outdir).as_posix(): p
        for p in sorted(outdir.rglob("*.html"))
        if not skip & set(p.relative_to(outdir).parts)
    }


def _head(page: str) -> tuple[int, int]:
    start = page.find("<head")
    end = page.find("</head>")
    return start, end


def _stylesheets(page: str) -> list[tuple[re.Match, str]]:
    """The same-origin, all-media stylesheet links in the page's head, with their _static paths."""
    start, end = _head(page)
    found = []
    for match in _STYLESHEET.finditer(page, start, end):
        tag = match.group(0)
        href = _HREF.search(tag)
        media = re.search(r'\bmedia="([^"]*)"', tag)
        if not href or (media and media.group(1) not in ("all", "screen")):
            continue
        static = assets.relative_static(href.group(1))
        if static:
            found.append((match, static))
    return found


def _script_words(outdir: Path, page_path: str, page: str, seen: dict[Path, set[str]]) -> set[str]:
    words: set[str] = set()
    base = (outdir / page_path).parent
    for src in re.findall(r'<script\b[^>]*\s(?:src|data-sovbook-plotly)="([^"]+)"', page):
        path = (base / src.split("?")[0]).resolve()
        if path not in seen:
            seen[path] = (
                assets.words_in(path.read_text(encoding="utf-8", errors="replace"))
                if path.is_file()
                else set()
            )
        words |= seen[path]
    return words


def postprocess(app) -> None:
    outdir = Path(app.outdir)
    static = outdir / "_static"
    # pages with a head (jupyter-book's index.html is a bare redirect, left as it is)
    pages = {path: file.read_text(encoding="utf-8") for path, file in _pages(outdir).items()}
    pages = {path: text for path, text in pages.items() if "<head" in text and "</head>" in text}
    search_as_you_type = bool(
        (app.config.html_theme_options or {}).get("search_as_you_type", False)
    )

    manifest_path = Path(app.doctreedir) / MANIFEST
    manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    )
    # nothing written since the last pass, and no stylesheet changed: nothing to do (a warm rebuild)
    state = _state(outdir, pages, manifest)
    if manifest.get("state") == state:
        return

    # 1. scripts (before anything reads the page's words)
    pages = {
        path: pagehead.deferred_scripts(text, path, static, search_as_you_type)
        for path, text in pages.items()
    }

    # 2. stylesheets: one bundle per distinct list of sheets
    recipes: dict[str, list[str]] = {}
    page_bundle: dict[str, str] = {}
    words: set[str] = set()
    js_words: dict[Path, set[str]] = {}
    for path, text in pages.items():
        words |= assets.words_in(text) | _script_words(outdir, path, text, js_words)
        links = _stylesheets(text)
        sheets = [s for _, s in links if not _BUNDLE_NAME.search(s)]
        bundled = [s for _, s in links if _BUNDLE_NAME.search(s)]
        if sheets:
            name = (
                BUNDLE_PREFIX + hashlib.sha256("\n".join(sheets).encode()).hexdigest()[:8] + ".css"
            )
            recipes[name] = sheets
            page_bundle[path] = name
        elif bundled:
            name = _BUNDLE_NAME.search(bundled[0]).group(1)
            if name not in manifest:  # a page left over from an older build: leave it as it is
                LOGGER.info(
                    f"sovbook: {path} links {name}, which this build does not know; left as it is"
                )
                continue
            recipes[name] = manifest[name]["sheets"]
            page_bundle[path] = name
    word_key = hashlib.sha256("\n".join(sorted(words)).encode()).hexdigest()
    versions: dict[str, str] = {}
    for name, sheets in sorted(recipes.items()):
        files = [outdir / s for s in sheets]
        source_key = hashlib.sha256(
            b"".join(f.read_bytes() for f in files if f.is_file())
        ).hexdigest()
        key = f"{source_key}:{word_key}"
        previous = manifest.get(name, {})
        if previous.get("key") == key and (static / name).is_file() and previous.get("version"):
            versions[name] = previous["version"]
            continue
        _, version = assets.build_bundle(static, [f for f in files if f.is_file()], words, name)
        versions[name] = version
        manifest[name] = {"sheets": sheets, "key": key, "version": version}

    # 3. previews of targets on other pages
    all_targets = previews.collect(pages)

    for path, text in pages.items():
        name = page_bundle.get(path)
        if name:
            links = _stylesheets(text)
            prefix = re.sub(r"_static/.*$", "", _HREF.search(links[0][0].group(0)).group(1))
            tag = f'<link rel="stylesheet" href="{prefix}_static/{name}?v={versions[name]}" />'
            first, rest = links[0][0], [m for m, _ in links[1:]]
            for match in reversed(rest):
                text = text[: match.start()] + text[match.end() :]
            text = text[: first.start()] + tag + text[first.end() :]
            start, end = _head(text)
            text = text[:start] + re.sub(r"\n(?:[ \t]*\n)+", "\n", text[start:end]) + text[end:]
        text = previews.with_previews(text, previews.preview_map(path, text, all_targets))
        text = security.without_inline_handlers(text)
        text = security.with_policy(text)
        pages[path] = text
        target = outdir / path
        if target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    manifest["state"] = _state(outdir, pages, manifest)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(
        json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def _state(outdir: Path, pages: dict[str, str], manifest: dict) -> str:
    """A hash of every page and of every stylesheet the bundles are made from."""
    digest = hashlib.sha256()
    for path in sorted(pages):
        digest.update(path.encode() + b"\0" + pages[path].encode("utf-8") + b"\0")
    sheets = sorted(
        {
            s
            for entry in manifest.values()
            if isinstance(entry, dict)
            for s in entry.get("sheets", [])
        }
    )
    for sheet in sheets:
        file = outdir / sheet
        digest.update(
            sheet.encode() + b"\0" + (file.read_bytes() if file.is_file() else b"") + b"\0"
        )
    return digest.hexdigest()


def _on_build_finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    postprocess(app)


def _on_config_inited(app, config) -> None:
    # One search box per page: the theme repeats its search field in the top bar ("navbar
    # persistent") beside the one in the sidebar. Without it, a wide screen shows the sidebar's
    # field and a narrow one (sidebar folded away) the article header's search button.
    options = dict(config.html_theme_options or {})
    options.setdefault("navbar_persistent", [])
    config.html_theme_options = options


def _on_builder_inited(app) -> None:
    if app.builder.format == "html":
        app.add_js_file(READER_JS, priority=650)


def setup(app) -> dict:
    app.setup_extension("sovbook.passages")  # the {passage} role and the evidence of a build
    app.setup_extension("sovbook.stance_roles")  # the {stance} and {coding} roles
    quotations_html.setup(app)
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", pagehead.on_page_context, priority=950)
    app.connect("build-finished", _on_build_finished, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
