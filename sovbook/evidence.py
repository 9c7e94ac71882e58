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
3. what a schema cannot say: the named rules in :data:`RULES`, each a small
   function whose docstring says what it checks (ranges, id lists, the
   bibliography, quotations found verbatim with the nearest passage when they are
   not, quotation roles and testimony modes, comparisons and verdicts, claims
   and their evidence, the two codings and their adjudications, the protocol's
   rules on the final stance, themes and their chapters, coverage).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from . import locate as locate_mod
from . import project
from . import sources as sources_mod
from .problem import Problem

DATAPACKAGE = "datapackage.json"
BIBLIOGRAPHY = project.BIBLIOGRAPHY

#: Columns that hold a quote id, and the role (sources.csv ``role``) the quote's source must have.
QUOTE_ROLES: dict[tuple[str, str], str] = {}
#: Columns that hold a quote id from one named seed.
QUOTE_SOURCES: dict[tuple[str, str], str] = {
    ("categories", "ciliga_quote_id"): "ciliga",
    ("categories", "el_emary_quote_id"): "el-emary",
}


class EvidenceError(ValueError):
    """The evidence does not validate. ``problems`` lists what is wrong."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = [f"{len(self.problems)} problem(s) in the book's evidence:"] + [
            f"  - {p}" for p in self.problems
        ]
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
            raise KeyError(
                f"no table {name!r} in data/{DATAPACKAGE}; tables: {sorted(self.tables)}"
            ) from None

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
        """'Author, short title (year), locator' for a quote: the citation shown under it and in
        hover text. A text whose year would claim more than is known (the excerpt, probably from
        the book of 1938) is dated as ``data/sources.csv`` says in ``dated``."""
        row = self.quote(quote_id)
        src = self.source_row(row["source_id"])
        dated = src.get("dated") or None
        when = f", {dated}," if dated else f" ({src['year']}),"
        return f"{src['author']}, {src['title']}{when} {self.locators[quote_id].label}"


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
            field = getattr(error, "field_name", None)
            if error.type == "foreign-key":
                names = list(getattr(error, "field_names", None) or [])
                values = [v for v in (getattr(error, "field_cells", None) or []) if v is not None]
                target = getattr(error, "reference_name", "") or ""
                target_fields = list(getattr(error, "reference_field_names", None) or [])
                field = ", ".join(names) or None
                message = (
                    f"unknown {field} {', '.join(map(repr, values))}: not a "
                    f"{', '.join(target_fields)} of data/{target}.csv"
                )
            elif error.type == "missing-cell":
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
                    field=field,
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


@dataclass
class Context:
    """What every rule of the semantic check can read."""

    root: Path
    tables: dict[str, pd.DataFrame]
    schemas: dict[str, dict]
    seeds: dict[str, sources_mod.Source]
    locators: dict[str, locate_mod.Locator] = field(default_factory=dict)

    def rows(self, name: str):
        """(row number, key, row) for each row of a table; row 1 is the first under the header."""
        table = self.tables[name]
        pk = _primary_key(self.schemas[name])
        for index, row in enumerate(table.to_dict("records"), start=1):
            yield index, (f"{pk}={row[pk]}" if pk else None), row

    def has(self, *names: str) -> bool:
        return all(n in self.tables for n in names)

    def quote_source(self, quote_id) -> str | None:
        quotes = self.tables["quotes"]
        match = quotes.loc[quotes["quote_id"] == quote_id, "source_id"]
        return None if match.empty else match.iloc[0]

    def role(self, source_id) -> str | None:
        sources = self.tables["sources"]
        match = sources.loc[sources["source_id"] == source_id, "role"]
        return None if match.empty else match.iloc[0]


RULES: list = []


def rule(func):
    """Register a semantic rule: ``func(context)`` yields :class:`Problem` objects."""
    RULES.append(func)
    return func


@rule
def low_not_above_high(ctx: Context):
    """A range's low bound is not above its high bound; a figure gives a value or a range, not
    both."""
    for name, table in ctx.tables.items():
        if not {"low", "high"} <= set(table.columns):
            continue
        file = f"data/{name}.csv"
        for index, key, row in ctx.rows(name):
            low, high = row["low"], row["high"]
            if low is not None and high is not None and low > high:
                yield Problem(file, f"low ({low}) is greater than high ({high})", index, "low", key)
            if "value" in table.columns:
                value = row["value"]
                if value is None and low is None and high is None:
                    yield Problem(
                        file,
                        "no figure: give a value, or a low and/or high bound",
                        index,
                        "value",
                        key,
                    )
                if value is not None and (low is not None or high is not None):
                    yield Problem(
                        file,
                        "give either a value or a low/high range, not both",
                        index,
                        "value",
                        key,
                    )


@rule
def id_lists_resolve(ctx: Context):
    """Every id in a column ``<thing>_ids`` (';'-separated) is a row of table ``<thing>s``."""
    for name, table in ctx.tables.items():
        for column in table.columns:
            if not column.endswith("_ids"):
                continue
            target = column[: -len("_ids")] + "s"
            if target not in ctx.tables:
                yield Problem(
                    f"data/{name}.csv",
                    f"column {column!r} refers to no table {target!r}",
                    None,
                    column,
                )
                continue
            known = set(ctx.tables[target][_primary_key(ctx.schemas[target])])
            for index, key, row in ctx.rows(name):
                for item in (row[column] or "").split(";"):
                    item = item.strip()
                    if item and item not in known:
                        yield Problem(
                            f"data/{name}.csv",
                            f"unknown id {item!r}: not in data/{target}.csv",
                            index,
                            column,
                            key,
                        )


@rule
def sources_in_bibliography(ctx: Context):
    """Every source's bib_key is in the bibliography, and a seed's key agrees with
    seeds/sources.json."""
    bib = set(bibliography_keys(ctx.root))
    source_rows = {row["source_id"]: row for row in ctx.tables["sources"].to_dict("records")}
    for index, key, row in ctx.rows("sources"):
        if row["bib_key"] not in bib:
            yield Problem(
                "data/sources.csv",
                f"bib_key {row['bib_key']!r} is not in {BIBLIOGRAPHY.as_posix()}",
                index,
                "bib_key",
                key,
            )
    for seed in ctx.seeds.values():
        row = source_rows.get(seed.id)
        if row is None:
            yield Problem("seeds/sources.json", f"seed {seed.id!r} has no row in data/sources.csv")
        elif row["bib_key"] != seed.bib_key:
            yield Problem(
                "data/sources.csv",
                f"bib_key {row['bib_key']!r} differs from seeds/sources.json ({seed.bib_key!r})",
                None,
                "bib_key",
                f"source_id={seed.id}",
            )


@rule
def quotations_found(ctx: Context):
    """Every quotation is found verbatim in its own seed text (the locators are computed here)."""
    for index, key, row in ctx.rows("quotes"):
        source_id = row["source_id"]
        if source_id not in ctx.seeds:
            yield Problem(
                "data/quotes.csv",
                f"source {source_id!r} is not a seed text in seeds/sources.json, so "
                "nothing can verify the quote",
                index,
                "source_id",
                key,
            )
            continue
        try:
            ctx.locators[row["quote_id"]] = locate_mod.locate(source_id, row["text"], base=ctx.root)
        except (locate_mod.QuoteNotFound, ValueError) as exc:
            yield Problem("data/quotes.csv", str(exc), index, "text", key)


@rule
def quotations_in_their_role(ctx: Context):
    """A column that needs a quotation of a given role (or from a given seed) holds one."""
    checks = [(t, c, "role", v) for (t, c), v in QUOTE_ROLES.items()]
    checks += [(t, c, "source", v) for (t, c), v in QUOTE_SOURCES.items()]
    for table_name, column, kind, wanted in checks:
        if table_name not in ctx.tables or column not in ctx.tables[table_name].columns:
            continue
        for index, key, row in ctx.rows(table_name):
            source_id = ctx.quote_source(row[column])
            if row[column] is None or source_id is None:
                continue
            actual = ctx.role(source_id) if kind == "role" else source_id
            if actual != wanted:
                need = f"a source with role {wanted!r}" if kind == "role" else repr(wanted)
                yield Problem(
                    f"data/{table_name}.csv",
                    f"quote {row[column]!r} is from {source_id!r} ({actual}), but "
                    f"this column needs a quote from {need}",
                    index,
                    column,
                    key,
                )


@rule
def modes_fit_their_text(ctx: Context):
    """A quotation's testimony mode is one defined for its source's role (eyewitness or theory)."""
    if not ctx.has("testimony_modes"):
        return
    applies = dict(
        zip(
            ctx.tables["testimony_modes"]["mode_id"],
            ctx.tables["testimony_modes"]["applies_to"],
            strict=False,
        )
    )
    for index, key, row in ctx.rows("quotes"):
        role = ctx.role(row["source_id"])
        wanted = applies.get(row["mode"])
        if role in ("eyewitness", "theory") and wanted and wanted != role:
            yield Problem(
                "data/quotes.csv",
                f"mode {row['mode']!r} is a mode of {wanted} passages, but this quote is "
                f"from {row['source_id']!r} ({role})",
                index,
                "mode",
                key,
            )


@rule
def comparisons_in_one_unit(ctx: Context):
    """A figure is compared with a record of the same unit; a complement needs a percentage."""
    if not ctx.has("comparisons", "figures", "records"):
        return
    fig_units = dict(
        zip(ctx.tables["figures"]["figure_id"], ctx.tables["figures"]["unit"], strict=False)
    )
    rec_units = dict(
        zip(ctx.tables["records"]["record_id"], ctx.tables["records"]["unit"], strict=False)
    )
    for index, key, row in ctx.rows("comparisons"):
        fig_unit, rec_unit = fig_units.get(row["figure_id"]), rec_units.get(row["record_id"])
        if fig_unit != rec_unit:
            yield Problem(
                "data/comparisons.csv",
                f"figure unit {fig_unit!r} and record unit {rec_unit!r} differ",
                index,
                "record_id",
                key,
            )
        if row["record_as"] == "complement-of-share" and rec_unit != "percent":
            yield Problem(
                "data/comparisons.csv",
                "complement-of-share needs a percentage",
                index,
                "record_as",
                key,
            )


#: Relative tolerance within which a record is said to agree with a cited figure.
AGREEMENT_TOLERANCE = 0.05


def _compared_value(record: dict, record_as: str) -> list[float]:
    values = (
        [record["value"]]
        if record["value"] is not None
        else [v for v in (record["low"], record["high"]) if v is not None]
    )
    return [100 - v for v in values] if record_as == "complement-of-share" else values


def agrees(figure: dict, values: list[float]) -> bool:
    """Whether a record (one value, or its bounds) agrees with a cited figure within the
    tolerance."""
    low = figure["value"] if figure["value"] is not None else figure["low"]
    high = figure["value"] if figure["value"] is not None else figure["high"]
    low = low if low is not None else 0
    high = high if high is not None else math.inf
    if len(values) == 2:  # a record range agrees if it overlaps the cited figure
        return values[0] <= high * (1 + AGREEMENT_TOLERANCE) and values[1] >= low * (
            1 - AGREEMENT_TOLERANCE
        )
    return any(
        low * (1 - AGREEMENT_TOLERANCE) <= v <= high * (1 + AGREEMENT_TOLERANCE) for v in values
    )


@rule
def verdicts_rest_on_a_record(ctx: Context):
    """A verdict names the record it rests on (none for 'not checked here' or 'unverifiable'),
    that record is among the figure's records, and the ledger's comparisons agree with the verdict:
    no comparable record agrees with a figure said to differ, and a consistent figure has one that
    does."""
    if not ctx.has("figures", "records", "verdicts"):
        return
    records = {r["record_id"]: r for r in ctx.tables["records"].to_dict("records")}
    comparisons = ctx.tables.get("comparisons")
    for index, key, row in ctx.rows("figures"):
        verdict, basis = row["check_status"], row.get("basis_record_id")
        listed = [r for r in (row["record_ids"] or "").split(";") if r]
        if verdict in ("not-checked", "unverifiable"):
            if basis:
                yield Problem(
                    "data/figures.csv",
                    f"a figure {verdict!r} rests on no record, but basis_record_id is {basis!r}",
                    index,
                    "basis_record_id",
                    key,
                )
            continue
        if not basis:
            yield Problem(
                "data/figures.csv",
                f"verdict {verdict!r} must name the record it rests on",
                index,
                "basis_record_id",
                key,
            )
            continue
        if basis not in listed:
            yield Problem(
                "data/figures.csv",
                f"basis record {basis!r} is not among the figure's record_ids",
                index,
                "basis_record_id",
                key,
            )
        if comparisons is None:
            continue
        mine = comparisons[comparisons["figure_id"] == row["figure_id"]]
        comparable = [
            (records[c["record_id"]], c["record_as"])
            for c in mine.to_dict("records")
            if c["comparable"] == "yes" and c["record_id"] in records
        ]
        agreeing = [r["record_id"] for r, how in comparable if agrees(row, _compared_value(r, how))]
        if verdict == "differs" and agreeing:
            yield Problem(
                "data/figures.csv",
                f"verdict 'differs', but the comparable record(s) {agreeing} agree with the "
                "figure: the ledger chart would draw a difference on the line of agreement",
                index,
                "check_status",
                key,
            )
        if verdict in ("consistent", "in-line") and comparable and not agreeing:
            yield Problem(
                "data/figures.csv",
                f"verdict {verdict!r}, but no comparable record agrees with the figure",
                index,
                "check_status",
                key,
            )


@rule
def claims_and_evidence_from_the_two_texts(ctx: Context):
    """A claim is stated by a passage of one seed text; its rows cite passages of another seed
    text, in a mode that can be evidence (never a translator's note)."""
    if not ctx.has("claims", "concordance", "testimony_modes"):
        return
    can = dict(
        zip(
            ctx.tables["testimony_modes"]["mode_id"],
            ctx.tables["testimony_modes"]["can_be_evidence"],
            strict=False,
        )
    )
    modes = dict(zip(ctx.tables["quotes"]["quote_id"], ctx.tables["quotes"]["mode"], strict=False))
    claim_source = {}
    for index, key, row in ctx.rows("claims"):
        source_id = ctx.quote_source(row["quote_id"])
        claim_source[row["claim_id"]] = source_id
        if source_id is not None and source_id not in ctx.seeds:
            yield Problem(
                "data/claims.csv",
                f"quote {row['quote_id']!r} is not from a seed text",
                index,
                "quote_id",
                key,
            )
    for index, key, row in ctx.rows("concordance"):
        quote_id = row["evidence_quote_id"]
        if quote_id is None:
            continue
        source_id = ctx.quote_source(quote_id)
        if source_id == claim_source.get(row["claim_id"]):
            yield Problem(
                "data/concordance.csv",
                f"passage {quote_id!r} is from the same text as the claim; a row "
                "sets a claim against the other text",
                index,
                "evidence_quote_id",
                key,
            )
        elif source_id is not None and source_id not in ctx.seeds:
            yield Problem(
                "data/concordance.csv",
                f"passage {quote_id!r} is not from a seed text",
                index,
                "evidence_quote_id",
                key,
            )
        if can.get(modes.get(quote_id)) == "no":
            yield Problem(
                "data/concordance.csv",
                f"passage {quote_id!r} is a {modes[quote_id]!r} passage, which is never "
                "evidence of what the witness saw (book/protocol)",
                index,
                "evidence_quote_id",
                key,
            )


#: The roles of data/coders.csv that code every row; the adjudicator decides only disagreements.
CODING_ROLES = ("first coder", "second coder")
ADJUDICATOR_ROLE = "adjudicator"


def coding_coders(coders: pd.DataFrame) -> list[str]:
    """The ids of the coders who code every row, first coder first."""
    table = coders[coders["role"].isin(CODING_ROLES)].sort_values("role")
    return list(table["coder_id"])


@rule
def every_row_coded_by_every_coder(ctx: Context):
    """Every concordance row has one coding from each coder (first and second) in
    data/coders.csv."""
    if not ctx.has("concordance", "codings", "coders"):
        return
    coders = coding_coders(ctx.tables["coders"])
    codings = ctx.tables["codings"]
    done = set(zip(codings["row_id"], codings["coder_id"], strict=False))
    for index, key, row in ctx.rows("concordance"):
        missing = [c for c in coders if (row["row_id"], c) not in done]
        if missing:
            have = [c for c in coders if c not in missing]
            yield Problem(
                "data/concordance.csv",
                f"row has {len(have)} coding(s) ({', '.join(have) or 'none'}); missing "
                f"the coding of {', '.join(missing)} in data/codings.csv",
                index,
                "row_id",
                key,
            )


@rule
def disagreements_adjudicated(ctx: Context):
    """Every disagreement has an adjudication by a coder of role 'adjudicator' (never one of the
    two who coded it), and no agreement has one."""
    if not ctx.has("concordance", "codings", "coders", "adjudications"):
        return
    coders = coding_coders(ctx.tables["coders"])
    roles = dict(zip(ctx.tables["coders"]["coder_id"], ctx.tables["coders"]["role"], strict=False))
    codings = ctx.tables["codings"]
    adjudicated = set(ctx.tables["adjudications"]["row_id"])
    agreed = {}
    for row_id in ctx.tables["concordance"]["row_id"]:
        given = codings[codings["row_id"] == row_id].set_index("coder_id")["stance"]
        if all(c in given.index for c in coders):
            agreed[row_id] = given.nunique() == 1
    index_of = {r: i for i, _, row in ctx.rows("concordance") for r in [row["row_id"]]}
    for row_id, same in agreed.items():
        if not same and row_id not in adjudicated:
            stances = codings[codings["row_id"] == row_id].set_index("coder_id")["stance"].to_dict()
            yield Problem(
                "data/concordance.csv",
                f"the coders disagree ({stances}) and data/adjudications.csv has no "
                "adjudication for the row",
                index_of.get(row_id),
                "row_id",
                f"row_id={row_id}",
            )
    for index, key, row in ctx.rows("adjudications"):
        if roles.get(row.get("coder_id")) != ADJUDICATOR_ROLE:
            yield Problem(
                "data/adjudications.csv",
                f"adjudicated by {row.get('coder_id')!r}, whose role is "
                f"{roles.get(row.get('coder_id'))!r}: a disagreement is adjudicated by a coder "
                f"of role {ADJUDICATOR_ROLE!r}, never by one of the two who coded the row",
                index,
                "coder_id",
                key,
            )
        if agreed.get(row["row_id"]):
            yield Problem(
                "data/adjudications.csv",
                "the coders agree on this row, so it may not be adjudicated",
                index,
                "row_id",
                key,
            )


# --------------------------------------------------------------------------- the protocol


def periods_overlap(table: pd.DataFrame, a: str, b: str) -> bool:
    """Whether two periods of ``data/periods.csv`` share a year ("general" overlaps every
    period)."""
    rows = table.set_index("period_id")

    def bounds(pid):
        row = rows.loc[pid]
        lo = -math.inf if row["from_year"] is None else row["from_year"]
        hi = math.inf if row["until_year"] is None else row["until_year"]
        return lo, hi

    (a0, a1), (b0, b1) = bounds(a), bounds(b)
    return a0 < b1 and b0 < a1


def final_stances(
    tables: dict[str, pd.DataFrame], coder_ids: Iterable[str]
) -> dict[str, str | None]:
    """row_id -> the stance the book uses: the coders' common stance, else the adjudicated one
    (``None`` where neither exists; the evidence check refuses that)."""
    codings = tables["codings"]
    adjudicated = dict(
        zip(tables["adjudications"]["row_id"], tables["adjudications"]["stance"], strict=False)
    )
    out: dict[str, str | None] = {}
    for row_id in tables["concordance"]["row_id"]:
        given = codings[codings["row_id"] == row_id].set_index("coder_id")["stance"]
        values = {given.get(c) for c in coder_ids}
        out[row_id] = (
            values.pop() if len(values) == 1 and None not in values else adjudicated.get(row_id)
        )
    return out


@rule
def final_stances_keep_the_protocol(ctx: Context):
    """The stance the book uses keeps the protocol: a row without a passage is silent, and a
    passage can support or contradict a claim only if their periods overlap."""
    if not ctx.has("concordance", "codings", "coders", "adjudications", "periods", "claims"):
        return
    final = final_stances(ctx.tables, coding_coders(ctx.tables["coders"]))
    claim_period = dict(
        zip(ctx.tables["claims"]["claim_id"], ctx.tables["claims"]["period"], strict=False)
    )
    quote_period = dict(
        zip(ctx.tables["quotes"]["quote_id"], ctx.tables["quotes"]["period"], strict=False)
    )
    for index, key, row in ctx.rows("concordance"):
        stance = final.get(row["row_id"])
        if stance is None:
            continue
        if row["evidence_quote_id"] is None and stance != "silent":
            yield Problem(
                "data/concordance.csv",
                f"a row without a passage can only be 'silent', but its stance is "
                f"{stance!r}: add the passage the stance rests on",
                index,
                "evidence_quote_id",
                key,
            )
        if stance in ("supports", "contradicts") and row["evidence_quote_id"] is not None:
            a, b = claim_period.get(row["claim_id"]), quote_period.get(row["evidence_quote_id"])
            if a and b and not periods_overlap(ctx.tables["periods"], a, b):
                yield Problem(
                    "data/concordance.csv",
                    f"stance {stance!r} for a passage of period {b!r} against a claim of "
                    f"period {a!r}: periods that do not overlap allow only 'not-comparable' or "
                    "'silent'",
                    index,
                    "evidence_quote_id",
                    key,
                )


#: Stances that cannot stand on the two directions of one pair of passages without a recorded
#: reason: one direction finds that the passages agree and the other that they clash, or one
#: finds that they bear on each other and the other that they do not.
INCOMPATIBLE_DIRECTIONS = (
    frozenset({"supports", "contradicts"}),
    frozenset({"supports", "silent"}),
    frozenset({"contradicts", "silent"}),
    frozenset({"complicates", "silent"}),
)


@rule
def both_directions_agree(ctx: Context):
    """The same two passages paired in both directions (a claim of one text against a passage of
    the other, and a claim stated by that passage against the first claim's passage) carry
    compatible final stances, or data/direction_notes.csv records why they differ."""
    if not ctx.has("concordance", "codings", "coders", "adjudications", "claims"):
        return
    final = final_stances(ctx.tables, coding_coders(ctx.tables["coders"]))
    stated = dict(
        zip(ctx.tables["claims"]["claim_id"], ctx.tables["claims"]["quote_id"], strict=False)
    )
    noted = set()
    if ctx.has("direction_notes"):
        notes = ctx.tables["direction_notes"]
        noted = {frozenset(p) for p in zip(notes["row_id"], notes["other_row_id"], strict=False)}
    by_pair = {}
    for index, key, row in ctx.rows("concordance"):
        passage = row["evidence_quote_id"]
        if passage is not None:
            by_pair[(stated.get(row["claim_id"]), passage)] = (index, key, row["row_id"])
    for (claim_passage, passage), (index, key, row_id) in by_pair.items():
        other = by_pair.get((passage, claim_passage))
        if other is None or other[2] < row_id:
            continue
        pair = frozenset({final.get(row_id), final.get(other[2])})
        if pair in INCOMPATIBLE_DIRECTIONS and frozenset({row_id, other[2]}) not in noted:
            yield Problem(
                "data/concordance.csv",
                f"the same two passages are coded {final.get(row_id)!r} in this row and "
                f"{final.get(other[2])!r} in row {other[2]!r}, read the other way: the stances "
                "cannot both stand; recode one, or record why in data/direction_notes.csv",
                index,
                "row_id",
                key,
            )


@rule
def themes_have_chapters(ctx: Context):
    """Every theme names a chapter of the book: a page in ``book/`` (a notebook or a MyST page;
    checked where the book's pages are present; that the page is in _toc.yml is Sphinx's check)."""
    if not ctx.has("themes") or not (ctx.root / "_toc.yml").is_file():
        return
    for index, key, row in ctx.rows("themes"):
        page = ctx.root / row["chapter"]
        if not any(page.with_suffix(suffix).is_file() for suffix in (".ipynb", ".md")):
            yield Problem(
                "data/themes.csv",
                f"chapter {row['chapter']!r} is not a page of the book: no "
                f"{row['chapter']}.ipynb or {row['chapter']}.md",
                index,
                "chapter",
                key,
            )


@rule
def every_paragraph_engaged_or_explained(ctx: Context):
    """Every paragraph of the two texts is quoted or coded by the book, or named in
    data/coverage_gaps.csv with a reason; a paragraph the book engages is not also listed as left
    out."""
    if not ctx.has("coverage_gaps") or not (ctx.root / "_toc.yml").is_file():
        return  # evidence without the book's pages (a test copy): nothing to engage it
    from . import coverage

    yield from coverage.problems(ctx)


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
    context = Context(root, tables, schemas, seeds)
    for check_rule in RULES:
        problems += list(check_rule(context))
    evidence = Evidence(
        root=root,
        tables=tables,
        sources=seeds,
        locators=context.locators,
        bib_keys=frozenset(bibliography_keys(root)),
    )
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
