"""The supported-Python matrix: the README's two commands, in a fresh clone, once per Python.

Run ``nox`` (every session) or ``nox -s "python-3.12"`` (one). Each session clones the committed
tree into a temporary folder, puts the chosen interpreter first on ``PATH`` as ``python3`` and
runs the README's setup command, then its test command, exactly as written there (the same
commands ``.ci/run`` reads). An interpreter that is not installed is skipped with a message
naming what was looked for; nothing else is ever skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).parent
nox.options.default_venv_backend = "none"  # the README's setup command makes its own .venv
nox.options.error_on_missing_interpreters = False

#: Session name -> where to look for the interpreter: a path, or a command found on PATH or
#: under pyenv's versions (newest patch first). "python-3.11.2" is Debian 12's own python3.
PYTHONS = {
    "python-3.11.2": ["/usr/bin/python3.11"],
    "python-3.11": ["python3.11"],
    "python-3.12": ["python3.12"],
    "python-3.13": ["python3.13"],
}


def readme_command(marker: str) -> str:
    """The README's command under ``<!-- marker -->``, as .ci/run reads it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(f"<!-- {marker} -->", 1)[1]
    return re.search(r"```bash\n(.*?)\n```", block, flags=re.S).group(1)


def _runs(path: str) -> bool:
    try:
        subprocess.run([path, "-c", "pass"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def find_interpreter(candidates: list[str], want: str) -> str | None:
    """The first candidate that runs: a path as given, a command on PATH (pyenv's shims refuse
    a version that is not active, so they are tried, not trusted), then pyenv's versions."""
    for name in candidates:
        if os.sep in name:
            if _runs(name) and want in _version(name):
                return name
            continue
        found = shutil.which(name)
        if found and _runs(found):
            return found
        pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
        minor = name.removeprefix("python")
        for version in sorted(pyenv.glob(f"{minor}.*"), reverse=True):
            path = version / "bin" / name
            if _runs(str(path)):
                return str(path)
    return None


def _version(path: str) -> str:
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).strip()


def _readme_commands(session: nox.Session, name: str) -> None:
    want = name.removeprefix("python-")
    interpreter = find_interpreter(PYTHONS[name], want)
    if interpreter is None:
        session.skip(f"{name}: no interpreter found (looked for {', '.join(PYTHONS[name])})")
    session.log(f"{name}: {interpreter} ({_version(interpreter)})")
    with tempfile.TemporaryDirectory(prefix=f"sovbook-{name}-") as tmp:
        clone = Path(tmp) / "book"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        bin_dir = Path(tmp) / "bin"
        bin_dir.mkdir()
        (bin_dir / "python3").symlink_to(interpreter)
        env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        with session.chdir(clone):
            for marker in ("setup-command", "test-command"):
                session.run("bash", "-c", readme_command(marker), env=env, external=True)


for _name in PYTHONS:

    def _session(session: nox.Session, _name: str = _name) -> None:
        _readme_commands(session, _name)

    _session.__doc__ = f"The README's two commands in a fresh clone, with {_name} as python3."
    nox.session(name=_name, python=False)(_session)
