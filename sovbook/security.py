"""A Content-Security-Policy on every page (a ``<meta http-equiv>``: static hosts rarely let a
book set headers).

The policy allows the page's own origin only: scripts, styles, fonts, images, frames,
connections and form targets from ``'self'``, no plugin (``object-src 'none'``), no host
name anywhere. The few inline scripts that remain (the theme's colour-mode switch, Sphinx's
page options, the search page's focus) are allowed by their sha256 hashes, computed from the
page as written, so an injected or edited inline script does not run. Styles may be inline
(``'unsafe-inline'`` for ``style-src`` only): the theme and plotly.js set ``style``
attributes, which cannot be allowed by hash. Images may also be ``data:`` URIs (the
theme's stylesheet draws a few small icons that way); ``data:`` is not a host.

Inline event-handler attributes cannot be allowed by hash either, so the one the theme
writes (``onclick="window.print()"`` on its "Print to PDF" button) is replaced by a
``data-sovbook-print`` attribute that ``static/sovbook-reader.js`` handles.
"""

from __future__ import annotations

import base64
import hashlib
import re

META_RE = re.compile(r'\s*<meta http-equiv="Content-Security-Policy" content="[^"]*"\s*/?>')
_SCRIPT_RE = re.compile(
    r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE
)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
#: inline event handlers, as attributes of any tag
HANDLER_RE = re.compile(r"""<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=\s*("[^"]*"|'[^']*')""")
_PRINT_HANDLER = re.compile(r"""\sonclick=(["'])window\.print\(\)\1""")


def _type_of(attrs: str) -> str:
    found = re.search(r"""\btype\s*=\s*["']?([^"'\s>]*)""", attrs, re.IGNORECASE)
    return found.group(1).lower() if found else ""


def inline_scripts(page: str) -> list[str]:
    """The bodies of the page's inline scripts that a browser would run."""
    return [
        m["body"]
        for m in _SCRIPT_RE.finditer(page)
        if not re.search(r"\ssrc\s*=", m["attrs"], re.IGNORECASE)
        and _type_of(m["attrs"]) in _JS_TYPES
    ]


def script_hash(body: str) -> str:
    return (
        "'sha256-"
        + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        + "'"
    )


def policy(page: str) -> str:
    """The page's policy: its own origin, plus the hash of each inline script it holds."""
    hashes = sorted({script_hash(body) for body in inline_scripts(page)})
    script_src = " ".join(["'self'", *hashes])
    return (
        "default-src 'self'; "
        f"script-src {script_src}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "object-src 'none'; "
        "base-uri 'self'; "
        "form-action 'self'"
    )


def without_inline_handlers(page: str) -> str:
    """The theme's print button without its ``onclick`` (handled by sovbook-reader.js)."""
    return _PRINT_HANDLER.sub(" data-sovbook-print", page)


def inline_handlers(page: str) -> list[str]:
    """Inline event-handler attributes left in a page (a policy without 'unsafe-inline' blocks
    them)."""
    return [m.group(0)[:120] for m in HANDLER_RE.finditer(page)]


def with_policy(page: str) -> str:
    """``page`` with its policy as the first thing after ``<meta charset>`` (replacing an
    earlier one)."""
    page = META_RE.sub("", page)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(page)}" />'
    charset = re.search(r"<meta charset=[^>]*>", page, re.IGNORECASE)
    if charset:
        return page[: charset.end()] + "\n    " + meta + page[charset.end() :]
    head = re.search(r"<head[^>]*>", page, re.IGNORECASE)
    if not head:
        raise ValueError("page without <head>")
    return page[: head.end()] + "\n    " + meta + page[head.end() :]
