"""Glued text reaches the page exactly as written (myst-nb reads glued text with literal_eval)."""
from __future__ import annotations

import pytest
from myst_nb.core.variables import format_plain_text

from sovbook import render


@pytest.mark.parametrize(
    "value, expected",
    [(render.number(2345), "2,345"), (render.number(1777043), "1,777,043"), (render.number(82, "%"), "82 %"),
     (render.number(17.9, "%"), "17.9 %"), (render.Plain("1926-10"), "1926-10"), (render.Plain("2, 3"), "2, 3")],
)
def test_glued_text_round_trips(value, expected):
    assert format_plain_text(repr(value), "") == expected


def test_bare_text_would_not_round_trip():
    """Why Plain quotes its text: the unquoted form is mangled."""
    assert format_plain_text("2,345", "") != "2,345"
