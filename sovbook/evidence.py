"""The one loader of the book's evidence: ``data/`` (a Frictionless data package),
``seeds/`` and ``book/references.bib``.

:func:`load` validates everything and returns an :class:`Evidence` with one
pandas table per resource and a computed :class:`~sovbook.locate.Locator` for
every quotation. Anything wrong raises :class:`EvidenceError`, which lists
every :class:`Problem` with its file, row, field and what is wrong. Nothing is
dropped or coerced silently: a cell that does not fit its schema is an error.

Checks, in order:

1. each seed text matches the sha256 pinned in ``seeds/sources.json``;
2. the data package validates with Frictionless (types, constraints, primary
   and foreign keys, missing or extra cells);
3. what a schema cannot say: ``low`` <= ``high``; a figure gives a value or a
   bound, not both; every id in a ``…_ids`` list exists; every quotation is
   found verbatim in its own source (with the nearest passage when it is not);
   quotations play the role their column says (a witness column holds an
   eyewitness quote); every source's ``bib_key`` is in the bibliography and a
   seed's key agrees with ``seeds/sources.json``; a ``silent`` stance has no
   witness quote and every other stance has one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from . import locate as locate_mod
from . import project, sources as sources_mod

DATAPACKAGE = "datapackage.json"
BIBLIOGRAPHY = Path("book") / "references.bib"

#: Columns that hold a quote id, and the role (sources.csv ``role``) the quote's source must have.
QUOTE_ROLES: dict[tuple[str, str], str] = {
    ("claims", "quote_id"): "theory",
    ("concordance", "witness_quote_id"): "eyewitness",
    ("mechanisms", "theory_quote_id"): "theory",
    ("mechanisms", "witness_quote_id"): "eyewitness",
}
#: Columns that hold a quote id from one named seed.
QUOTE_SOURCES: dict[tuple[str, str], str] = {
    ("categories", "ciliga_quote_id"): "ciliga",
    ("categories", "el_emary_quote_id"): "el-emary",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the evidence, said so an author can fix it."""

    file: str
    message: str
    row: int | None = None  # data row, 1 = first row under the header
    field: str | None = None
    key: str | None = None  # the row's primary key, when known

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row} (line {self.row + 1})"
            if self.key:
                where += f" [{self.key}]"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class EvidenceError(ValueError):
    """The evidence does not validate. ``problems`` lists what is wrong."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(s) in the book's evidence:"] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass
class Evidence:
    """The validated evidence of the book."""

    root: Path
    tables: dict[str, pd.DataFrame]
    sources: dict[str, sources_mod.Source]
    locators: dict[str, locate_mod.Locator] = field(default_factory=dict)
    bib_keys: frozenset[str] = frozenset()

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name].copy()
        except KeyError:
            raise KeyError(f"no table {name!r} in data/{DATAPACKAGE}; tables: {sorted(self.tables)}") from None

    def quote(self, quote_id: str) -> pd.Series:
        quotes = self.tables["quotes"].set_index("quote_id")
        try:
            return quotes.loc[quote_id]
        except KeyError:
            raise KeyError(f"no quote {quote_id!r} in data/quotes.csv") from None

    def locator(self, quote_id: str) -> locate_mod.Locator:
        return self.locators[quote_id]

    def source_row(self, source_id: str) -> pd.Series:
        return self.tables["sources"].set_index("source_id").loc[source_id]

    def citation(self, quote_id: str) -> str:
        """'Author, short title, locator' for a quote: the citation shown under it and in hover text."""
        row = self.quote(quote_id)
        src = self.source_row(row["source_id"])
        return f"{src['author']}, {src['title']} ({src['year']}), {self.locators[quote_id].label}"


# --------------------------------------------------------------------------- reading


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _frictionless_problems(package_path: Path, root: Path) -> list[Problem]:
    import frictionless

    report = frictionless.validate(str(package_path))
    problems: list[Problem] = []
    rel = package_path.relative_to(root).as_posix()
    for error in report.errors:
        problems.append(Problem(rel, error.message))
    for task in report.tasks:
        file = f"data/{Path(task.place).name}" if task.place else rel
        for error in task.errors:
            row = getattr(error, "row_number", None)
            cells = getattr(error, "cells", None) or []
            cell = getattr(error, "cell", None)
            if error.type == "missing-cell":
                message = "missing cell: the row has fewer cells than the header (a truncated row?)"
            elif error.type == "extra-cell":
                message = f"extra cell {cell!r}: the row has more cells than the header"
            elif cell is not None:
                message = f"{error.type}: cell {cell!r}: {error.note}"
            else:
                message = f"{error.type}: {error.note}"
            problems.append(
                Problem(
                    file=file,
                    message=message,
                    row=row - 1 if row else None,
                    field=getattr(error, "field_name", None),
                    key=f"{cells[0]}" if cells else None,
                )
            )
    return problems


def _read_tables(package_path: Path) -> tuple[dict[str, pd.DataFrame], dict[str, dict]]:
    import frictionless

    package = frictionless.Package(str(package_path))
    tables: dict[str, pd.DataFrame] = {}
    schemas: dict[str, dict] = {}
    for resource in package.resources:
        with resource:
            names = resource.schema.field_names
            rows = [[_plain(row[name]) for name in names] for row in resource.row_stream]
        tables[resource.name] = pd.DataFrame(rows, columns=names, dtype=object)
        schemas[resource.name] = resource.schema.to_descriptor()
    return tables, schemas


def bibliography_keys(root: Path) -> list[str]:
    path = root / BIBLIOGRAPHY
    if not path.is_file():
        return []
    return re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", path.read_text(encoding="utf-8"), flags=re.M)


# --------------------------------------------------------------------------- checks


def _primary_key(schema: dict) -> str | None:
    pk = schema.get("primaryKey")
    if isinstance(pk, list):
        return pk[0] if len(pk) == 1 else None
    return pk


def _semantic_problems(
    root: Path, tables: dict[str, pd.DataFrame], schemas: dict[str, dict], seeds: dict[str, sources_mod.Source]
) -> tuple[list[Problem], dict[str, locate_mod.Locator]]:
    problems: list[Problem] = []

    def rows(name: str):
        table = tables[name]
        pk = _primary_key(schemas[name])
        for index, row in enumerate(table.to_dict("records"), start=1):
            key = f"{pk}={row[pk]}" if pk else None
            yield index, key, row

    # ranges and values
    for name, table in tables.items():
        columns = set(table.columns)
        file = f"data/{name}.csv"
        if {"low", "high"} <= columns:
            for index, key, row in rows(name):
                low, high = row["low"], row["high"]
                if low is not None and high is not None and low > high:
                    problems.append(Problem(file, f"low ({low}) is greater than high ({high})", index, "low", key))
                if "value" in columns:
                    value = row["value"]
                    if value is None and low is None and high is None:
                        problems.append(Problem(file, "no figure: give a value, or a low and/or high bound", index, "value", key))
                    if value is not None and (low is not None or high is not None):
                        problems.append(
                            Problem(file, "give either a value or a low/high range, not both", index, "value", key)
                        )

    # lists of ids: a column "<thing>_ids" holds ';'-separated ids of table "<thing>s"
    for name, table in tables.items():
        for column in table.columns:
            if not column.endswith("_ids"):
                continue
            target = column[: -len("_ids")] + "s"
            if target not in tables:
                problems.append(Problem(f"data/{name}.csv", f"column {column!r} refers to no table {target!r}", None, column))
                continue
            known = set(tables[target][_primary_key(schemas[target])])
            for index, key, row in rows(name):
                for item in (row[column] or "").split(";"):
                    item = item.strip()
                    if item and item not in known:
                        problems.append(
                            Problem(f"data/{name}.csv", f"unknown id {item!r}: not in data/{target}.csv", index, column, key)
                        )

    # sources and the bibliography
    bib = set(bibliography_keys(root))
    source_rows = {row["source_id"]: row for row in tables["sources"].to_dict("records")}
    for index, key, row in rows("sources"):
        if row["bib_key"] not in bib:
            problems.append(
                Problem("data/sources.csv", f"bib_key {row['bib_key']!r} is not in {BIBLIOGRAPHY.as_posix()}", index, "bib_key", key)
            )
    for seed in seeds.values():
        row = source_rows.get(seed.id)
        if row is None:
            problems.append(Problem("seeds/sources.json", f"seed {seed.id!r} has no row in data/sources.csv"))
        elif row["bib_key"] != seed.bib_key:
            problems.append(
                Problem("data/sources.csv", f"bib_key {row['bib_key']!r} differs from seeds/sources.json ({seed.bib_key!r})", None, "bib_key", f"source_id={seed.id}")
            )

    # quotations: each found verbatim in its own seed
    locators: dict[str, locate_mod.Locator] = {}
    quote_source: dict[str, str] = {}
    for index, key, row in rows("quotes"):
        source_id = row["source_id"]
        quote_source[row["quote_id"]] = source_id
        if source_id not in seeds:
            problems.append(
                Problem("data/quotes.csv", f"source {source_id!r} is not a seed text in seeds/sources.json, so nothing can verify the quote", index, "source_id", key)
            )
            continue
        try:
            locators[row["quote_id"]] = locate_mod.locate(source_id, row["text"], base=root)
        except (locate_mod.QuoteNotFound, ValueError) as exc:
            problems.append(Problem("data/quotes.csv", str(exc), index, "text", key))

    # quotes in the right role
    roles = {sid: r["role"] for sid, r in source_rows.items()}
    checks = [(t, c, "role", v) for (t, c), v in QUOTE_ROLES.items()] + [(t, c, "source", v) for (t, c), v in QUOTE_SOURCES.items()]
    for table_name, column, kind, wanted in checks:
        if table_name not in tables or column not in tables[table_name].columns:
            continue
        for index, key, row in rows(table_name):
            quote_id = row[column]
            if quote_id is None or quote_id not in quote_source:
                continue
            source_id = quote_source[quote_id]
            actual = roles.get(source_id) if kind == "role" else source_id
            if actual != wanted:
                problems.append(
                    Problem(f"data/{table_name}.csv", f"quote {quote_id!r} is from {source_id!r} ({actual}), but this column needs a quote from {'a source with role ' if kind == 'role' else ''}{wanted!r}", index, column, key)
                )

    # comparisons: a figure is drawn against a record of the same unit
    if {"comparisons", "figures", "records"} <= set(tables):
        units = {
            "figure_id": dict(zip(tables["figures"]["figure_id"], tables["figures"]["unit"])),
            "record_id": dict(zip(tables["records"]["record_id"], tables["records"]["unit"])),
        }
        for index, key, row in rows("comparisons"):
            fig_unit, rec_unit = units["figure_id"].get(row["figure_id"]), units["record_id"].get(row["record_id"])
            if fig_unit != rec_unit:
                problems.append(Problem("data/comparisons.csv", f"figure unit {fig_unit!r} and record unit {rec_unit!r} differ", index, "record_id", key))
            if row["record_as"] == "complement-of-share" and rec_unit != "percent":
                problems.append(Problem("data/comparisons.csv", "complement-of-share needs a percentage", index, "record_as", key))

    # stances
    if "concordance" in tables:
        for index, key, row in rows("concordance"):
            silent = row["stance"] == "silent"
            if silent and row["witness_quote_id"] is not None:
                problems.append(Problem("data/concordance.csv", "stance 'silent' cannot cite a witness passage", index, "witness_quote_id", key))
            if not silent and row["witness_quote_id"] is None:
                problems.append(Problem("data/concordance.csv", f"stance {row['stance']!r} needs the witness passage it rests on", index, "witness_quote_id", key))
    return problems, locators


# --------------------------------------------------------------------------- load

_CACHE: dict[tuple[str, str], Evidence] = {}


def _state(root: Path) -> str:
    return project.inputs_hash(root)


def check(base: Path | None = None) -> tuple[Evidence | None, list[Problem]]:
    """Validate the evidence; return it (when readable) and every problem found."""
    root = Path(base).resolve() if base else project.root()
    problems: list[Problem] = []
    try:
        seeds = sources_mod.load(root)
    except (ValueError, OSError) as exc:
        return None, [Problem("seeds/sources.json", str(exc))]
    for seed in seeds.values():
        try:
            seed.verify()
        except (ValueError, OSError) as exc:
            problems.append(Problem(f"seeds/{seed.file}", str(exc)))
    package_path = project.data_dir(root) / DATAPACKAGE
    problems += _frictionless_problems(package_path, root)
    if problems:
        return None, problems
    tables, schemas = _read_tables(package_path)
    semantic, locators = _semantic_problems(root, tables, schemas, seeds)
    problems += semantic
    evidence = Evidence(root=root, tables=tables, sources=seeds, locators=locators, bib_keys=frozenset(bibliography_keys(root)))
    return evidence, problems


def load(base: Path | None = None) -> Evidence:
    """The validated evidence; raises :class:`EvidenceError` listing every problem."""
    root = Path(base).resolve() if base else project.root()
    key = (str(root), _state(root))
    if key in _CACHE:
        return _CACHE[key]
    evidence, problems = check(root)
    if problems:
        raise EvidenceError(problems)
    assert evidence is not None
    _CACHE[key] = evidence
    return evidence
