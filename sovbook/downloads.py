"""The data archive readers download: the evidence (``data/``, ``seeds/``, the bibliography)
as one zip, written into the built site's ``_static/`` at the end of an HTML build."""

from __future__ import annotations

import zipfile
from pathlib import Path

from . import project

#: Where the archive lands, under the site's ``_static/`` (the reproducibility page links it).
DATA_ZIP = "downloads/sovbook-data.zip"


def write_data_zip(root: Path, target: Path) -> Path:
    """The data package, the seed texts and the bibliography as one zip for readers to download.

    Entries are sorted and carry a fixed timestamp, so the same inputs give the same bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(project.evidence_files(root)):
            info = zipfile.ZipInfo(
                path.relative_to(root).as_posix(), date_time=(2026, 1, 1, 0, 0, 0)
            )
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return target
