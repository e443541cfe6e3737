"""site/digest.json: the digest's structure as data, for other tools and for tests (see docs/digest-json.md)."""

from __future__ import annotations

import json
from typing import Any

from digest.config import Config
from digest.model import Annotations, Figure, Links, Site, Story
from digest.urls import absolute_url, article_path, entity_path, story_path, url_for


def digest_data(site: Site, config: Config) -> dict[str, Any]:
    """The digest as plain data: articles (and, as their stages add them, stories and annotations)."""
    return {
        "version": 1,
        "title": config.title,
        "base_url": config.base_url,
        "articles": [
            {
                "slug": a.doc.slug,
                "title": a.doc.title,
                "date": a.doc.date,
                "url": url_for(config, article_path(a)),
                "source": a.doc.source,
                "source_file": a.doc.source_file,
                "path": a.doc.path,
                "tags": list(a.doc.tags),
                **_article_links(site.links, a.doc.slug),
            }
            for a in site.articles
        ],
        "stories": [_story_data(story, config) for story in site.links.stories],
        **annotation_data(site, config),
    }


def _figure(figure: Figure) -> dict[str, Any]:
    return {"text": figure.text, "kind": figure.kind, "value": figure.value, "unit": figure.unit, "sentence": figure.sentence}


def annotation_data(site: Site, config: Config) -> dict[str, Any]:
    """The annotations part of digest.json: entities, figures, quotes, acronyms, events, discrepancies, notes."""
    per_article: list[tuple[str, Annotations]] = [(a.doc.slug, a.annotations) for a in site.articles]
    return {
        "entities": [
            {"key": e.key, "name": e.name, "kind": e.kind, "aliases": list(e.aliases), "articles": list(e.articles),
             "url": url_for(config, entity_path(e.key))}
            for e in site.annotations.entities
        ],
        "figures": [dict(_figure(f), article=slug) for slug, found in per_article for f in found.figures],
        "quotes": [{"speaker": q.speaker, "speaker_key": q.speaker_key or None, "text": q.text, "article": slug}
                   for slug, found in per_article for q in found.quotes],
        "acronyms": [{"short": g.short, "expansion": g.expansion, "articles": list(g.articles)}
                     for g in site.annotations.glossary],
        "events": [{"date": e.date, "text": e.text, "article": slug} for slug, found in per_article for e in found.events],
        "discrepancies": [
            {"question": d.question,
             "figures": [dict(_figure(side.figure), article=side.slug) for side in (d.first, d.second)]}
            for d in site.annotations.discrepancies
        ],
        "notes": [{"id": n.id, "quote": n.note.quote, "prefix": n.note.prefix, "suffix": n.note.suffix, "note": n.note.note,
                   "anchored": n.anchored, "article": slug}
                  for slug, found in per_article for n in found.notes],
    }


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


def digest_json(site: Site, config: Config) -> bytes:
    """digest.json's bytes: sorted keys, stable across runs."""
    return _compact_json(digest_data(site, config))


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
    return _compact_json(collection)


def _compact_json(data: Any) -> bytes:
    """One line, keys sorted: json's C encoder only runs without indent, and these files grow with the digest
    (indented, writing digest.json alone took seconds at 10,000 articles). `python3 -m json.tool` shows them indented."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")
