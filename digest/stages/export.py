"""site/digest.json: the digest's structure as data, for other tools and for tests (see docs/digest-json.md)."""

from __future__ import annotations

import json
from typing import Any

from digest.config import Config
from digest.model import Site
from digest.urls import article_path, url_for


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
            }
            for a in site.articles
        ],
    }


def digest_json(site: Site, config: Config) -> bytes:
    """digest.json's bytes: sorted keys, stable across runs."""
    return (json.dumps(digest_data(site, config), ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
