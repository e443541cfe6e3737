"""The example digest's editor notes (docs/example-notes.yaml) still anchor in their sources."""

from __future__ import annotations

from pathlib import Path

import yaml

from digest.model import Document, Note, encode_text
from digest.stages.annotate import annotate_document

REPO = Path(__file__).resolve().parents[2]


def test_every_example_note_anchors_in_its_source() -> None:
    notes = yaml.safe_load((REPO / "docs" / "example-notes.yaml").read_text(encoding="utf-8"))
    assert len(notes) >= 3
    for item in notes:
        text = (REPO / item["source"]).read_text(encoding="utf-8")
        note = Note(item["quote"], item["note"], item.get("prefix", ""), item.get("suffix", ""))
        found = annotate_document(Document(item["source"], "x", "x", "2021-01-01", encode_text(text), notes=(note,)))
        assert found.notes[0].anchored, f"{item['source']}: {item['quote']!r} is no longer in the source"
