"""Which plotly.js a page loads.

The book's charts are figures made by the installed plotly package, and they are drawn in
the browser by the plotly.js *release* that package ships (``plotly/package_data/plotly.min.js``).
That file holds every trace type plotly.js has: 4.8 MB, which alone takes about a second
to evaluate on a modest machine, longer than the book's budget for a chart to appear.

plotly.js is also published, release by release, as partial bundles built from the same
source. The *basic* bundle (traces ``bar``, ``pie`` and ``scatter``: every chart this book
draws) is a quarter of the size and evaluates in about a fifth of the time. It is vendored in
``sovbook/vendor/`` and pinned in ``plotly-basic.json`` by sha256 and by the npm registry's
integrity hash. A page whose charts use only basic traces loads it; a page with any other
trace type loads the full bundle copied from the installed package. :func:`check` refuses a
vendored file that was edited or that is a different release from the installed package's
plotly.js, so a figure is never drawn by another plotly.js than the one it was made for.
After upgrading plotly, ``sovbook plotly-bundle`` fetches the matching basic bundle from npm.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

#: The MIME type of plotly figure JSON in notebook outputs (plotly >= 6).
PLOTLY_MIME = "application/vnd.plotly.v1+json"
VENDOR = Path(__file__).parent / "vendor"
PIN = VENDOR / "plotly-basic.json"
NPM_PACKAGE = "plotly.js-basic-dist-min"
#: The attribute on a chart's ``<figure>`` naming its trace types (written by sovbook.sphinx).
TRACES_ATTR = "data-plotly-traces"
_TRACES_IN_HTML = re.compile(TRACES_ATTR + r'="([^"]*)"')
_RELEASE = re.compile(r"plotly\.js\b[^\n]*?\bv(\d+\.\d+\.\d+\S*)")


class PlotlyBundleError(RuntimeError):
    """The vendored plotly.js bundle cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Bundle:
    """One plotly.js file a page can load: its name under ``_static/``, where it comes from,
    and the trace types it can draw (``None``: all of them)."""

    name: str
    path: Path
    traces: frozenset[str] | None

    def draws(self, traces: Iterable[str]) -> bool:
        return self.traces is None or set(traces) <= self.traces


def full() -> Bundle:
    """The complete plotly.js shipped inside the installed plotly package."""
    path = Path(metadata.distribution("plotly").locate_file("plotly/package_data/plotly.min.js"))
    return Bundle("plotly.min.js", path, None)


def pin() -> dict:
    return json.loads(PIN.read_text(encoding="utf-8"))


def basic() -> Bundle:
    """The vendored basic bundle (unchecked: see :func:`check`)."""
    data = pin()
    return Bundle(data["file"], VENDOR / data["file"], frozenset(data["traces"]))


def release(path: Path) -> str:
    """The plotly.js release a bundle declares in its licence header, e.g. ``4.1.1``."""
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        head = handle.read(400)
    found = _RELEASE.search(head)
    if not found:
        raise PlotlyBundleError(f"{path}: no plotly.js release in the first lines of the file")
    return found.group(1)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check() -> None:
    """Raise :class:`PlotlyBundleError` unless the vendored basic bundle is the pinned file
    and the same plotly.js release as the installed plotly package ships."""
    data = pin()
    bundle = basic()
    where = bundle.path.relative_to(VENDOR.parent.parent).as_posix()
    if not bundle.path.is_file():
        raise PlotlyBundleError(
            f"{where}: missing; run `sovbook plotly-bundle` to fetch it from npm"
        )
    digest = _sha256(bundle.path)
    if digest != data["sha256"]:
        raise PlotlyBundleError(
            f"{where}: sha256 {digest} is not the pinned {data['sha256']} in {PIN.name}; "
            "restore the file or run `sovbook plotly-bundle`"
        )
    vendored, installed = release(bundle.path), release(full().path)
    if vendored != installed or data["version"] != installed:
        raise PlotlyBundleError(
            f"{where}: plotly.js {vendored}, but the installed plotly {metadata.version('plotly')} "
            f"ships plotly.js {installed}; "
            f"run `sovbook plotly-bundle` to fetch {NPM_PACKAGE}@{installed}"
        )


def for_traces(traces: Iterable[str]) -> Bundle:
    """The smallest bundle that draws every one of ``traces`` (plotly's trace ``type`` values)."""
    wanted = set(traces)
    candidate = basic()
    return candidate if candidate.draws(wanted) else full()


def trace_types(figure: dict) -> list[str]:
    """The trace types of a plotly figure dict, sorted (a trace without ``type`` is a scatter)."""
    return sorted({str(trace.get("type") or "scatter") for trace in figure.get("data", [])})


def traces_in(markup: str) -> set[str]:
    """The trace types of every chart in a page's HTML (from their ``data-plotly-traces``)."""
    return {t for found in _TRACES_IN_HTML.findall(markup) for t in found.split()}


def extract_package(archive: tarfile.TarFile, dest: Path) -> None:
    """Extract an npm package's tarball into ``dest``, refusing any member that is not a plain
    file or folder inside it (a link, a device, an absolute path, a ``..``).

    The check is the project's own, so it is the same on every supported Python; where the
    interpreter has tarfile's extraction filters (3.11.4 and later), the "data" filter is applied
    as well."""
    root = dest.resolve()
    for member in archive.getmembers():
        target = (root / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise PlotlyBundleError(
                f"the npm package holds {member.name!r}, which is not a plain file inside it"
            )
    if hasattr(tarfile, "data_filter"):
        archive.extractall(dest, filter="data")
    else:
        archive.extractall(dest)


def update(version: str | None = None, npm: str = "npm") -> dict:
    """Fetch ``plotly.js-basic-dist-min`` (by default the release the installed plotly ships)
    from the npm registry and write it, its licence and its pin into ``sovbook/vendor/``.
    npm checks the download against the registry's integrity hash. Maintainers only: the
    build itself never touches the network."""
    version = version or release(full().path)
    with tempfile.TemporaryDirectory(prefix="sovbook-plotly-") as tmp:
        result = subprocess.run(
            [npm, "pack", f"{NPM_PACKAGE}@{version}", "--json", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise PlotlyBundleError(
                f"npm pack {NPM_PACKAGE}@{version} failed:\n{result.stderr[-2000:]}"
            )
        packed = json.loads(result.stdout)[0]
        with tarfile.open(Path(tmp) / packed["filename"]) as archive:
            extract_package(archive, Path(tmp))
        package = Path(tmp) / "package"
        manifest = json.loads((package / "package.json").read_text(encoding="utf-8"))
        source = package / manifest["main"]
        listed = re.search(
            r"Contains trace modules ([^\n]*)", (package / "README.md").read_text(encoding="utf-8")
        )
        if not listed:
            raise PlotlyBundleError(
                f"{NPM_PACKAGE}@{version}: its README does not list the trace modules"
            )
        traces = sorted(re.findall(r"`(\w+)`", listed.group(1)))
        VENDOR.mkdir(exist_ok=True)
        target = VENDOR / "plotly-basic.min.js"
        shutil.copyfile(source, target)
        shutil.copyfile(package / "LICENSE", VENDOR / "plotly-basic.LICENSE")
    data = {
        "file": target.name,
        "package": NPM_PACKAGE,
        "version": manifest["version"],
        "integrity": packed["integrity"],
        "sha256": _sha256(target),
        "traces": traces,
        "note": (
            "plotly.js basic bundle from the npm registry; refresh with `sovbook plotly-bundle`"
        ),
    }
    PIN.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data
