"""The package as others install it: a wheel built from the tracked sources holds every file of
``sovbook/`` (an editable install would hide a missing one)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from tests.helpers import ROOT


def _tracked(*paths: str) -> list[str]:
    result = subprocess.run(
        ["git", "ls-files", "-z", "--", *paths], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"the tests need the git checkout: {result.stderr}"
    return [name for name in result.stdout.split("\0") if name]


def test_the_wheel_holds_every_file_of_the_package(tmp_path):
    package = _tracked("sovbook")
    assert "sovbook/templates/layout.html" in package and len(package) > 20
    source = tmp_path / "source"
    for name in [*package, "pyproject.toml"]:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    # the build backend pinned in pyproject.toml is in the locked environment: no download
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("sovbook-*.whl")
    in_wheel = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("sovbook/")}
    assert sorted(set(package) - in_wheel) == [], "tracked files the wheel lacks"
    assert sorted(in_wheel - set(package)) == [], "files in the wheel that are not tracked"
