"""One thing wrong with the evidence (:class:`Problem`), said so an author can fix it: file,
row, key, field and what is wrong. Its own module so that the checks of other modules
(:mod:`sovbook.coverage`) can report problems without importing :mod:`sovbook.evidence`."""

from __future__ import annotations

from dataclasses import dataclass


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
