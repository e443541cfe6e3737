"""Every URL of the site, made in one place so a base sub-path (/news/) cannot be forgotten.

Paths here are output folders relative to the site root ('tags/india/'); url_for puts the base
path in front of them and absolute_url the whole base URL. Templates only ever call url().
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from digest.config import Config
from digest.model import Article
from digest.slugs import slugify


def url_for(config: Config, path: str = "") -> str:
    """The site-relative URL of path, under the base path: url_for(c, 'articles/x/') -> '/news/articles/x/'."""
    return config.base_path + path.lstrip("/")  # (the base path ends with a slash)


def absolute_url(config: Config, path: str = "") -> str:
    """The absolute URL of path when base_url is absolute; the site-relative one otherwise."""
    base = config.absolute_base
    return (base + path.lstrip("/")) if base else url_for(config, path)


def article_path(article: Article) -> str:
    """The output folder of an article's page, relative to the site root."""
    return f"articles/{article.doc.slug}/"


def tag_path(tag: str) -> str:
    """The folder of a tag's page: tags that slug alike ('India', 'india') share one page."""
    return f"tags/{_name_slug(tag)}/"


def source_path(source: str) -> str:
    """The folder of an outlet's page."""
    return f"sources/{_name_slug(source)}/"


@lru_cache(maxsize=4096)
def _name_slug(name: str) -> str:
    """slugify(name), worked out once a name: templates ask for a tag's or an outlet's URL at each mention
    (about 300,000 times at 10,000 articles, for a few hundred names)."""
    return slugify(name)


def month_path(month: str) -> str:
    """The folder of a month of the archive: '2021-04' -> 'archive/2021/04/'."""
    year, number = month.split("-")
    return f"archive/{year}/{number}/"


def page_path(folder: str, number: int) -> str:
    """The folder of page `number` of a paginated list whose first page is `folder`."""
    return folder if number == 1 else f"{folder}page/{number}/"


def external_url(url: str | None) -> str | None:
    """url when it is an http(s) link, else None: front matter is untrusted, javascript: never reaches an href."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def entity_path(key: str) -> str:
    """The output folder of a named thing's page, relative to the site root."""
    return f"entities/{key}/"


STORIES_PATH = "stories/"


def story_path(story_id: str) -> str:
    """The output folder of a story's page, relative to the site root."""
    return f"{STORIES_PATH}{story_id}/"
