"""Render the site: every page and file of the output, as {relative path: bytes}. No I/O here
beyond reading the theme's templates through the Jinja2 environment it is given."""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

from digest.config import Config
from digest.model import Site
from digest.stages.export import digest_json
from digest.story_pages import render_story_pages
from digest.urls import absolute_url, article_path, url_for


def render_site(site: Site, config: Config, env: jinja2.Environment, static: dict[str, bytes]) -> dict[str, bytes]:
    """Every output file of the site."""
    files: dict[str, bytes] = {f"static/{name}": data for name, data in static.items()}

    def page(template: str, out: str, **context: Any) -> None:
        html = env.get_template(template).render(site=site, config=config, **context)
        files[out] = html.encode("utf-8")

    page("index.html", "index.html", articles=site.articles, canonical=absolute_url(config))
    for article in site.articles:
        path = article_path(article)
        page("article.html", path + "index.html", article=article, body=Markup(article.html),
             canonical=absolute_url(config, path))
    files.update(render_story_pages(site, config, env))
    page("404.html", "404.html", canonical=None)
    files[".nojekyll"] = b""
    files["digest.json"] = digest_json(site, config)
    return files


def template_globals(config: Config) -> dict[str, Any]:
    return {
        "url": lambda path="": url_for(config, path),
        "absolute_url": lambda path="": absolute_url(config, path),
        "article_url": lambda article: url_for(config, article_path(article)),
    }
