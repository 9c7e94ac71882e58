"""The environment is the locked one: ``requirements.lock`` (generated from ``requirements.txt``
by uv, every distribution pinned with its sha256 hashes) holds every distribution installed in
the running environment at the installed version, besides the book's own package."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import metadata

import pytest

from tests.helpers import ROOT

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(text: str) -> dict[str, set[str]]:
    """Each distribution of a hashed lock and its version(s) (a universal lock may pin one per
    platform or Python release); raises unless every pin carries a sha256 hash."""
    pins: dict[str, set[str]] = {}
    entries = re.split(r"\n(?=\S)", text)
    for entry in entries:
        found = _PIN.match(entry)
        if found:
            assert "--hash=sha256:" in entry, f"requirements.lock: no hash for {found.group(0)}"
            pins.setdefault(_name(found.group(1)), set()).add(found.group(2))
    return pins


def unlocked(installed: dict[str, str], pins: dict[str, set[str]]) -> list[str]:
    """The installed distributions (name -> version) that the lock does not hold at that version."""
    return sorted(
        f"{name} {version} (locked: {', '.join(sorted(pins.get(name, ()))) or 'no'})"
        for name, version in installed.items()
        if version not in pins.get(name, set())
    )


def _installed() -> dict[str, metadata.Distribution]:
    return {_name(d.metadata["Name"]): d for d in metadata.distributions()}


def test_every_installed_distribution_is_locked_at_its_version():
    pins = locked((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    installed = _installed()
    installed.pop("sovbook")  # the book's own package: see the next test
    assert unlocked({n: d.version for n, d in installed.items()}, pins) == []
    assert len(installed) > 100


def test_the_books_own_package_is_this_checkout_installed_editable():
    own = _installed()["sovbook"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert own.version == project["version"]
    direct = json.loads(own.read_text("direct_url.json") or "{}")
    assert direct.get("dir_info", {}).get("editable") and direct["url"] == ROOT.as_uri()


def test_the_lock_holds_every_direct_pin():
    """The lock was refreshed after the last edit of requirements.txt."""
    pins = locked((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        found = _PIN.match(line.split("#")[0].strip())
        if found:
            name, version = _name(found.group(1)), found.group(2)
            assert pins.get(name) == {version}, f"requirements.lock has {name} {pins.get(name)}"


def test_the_lock_check_can_fail():
    pins = locked("pandas==3.1.1 \\\n    --hash=sha256:00\nnumpy==2.4.6 \\\n    --hash=sha256:11\n")
    assert pins == {"pandas": {"3.1.1"}, "numpy": {"2.4.6"}}
    assert unlocked({"pandas": "3.1.1", "numpy": "2.4.5", "left-pad": "1.0"}, pins) == [
        "left-pad 1.0 (locked: no)",
        "numpy 2.4.5 (locked: 2.4.6)",
    ]
    with pytest.raises(AssertionError, match="no hash for pandas==3.1.1"):
        locked("pandas==3.1.1\n")
