"""How the README's test command shares its work between cores (pytest-xdist, ``--dist
loadgroup``): each test is a unit of work of its own, except what must run in one process, which
is marked as one group here (at the root, so that it holds for the notebooks in ``book/`` as for
the tests in ``tests/``, whichever paths a run names):

- a notebook's cells, which nbval runs in order in one kernel;
- the tests of a module that rest on the same module-scoped fixture (a page visit of every page,
  the PDF, a probe book), which would otherwise be set up once per worker.

The tests' fixtures are in ``tests/conftest.py``.
"""

from __future__ import annotations

import pytest


def _together(item) -> str | None:
    """The group an item must run in, if any: a notebook's path for its cells; for a test, its
    module and the module-scoped fixtures it rests on (those that need no other one)."""
    path = item.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        return path
    info = getattr(item, "_fixtureinfo", None)
    shared = {
        name: defs[-1]
        for name, defs in (info.name2fixturedefs.items() if info else ())
        if defs and defs[-1].scope in ("module", "package")
    }
    roots = sorted(n for n, d in shared.items() if not set(d.argnames) & shared.keys())
    return f"{path}:{'+'.join(roots)}" if roots else None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist turns the marks into work units
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = _together(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
