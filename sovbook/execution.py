"""Executing the book's notebooks: in place, storing their outputs (``sovbook execute``), and
side by side into the build's execution cache before Sphinx reads them (the Sphinx extension)."""

from __future__ import annotations

from pathlib import Path

from . import project


def execute_notebook(path: Path, timeout: int = 300) -> None:
    """Execute one notebook in place, in its own folder, without timing metadata or the
    interpreter's version."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    drop_interpreter_details(nb)
    nbformat.write(nb, path)


def drop_interpreter_details(nb) -> None:
    """Remove what the kernel records about the interpreter that differs from one supported
    Python to another (``language_info.version``, the patch release), so that a notebook
    executed on 3.11.2, 3.12 or 3.13 is stored byte for byte the same."""
    nb.metadata.get("language_info", {}).pop("version", None)


def execute_ahead(root: Path, config, log=print) -> list[str]:
    """Execute, side by side, the notebooks the execution cache does not hold yet.

    myst-nb (``execute_notebooks: cache``) executes each notebook while Sphinx reads it, one
    after another, and the build process only waits on the kernel meanwhile. Here, once the
    data has validated, the book's notebooks that have no cached result are executed in a
    process pool, one kernel per core, by jupyter-cache's own execution worker (the one its
    ``local-parallel`` executor uses) into the same cache; myst-nb then finds every result
    cached. Nothing else changes: the cache keys on the notebook's code and on the inputs'
    hash (:func:`sovbook.project.inputs_hash`), so no result is ever stale. A notebook that
    fails here is simply not cached: myst-nb executes it again while reading and reports the
    error as usual, failing the build. ``config`` is the Sphinx configuration (myst-nb's
    ``nb_execution_*`` settings), ``log`` where to say how many notebooks run. Returns the
    notebooks that had no cached result (a single one is left to myst-nb: there is nothing to
    run beside it)."""
    if config.nb_execution_mode != "cache":
        return []
    import hashlib
    import multiprocessing
    import os
    from pathlib import PurePosixPath

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.executors.basic import (
        ExecutionWorkerLocalMProc,
        ExecutionWorkerTempMProc,
        ProcessData,
    )

    excluded = config.nb_execution_excludepatterns or ()
    candidates = [
        path
        for path in project.notebooks(root)
        if not any(PurePosixPath(path.as_posix()).match(p) for p in excluded)
    ]
    # A note of the notebook files last found cached, so an unchanged book skips reading them
    # into jupyter-cache. It only saves time: myst-nb matches every notebook against the cache.
    note = Path(config.nb_execution_cache_path) / "executed-ahead"
    fingerprint = "".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()} {p.relative_to(root).as_posix()}\n"
        for p in candidates
    )
    if note.is_file() and note.read_text(encoding="utf-8") == fingerprint:
        return []
    cache = get_cache(config.nb_execution_cache_path)
    pending = []
    for path in candidates:
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            pending.append(path)
    if not pending:
        note.write_text(fingerprint, encoding="utf-8")
    if len(pending) < 2:  # nothing to run side by side: myst-nb executes it while reading
        return [str(p) for p in pending]
    records = [cache.add_nb_to_project(str(path)) for path in pending]
    in_temp = config.nb_execution_in_temp
    worker = ExecutionWorkerTempMProc() if in_temp else ExecutionWorkerLocalMProc()
    jobs = [
        ProcessData(
            r.pk, r.uri, cache, config.nb_execution_timeout, config.nb_execution_allow_errors
        )
        for r in records
    ]
    processes = min(len(jobs), os.cpu_count() or 1)
    log(f"sovbook: executing {len(jobs)} notebooks, {processes} at a time")
    with multiprocessing.Pool(processes=processes) as pool:
        pool.map(worker, jobs, chunksize=1)
    return [str(p) for p in pending]
