"""Every URL of the site, made in one place so a base sub-path (/news/) cannot be forgotten."""

from __future__ import annotations

import posixpath

from digest.config import Config
from digest.model import Article


def url_for(config: Config, path: str = "") -> str:
    """The site-relative URL of path, under the base path: url_for(c, 'articles/x/') -> '/news/articles/x/'."""
    return posixpath.join(config.base_path, path.lstrip("/")) if path else config.base_path


def absolute_url(config: Config, path: str = "") -> str:
    """The absolute URL of path when base_url is absolute; the site-relative one otherwise."""
    base = config.absolute_base
    return (base + path.lstrip("/")) if base else url_for(config, path)


def article_path(article: Article) -> str:
    """The output folder of an article's page, relative to the site root."""
    return f"articles/{article.doc.slug}/"


STORIES_PATH = "stories/"


def story_path(story_id: str) -> str:
    """The output folder of a story's page, relative to the site root."""
    return f"{STORIES_PATH}{story_id}/"
