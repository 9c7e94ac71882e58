"""One stylesheet per page instead of nine, and an icon font cut to the icons the book shows.

The theme and the extensions link about nine stylesheets (one of them through an
``@import``) and an icon font of 157 KB for a handful of icons. After the pages are
written, :func:`build_bundle` turns the stylesheets a page links into one file:

* ``@import`` rules are inlined and relative ``url()`` references re-pointed at the same
  files from the bundle's own folder;
* a rule is kept when each of its selectors could match: every class and id a selector
  requires (outside ``:not()``/``:is()``/``:where()``/``:has()`` and attribute tests) is a
  word that appears somewhere in the book's pages or in a script they load (scripts add
  classes such as ``show`` or ``pst-sidebar-hidden`` at run time, so their words count too).
  That is deliberately generous: a rule is dropped only when nothing could ever match it;
* comments and blanks are removed;
* every ``@font-face`` whose source fontTools can read (the theme ships ``.ttf`` next to each
  ``.woff2``) is subset to the code points the kept rules put in ``content`` (the icons
  actually used), written as WOFF next to the bundle and the rule re-pointed at it. A face
  none of whose glyphs is used is dropped (the browser would never fetch it anyway).

The output is a function of the input files only (sorted, no timestamps), so two builds
give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tinycss2
from tinycss2 import ast

WORD_RE = re.compile(r"[\w-]+")
_FUNCTIONAL_PSEUDOS = {
    "not",
    "is",
    "where",
    "has",
    "matches",
    "-webkit-any",
    "-moz-any",
    "host",
    "host-context",
    "slotted",
    "global",
}
#: at-rules whose block holds rules (recursed into) and those whose block holds declarations
_RULE_BLOCKS = {
    "media",
    "supports",
    "layer",
    "container",
    "document",
    "-moz-document",
    "scope",
    "starting-style",
}
_KEYFRAMES = {"keyframes", "-webkit-keyframes", "-moz-keyframes"}
_FONT_FORMATS = {".ttf": "truetype", ".otf": "opentype", ".woff": "woff"}


# --------------------------------------------------------------------------- words in use


def words_in(text: str) -> set[str]:
    """Every word (letters, digits, ``_`` and ``-``) of ``text``, and every value of a ``class``
    attribute split on blanks (class names may hold other characters)."""
    found = set(WORD_RE.findall(text))
    for value in re.findall(r'\bclass="([^"]*)"', text):
        found.update(value.split())
    return found


# --------------------------------------------------------------------------- serialising


def _is_ws(token) -> bool:
    return isinstance(token, (ast.WhitespaceToken, ast.Comment))


def _compact(tokens: Iterable, selector: bool = False) -> str:
    """Serialise component values with comments dropped and blanks collapsed; in a selector,
    also without blanks around ``,``, ``>``, ``+`` and ``~``."""
    out: list[str] = []
    pending_space = False
    tight = {",", ">", "+", "~"} if selector else {","}
    for token in tokens:
        if _is_ws(token):
            pending_space = True
            continue
        if isinstance(
            token,
            (
                ast.FunctionBlock,
                ast.ParenthesesBlock,
                ast.SquareBracketsBlock,
                ast.CurlyBracketsBlock,
            ),
        ):
            inner = _compact(
                token.arguments if isinstance(token, ast.FunctionBlock) else token.content, selector
            )
            if isinstance(token, ast.FunctionBlock):
                text = f"{tinycss2.serialize([ast.IdentToken(0, 0, token.name)])}({inner})"
            else:
                opening = {
                    ast.ParenthesesBlock: "(",
                    ast.SquareBracketsBlock: "[",
                    ast.CurlyBracketsBlock: "{",
                }[type(token)]
                closing = {"(": ")", "[": "]", "{": "}"}[opening]
                text = f"{opening}{inner}{closing}"
        else:
            text = tinycss2.serialize([token])
        literal = isinstance(token, ast.LiteralToken) and token.value in tight
        if (
            pending_space
            and out
            and not literal
            and out[-1] not in tight
            and out[-1] not in ("(", "[")
        ):
            out.append(" ")
        pending_space = False
        out.append(text)
    return "".join(out).strip()


def _declarations(tokens) -> str:
    parts = []
    for item in tinycss2.parse_blocks_contents(tokens, skip_comments=True, skip_whitespace=True):
        if isinstance(item, ast.Declaration):
            value = _compact(item.value)
            parts.append(f"{item.name}:{value}{'!important' if item.important else ''}")
        elif isinstance(item, (ast.QualifiedRule, ast.AtRule)):  # nested rules: kept as written
            parts.append(_compact([item]))
    return ";".join(parts)


# --------------------------------------------------------------------------- selectors


def _split_selectors(prelude) -> list[list]:
    groups: list[list] = [[]]
    for token in prelude:
        if isinstance(token, ast.LiteralToken) and token.value == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    return [g for g in groups if any(not _is_ws(t) for t in g)]


def required_names(selector) -> tuple[set[str], set[str]]:
    """The classes and ids a selector requires (ignoring functional pseudo-classes and attribute
    tests)."""
    classes, ids = set(), set()
    tokens = list(selector)
    for i, token in enumerate(tokens):
        if isinstance(token, ast.LiteralToken) and token.value == "." and i + 1 < len(tokens):
            after = tokens[i + 1]
            if isinstance(after, ast.IdentToken):
                classes.add(after.value)
        elif isinstance(token, ast.HashToken):
            ids.add(token.value)
        elif isinstance(token, ast.FunctionBlock) and token.lower_name not in _FUNCTIONAL_PSEUDOS:
            pass  # e.g. :nth-child(2n+1): no names inside
    return classes, ids


def _selector_may_match(selector, words: set[str]) -> bool:
    classes, ids = required_names(selector)
    return classes <= words and ids <= words


# --------------------------------------------------------------------------- bundle


@dataclass
class FontFace:
    """An ``@font-face`` of the bundle: its declarations and the readable source file."""

    declarations: str
    source: Path | None  # a file fontTools can read, or None (kept as is)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Bundler:
    def __init__(self, static: Path, words: set[str]):
        self.static = static  # the html _static folder, where the bundle is written
        self.words = words
        self.font_faces: list[FontFace] = []
        self.codepoints: set[int] = set()

    # url() -> path relative to the bundle (in _static)
    def _rebase(self, url: str, css_dir: Path) -> str:
        if re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", url, re.I):
            return url
        path, _, tail = url.partition("?")
        path, _, frag = path.partition("#")
        target = (css_dir / path).resolve()
        rel = Path(os.path.relpath(target, self.static.resolve())).as_posix()
        return rel + (f"?{tail}" if tail else "") + (f"#{frag}" if frag else "")

    def _rebase_tokens(self, tokens, css_dir: Path):
        out = []
        for token in tokens:
            if isinstance(token, ast.URLToken):
                value = self._rebase(token.value, css_dir)
                representation = (
                    f"url({value})"
                    if not re.search(r"[\s'\"()\\]", value)
                    else f"url({_quoted(value)})"
                )
                out.append(
                    ast.URLToken(token.source_line, token.source_column, value, representation)
                )
            elif isinstance(token, ast.FunctionBlock) and token.lower_name == "url":
                args = [
                    ast.StringToken(
                        a.source_line,
                        a.source_column,
                        self._rebase(a.value, css_dir),
                        _quoted(self._rebase(a.value, css_dir)),
                    )
                    if isinstance(a, ast.StringToken)
                    else a
                    for a in token.arguments
                ]
                out.append(
                    ast.FunctionBlock(token.source_line, token.source_column, token.name, args)
                )
            elif isinstance(token, ast.FunctionBlock):
                out.append(
                    ast.FunctionBlock(
                        token.source_line,
                        token.source_column,
                        token.name,
                        self._rebase_tokens(token.arguments, css_dir),
                    )
                )
            elif isinstance(
                token, (ast.ParenthesesBlock, ast.SquareBracketsBlock, ast.CurlyBracketsBlock)
            ):
                cls = type(token)
                out.append(
                    cls(
                        token.source_line,
                        token.source_column,
                        self._rebase_tokens(token.content, css_dir),
                    )
                )
            else:
                out.append(token)
        return out

    def _collect_codepoints(self, declarations_tokens) -> None:
        for item in tinycss2.parse_blocks_contents(
            declarations_tokens, skip_comments=True, skip_whitespace=True
        ):
            if isinstance(item, ast.Declaration) and item.lower_name == "content":
                for token in item.value:
                    if isinstance(token, ast.StringToken):
                        self.codepoints.update(ord(c) for c in token.value)
            elif isinstance(item, ast.Declaration) and item.lower_name.startswith("--"):
                for token in item.value:  # icons set through custom properties (e.g. --fa: "\f107")
                    if isinstance(token, ast.StringToken) and len(token.value) <= 2:
                        self.codepoints.update(ord(c) for c in token.value)

    def rules(self, rules, css_dir: Path, purge: bool = True) -> list[str]:
        out = []
        for rule in rules:
            if isinstance(rule, ast.QualifiedRule):
                prelude = self._rebase_tokens(rule.prelude, css_dir)
                content = self._rebase_tokens(rule.content, css_dir)
                selectors = _split_selectors(prelude)
                if purge:
                    selectors = [s for s in selectors if _selector_may_match(s, self.words)]
                if not selectors:
                    continue
                body = _declarations(content)
                if not body:
                    continue
                self._collect_codepoints(content)
                out.append(
                    ",".join(_compact(s, selector=True) for s in selectors) + "{" + body + "}"
                )
            elif isinstance(rule, ast.AtRule):
                out.extend(self.at_rule(rule, css_dir, purge))
        return out

    def at_rule(self, rule, css_dir: Path, purge: bool) -> list[str]:
        name = rule.lower_at_keyword
        prelude = self._rebase_tokens(rule.prelude, css_dir)
        if name == "charset":
            return []
        if name == "import":
            raw = rule.prelude
            url = next(
                (t.value for t in raw if isinstance(t, (ast.URLToken, ast.StringToken))), None
            )
            if url is None:
                url = next(
                    (
                        a.value
                        for t in raw
                        if isinstance(t, ast.FunctionBlock) and t.lower_name == "url"
                        for a in t.arguments
                        if isinstance(a, ast.StringToken)
                    ),
                    None,
                )
            media = [
                t
                for t in raw
                if not isinstance(t, (ast.URLToken, ast.StringToken, ast.FunctionBlock))
                and not _is_ws(t)
            ]
            local = url is not None and not re.match(r"^([a-z][a-z0-9+.-]*:|/)", url, re.I)
            target = (css_dir / url).resolve() if local else None
            if target is None or media or not target.is_file():
                if target is None or media:
                    return [f"@import {_compact(prelude)};"]
                return []  # a local sheet that is not there (the browser would get a 404)
            return self.sheet(target, purge)
        if rule.content is None:
            return [f"@{rule.at_keyword} {_compact(prelude)};"]
        if name == "font-face":
            self.font_faces.append(
                self._font_face(rule.content, css_dir)
            )  # written after subsetting
            return [f"\0font-face-{len(self.font_faces) - 1}\0"]
        if name in _RULE_BLOCKS:
            inner = self.rules(
                tinycss2.parse_blocks_contents(
                    rule.content, skip_comments=True, skip_whitespace=True
                ),
                css_dir,
                purge,
            )
            if not inner:
                return []
            head = f"@{rule.at_keyword} {_compact(prelude)}".rstrip()
            return [head + "{" + "".join(inner) + "}"]
        if name in _KEYFRAMES:
            inner = self.rules(
                tinycss2.parse_blocks_contents(
                    rule.content, skip_comments=True, skip_whitespace=True
                ),
                css_dir,
                False,
            )
            return [f"@{rule.at_keyword} {_compact(prelude)}" + "{" + "".join(inner) + "}"]
        # @page, @property, @counter-style ...: declarations
        return [
            f"@{rule.at_keyword} {_compact(prelude)}".rstrip()
            + "{"
            + _declarations(self._rebase_tokens(rule.content, css_dir))
            + "}"
        ]

    def _font_face(self, content, css_dir: Path) -> FontFace:
        content = self._rebase_tokens(content, css_dir)
        source = None
        for item in tinycss2.parse_blocks_contents(
            content, skip_comments=True, skip_whitespace=True
        ):
            if isinstance(item, ast.Declaration) and item.lower_name == "src":
                urls = [t.value for t in item.value if isinstance(t, ast.URLToken)]
                urls += [
                    a.value
                    for t in item.value
                    if isinstance(t, ast.FunctionBlock) and t.lower_name == "url"
                    for a in t.arguments
                    if isinstance(a, ast.StringToken)
                ]
                for url in urls:
                    path = (self.static / url.split("?")[0].split("#")[0]).resolve()
                    if path.suffix.lower() in _FONT_FORMATS and path.is_file():
                        source = path
                        break
        return FontFace(_declarations(content), source)

    def sheet(self, path: Path, purge: bool = True) -> list[str]:
        rules = tinycss2.parse_stylesheet(
            path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True
        )
        return self.rules(rules, path.parent, purge)


def subset_font(source: Path, codepoints: set[int]) -> bytes | None:
    """``source`` cut to ``codepoints`` as WOFF, or None when it has none of them."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), recalcTimestamp=False, lazy=False)
    available = set(font.getBestCmap() or {})
    wanted = sorted(codepoints & available)
    if not wanted:
        return None
    options = subset.Options()
    options.flavor = "woff"
    options.recalc_timestamp = False
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()


def _short_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:10]


def build_bundle(static: Path, sheets: list[Path], words: set[str], name: str) -> tuple[Path, str]:
    """Write ``static/<name>`` (and its subset fonts) from ``sheets`` (in cascade order);
    return its path and a short hash of its content."""
    bundler = _Bundler(static, words)
    parts: list[str] = []
    for sheet in sheets:
        parts.extend(bundler.sheet(sheet))
    text = "".join(parts)
    stem = Path(name).stem
    for index, face in enumerate(bundler.font_faces):
        marker = f"\0font-face-{index}\0"
        declarations = face.declarations
        if face.source is not None:
            data = subset_font(face.source, bundler.codepoints)
            if data is None:
                text = text.replace(marker, "")
                continue
            font_name = f"{stem}-{face.source.stem}-{_short_hash(data)}.woff"
            _write_if_changed(static / font_name, data)
            declarations = re.sub(
                r"(^|;)src:[^;]*",
                lambda m, name=font_name: f'{m.group(1)}src:url({name}) format("woff")',
                declarations,
            )
        text = text.replace(marker, "@font-face{" + declarations + "}")
    text = '@charset "UTF-8";' + text
    target = static / name
    _write_if_changed(target, text.encode("utf-8"))
    # subset fonts of earlier builds of this bundle
    keep = set(re.findall(rf"{re.escape(stem)}-[\w.-]+\.woff", text))
    for old in static.glob(f"{stem}-*.woff"):
        if old.name not in keep:
            old.unlink()
    return target, _short_hash(text)


def _write_if_changed(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def relative_static(href: str) -> str | None:
    """``_static/...`` path of a stylesheet href (``../_static/x.css?v=1`` ->
    ``_static/x.css``), or None."""
    path = href.split("?")[0].split("#")[0]
    if re.match(r"^([a-z][a-z0-9+.-]*:|//)", path, re.I):
        return None
    index = path.find("_static/")
    return posixpath.normpath(path[index:]) if index >= 0 else None
