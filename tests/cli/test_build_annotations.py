"""digest build with annotations: entity pages, glossary, notes, annotations.jsonld, digest.json."""

from __future__ import annotations

import json
from pathlib import Path

from digest.data import read_digest
from tests.conftest import run_digest

NOTED_PAGE = """---
title: Hand-made page with notes
date: 2021-12-07
notes:
  - quote: "deal was signed"
    prefix: "Later the"
    note: "A second signing? <check>"
  - quote: "words that are gone"
    note: "This note lost its anchor."
---

The deal was signed in 2018 by India and Russia. Later the deal was signed again, said
Foreign Secretary Harsh Vardhan Shringla.[^1] NATO watched.

[^1]: Per the Ministry of External Affairs.
"""


def test_example_digest_gets_entity_pages_glossary_and_a_discrepancy(example_digest: Path) -> None:
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 0, result.stderr
    site = example_digest / "site"
    data = read_digest(site)
    entities = {e["key"]: e for e in data["entities"]}
    assert len(entities["s-400"]["articles"]) == 5
    assert "S400" in entities["s-400"]["aliases"]
    assert len(entities["vladimir-putin"]["articles"]) == 2
    assert "Vladamir Putin" in entities["vladimir-putin"]["aliases"]
    assert not {"read-more", "leave-a-comment", "print-friendly"} & set(entities)
    s400_page = (site / "entities" / "s-400" / "index.html").read_text(encoding="utf-8")
    assert s400_page.count('<li><a href="/articles/') == 5
    assert (site / "entities" / "index.html").is_file()
    assert "Countering America’s Adversaries Through Sanctions Act" in (site / "glossary" / "index.html").read_text(encoding="utf-8")
    assert [sorted(f["text"] for f in d["figures"]) for d in data["discrepancies"]] == [["$5.4 billion", "USD 5 billion"]]
    for figure in data["discrepancies"][0]["figures"]:  # both pages ask, linking to the other article
        page = (site / "articles" / figure["article"] / "index.html").read_text(encoding="utf-8")
        question = page[page.index('<div class="discrepancy">'):]
        assert "Do USD 5 billion and $5.4 billion give the same amount?" in question
        assert question.count('(<a href="/articles/') == 1 and "(this article)" in question
    assert any(q["speaker"] == "Sergei Lavrov" for q in data["quotes"])
    assert {"2018", "2019"} <= {e["date"] for e in data["events"]}


def test_notes_highlight_warn_when_orphaned_and_export_as_web_annotations(tmp_path: Path) -> None:
    run_digest("init", "d", cwd=tmp_path, check=True)
    folder = tmp_path / "d"
    (folder / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "content" / "articles" / "noted.md").write_text(NOTED_PAGE, encoding="utf-8")
    result = run_digest("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert ("content/articles/noted.md: warning: note note-2: the quotation 'words that are gone' is no longer in the text"
            in result.stderr)
    page = (folder / "site" / "articles" / "noted" / "index.html").read_text(encoding="utf-8")
    assert '<mark class="note-anchor" id="note-1">deal was signed</mark>' in page
    assert "A second signing? &lt;check&gt;" in page and "<check>" not in page
    assert '<li id="note-2"><q>words that are gone</q> — This note lost its anchor.</li>' in page
    assert 'class="sidenote footnote-sidenote"' in page
    assert '<a class="entity" href="/entities/harsh-vardhan-shringla/">Harsh Vardhan Shringla</a>' in page
    collection = json.loads((folder / "site" / "annotations.jsonld").read_text(encoding="utf-8"))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 2
    first = collection["first"]["items"][0]
    assert first["target"] == {"source": "/articles/noted/", "selector": {
        "type": "TextQuoteSelector", "exact": "deal was signed", "prefix": "Later the"}}
    assert first["body"]["value"] == "A second signing? <check>"
    notes = read_digest(folder / "site")["notes"]
    assert [(n["id"], n["anchored"]) for n in notes] == [("note-1", True), ("note-2", False)]
