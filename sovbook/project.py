"""Where the book's files are.

The root is the folder holding ``_config.yml`` and ``data/datapackage.json``.
It is found from ``$SOVBOOK_ROOT`` if set, else by walking up from the current
directory (notebooks run in ``book/``), else next to this package.
"""
from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path


def _is_root(path: Path) -> bool:
    return (path / "_config.yml").is_file() and (path / "data" / "datapackage.json").is_file()


def root() -> Path:
    env = os.environ.get("SOVBOOK_ROOT")
    if env:
        path = Path(env).resolve()
        if not _is_root(path):
            raise FileNotFoundError(f"SOVBOOK_ROOT={env} holds no _config.yml and data/datapackage.json")
        return path
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if _is_root(candidate):
            return candidate
    fallback = Path(__file__).resolve().parent.parent
    if _is_root(fallback):
        return fallback
    raise FileNotFoundError("cannot find the book root (a folder with _config.yml and data/datapackage.json)")


def seeds_dir(base: Path | None = None) -> Path:
    return (base or root()) / "seeds"


def data_dir(base: Path | None = None) -> Path:
    return (base or root()) / "data"


def input_files(root: Path) -> list[Path]:
    """Every file, besides a notebook's own code, that can change a notebook's outputs."""
    files: list[Path] = []
    for folder, pattern in (("data", "*"), ("seeds", "*"), ("sovbook", "*.py")):
        files += [
            p for p in sorted((root / folder).rglob(pattern))
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
        ]
    bibliography = root / "book" / "references.bib"  # checked against data/sources.csv
    if bibliography.is_file():
        files.append(bibliography)
    return files


def inputs_hash(root: Path) -> str:
    """A short hash of :func:`input_files` and of the libraries that shape outputs."""
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    for dist in ("pandas", "plotly", "numpy"):
        digest.update(f"{dist}=={metadata.version(dist)}\0".encode())
    from .coverage import usage_fingerprint  # which passages each page quotes: the coverage page reads it

    digest.update(usage_fingerprint(root).encode())
    return digest.hexdigest()[:16]
