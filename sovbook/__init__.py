"""Shared code of the book *Two Texts on Soviet Society*.

One home for each piece of logic. What the notebooks run: :mod:`sovbook.project` (the book's
files, its pages and the execution-cache key), :mod:`sovbook.sources` (the pinned seed texts),
:mod:`sovbook.schemes` (each text's locator scheme: pages, sections, paragraphs),
:mod:`sovbook.locate` (verbatim quotations in them), :mod:`sovbook.evidence` (loading and
validating the data package, with :mod:`sovbook.problem`), :mod:`sovbook.concordance` (the coded
claims: stances, agreement, kappa), :mod:`sovbook.coverage` (which paragraphs the book engages),
:mod:`sovbook.vocabulary` (word counts), :mod:`sovbook.charts` (drawing), :mod:`sovbook.render`
(quotations and tables), :mod:`sovbook.imports` (the package's import graph).
What builds and checks the book: :mod:`sovbook.sphinx` (the Sphinx extension, with
:mod:`sovbook.plotly_renderer`, :mod:`sovbook.pages`, :mod:`sovbook.downloads` and the
``{passage}`` role of :mod:`sovbook.passages`), :mod:`sovbook.execution` (executing notebooks),
:mod:`sovbook.plotlyjs` (which plotly.js a page loads), :mod:`sovbook.pdf` (the PDF edition),
:mod:`sovbook.browser` (headless Chromium) and :mod:`sovbook.cli` (the ``sovbook`` command).
"""
