"""How the render stage groups and pages articles: tags, outlets, months, the home page's stories.

Pure functions over the Site; every order is fixed (newest first, then by slug or name) so the
same articles always give the same pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Iterable, Sequence, TypeVar

from digest.dates import month_name
from digest.model import Article, Site, Story
from digest.slugs import slugify
from digest.urls import month_path, page_path, source_path, tag_path

T = TypeVar("T")


@dataclass(frozen=True)
class Group:
    """A tag, an outlet or a month, with its articles newest first."""

    name: str  # as shown: 'India', 'The Hindu', 'April 2021'
    path: str  # output folder of its page
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Pager(Generic[T]):
    """One page of a paginated list."""

    items: tuple[T, ...]
    number: int  # 1-based
    count: int  # pages in all
    path: str  # this page's output folder
    previous: str | None  # folder of the newer page
    next: str | None  # folder of the older page


@dataclass(frozen=True)
class HomeEntry:
    """A story with its articles, or one article that belongs to no story."""

    story: Story | None
    articles: tuple[Article, ...]  # newest first


def paginate(items: Sequence[T], per_page: int, folder: str) -> list[Pager[T]]:
    """items cut into pages of per_page; always at least one page, so an empty list still has its page."""
    chunks = [tuple(items[i:i + per_page]) for i in range(0, len(items), per_page)] or [()]
    count = len(chunks)
    return [Pager(chunk, n, count, page_path(folder, n),
                  page_path(folder, n - 1) if n > 1 else None,
                  page_path(folder, n + 1) if n < count else None)
            for n, chunk in enumerate(chunks, start=1)]


def _grouped(keyed: list[tuple[str, str, Article]], path_of: dict[str, str]) -> list[Group]:
    """Groups of (key, name, article) triples; a key's name is its first name in sorted order."""
    names: dict[str, str] = {}
    members: dict[str, list[Article]] = {}
    seen: set[tuple[str, str]] = set()
    for key, name, article in sorted(keyed, key=lambda t: (t[0], t[1])):
        names.setdefault(key, name)
        if (key, article.doc.slug) not in seen:  # an article tagged 'India' and 'india' is listed once
            seen.add((key, article.doc.slug))
            members.setdefault(key, []).append(article)
    return [Group(names[k], path_of[k], tuple(_newest_first(members[k]))) for k in sorted(members)]


def tag_groups(articles: Sequence[Article]) -> list[Group]:
    """One group per tag, tags that slug alike merged, by name."""
    slug_of = _slugs(t for a in articles for t in a.doc.tags)
    keyed = [(slug_of[t], t, a) for a in articles for t in a.doc.tags if t in slug_of]
    groups = _grouped(keyed, {slug: tag_path(name) for name, slug in slug_of.items()})
    return sorted(groups, key=lambda g: (g.name.casefold(), g.path))


def source_groups(articles: Sequence[Article]) -> list[Group]:
    """One group per outlet, by name."""
    slug_of = _slugs(a.doc.source for a in articles if a.doc.source)
    keyed = [(slug_of[a.doc.source], a.doc.source, a) for a in articles if a.doc.source in slug_of]
    groups = _grouped(keyed, {slug: source_path(name) for name, slug in slug_of.items()})
    return sorted(groups, key=lambda g: (g.name.casefold(), g.path))


def _slugs(names: Iterable[str]) -> dict[str, str]:
    """{name: its slug} of the names that are not blank: each slugified once, though thousands of articles share it."""
    return {name: slugify(name) for name in set(names) if name.strip()}


def month_groups(articles: Sequence[Article]) -> list[Group]:
    """One group per month that has dated articles, newest month first."""
    keyed = [(a.doc.date[:7], month_name(a.doc.date[:7]), a) for a in articles if a.doc.date]
    return list(reversed(_grouped(keyed, {k: month_path(k) for k, _, _ in keyed})))


def undated(articles: Sequence[Article]) -> list[Article]:
    return [a for a in articles if not a.doc.date]


def home_entries(site: Site) -> list[HomeEntry]:
    """The home page's entries newest first: each story once, where its newest article would stand."""
    by_slug = {a.doc.slug: a for a in site.articles}
    story_of: dict[str, Story] = {}
    for story in site.links.stories:
        for slug in story.articles:
            story_of.setdefault(slug, story)
    entries: list[HomeEntry] = []
    shown: set[str] = set()
    for article in site.articles:  # already newest first
        found = story_of.get(article.doc.slug)
        if found is None or len(found.articles) < 2:
            entries.append(HomeEntry(None, (article,)))
        elif found.id not in shown:
            shown.add(found.id)
            members = [by_slug[s] for s in found.articles if s in by_slug and story_of[s] is found]
            entries.append(HomeEntry(found, tuple(_newest_first(members))))
    return entries


def _newest_first(articles: Sequence[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.doc.date, a.doc.slug), reverse=True)
