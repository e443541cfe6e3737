"""Render the site: every page and file of the output, as {relative path: bytes}.

No I/O here beyond reading the theme's templates through the Jinja2 environment it is given.
The pages (see docs/theme.md for the template each one uses):

    index.html, page/N/          home: stories and articles, newest first
    articles/<slug>/             one article
    tags/, tags/<tag>/           tag index and one page per tag (paginated, with feeds)
    sources/, sources/<outlet>/  outlet index and one page per outlet
    archive/, archive/YYYY/MM/   months with articles, one page per month
    search/                      Pagefind search (its index is added by digest.search)
    404.html, feed.xml, feed.json, sitemap.xml, robots.txt, .nojekyll
    digest.json, data/            the digest as data, its lists in parts (digest.stages.export)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import partial
from html.parser import HTMLParser
from typing import Any, Callable, MutableMapping, Sequence

import jinja2
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

from digest.config import Config
from digest.dates import display_date, month_name
from digest.errors import Interrupted, stop_if_asked
from digest.feeds import FEED_SIZE, Feed, atom_feed, json_feed, robots_txt, sitemap
from digest.listing import Group, home_entries, month_groups, paginate, source_groups, tag_groups, undated
from digest.model import KEEP, Article, Keep, Site
from digest.render_memo import Recorder, RenderMemo, TrackedArticles, TrackedGroup, TrackedSite
from digest.slugs import slugify
from digest.stages.export import annotations_jsonld, data_parts, digest_index, part_json
from digest.link_lookups import link_template_globals
from digest.urls import (STORIES_PATH, absolute_url, article_path, entity_path, external_url, source_path, story_path,
                         tag_path, url_for)

# Pygments styles with WCAG AA contrast on their own backgrounds, one per colour scheme.
LIGHT_CODE_STYLE, DARK_CODE_STYLE = "default", "github-dark"
DESCRIPTION_LENGTH = 160


@dataclass(frozen=True)
class Alternate:
    """A feed a page points to with <link rel="alternate">."""

    title: str
    type: str
    href: str


def render_site(site: Site, config: Config, env: jinja2.Environment, static: dict[str, bytes],
                memo: RenderMemo | None = None, files: MutableMapping[str, bytes | Keep] | None = None,
                articles_done: Callable[[], None] | None = None,
                interrupt: Callable[[], bool] | None = None) -> MutableMapping[str, bytes | Keep]:
    """Every output file of the site; with a memo, pages whose live file is still right are KEEP (digest.render_memo).
    Each is set in files as it is made, in a new dict when None (a build passes one that writes it out at once).
    articles_done is called once every article page is in files, before the other pages are made (a build
    starts indexing them for search then, beside the rest of the rendering). interrupt is asked every few pages:
    True raises errors.Interrupted (digest serve, for a newer change)."""
    files = {} if files is None else files
    files.update({f"static/{name}": data for name, data in static.items()})
    files.setdefault("static/css/pygments.css", pygments_css())
    pages = _Pages(site, config, env, memo, files, interrupt)
    page, site_feeds = pages.page, pages.site_feeds

    home_description = config.description or f"The articles of {config.title}, newest first."
    for pager in paginate(home_entries(site), config.per_page, ""):
        page("index.html", pager.path, home_description, pager=pager)

    for i in range(len(site.articles)):
        pages.article_page(i)
    if articles_done is not None:
        articles_done()

    shown = partial(TrackedGroup, recorder=pages.recorder)  # a group as templates see it
    by_slug = pages.by_slug
    tags = tag_groups(site.articles)
    for group in tags:
        feeds = [*feed_links(config, f"{config.title}: {group.name}", group.path), *site_feeds]
        list_pages(page, group, shown(group), config, "tag", f"Articles tagged {group.name} in {config.title}.", feeds)
        files.update(feed_files(Feed(f"{config.title}: {group.name}", group.path, group.articles), config, memo))
    page("tags.html", "tags/", f"Every tag of {config.title}.", groups=[shown(g) for g in tags])

    outlets = source_groups(site.articles)
    for group in outlets:
        list_pages(page, group, shown(group), config, "source", f"Articles from {group.name} in {config.title}.")
    page("sources.html", "sources/", f"Every outlet {config.title} draws on.", groups=[shown(g) for g in outlets])

    months = month_groups(site.articles)
    for group in months:
        list_pages(page, group, shown(group), config, "month", f"Articles of {group.name} in {config.title}.")
    page("archive.html", "archive/", f"The archive of {config.title}, month by month.", groups=[shown(g) for g in months],
         undated=undated(site.articles))

    for entity in site.annotations.entities:  # paginated: an edit renders only the page that lists the article
        for mentions in paginate(entity.articles, config.entity_per_page, entity_path(entity.key)):
            page("entity.html", mentions.path, f"Every article of {config.title} that mentions {entity.name}."
                 + (f" Page {mentions.number} of {mentions.count}." if mentions.number > 1 else ""),
                 entity=entity, pager=mentions, by_slug=by_slug)
    page("entities.html", "entities/", f"The people, organisations, places and systems in {config.title}.", by_slug=by_slug)
    page("glossary.html", "glossary/", f"The acronyms used in {config.title}, spelled out.", by_slug=by_slug)
    files["annotations.jsonld"] = annotations_jsonld(site, config)

    for story in site.links.stories:
        page("story.html", story_path(story.id), f"{story.title}: the story in {config.title}, article by article.",
             story=story)
    if site.links.stories:
        page("stories.html", STORIES_PATH, f"The stories of {config.title}.", stories=site.links.stories)
    stories_by_id = {story.id: story for story in site.links.stories}
    for old, new in site.links.moved_stories.items():  # not in the sitemap: only a way on to the story
        target = absolute_url(config, story_path(new))
        files[story_path(old) + "index.html"] = env.get_template("moved.html").render(
            site=site, config=config, page_path=story_path(old), canonical=target, feeds=site_feeds, **pages.links,
            description=f"{stories_by_id[new].title}: the story in {config.title}.", story=stories_by_id[new],
            target=target).encode("utf-8")

    page("search.html", "search/", f"Search the articles of {config.title}.")
    files["404.html"] = env.get_template("404.html").render(
        site=site, config=config, page_path=None, canonical=None, feeds=site_feeds, **pages.links,
        description=f"There is no page at this address in {config.title}.").encode("utf-8")

    stop_if_asked(interrupt, "feeds")  # (the feeds and data files take 0.3 s at 10,000 articles)
    files.update(feed_files(Feed(config.title, "", site.articles), config, memo))
    files["sitemap.xml"] = sitemap(sorted(pages.listed), config)
    files["robots.txt"] = robots_txt(config)
    files[".nojekyll"] = b""
    stop_if_asked(interrupt, "digest.json")
    files.update(data_files(site, config, memo))
    stop_if_asked(interrupt, "the pages")
    return files


def article_pages(site: Site, config: Config, env: jinja2.Environment, slugs: Sequence[str]) -> dict[str, bytes]:
    """The pages of these articles, each exactly as render_site makes it (digest serve writes the page of an article
    just saved first, before the rest of the site)."""
    files: dict[str, bytes | Keep] = {}
    pages = _Pages(site, config, env, None, files)
    wanted = set(slugs)
    for i, article in enumerate(site.articles):
        if article.doc.slug in wanted:
            pages.article_page(i)
    return {path: data for path, data in files.items() if isinstance(data, bytes)}


_ASK_EVERY = 64  # pages: about 50 ms of keying, a few pages rendered


class _Pages:
    """Renders the pages of a site into files, each with the context every page gets, recording what its template
    looks up as its dependencies (digest.render_memo); with a memo, a page whose live file is still right is KEEP."""

    def __init__(self, site: Site, config: Config, env: jinja2.Environment, memo: RenderMemo | None,
                 files: MutableMapping[str, bytes | Keep], interrupt: Callable[[], bool] | None = None) -> None:
        self.site, self.config, self.env, self.memo, self.files = site, config, env, memo, files
        self.interrupt = interrupt
        self.site_feeds = feed_links(config, config.title, "")
        self.listed: list[tuple[str, str | None]] = []  # (folder, date) of every page, for the sitemap
        # What templates look up is recorded as the dependencies of the page being rendered.
        self.recorder = Recorder()
        self.links = link_template_globals(site, config, self.recorder.add)  # story_of, article_at ...: lookups
        self.seen_site = TrackedSite(site, self.recorder)
        self.by_slug = TrackedArticles({a.doc.slug: a for a in site.articles}, self.recorder)

    def page(self, template: str, folder: str, description: str, feeds: Sequence[Alternate] | None = None,
             date: str | None = None, derived: Callable[[], dict[str, Any]] = dict, **context: Any) -> None:
        """Render template into folder/index.html. derived() gives more context worked out from the rest (and
        the config) alone: left out of the page's key, and only worked out when the page is rendered."""
        memo, path = self.memo, folder + "index.html"
        self.listed.append((folder, date))
        if self.interrupt is not None and len(self.listed) % _ASK_EVERY == 0 and self.interrupt():
            raise Interrupted(path)
        context.update(page_path=folder, canonical=absolute_url(self.config, folder), description=description,
                       feeds=self.site_feeds if feeds is None else feeds)
        if memo and memo.unchanged(path):
            self.files[path] = KEEP
            return
        context_hash = memo.context_hash(template, context) if memo else None
        if memo and memo.reusable(path, context_hash, context):
            self.files[path] = KEEP
            return
        self.recorder.deps = set()
        html_text = self.env.get_template(template).render(site=self.seen_site, config=self.config, **self.links,
                                                           **context, **derived())
        self.files[path] = html_text.encode("utf-8")
        if memo:
            memo.rendered(path, context_hash, self.recorder.deps, context)

    def article_page(self, i: int) -> None:
        """The page of the site's i-th article (newest first), with its neighbours in that order."""
        articles = self.site.articles
        article = articles[i]
        newer = articles[i - 1] if i > 0 else None
        older = articles[i + 1] if i + 1 < len(articles) else None
        self.page("article.html", article_path(article), article_description(article), date=article.doc.date or None,
                  article=article, newer=newer, older=older, by_slug=self.by_slug,
                  derived=partial(_article_context, article, self.config))


def feed_files(feed: Feed, config: Config, memo: RenderMemo | None) -> dict[str, bytes | Keep]:
    """The Atom and JSON feeds of feed; KEEP for one whose live file is still right (digest.render_memo): a feed
    is made of its newest articles, its title and folder and the config alone."""
    newest = {"feed": replace(feed, articles=feed.articles[:FEED_SIZE])}
    return {feed.folder + name: made_unless_kept(memo, feed.folder + name, name, newest, partial(write, feed, config))
            for name, write in (("feed.xml", atom_feed), ("feed.json", json_feed))}


def data_files(site: Site, config: Config, memo: RenderMemo | None) -> dict[str, bytes | Keep]:
    """digest.json and the parts of its lists (digest.stages.export); KEEP for a part whose live file is still right:
    a part is made of its values (articles by their fingerprint, which holds their links) and the config alone."""
    parts = data_parts(site)
    files = {part.path: made_unless_kept(memo, part.path, "data", {"key": part.key, "values": part.values},
                                         partial(part_json, part, site.links, config)) for part in parts}
    files["digest.json"] = digest_index(parts, config)
    return files


def made_unless_kept(memo: RenderMemo | None, path: str, name: str, context: dict[str, Any],
                     make: Callable[[], bytes]) -> bytes | Keep:
    """make() for the file at path, made of context alone (and the config); KEEP when the memo says its live
    file is what make() would give."""
    if memo and memo.unchanged(path):
        return KEEP
    key = memo.context_hash(name, context) if memo else None
    if memo and memo.reusable(path, key, context):
        return KEEP
    data = make()
    if memo:
        memo.rendered(path, key, set(), context)
    return data


def _article_context(article: Article, config: Config) -> dict[str, Any]:
    """What article.html gets besides the article: all of it follows from the article and the config."""
    html = article.html
    return {"body": Markup(title_footnotes(demote_headings(html))), "json_ld": news_article_json_ld(article, config),
            "original_url": external_url(article.doc.url), "highlighted": 'class="highlight"' in html}


def list_pages(page: Any, group: Group, shown: TrackedGroup, config: Config, kind: str, description: str,
               feeds: Sequence[Alternate] | None = None) -> None:
    """The pages of one tag, outlet or month; templates see the group as shown."""
    extra = {"feeds": feeds} if feeds is not None else {}
    for pager in paginate(group.articles, config.per_page, group.path):
        page("list.html", pager.path, description, group=shown, kind=kind, pager=pager, **extra)


def feed_links(config: Config, title: str, folder: str) -> list[Alternate]:
    return [Alternate(f"{title} (Atom)", "application/atom+xml", url_for(config, folder + "feed.xml")),
            Alternate(f"{title} (JSON Feed)", "application/feed+json", url_for(config, folder + "feed.json"))]


_HEADING = re.compile(r"<(/?)h([1-6])\b")


def demote_headings(body: str) -> str:
    """body with its headings shifted so the highest is <h2>: the page's <h1> is the article's title,
    and scraped bodies start at any level (a skipped level confuses screen-reader navigation)."""
    levels = [int(m.group(2)) for m in _HEADING.finditer(body)]
    if not levels:
        return body
    shift = 2 - min(levels)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", body)


def title_footnotes(body: str) -> str:
    """body with a heading on its footnotes section: an untitled <section> is announced as nothing."""
    return body.replace('<section class="footnotes">', '<section class="footnotes">\n<h2 class="footnotes-title">Notes</h2>', 1)


class _ReadingText(HTMLParser):
    """The text a reader reads in order, without footnote markers, footnotes or side notes."""

    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "blockquote", "pre", "td", "th",
              "br", "hr", "figcaption", "section", "aside", "tr"}
    VOID = {"br", "hr", "img", "wbr", "input", "meta", "link", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is it (inside) something to skip?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        skip = (tag == "sup" and "footnote-ref" in classes) or "footnotes" in classes or "sidenote" in classes \
            or any(c.startswith("footnote") for c in classes if tag in ("section", "hr", "ol"))
        if tag in self.BLOCKS:
            self.parts.append(" ")
        if tag not in self.VOID:
            self.stack.append(skip or bool(self.stack and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def plain_text(fragment: str) -> str:
    """The reading text of an HTML fragment made by our Markdown renderer, whitespace collapsed."""
    reader = _ReadingText()
    reader.feed(fragment)
    reader.close()
    return " ".join("".join(reader.parts).split())


def article_description(article: Article) -> str:
    """The article's summary, else the start of its text: every page needs a description for search engines."""
    return article.description or describe(article.doc.summary, article.html, article.doc.title)


def describe(summary: str | None, body_html: str, title: str) -> str:
    """A description from the summary, else from the start of the body (the build caches it per article)."""
    if summary:
        return summary
    # The start of the body is read, a piece at a time, until it decides the description: parsing whole
    # bodies for their first 160 characters was most of the time decorating took.
    reader = _ReadingText()
    for start in range(0, len(body_html), _DESCRIBE_PIECE):
        reader.feed(body_html[start:start + _DESCRIBE_PIECE])
        words = "".join(reader.parts).split()
        # Every word but the last is whole (the next piece may go on with the last), and a space follows it.
        known = " ".join(words[:-1])
        if len(known) < len(title):
            continue
        rest = _after_title(known, title)
        if len(rest) > DESCRIPTION_LENGTH:
            return rest[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"
    reader.close()
    return _description(" ".join("".join(reader.parts).split()), title)


_DESCRIBE_PIECE = 2048  # characters of HTML


def _after_title(text: str, title: str) -> str:
    """text without the title it opens with, if it does (scraped bodies often open with their own headline)."""
    return text[len(title):].lstrip(" .:–—-") if text.startswith(title) else text


def _description(text: str, title: str) -> str:
    """The description of an article whose reading text is text."""
    text = _after_title(text, title) or title
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"


def news_article_json_ld(article: Article, config: Config) -> Markup:
    """schema.org NewsArticle JSON-LD, safe inside <script>: '<', '>' and '&' are written as \\u escapes,
    so a title holding '</script>' cannot end the element."""
    doc = article.doc
    link = absolute_url(config, article_path(article))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": doc.title,
        "url": link,
        "mainEntityOfPage": link,
        "inLanguage": config.language,
        "description": article_description(article),
    }
    if doc.date:
        data["datePublished"] = doc.date
    if doc.author:
        data["author"] = {"@type": "Person", "name": doc.author}
    if doc.source:
        data["publisher"] = {"@type": "Organization", "name": doc.source}
    if external_url(doc.url):
        data["isBasedOn"] = external_url(doc.url)
    if doc.dateline:
        data["dateline"] = doc.dateline
    if doc.tags:
        data["keywords"] = list(doc.tags)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escaped)
    return Markup(text)


def pygments_css() -> bytes:
    """Highlighting CSS for both colour schemes: the light style, the dark one under prefers-color-scheme."""
    light = HtmlFormatter(style=LIGHT_CODE_STYLE).get_style_defs(".highlight")
    dark = HtmlFormatter(style=DARK_CODE_STYLE).get_style_defs(".highlight")
    dark = "\n".join("  " + line for line in dark.splitlines())
    return f"{light}\n@media screen and (prefers-color-scheme: dark) {{\n{dark}\n}}\n".encode("utf-8")


def template_globals(config: Config) -> dict[str, Any]:
    return {
        "url": lambda path="": url_for(config, path),
        "absolute_url": lambda path="": absolute_url(config, path),
        "article_url": lambda article: url_for(config, article_path(article)),
        "tag_url": lambda tag: url_for(config, tag_path(tag)),
        "source_url": lambda source: url_for(config, source_path(source)),
        "summary_of": article_description,
        "entity_url": lambda key: url_for(config, entity_path(key)),
    }


def template_filters() -> dict[str, Any]:
    return {"display_date": display_date, "month_name": month_name, "slugify": slugify}
