"""site/digest.json and its parts in site/data/: the digest's structure as data, for other tools and for tests
(see docs/digest-json.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

from digest.config import Config
from digest.model import Article, Discrepancy, EntityEntry, Figure, GlossaryEntry, Links, Site, Story
from digest.sharding import split
from digest.urls import absolute_url, article_path, entity_path, story_path, url_for

T = TypeVar("T")


# digest.json says what the digest is and lists the files of each of its lists (DataPart): each list is split
# into parts of about ITEMS_PER_PART items, an item's part chosen by a hash of its id (digest.sharding). So no
# file grows past what a host takes (GitHub refuses files over 100 MB; one digest.json of 10,000 articles was
# 100 MB), and an edit rewrites the parts that hold what changed. The articles' five lists are split alike:
# an article's events, figures, notes and quotes are in the parts of the same number as its entry.

DATA = "data/"  # the parts' folder, in the site
ITEMS_PER_PART = 500
VERSION = 2
ARTICLE_KEYS = ("articles", "events", "figures", "notes", "quotes")


@dataclass(frozen=True)
class DataPart:
    """One file of a list of digest.json: the items of key that values give (articles, stories, entries ...)."""

    path: str
    key: str
    values: tuple[Any, ...]


def data_parts(site: Site) -> list[DataPart]:
    """Every part of every list, each key's parts in order."""
    by_article = _split(site.articles, lambda a: a.doc.slug)  # the same parts for the five lists
    parts = [DataPart(f"{DATA}{key}-{n}.json", key, values) for key in ARTICLE_KEYS for n, values in enumerate(by_article)]
    for key, values, name in (("stories", site.links.stories, lambda s: s.id),
                              ("entities", site.annotations.entities, lambda e: e.key),
                              ("acronyms", site.annotations.glossary, lambda g: g.short),
                              ("discrepancies", site.annotations.discrepancies,
                               lambda d: f"{d.first.slug}\0{d.second.slug}\0{d.question}")):
        parts += [DataPart(f"{DATA}{key}-{n}.json", key, part) for n, part in enumerate(_split(values, name))]
    return parts


def _split(values: Sequence[T], name: Callable[[T], str]) -> list[tuple[T, ...]]:
    """values in parts of about ITEMS_PER_PART, as tuples (a part's values are its key in the render memo)."""
    return [tuple(part) for part in split(values, name, ITEMS_PER_PART)]


def part_json(part: DataPart, links: Links, config: Config) -> bytes:
    """The file of a part: a JSON list of its items, keys sorted, on one line."""
    items = _ITEMS[part.key]
    return _json([item for value in part.values for item in items(value, links, config)]) + b"\n"


def digest_index(parts: Sequence[DataPart], config: Config) -> bytes:
    """digest.json: the format's version, the title and base URL, and the files of each list."""
    lists: dict[str, list[str]] = {}
    for part in parts:
        lists.setdefault(part.key, []).append(part.path)
    return _json({"version": VERSION, "title": config.title, "base_url": config.base_url, "parts": lists}) + b"\n"


def _article_items(article: Article, links: Links, config: Config) -> list[dict[str, Any]]:
    doc = article.doc
    return [{"slug": doc.slug, "title": doc.title, "date": doc.date, "url": url_for(config, article_path(article)),
             "source": doc.source, "source_file": doc.source_file, "path": doc.path, "tags": list(doc.tags),
             **_article_links(links, doc.slug)}]


def _event_items(article: Article, links: Links, config: Config) -> list[dict[str, Any]]:
    return [{"date": e.date, "text": e.text, "article": article.doc.slug} for e in article.annotations.events]


def _figure_items(article: Article, links: Links, config: Config) -> list[dict[str, Any]]:
    return [dict(_figure(f), article=article.doc.slug) for f in article.annotations.figures]


def _note_items(article: Article, links: Links, config: Config) -> list[dict[str, Any]]:
    return [{"id": n.id, "quote": n.note.quote, "prefix": n.note.prefix, "suffix": n.note.suffix, "note": n.note.note,
             "anchored": n.anchored, "article": article.doc.slug} for n in article.annotations.notes]


def _quote_items(article: Article, links: Links, config: Config) -> list[dict[str, Any]]:
    return [{"speaker": q.speaker, "speaker_key": q.speaker_key or None, "text": q.text, "article": article.doc.slug}
            for q in article.annotations.quotes]


def _story_items(story: Story, links: Links, config: Config) -> list[dict[str, Any]]:
    return [_story_data(story, config)]


def _entity_items(e: EntityEntry, links: Links, config: Config) -> list[dict[str, Any]]:
    return [{"key": e.key, "name": e.name, "kind": e.kind, "aliases": list(e.aliases), "articles": list(e.articles),
             "url": url_for(config, entity_path(e.key))}]


def _acronym_items(g: GlossaryEntry, links: Links, config: Config) -> list[dict[str, Any]]:
    return [{"short": g.short, "expansion": g.expansion, "articles": list(g.articles)}]


def _discrepancy_items(d: Discrepancy, links: Links, config: Config) -> list[dict[str, Any]]:
    return [{"question": d.question,
             "figures": [dict(_figure(side.figure), article=side.slug) for side in (d.first, d.second)]}]


_ITEMS: dict[str, Callable[[Any, Links, Config], list[dict[str, Any]]]] = {
    "articles": _article_items, "events": _event_items, "figures": _figure_items, "notes": _note_items,
    "quotes": _quote_items, "stories": _story_items, "entities": _entity_items, "acronyms": _acronym_items,
    "discrepancies": _discrepancy_items}


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
