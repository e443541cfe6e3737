"""Feeds and crawler files: Atom, JSON Feed, sitemap.xml, robots.txt — as bytes, with absolute links.

Written out by hand rather than through an XML library so the byte layout is fixed and readable;
every text goes through _xml(), which escapes it and drops the control characters XML forbids
(scraped text has them, and one would make the whole feed unreadable).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Sequence
from xml.sax.saxutils import escape, quoteattr

from digest.config import Config
from digest.dates import timestamp
from digest.model import Article
from digest.urls import absolute_url, article_path, external_url

FEED_SIZE = 50  # newest articles in each feed: a reader polls it, the archive holds the rest
EPOCH = "1970-01-01T00:00:00Z"  # the update time of a feed with no dated article at all
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Feed:
    """A feed of some articles: the whole digest, or one tag."""

    title: str
    folder: str  # where feed.xml and feed.json go, and the page they stand for: '' or 'tags/india/'
    articles: tuple[Article, ...]  # newest first


def _xml(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def _attr(text: str) -> str:
    return quoteattr(_NOT_XML.sub("", text))


def feed_updated(articles: Sequence[Article]) -> str:
    """The newest date among the articles: an undated article counts as updated then too."""
    dates = sorted(timestamp(a.doc.date) for a in articles if a.doc.date)
    return dates[-1] if dates else EPOCH


def atom_feed(feed: Feed, config: Config) -> bytes:
    """The Atom 1.0 document of feed (RFC 4287)."""
    articles = feed.articles[:FEED_SIZE]
    updated = feed_updated(articles)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={_attr(config.language)}>',
        f"<title>{_xml(feed.title)}</title>",
    ]
    if config.description:
        lines.append(f"<subtitle>{_xml(config.description)}</subtitle>")
    lines += [
        f"<id>{_xml(absolute_url(config, feed.folder))}</id>",
        f'<link rel="alternate" type="text/html" href={_attr(absolute_url(config, feed.folder))}/>',
        f'<link rel="self" type="application/atom+xml" href={_attr(absolute_url(config, feed.folder + "feed.xml"))}/>',
        f"<updated>{updated}</updated>",
        f"<author><name>{_xml(config.title)}</name></author>",
        "<generator>digest</generator>",
    ]
    for article in articles:
        doc = article.doc
        link = absolute_url(config, article_path(article))
        entry = [
            "<entry>",
            f"<title>{_xml(doc.title)}</title>",
            f"<id>{_xml(link)}</id>",
            f'<link rel="alternate" type="text/html" href={_attr(link)}/>',
        ]
        original = external_url(doc.url)
        if original:
            entry.append(f'<link rel="related" type="text/html" href={_attr(original)}/>')
        when = timestamp(doc.date) if doc.date else updated
        entry.append(f"<updated>{when}</updated>")
        if doc.date:
            entry.append(f"<published>{when}</published>")
        if doc.author or doc.source:
            entry.append(f"<author><name>{_xml(doc.author or doc.source or '')}</name></author>")
        entry += [f"<category term={_attr(tag)}/>" for tag in doc.tags]
        if doc.summary:
            entry.append(f"<summary>{_xml(doc.summary)}</summary>")
        entry += [f'<content type="html">{_xml(article.html)}</content>', "</entry>"]
        lines += entry
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def json_feed(feed: Feed, config: Config) -> bytes:
    """The JSON Feed 1.1 document of feed (https://jsonfeed.org/version/1.1)."""
    articles = feed.articles[:FEED_SIZE]
    updated = feed_updated(articles)
    items = []
    for article in articles:
        doc = article.doc
        link = absolute_url(config, article_path(article))
        item: dict[str, Any] = {"id": link, "url": link, "title": doc.title, "content_html": article.html}
        if external_url(doc.url):
            item["external_url"] = external_url(doc.url)
        if doc.summary:
            item["summary"] = doc.summary
        if doc.date:
            item["date_published"] = timestamp(doc.date)
        else:  # as in the Atom feed: an undated article is as new as the feed
            item["date_modified"] = updated
        if doc.author or doc.source:
            item["authors"] = [{"name": doc.author or doc.source}]
        if doc.tags:
            item["tags"] = list(doc.tags)
        items.append(item)
    data: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": absolute_url(config, feed.folder),
        "feed_url": absolute_url(config, feed.folder + "feed.json"),
        "language": config.language,
        "items": items,
    }
    if config.description:
        data["description"] = config.description
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def sitemap(pages: Sequence[tuple[str, str | None]], config: Config) -> bytes:
    """sitemap.xml of (output folder, ISO date or None) pairs, in the order given."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for folder, date in pages:
        lastmod = f"<lastmod>{_xml(date[:10])}</lastmod>" if date else ""
        lines.append(f"<url><loc>{_xml(absolute_url(config, folder))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(config: Config) -> bytes:
    """robots.txt: everything may be crawled; where the sitemap is."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url(config, 'sitemap.xml')}\n".encode("utf-8")
