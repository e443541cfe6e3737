"""Render the site: every page and file of the output, as {relative path: bytes}. No I/O here
beyond reading the theme's templates through the Jinja2 environment it is given."""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

from digest.config import Config
from digest.model import Site
from digest.stages.export import annotations_jsonld, digest_json
from digest.urls import absolute_url, article_path, entity_path, url_for


def render_site(site: Site, config: Config, env: jinja2.Environment, static: dict[str, bytes]) -> dict[str, bytes]:
    """Every output file of the site."""
    files: dict[str, bytes] = {f"static/{name}": data for name, data in static.items()}

    def page(template: str, out: str, **context: Any) -> None:
        html = env.get_template(template).render(site=site, config=config, **context)
        files[out] = html.encode("utf-8")

    page("index.html", "index.html", articles=site.articles, canonical=absolute_url(config))
    by_slug = {a.doc.slug: a for a in site.articles}
    for article in site.articles:
        path = article_path(article)
        page("article.html", path + "index.html", article=article, body=Markup(article.html),
             canonical=absolute_url(config, path), by_slug=by_slug)
    for entity in site.annotations.entities:
        path = entity_path(entity.key)
        page("entity.html", path + "index.html", entity=entity, by_slug=by_slug, canonical=absolute_url(config, path))
    page("entities.html", "entities/index.html", by_slug=by_slug, canonical=absolute_url(config, "entities/"))
    page("glossary.html", "glossary/index.html", by_slug=by_slug, canonical=absolute_url(config, "glossary/"))
    files["annotations.jsonld"] = annotations_jsonld(site, config)
    page("404.html", "404.html", canonical=None)
    files[".nojekyll"] = b""
    files["digest.json"] = digest_json(site, config)
    return files


def template_globals(config: Config) -> dict[str, Any]:
    return {
        "url": lambda path="": url_for(config, path),
        "absolute_url": lambda path="": absolute_url(config, path),
        "article_url": lambda article: url_for(config, article_path(article)),
        "entity_url": lambda key: url_for(config, entity_path(key)),
    }
