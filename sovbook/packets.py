"""Coding packets: what a blind coder and an independent adjudicator are shown of a row.

A coder's packet holds, for each concordance row, the claim (with the passage of its own text
that states it) and the other text's passage with its testimony mode, period and surrounding
paragraphs, or the whole other text for a row without a passage. It never holds a coding.
An adjudicator's packet holds the same, plus two codings labelled only A and B: which coder wrote
which is kept in a separate key, so the adjudicator cannot tell the editors from the blind coder.

The packets of ``coding/round*/`` were written this way; ``tests/test_packets.py`` checks that a
row rendered here equals the row the third round's coder was shown, so later rounds show coders
exactly what earlier ones saw.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd

from . import locate
from .evidence import Evidence

#: How each text is named in a packet.
TEXT_NAMES = {"theory": "El-Emary's chapter", "eyewitness": "the eyewitness excerpt"}


def _role(ev: Evidence, source_id: str) -> str:
    return str(ev.source_row(source_id)["role"])


def _label(ev: Evidence, table: str, key: str) -> str:
    frame = ev.tables[table]
    id_column = frame.columns[0]
    return str(frame.set_index(id_column).loc[key, "label"])


def _context(ev: Evidence, quote_id: str) -> str:
    loc = ev.locator(quote_id)
    paragraph = locate.paragraph_of(loc, base=ev.root)
    paras = [p for p in locate.paragraphs(loc.source_id, base=ev.root) if p.kind == "paragraph"]
    if paragraph is None:
        return ""
    if paragraph.kind == "note":
        return _note_context(ev, loc.source_id, paragraph, paras)
    if paragraph.kind != "paragraph":
        return paragraph.text
    i = next(k for k, p in enumerate(paras) if p.key == paragraph.key)
    parts = []
    for name, k in (
        ("the paragraph before", i - 1),
        ("the paragraph of the passage", i),
        ("the paragraph after", i + 1),
    ):
        if 0 <= k < len(paras):
            parts.append(f"[{name}, {paras[k].label}]\n{paras[k].text}")
    return "\n\n".join(parts)


def _note_context(ev: Evidence, source_id: str, note, paras) -> str:
    """A note's context: the paragraph that calls it, then the note."""
    raw = ev.sources[source_id].text
    call = re.compile(ev.sources[source_id].scheme.note_call)
    calling = next(
        (
            p
            for p in paras
            if any(
                re.sub(r"\D", "", m.group(0)) == str(note.note)
                for m in call.finditer(raw, p.start, p.end)
            )
        ),
        None,
    )
    parts = (
        [f"[The paragraph that calls the note, {calling.label}]\n{calling.text}"] if calling else []
    )
    parts.append(f"[The note, {note.label}]\n{note.text}")
    return "\n\n".join(parts)


def row_block(ev: Evidence, row_id: str, number: str) -> str:
    """The markdown a coder is shown for one concordance row, under the heading ``Row <number>``."""
    row = ev.tables["concordance"].set_index("row_id").loc[row_id]
    claim = ev.tables["claims"].set_index("claim_id").loc[row["claim_id"]]
    stated = ev.quote(claim["quote_id"])
    own_role = _role(ev, stated["source_id"])
    own_name = TEXT_NAMES[own_role]
    lines = [
        f"## Row {number}",
        "",
        f"**Claim** (from {own_name}; period the claim speaks of: "
        f"{_label(ev, 'periods', claim['period'])}):",
        "",
        str(claim["claim"]),
        "",
        f"**The passage that states the claim** ({own_name}, "
        f"{ev.locator(claim['quote_id']).label}; mode: "
        f"{_label(ev, 'testimony_modes', stated['mode'])}):",
        "",
        f'"{stated["text"]}"',
        "",
    ]
    evidence_id = row["evidence_quote_id"]
    if isinstance(evidence_id, str) and evidence_id:
        other = ev.quote(evidence_id)
        lines += [
            f"**Passage of the other text** ({TEXT_NAMES[_role(ev, other['source_id'])]}, "
            f"{ev.locator(evidence_id).label}; testimony mode: "
            f"{_label(ev, 'testimony_modes', other['mode'])}; period it speaks of: "
            f"{_label(ev, 'periods', other['period'])}):",
            "",
            f'"{other["text"]}"',
            "",
            "**Its context** (normalised text, page and note markers removed):",
            "",
            _context(ev, evidence_id),
            "",
        ]
    else:
        other_role = "eyewitness" if own_role == "theory" else "theory"
        lines += [
            f"**Passage of the other text**: none was proposed. Read the whole of "
            f"{TEXT_NAMES[other_role]} (appendix at the end of this file) and code whether "
            "anything in it bears on the claim.",
            "",
        ]
    return "\n".join(lines) + "\n"


def needs_whole_text(ev: Evidence, row_ids: list[str]) -> list[str]:
    """The sources whose whole text a packet must append (rows without a passage)."""
    conc = ev.tables["concordance"].set_index("row_id")
    claims = ev.tables["claims"].set_index("claim_id")
    out = []
    for row_id in row_ids:
        if isinstance(conc.loc[row_id, "evidence_quote_id"], str):
            continue
        own = ev.quote(claims.loc[conc.loc[row_id, "claim_id"], "quote_id"])["source_id"]
        other = next(s for s in ev.sources if s != own)
        if other not in out:
            out.append(other)
    return out


def _appendix(ev: Evidence, source_id: str) -> str:
    src = ev.sources[source_id]
    return f"# Appendix: the whole of {src.title} ({src.author})\n\n{src.text}\n"


def shuffled_labels(row_id: str, salt: str) -> tuple[str, str]:
    """Which of (first coder, second coder) is shown as A: decided by a hash of the row and a
    salt, so the order is fixed for a packet but not the same for every row."""
    digest = hashlib.sha256(f"{salt}:{row_id}".encode()).digest()
    return ("A", "B") if digest[0] % 2 == 0 else ("B", "A")


def adjudication_packet(
    ev: Evidence, row_ids: list[str], coders: tuple[str, str], salt: str
) -> tuple[str, dict]:
    """An adjudicator's packet for ``row_ids`` and its key.

    Each row shows what the coders were shown, then the two final codings of ``coders`` labelled
    A and B in an order that varies by row. The key maps packet numbers to rows and labels to
    coder ids; it is stored beside the packet and never shown to the adjudicator."""
    codings = ev.tables["codings"].set_index(["row_id", "coder_id"])
    blocks, key = [], {}
    for n, row_id in enumerate(row_ids, start=1):
        number = f"J{n:03d}"
        first_label, second_label = shuffled_labels(row_id, salt)
        by_label = {first_label: coders[0], second_label: coders[1]}
        key[number] = {"row_id": row_id, **by_label}
        parts = [row_block(ev, row_id, number)]
        for label in ("A", "B"):
            coding = codings.loc[(row_id, by_label[label])]
            parts.append(f"**Coding {label}**: {coding['stance']}. {coding['reasoning']}\n")
        blocks.append("\n".join(parts))
    text = f"# Adjudication packet: {len(row_ids)} rows\n\n" + "\n".join(blocks)
    for source_id in needs_whole_text(ev, row_ids):
        text += "\n" + _appendix(ev, source_id)
    return text, key


def coding_packet(ev: Evidence, row_ids: list[str], prefix: str = "N") -> tuple[str, dict]:
    """A blind coder's packet for ``row_ids`` and its key (packet number -> row id)."""
    key = {f"{prefix}{n:03d}": row_id for n, row_id in enumerate(row_ids, start=1)}
    text = f"# Batch: {len(row_ids)} rows\n\n" + "\n".join(
        row_block(ev, row_id, number) for number, row_id in key.items()
    )
    for source_id in needs_whole_text(ev, row_ids):
        text += "\n" + _appendix(ev, source_id)
    return text, key


def write(folder: Path, name: str, text: str, key: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(text, encoding="utf-8")
    (folder / f"{name}-key.json").write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")


def disagreements(ev: Evidence, coders: tuple[str, str]) -> list[str]:
    """Rows whose final codings by the two coders differ, in concordance order."""
    codings = ev.tables["codings"]
    wide = codings.pivot(index="row_id", columns="coder_id", values="stance")
    order = list(ev.tables["concordance"]["row_id"])
    wide = wide.reindex(order)
    differ = wide[coders[0]] != wide[coders[1]]
    return [r for r in order if bool(differ.get(r, False)) and not pd.isna(wide.loc[r, coders[0]])]
