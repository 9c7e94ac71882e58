"""Which plotly.js a page loads (sovbook.plotlyjs): the vendored basic bundle is the pinned
file and the same release as the installed plotly package ships; pages that need another
trace type get the full bundle; the Sphinx extension names and copies the right file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from docutils import nodes

from sovbook import pages, plotlyjs
from sovbook.plotly_renderer import chart_html


def test_vendored_bundle_is_pinned_and_matches_the_installed_plotly():
    plotlyjs.check()
    pin = plotlyjs.pin()
    assert (
        plotlyjs.release(plotlyjs.basic().path)
        == pin["version"]
        == plotlyjs.release(plotlyjs.full().path)
    )
    assert pin["integrity"].startswith("sha512-") and pin["package"] == plotlyjs.NPM_PACKAGE
    assert (
        (plotlyjs.VENDOR / "plotly-basic.LICENSE")
        .read_text(encoding="utf-8")
        .startswith("MIT License")
    )


def test_the_basic_bundle_is_smaller():
    assert plotlyjs.basic().path.stat().st_size * 3 < plotlyjs.full().path.stat().st_size


@pytest.mark.parametrize(
    "traces, bundle",
    [
        ([], "plotly-basic.min.js"),
        (["bar"], "plotly-basic.min.js"),
        (["bar", "scatter", "pie"], "plotly-basic.min.js"),
        (["scatter", "choropleth"], "plotly.min.js"),
        (["heatmap"], "plotly.min.js"),
    ],
)
def test_smallest_bundle_that_draws_the_traces(traces, bundle):
    chosen = plotlyjs.for_traces(traces)
    assert chosen.name == bundle and chosen.draws(traces)


def test_trace_types_default_to_scatter():
    assert plotlyjs.trace_types({"data": [{"type": "bar"}, {"x": [1]}, {"type": "bar"}]}) == [
        "bar",
        "scatter",
    ]


@pytest.fixture
def vendor_copy(tmp_path, monkeypatch):
    target = tmp_path / "sovbook" / "vendor"
    shutil.copytree(plotlyjs.VENDOR, target)
    monkeypatch.setattr(plotlyjs, "VENDOR", target)
    monkeypatch.setattr(plotlyjs, "PIN", target / "plotly-basic.json")
    return target


def test_an_edited_bundle_is_refused(vendor_copy):
    bundle = vendor_copy / "plotly-basic.min.js"
    bundle.write_bytes(bundle.read_bytes() + b"\n")
    with pytest.raises(
        plotlyjs.PlotlyBundleError,
        match=r"sovbook/vendor/plotly-basic.min.js: sha256 .* is not the pinned",
    ):
        plotlyjs.check()


def test_another_release_is_refused(vendor_copy):
    bundle = vendor_copy / "plotly-basic.min.js"
    text = bundle.read_text(encoding="utf-8")
    installed = plotlyjs.release(plotlyjs.full().path)
    bundle.write_text(text.replace(f"v{installed}", "v0.0.1", 1), encoding="utf-8")
    pin = json.loads((vendor_copy / "plotly-basic.json").read_text(encoding="utf-8"))
    pin["sha256"] = plotlyjs._sha256(bundle)
    (vendor_copy / "plotly-basic.json").write_text(json.dumps(pin), encoding="utf-8")
    with pytest.raises(
        plotlyjs.PlotlyBundleError,
        match=rf"plotly.js 0.0.1, but the installed plotly .* ships plotly.js {installed}; "
        "run `sovbook plotly-bundle`",
    ):
        plotlyjs.check()


def _figure(trace_type: str, chart_id: str) -> str:
    figure = {
        "data": [{"type": trace_type, "x": [1], "y": [2]}],
        "layout": {
            "meta": {
                "sovbook": {
                    "title": "T",
                    "caption": "C",
                    "source": "S",
                    "table": {"columns": ["x"], "rows": [[1]]},
                }
            }
        },
    }
    return chart_html(figure, chart_id)


@pytest.mark.parametrize(
    "traces, bundle",
    [(["bar", "scatter"], "plotly-basic.min.js"), (["bar", "choropleth"], "plotly.min.js")],
)
def test_a_page_loads_and_the_build_copies_the_bundle_its_charts_need(tmp_path, traces, bundle):
    added = []
    app = SimpleNamespace(
        env=SimpleNamespace(docname="page"),
        add_js_file=lambda name, **kw: added.append(name),
        outdir=str(tmp_path),
        builder=SimpleNamespace(format="html"),
    )
    doctree = nodes.document(None, None)
    for i, t in enumerate(traces):
        doctree += nodes.raw(
            "", _figure(t, f"chart-{i}-0"), format="html", classes=["output", "sovbook"]
        )
    pages.on_doctree_read(app, doctree)
    assert app.env.sovbook_traces == {"page": set(traces)}
    pages.on_env_updated(app, app.env)
    copied = sorted(p.name for p in (tmp_path / "_static").glob("plotly*.js"))
    assert copied == [bundle]
    assert (tmp_path / "_static" / bundle).read_bytes() == plotlyjs.for_traces(
        traces
    ).path.read_bytes()
    pages.on_page_context(app, "page", "page.html", {"body": "", "script_files": []}, None)
    assert added == [bundle, "sovbook-charts.js"]


def test_a_page_without_charts_loads_no_plotly(tmp_path):
    added = []
    app = SimpleNamespace(
        env=SimpleNamespace(docname="page"),
        add_js_file=lambda name, **kw: added.append(name),
        outdir=str(tmp_path),
        builder=SimpleNamespace(format="html"),
    )
    doctree = nodes.document(None, None)
    doctree += nodes.paragraph("", "No chart.")
    pages.on_doctree_read(app, doctree)
    pages.on_env_updated(app, app.env)
    pages.on_page_context(
        app, "page", "page.html", {"body": "<p>No chart.</p>", "script_files": []}, None
    )
    assert added == [] and not list(tmp_path.rglob("plotly*.js"))


FAKE_NPM = '''#!{python}
"""Stands in for `npm pack <spec> --json --pack-destination DIR`: packs the vendored bundle."""
import io, json, pathlib, sys, tarfile
spec, dest = sys.argv[2], pathlib.Path(sys.argv[sys.argv.index("--pack-destination") + 1])
name, version = spec.rsplit("@", 1)
files = {{
    "package.json": json.dumps(
        {{"name": name, "version": version, "main": "plotly-basic.min.js"}}
    ).encode(),
    "README.md": b"# " + name.encode()
    + b"\\n\\nContains trace modules `bar`, `pie` and `scatter`.\\n",
    "LICENSE": pathlib.Path({license!r}).read_bytes(),
    "plotly-basic.min.js": pathlib.Path({bundle!r}).read_bytes(),
}}
filename = f"{{name}}-{{version}}.tgz"
with tarfile.open(dest / filename, "w:gz") as archive:
    for member, data in files.items():
        info = tarfile.TarInfo(f"package/{{member}}")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
print(json.dumps([{{"filename": filename, "integrity": "sha512-fake"}}]))
'''


def test_the_refresh_command_writes_bundle_licence_and_pin(tmp_path, vendor_copy):
    """`sovbook plotly-bundle` (plotlyjs.update) with npm replaced by a local stand-in."""
    import sys

    original = Path(plotlyjs.__file__).parent / "vendor"  # the real one (VENDOR is the copy here)
    npm = tmp_path / "npm"
    npm.write_text(
        FAKE_NPM.format(
            python=sys.executable,
            license=str(original / "plotly-basic.LICENSE"),
            bundle=str(original / "plotly-basic.min.js"),
        ),
        encoding="utf-8",
    )
    npm.chmod(0o755)
    (vendor_copy / "plotly-basic.min.js").write_text("stale", encoding="utf-8")
    (vendor_copy / "plotly-basic.json").write_text("{}", encoding="utf-8")
    pinned = plotlyjs.update(npm=str(npm))
    assert pinned["version"] == plotlyjs.release(plotlyjs.full().path)
    assert pinned["traces"] == ["bar", "pie", "scatter"] and pinned["integrity"] == "sha512-fake"
    assert json.loads((vendor_copy / "plotly-basic.json").read_text(encoding="utf-8")) == pinned
    plotlyjs.check()


def _tarball(path: Path, members: list[tuple[str, bytes | None, bytes]]) -> Path:
    """A gzipped tar at ``path``: (name, None, b"") for a folder, (name, data, type) else."""
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as archive:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
                continue
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = data.decode()
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    "member",
    [
        ("../outside.js", b"x", b"0"),  # climbs out of the folder
        ("/tmp/absolute.js", b"x", b"0"),  # an absolute path
        ("package/link", b"/etc/passwd", b"2"),  # a symbolic link
    ],
)
def test_extracting_a_package_refuses_what_is_not_a_plain_file_inside(tmp_path, member):
    """On every supported Python, 3.11.2 (no extraction filters) included."""
    import tarfile

    archive = _tarball(tmp_path / "p.tgz", [("package", None, b""), member])
    dest = tmp_path / "out"
    dest.mkdir()
    with tarfile.open(archive) as opened, pytest.raises(plotlyjs.PlotlyBundleError):
        plotlyjs.extract_package(opened, dest)
    assert list(dest.iterdir()) == []


def test_extracting_a_package_writes_its_files(tmp_path, monkeypatch):
    """The same result with and without tarfile's extraction filters (absent before 3.11.4)."""
    import tarfile
    import warnings

    archive = _tarball(
        tmp_path / "p.tgz", [("package", None, b""), ("package/a.js", b"ok", tarfile.REGTYPE)]
    )
    for filters in (True, False):
        if not filters:
            monkeypatch.delattr(tarfile, "data_filter", raising=False)
        dest = tmp_path / f"out-{filters}"
        dest.mkdir()
        with tarfile.open(archive) as opened, warnings.catch_warnings():
            # without the filters (as on 3.11.2), 3.12 and later warn that 3.14 will filter
            warnings.simplefilter("ignore", DeprecationWarning)
            plotlyjs.extract_package(opened, dest)
        assert (dest / "package" / "a.js").read_bytes() == b"ok"
