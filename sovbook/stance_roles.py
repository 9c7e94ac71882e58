"""The ``{stance}`` and ``{coding}`` roles: a row's stance, read from the data when the book is
built, so that no sentence of the prose types a stance or says what the coders did.

``{stance}`surplus-ration-1``` renders the row's final stance ("contradicts").
``{coding}`surplus-ration-1``` renders how it was reached, from ``data/codings.csv`` and
``data/adjudications.csv``: "both coders coded it contradicts", or "the editors coded it
supports and the second coder complicates; the independent adjudicator chose complicates".

An unknown row id is an error, so the strict build stops on a reference to nothing.
``tests/test_prose.py`` refuses a sentence about what the coders did that carries neither role
nor a glued value.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from .passages import build_evidence

#: The rows of the build's evidence (id of the Evidence -> row_id -> row), made once per build.
_ROWS: dict[int, dict[str, dict]] = {}


def _rows(env) -> dict[str, dict]:
    """row_id -> the row of :func:`sovbook.concordance.rows`, for the evidence of this build."""
    from . import concordance

    ev = build_evidence(env)
    if id(ev) not in _ROWS:
        _ROWS.clear()
        _ROWS[id(ev)] = {r["row_id"]: r for r in concordance.rows(ev).to_dict("records")}
    return _ROWS[id(ev)]


def _forget(app: Sphinx, *args) -> None:
    _ROWS.clear()


def _label(env, stance: str) -> str:
    from . import concordance

    return concordance.vocabulary_label(build_evidence(env), "stances", stance)


def coding_text(env, row: dict) -> str:
    """How the row's final stance was reached, in words."""
    from . import concordance

    ev = build_evidence(env)
    first, second = concordance.coders(ev)
    a, b = row[f"stance_{first}"], row[f"stance_{second}"]
    if a == b:
        return f"both coders coded it {_label(env, a)}"
    coders = ev["coders"].set_index("coder_id")
    adjudicator = ev["adjudications"].set_index("row_id").loc[row["row_id"], "coder_id"]
    return (
        f"{coders.loc[first, 'label']} coded it {_label(env, a)} and "
        f"{coders.loc[second, 'label']} {_label(env, b)}; {coders.loc[adjudicator, 'label']} "
        f"chose {_label(env, row['stance'])}"
    )


def _role(render):
    def role(name, rawtext, text, lineno, inliner, options=None, content=None):
        row_id = text.strip()
        env = inliner.document.settings.env
        rows = _rows(env)
        if row_id not in rows:
            message = inliner.reporter.error(
                f"{{{name}}} refers to {row_id!r}, which is no row of data/concordance.csv",
                line=lineno,
            )
            return [inliner.problematic(rawtext, rawtext, message)], [message]
        node = nodes.inline(rawtext, render(env, rows[row_id]), classes=[f"sovbook-{name}"])
        return [node], []

    return role


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_role("stance", _role(lambda env, row: _label(env, row["stance"])))
    app.add_role("coding", _role(coding_text))
    app.connect("builder-inited", _forget)
    app.connect("build-finished", _forget)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
