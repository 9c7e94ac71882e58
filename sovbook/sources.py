"""The pinned source texts (``seeds/``) and their metadata (``seeds/sources.json``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import project


@dataclass(frozen=True)
class Source:
    """One seed text and what is known about it."""

    id: str
    file: str
    sha256: str
    author: str
    attribution: str
    title: str
    original_title: str
    original_year: int
    edition: str
    genre: str
    language: str
    translation_note: str
    locator: dict
    bib_key: str
    root: Path | None = None

    @property
    def scheme(self):
        """The locator scheme the ``locator`` entry describes (:mod:`sovbook.schemes`)."""
        return _scheme(self.id, json.dumps(self.locator, sort_keys=True))

    @property
    def locator_description(self) -> str:
        return self.locator.get("description", "")

    @property
    def path(self) -> Path:
        return project.seeds_dir(self.root) / self.file

    @property
    def text(self) -> str:
        return _read(self.path)

    def verify(self) -> None:
        """Raise if the file on disk is not the pinned text."""
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        if digest != self.sha256:
            raise ValueError(
                f"seeds/{self.file}: sha256 is {digest}, "
                f"but seeds/sources.json pins {self.sha256}; "
                "the seed texts must not be edited"
            )


@cache
def _scheme(source_id: str, config: str):
    from . import schemes

    return schemes.from_config(source_id, json.loads(config))


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load(base: Path | None = None) -> dict[str, Source]:
    """All seed sources, keyed by id, in the order of ``seeds/sources.json``."""
    base = base or project.root()
    meta_path = project.seeds_dir(base) / "sources.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    fields = set(Source.__dataclass_fields__) - {"id", "root"}
    out: dict[str, Source] = {}
    for source_id, entry in meta.items():
        unknown = set(entry) - fields
        if unknown:
            raise ValueError(
                f"seeds/sources.json: source {source_id!r} has unknown field(s) {sorted(unknown)}"
            )
        try:
            out[source_id] = Source(id=source_id, root=base, **entry)
        except TypeError as exc:
            raise ValueError(f"seeds/sources.json: source {source_id!r}: {exc}") from None
        out[source_id].scheme  # noqa: B018 - a malformed scheme is refused here, naming the source
    return out


def get(source_id: str, base: Path | None = None) -> Source:
    sources = load(base)
    try:
        return sources[source_id]
    except KeyError:
        raise KeyError(f"unknown seed source {source_id!r}; known: {sorted(sources)}") from None
