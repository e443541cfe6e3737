"""site/digest.json: the digest's structure as data, for other tools and for tests (see docs/digest-json.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from digest.config import Config
from digest.model import Article, Figure, Links, Site, Story
from digest.urls import absolute_url, article_path, entity_path, story_path, url_for


# digest.json is put together from parts: each article's items of the lists that hold one item per
# article thing (ARTICLE_SECTIONS), and the rest. A rebuild can so take the parts of the articles that
# did not change as they are (digest.render_memo keeps where they are in the last digest.json). Every
# part is dumped as the whole would be, keys sorted, so the bytes are those of one json.dumps of it all.

ARTICLE_SECTIONS = ("articles", "events", "figures", "notes", "quotes")  # in key order
ArticleParts = tuple[bytes | memoryview, ...]  # one article's items of each of ARTICLE_SECTIONS, comma-separated JSON


@dataclass(frozen=True)
class DigestJson:
    """digest.json's bytes, and where each article's parts are in them."""

    data: bytes
    spans: tuple[tuple[int, ...], ...]  # per article, in site order: start and end of each of its parts


def article_parts(article: Article, links: Links, config: Config) -> ArticleParts:
    """An article's items of digest.json: its entry in `articles`, and its events, figures, notes and quotes."""
    doc, found, slug = article.doc, article.annotations, article.doc.slug
    items: dict[str, list[dict[str, Any]]] = {
        "articles": [{"slug": slug, "title": doc.title, "date": doc.date, "url": url_for(config, article_path(article)),
                      "source": doc.source, "source_file": doc.source_file, "path": doc.path, "tags": list(doc.tags),
                      **_article_links(links, slug)}],
        "events": [{"date": e.date, "text": e.text, "article": slug} for e in found.events],
        "figures": [dict(_figure(f), article=slug) for f in found.figures],
        "notes": [{"id": n.id, "quote": n.note.quote, "prefix": n.note.prefix, "suffix": n.note.suffix, "note": n.note.note,
                   "anchored": n.anchored, "article": slug} for n in found.notes],
        "quotes": [{"speaker": q.speaker, "speaker_key": q.speaker_key or None, "text": q.text, "article": slug}
                   for q in found.quotes],
    }
    return tuple(_json(items[name])[1:-1] for name in ARTICLE_SECTIONS)  # the list's items without its brackets


def corpus_data(site: Site, config: Config) -> dict[str, Any]:
    """The keys of digest.json that are not made of per-article items: stories, entities, acronyms, discrepancies."""
    return {
        "version": 1,
        "title": config.title,
        "base_url": config.base_url,
        "stories": [_story_data(story, config) for story in site.links.stories],
        "entities": [
            {"key": e.key, "name": e.name, "kind": e.kind, "aliases": list(e.aliases), "articles": list(e.articles),
             "url": url_for(config, entity_path(e.key))}
            for e in site.annotations.entities
        ],
        "acronyms": [{"short": g.short, "expansion": g.expansion, "articles": list(g.articles)}
                     for g in site.annotations.glossary],
        "discrepancies": [
            {"question": d.question,
             "figures": [dict(_figure(side.figure), article=side.slug) for side in (d.first, d.second)]}
            for d in site.annotations.discrepancies
        ],
    }


def _figure(figure: Figure) -> dict[str, Any]:
    return {"text": figure.text, "kind": figure.kind, "value": figure.value, "unit": figure.unit, "sentence": figure.sentence}


def _article_links(links: Links, slug: str) -> dict[str, Any]:
    """An article's part of the link stage: its story, related pieces, duplicates and Read More lines."""
    return {
        "story": links.story_of.get(slug),
        "related": [{"slug": r.slug, "score": r.score, "reasons": list(r.reasons), "duplicate": r.duplicate}
                    for r in links.related.get(slug, ())],
        "duplicates": list(links.duplicates.get(slug, ())),
        "see_also": [{"text": ref.text, "slug": ref.slug} for ref in links.references.get(slug, ())],
    }


def _story_data(story: Story, config: Config) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "url": url_for(config, story_path(story.id)),
        "articles": list(story.articles),
        "entries": [list(entry) for entry in story.entries],
        "terms": list(story.terms),
        "timeline": [{"date": e.date, "text": e.text, "slug": e.slug, "kind": e.kind} for e in story.timeline],
    }


def digest_json(site: Site, config: Config, parts: Sequence[ArticleParts] | None = None) -> DigestJson:
    """digest.json (sorted keys, stable across runs) from the parts of site.articles, worked out here when not given."""
    if parts is None:
        parts = [article_parts(a, site.links, config) for a in site.articles]
    corpus = corpus_data(site, config)
    chunks: list[bytes | memoryview] = [b"{"]
    size = 1
    spans = [[0] * (2 * len(ARTICLE_SECTIONS)) for _ in parts]

    def add(chunk: bytes | memoryview) -> None:
        nonlocal size
        chunks.append(chunk)
        size += len(chunk)

    for n, key in enumerate(sorted([*corpus, *ARTICLE_SECTIONS])):
        add(b',"%s":' % key.encode() if n else b'"%s":' % key.encode())
        if key in corpus:
            add(_json(corpus[key]))
            continue
        section = ARTICLE_SECTIONS.index(key)
        add(b"[")
        first = True
        for span, part in zip(spans, parts):
            if part[section] and not first:
                add(b",")
            span[2 * section] = size
            add(part[section])
            span[2 * section + 1] = size
            first = first and not part[section]
        add(b"]")
    add(b"}\n")
    return DigestJson(b"".join(chunks), tuple(tuple(span) for span in spans))


def annotations_jsonld(site: Site, config: Config) -> bytes:
    """site/annotations.jsonld: the editor's notes as a W3C Web Annotation collection
    (https://www.w3.org/TR/annotation-model/), each targeting its article by a TextQuoteSelector.
    Orphaned notes are exported too: the selector still says what the editor meant."""
    items = []
    for a in site.articles:
        page = absolute_url(config, article_path(a))
        for n in a.annotations.notes:
            selector: dict[str, Any] = {"type": "TextQuoteSelector", "exact": n.note.quote}
            if n.note.prefix:
                selector["prefix"] = n.note.prefix
            if n.note.suffix:
                selector["suffix"] = n.note.suffix
            items.append({
                "id": f"{page}#{n.id}",
                "type": "Annotation",
                "motivation": "commenting",
                "body": {"type": "TextualBody", "value": n.note.note, "format": "text/plain", "language": config.language},
                "target": {"source": page, "selector": selector},
            })
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": absolute_url(config, "annotations.jsonld"),
        "type": "AnnotationCollection",
        "label": f"Editor's notes of {config.title}",
        "total": len(items),
        "first": {"type": "AnnotationPage", "items": items},
    }
    return _json(collection) + b"\n"


def _json(data: Any) -> bytes:
    """One line, keys sorted: json's C encoder only runs without indent, and these files grow with the digest
    (indented, writing digest.json alone took seconds at 10,000 articles). `python3 -m json.tool` shows them indented."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
