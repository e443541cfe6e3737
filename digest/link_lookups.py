"""The template helpers that related.html, the story templates and the annotations partial use to look
articles, stories and discrepancies up: dictionaries built once per build, so no page scans the corpus."""

from __future__ import annotations

from typing import Any, Callable

from digest.config import Config
from digest.model import Article, Discrepancy, Reference, Related, Site, Story
from digest.urls import STORIES_PATH, story_path, url_for


def link_template_globals(site: Site, config: Config, record: Callable[[str], None] = lambda dep: None) -> dict[str, Any]:
    """Template functions over the site's links: article_at(slug), story_of(article), story_url(story),
    related_of(article), references_of(article), discrepancies_of(article). Each lookup is passed to
    record as the dependency of the page being rendered (digest.render_memo)."""
    by_slug = {a.doc.slug: a for a in site.articles}
    stories = {s.id: s for s in site.links.stories}
    discrepancies = discrepancies_by_article(site)

    def article_at(slug: str) -> Article | None:
        record("a:" + slug)
        return by_slug.get(slug)

    def story_of(article: Article) -> Story | None:
        record("o:" + article.doc.slug)
        story_id = site.links.story_of.get(article.doc.slug)
        return stories.get(story_id) if story_id else None

    def related_of(article: Article) -> tuple[Related, ...]:
        record("a:" + article.doc.slug)
        return site.links.related.get(article.doc.slug, ())

    def references_of(article: Article) -> tuple[Reference, ...]:
        record("a:" + article.doc.slug)
        return site.links.references.get(article.doc.slug, ())

    def story_url(story: Story) -> str:
        return url_for(config, story_path(story.id))

    def discrepancies_of(article: Article) -> list[Discrepancy]:
        record("d:" + article.doc.slug)
        return discrepancies.get(article.doc.slug, [])

    return {"article_at": article_at, "story_of": story_of, "story_url": story_url, "discrepancies_of": discrepancies_of,
            "related_of": related_of, "references_of": references_of,
            "stories_url": url_for(config, STORIES_PATH)}


def discrepancies_by_article(site: Site) -> dict[str, list[Discrepancy]]:
    """{slug: the discrepancies between that article and another}."""
    found: dict[str, list[Discrepancy]] = {}
    for d in site.annotations.discrepancies:
        for slug in dict.fromkeys((d.first.slug, d.second.slug)):
            found.setdefault(slug, []).append(d)
    return found
