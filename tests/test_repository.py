"""The repository's own promises: pinned dependencies, the README's two commands,
CI running the README's test command, a valid GitHub workflow, pinned seeds."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

import pytest

from tests.helpers import ROOT


def test_every_direct_dependency_is_pinned():
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line or line == "-e .":
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][A-Za-z0-9.+\-]*", line), (
            f"not pinned with ==: {line}"
        )
    reqs = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^jupyter-book==1\.", reqs, re.M), "jupyter-book must stay 1.x"


def _readme_block(marker):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(rf"<!-- {marker} -->\s*```bash\n(.*?)\n```", text, re.S)
    assert m, f"README.md has no ```bash block after <!-- {marker} -->"
    return m.group(1).strip()


def test_readme_gives_the_two_commands():
    setup = _readme_block("setup-command")
    test = _readme_block("test-command")
    assert (
        "pip install -r requirements.txt" in setup
        and "jupyter-book build . -n -W --keep-going" in setup
    )
    assert "pytest" in test and "--nbval" in test and "--nbval-lax" not in test


def test_ci_runs_the_readme_test_command():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in run and 'eval "$test_cmd"' in run
    assert "apt-get install" in run and "chromium" in run and "requirements.txt" in run


def test_github_workflow_is_valid():
    workflow = ROOT / ".github" / "workflows" / "book.yml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(workflow),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = workflow.read_text(encoding="utf-8")
    assert ".ci/run" in text and "upload-pages-artifact" in text and "deploy-pages" in text


def test_a_broken_workflow_is_rejected(tmp_path):
    """The schema check above can fail: a workflow without jobs is refused."""
    bad = tmp_path / "bad.yml"
    bad.write_text("name: broken\non: push\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(bad),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0


def test_seed_texts_are_pinned():
    meta = json.loads((ROOT / "seeds" / "sources.json").read_text(encoding="utf-8"))
    assert len(meta) >= 2
    for entry in meta.values():
        digest = hashlib.sha256((ROOT / "seeds" / entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], f"seeds/{entry['file']} was edited"


def test_seeds_are_byte_identical_to_shared_when_available():
    """On the authors' machine the texts also sit in a shared folder next to the repository;
    there they must be the same bytes. Anywhere else (CI, a fork) the folder cannot exist, so
    the test is skipped, visibly (``-rs`` prints why): the sha256 pins checked above hold the
    texts everywhere, so nothing that could be checked there goes unchecked."""
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip(f"no shared seeds folder at {shared} (it exists only on the authors' machine)")
    ours = sorted(
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (ROOT / "seeds").glob("*")
        if p.suffix in {".txt", ".md"}
    )
    theirs = sorted(
        hashlib.sha256(p.read_bytes()).hexdigest() for p in shared.iterdir() if p.is_file()
    )
    assert ours == theirs
