"""site/digest.json: the digest's structure as data, for other tools and for tests (see docs/digest-json.md)."""

from __future__ import annotations

import json
from typing import Any

from digest.config import Config
from digest.model import Links, Site, Story
from digest.urls import article_path, story_path, url_for


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
    return (json.dumps(digest_data(site, config), ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
