"""Shared code of the book *Two Texts on Soviet Society*.

One home for each piece of logic: :mod:`sovbook.project` finds the book,
:mod:`sovbook.sources` reads the pinned seed texts, :mod:`sovbook.locate`
finds verbatim quotations in them, :mod:`sovbook.evidence` loads and
validates the data package, :mod:`sovbook.charts` draws, :mod:`sovbook.render`
shows quotations and tables, :mod:`sovbook.sphinx` is the Sphinx extension.
"""
