"""How the book starts headless Chromium (tests, benchmark, PDF): Debian's chromium, path
overridable with ``$SOVBOOK_CHROMIUM``, with the flags that keep it off the network."""

from __future__ import annotations

import os

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    return os.environ.get("SOVBOOK_CHROMIUM", "/usr/bin/chromium")


def launch(playwright):
    """A headless Chromium browser from a running ``sync_playwright()``."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
    )
