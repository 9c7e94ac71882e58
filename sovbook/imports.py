"""The ``sovbook`` package's import graph, read from the source (nothing is imported).

Which package modules each module imports (anywhere in it, function bodies included), which
modules a piece of code runs when it imports some (:func:`reached`), and the import cycles
(:func:`cycles`; the package has none, and a test keeps it so). The execution cache key
(:func:`sovbook.project.inputs_hash`) covers the modules the notebooks reach; the Sphinx
extension's environment version, the modules the extension reaches.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "sovbook"


def module_name(path: Path, package_dir: Path) -> str:
    """``sovbook/evidence.py`` -> ``sovbook.evidence``; ``sovbook/__init__.py`` -> ``sovbook``."""
    parts = [PACKAGE, *path.relative_to(package_dir).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(
    tree: ast.AST, module: str, modules: Iterable[str], is_package: bool = False
) -> set[str]:
    """The package modules that the code in ``tree`` imports anywhere (function bodies
    included). ``module`` names that code (a package if ``is_package``), to resolve relative
    imports; ``modules`` are the package's modules."""
    known = set(modules)
    here = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()

    def add(name: str) -> None:  # "sovbook.evidence.Evidence": its longest prefix that is a module
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in known:
                found.add(".".join(parts[:end]))
                return

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:  # "from . import evidence" imports a module
                add(f"{target}.{alias.name}")
            add(target)
    found.discard(module)
    return found


def module_paths(package_dir: Path) -> dict[str, Path]:
    """Each module of the package in ``package_dir`` and its file."""
    return {
        module_name(p, package_dir): p
        for p in sorted(package_dir.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Each module of the package in ``package_dir`` and the package modules it imports."""
    paths = module_paths(package_dir)
    return {
        name: imported(
            ast.parse(path.read_bytes(), str(path)), name, paths, path.name == "__init__.py"
        )
        for name, path in paths.items()
    }


def reached(graph: dict[str, set[str]], start: Iterable[str]) -> set[str]:
    """Every module that importing ``start`` runs: ``start``, the packages holding them
    (importing ``sovbook.x`` runs ``sovbook/__init__.py`` first) and everything these import,
    directly or not."""
    seen: set[str] = set()
    todo = [m for m in start if m in graph]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [
            ".".join(parts[:end]) for end in range(1, len(parts)) if ".".join(parts[:end]) in graph
        ]
        todo += graph[name]
    return seen


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles in ``graph``: each group of modules that import one another, directly
    or not (sorted), and each module that imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def notebook_code(path: Path) -> str:
    """The Python code of a notebook's code cells (IPython magics and shell lines left out)."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    lines = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        lines += [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        lines.append("")
    return "\n".join(lines)


def notebook_imports(path: Path, modules: Iterable[str]) -> set[str] | None:
    """The package ``modules`` that a notebook's code cells import (``None`` if the code
    cannot be parsed: then any of them may run)."""
    try:
        tree = ast.parse(notebook_code(path), str(path))
    except SyntaxError:
        return None
    return imported(tree, "__notebook__", modules)


def code_hash(package_dir: Path, start: Iterable[str]) -> str:
    """A hash of the source of every module that importing ``start`` runs (:func:`reached`)."""
    paths = module_paths(package_dir)
    digest = hashlib.sha256()
    for name in sorted(reached(import_graph(package_dir), start)):
        digest.update(name.encode() + b"\0" + paths[name].read_bytes() + b"\0")
    return digest.hexdigest()
