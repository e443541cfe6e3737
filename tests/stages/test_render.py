"""The render stage: pages, feeds and sitemap from fixed inputs, under a base sub-path, escaped."""

from __future__ import annotations

import difflib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.check import check_links, scan_html
from digest.config import Config
from digest.dates import display_date, timestamp
from digest.frontmatter import parse_page
from digest.listing import paginate
from digest.markdown import render_markdown
from digest.model import AnnotationIndex, Article, Document, EntityEntry, Links, Site, Story, encode_text
from digest.pages import PageFile, document_from
from digest.stages.render import (article_description, data_files, demote_headings, render_site, template_filters,
                                  template_globals)
from digest.stages.write import write_site
from digest.theme import find_theme, make_environment

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "render"
ATOM = "{http://www.w3.org/2005/Atom}"


def read_articles(folder: Path) -> list[Article]:
    """Articles from hand-written page files, newest first as the build orders them."""
    articles = []
    for path in sorted(folder.glob("*.md")):
        page, problems = parse_page(path.read_text(encoding="utf-8"), path.name)
        assert page is not None, problems
        doc = document_from(PageFile(path, path.name, page))
        articles.append(Article.of(doc, render_markdown(doc.body)))
    return sorted(articles, key=lambda a: (a.doc.date, a.doc.slug), reverse=True)


def render(articles: list[Article], root: Path, base_url: str = "https://example.org/news/",
           links: Links = Links(), annotations: AnnotationIndex = AnnotationIndex(), **options: object) -> dict[str, bytes]:
    config = Config(title="Test digest", description="A digest for tests.", base_url=base_url, root=root, **options)  # type: ignore[arg-type]
    theme = find_theme(config.theme, root / "themes")
    env = make_environment(theme, template_globals(config), template_filters())
    static = {name: path.read_bytes() for name, path in theme.static_files().items()}
    return render_site(Site(tuple(articles), links, annotations), config, env, static)


def compare_golden(expected_dir: Path, files: dict[str, bytes], update: bool) -> None:
    """files (static assets left out) must equal expected_dir byte for byte; a unified diff otherwise."""
    produced = {name: data for name, data in files.items() if not name.startswith("static/")}
    if update:
        for old in expected_dir.rglob("*"):
            if old.is_file():
                old.unlink()
        write_site(produced, expected_dir)
        return
    expected = {p.relative_to(expected_dir).as_posix(): p.read_bytes() for p in expected_dir.rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(expected), "the set of output files changed (pytest --update-golden)"
    diffs = []
    for name in sorted(produced):
        if produced[name] != expected[name]:
            diffs += difflib.unified_diff(expected[name].decode().splitlines(), produced[name].decode().splitlines(),
                                          f"expected/{name}", f"produced/{name}", lineterm="")
    assert not diffs, "\n".join(diffs[:200]) + "\n(pytest --update-golden to accept)"


@pytest.fixture
def small_site() -> list[Article]:
    return read_articles(GOLDEN / "small-site" / "articles")


def test_render_small_site_matches_golden(small_site: list[Article], tmp_path: Path, update_golden: bool) -> None:
    compare_golden(GOLDEN / "small-site" / "expected", render(small_site, tmp_path), update_golden)


def test_every_page_and_feed_exists(small_site: list[Article], tmp_path: Path) -> None:
    files = render(small_site, tmp_path)
    for name in ["index.html", "404.html", "search/index.html", "tags/index.html", "tags/s-400/index.html",
                 "tags/s-400/feed.xml", "tags/s-400/feed.json", "sources/index.html",
                 "sources/the-example-times/index.html", "archive/index.html", "archive/2021/12/index.html",
                 "archive/2021/11/index.html", "feed.xml", "feed.json", "sitemap.xml", "robots.txt", ".nojekyll",
                 "static/css/pygments.css", "articles/2021-12-06-deliveries-begin/index.html"]:
        assert name in files, name


def test_sparse_front_matter_leaves_out_what_is_unknown(small_site: list[Article], tmp_path: Path) -> None:
    page = render(small_site, tmp_path)["articles/undated-note/index.html"].decode()
    article = page[page.index("<main"):page.index("</main>")]
    assert "<time" not in article and 'class="byline"' not in article and "Read the original" not in article
    assert "datePublished" not in page


def test_article_shows_inferred_date_dateline_original_and_tags(small_site: list[Article], tmp_path: Path) -> None:
    files = render(small_site, tmp_path)
    inferred = files["articles/2021-11-14-training/index.html"].decode()
    assert '<time datetime="2021-11-14">14 November 2021</time> <abbr class="inferred"' in inferred
    full = files["articles/2021-12-06-deliveries-begin/index.html"].decode()
    assert '<p class="dateline">NEW DELHI</p>' in full
    assert 'href="https://news.example.com/2021/12/06/s400" rel="external nofollow noopener noreferrer"' in full
    assert '<a href="/news/tags/s-400/" rel="tag">S-400</a>' in full
    assert '<link rel="stylesheet" href="/news/static/css/pygments.css">' in full  # only where code is highlighted
    assert "pygments.css" not in inferred


def hrefs(html_text: str) -> list[str]:
    return [ref for _, ref in scan_html(html_text).refs]


@pytest.mark.parametrize("base_url, prefix", [("https://example.org/news/", "/news/"), ("/", "/"),
                                              ("https://example.org/a/b/", "/a/b/")], ids=["sub-path", "root", "deep"])
def test_every_internal_link_carries_the_base_path(small_site: list[Article], tmp_path: Path, base_url: str,
                                                   prefix: str) -> None:
    files = render(small_site, tmp_path, base_url=base_url)
    for name, data in files.items():
        if name.endswith(".html"):
            for ref in hrefs(data.decode()):
                assert ref.startswith((prefix, "https://", "#")), f"{name}: {ref}"
    write_site(files, tmp_path / "out")
    assert check_links(tmp_path / "out", Config(base_url=base_url)) == []


def test_canonical_and_open_graph_are_absolute(small_site: list[Article], tmp_path: Path) -> None:
    page = render(small_site, tmp_path)["articles/undated-note/index.html"].decode()
    assert '<link rel="canonical" href="https://example.org/news/articles/undated-note/">' in page
    assert '<meta property="og:url" content="https://example.org/news/articles/undated-note/">' in page
    assert '<link rel="alternate" type="application/atom+xml" title="Test digest (Atom)" href="/news/feed.xml">' in page


def test_atom_feed_has_absolute_links_dates_and_tags(small_site: list[Article], tmp_path: Path) -> None:
    feed = ElementTree.fromstring(render(small_site, tmp_path)["feed.xml"])
    assert feed.find(f"{ATOM}updated").text == "2021-12-06T09:30:00+05:30"  # type: ignore[union-attr]
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [  # type: ignore[union-attr]
        "Russia begins deliveries of S-400 to India", "Indian crews finish S-400 training", "A note without a date"]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]  # type: ignore[union-attr]
    assert links[0] == "https://example.org/news/articles/2021-12-06-deliveries-begin/"
    assert all(link.startswith("https://example.org/news/articles/") for link in links)  # type: ignore[union-attr]
    assert [c.get("term") for c in entries[0].findall(f"{ATOM}category")] == ["S-400", "India", "Russia"]
    assert entries[2].find(f"{ATOM}updated").text == "2021-12-06T09:30:00+05:30"  # type: ignore[union-attr]


def test_tag_feeds_hold_only_their_tag(small_site: list[Article], tmp_path: Path) -> None:
    files = render(small_site, tmp_path)
    training = json.loads(files["tags/training/feed.json"])
    assert [i["url"] for i in training["items"]] == ["https://example.org/news/articles/2021-11-14-training/"]
    assert training["feed_url"] == "https://example.org/news/tags/training/feed.json"
    assert training["items"][0]["date_published"] == "2021-11-14T00:00:00Z"
    page = files["tags/training/index.html"].decode()
    assert 'type="application/atom+xml" title="Test digest: training (Atom)" href="/news/tags/training/feed.xml"' in page


def test_sitemap_lists_every_page_absolutely(small_site: list[Article], tmp_path: Path) -> None:
    files = render(small_site, tmp_path)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = {u.find(f"{ns}loc").text: u.find(f"{ns}lastmod") for u in ElementTree.fromstring(files["sitemap.xml"])}  # type: ignore[union-attr]
    pages = {"https://example.org/news/" + n[:-len("index.html")] for n in files if n.endswith("index.html")}
    assert set(urls) == pages
    assert urls["https://example.org/news/articles/2021-11-14-training/"].text == "2021-11-14"  # type: ignore[union-attr]
    assert urls["https://example.org/news/tags/"] is None
    assert files["robots.txt"].endswith(b"Sitemap: https://example.org/news/sitemap.xml\n")


def test_home_pages_are_cut_by_per_page(small_site: list[Article], tmp_path: Path) -> None:
    files = render(small_site, tmp_path, per_page=2)
    first, second = files["index.html"].decode(), files["page/2/index.html"].decode()
    assert '<a rel="next" href="/news/page/2/">Older →</a>' in first
    assert '<a rel="prev" href="/news/">← Newer</a>' in second and "A note without a date" in second
    assert "A note without a date" not in first


def test_home_groups_a_story(small_site: list[Article], tmp_path: Path) -> None:
    story = Story("s400", "S-400 deliveries", ("2021-11-14-training", "2021-12-06-deliveries-begin"))
    home = render(small_site, tmp_path, links=Links(stories=(story,)))["index.html"].decode()
    group = home[home.index('<li class="story">'):home.index("</ol>")]
    assert "S-400 deliveries" in group and group.index("deliveries-begin") < group.index("training")


HOSTILE = '''---
title: "</script><script>alert('t')</script> \\"quoted\\" & <b>bold</b>"
summary: "<img src=x onerror=alert('s')>"
source: "Outlet \\"Q\\" <i>"
author: "<script>alert('a')</script>"
url: "javascript:alert('u')"
dateline: "</p><script>alert('d')</script>"
tags: ["<script>", "a\\"b"]
date: 2021-01-02
---

<script>alert('body')</script>

[click](javascript:alert('link')) and <a href="javascript:alert(1)">raw</a>
'''


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[str | None, str]] = []
        self.metas: dict[str, str] = {}
        self._in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = values.get("type") or ""
        if tag == "meta" and values.get("property"):
            self.metas[str(values["property"])] = str(values.get("content"))

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def test_hostile_front_matter_and_body_are_escaped(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    articles = read_articles(tmp_path / "in")
    title = articles[0].doc.title
    files = render(articles, tmp_path)
    for name, data in files.items():
        text = data.decode("utf-8", "replace")
        if name.endswith((".html", ".xml")):
            assert "<script>alert" not in text, name
            assert "<img src=x" not in text, name
            assert 'href="javascript:' not in text.lower() and "href='javascript:" not in text.lower(), name
    page = files["articles/hostile/index.html"].decode()
    collected = _Collector()
    collected.feed(page)
    # the only script elements are the JSON-LD block, intact, holding the title as data
    assert [kind for kind, _ in collected.scripts] == ["application/ld+json"]
    assert json.loads(collected.scripts[0][1])["headline"] == title
    assert collected.metas["og:description"] == "<img src=x onerror=alert('s')>"
    assert collected.metas["og:title"] == title
    assert "Read the original" not in page  # a javascript: url is no link
    item = json.loads(files["feed.json"])["items"][0]
    assert item["title"] == title  # JSON Feed titles are plain text, for the reader to escape
    assert "<script>" not in item["content_html"] and "external_url" not in item
    atom = ElementTree.fromstring(files["feed.xml"])
    assert atom.find(f"{ATOM}entry/{ATOM}title").text == title  # type: ignore[union-attr]


def test_control_characters_never_break_a_feed(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "c.md").write_text("---\ntitle: \"bell\\a and\\x0b tab\"\n---\n\ntext\n", encoding="utf-8")
    feed = ElementTree.fromstring(render(read_articles(tmp_path / "in"), tmp_path)["feed.xml"])
    assert feed.find(f"{ATOM}entry/{ATOM}title").text == "bell and tab"  # type: ignore[union-attr]


def test_theme_override_replaces_one_template(small_site: list[Article], tmp_path: Path) -> None:
    override = tmp_path / "themes" / "default" / "templates"
    override.mkdir(parents=True)
    (override / "article.html").write_text(
        '{% extends "base.html" %}{% block main %}<p class="mine">{{ article.doc.title }}</p>{% endblock %}\n')
    (tmp_path / "themes" / "default" / "static" / "css").mkdir(parents=True)
    (tmp_path / "themes" / "default" / "static" / "css" / "digest.css").write_text("body{}")
    files = render(small_site, tmp_path)
    assert '<p class="mine">A note without a date</p>' in files["articles/undated-note/index.html"].decode()
    assert '<h1 class="masthead">' in files["index.html"].decode()  # not overridden: the packaged template
    assert files["static/css/digest.css"] == b"body{}"
    assert "static/js/search.js" in files


@pytest.mark.parametrize("body, expected", [
    ("<h1>A</h1><h2>B</h2>", "<h2>A</h2><h3>B</h3>"),
    ("<h3>A</h3><h4>B</h4>", "<h2>A</h2><h3>B</h3>"),
    ("<h2>A</h2>", "<h2>A</h2>"),
    ("<p>none</p>", "<p>none</p>"),
], ids=["from-h1", "from-h3", "already-h2", "no-headings"])
def test_body_headings_start_below_the_title(body: str, expected: str) -> None:
    assert demote_headings(body) == expected


@pytest.mark.parametrize("iso, shown, stamp", [
    ("2021-04-06", "6 April 2021", "2021-04-06T00:00:00Z"),
    ("2021-12-06T09:30:00+05:30", "6 December 2021", "2021-12-06T09:30:00+05:30"),
    ("2021-12-06T09:30:00", "6 December 2021", "2021-12-06T09:30:00Z"),
], ids=["date", "offset", "naive"])
def test_dates(iso: str, shown: str, stamp: str) -> None:
    assert (display_date(iso), timestamp(iso)) == (shown, stamp)


@pytest.mark.parametrize("count, per_page, pages", [(0, 2, 1), (2, 2, 1), (5, 2, 3)], ids=["empty", "exact", "rest"])
def test_paginate_always_gives_a_first_page(count: int, per_page: int, pages: int) -> None:
    result = paginate(list(range(count)), per_page, "tags/x/")
    assert len(result) == pages and result[0].path == "tags/x/"
    assert [p.path for p in result][1:] == [f"tags/x/page/{n}/" for n in range(2, pages + 1)]


def test_pygments_css_covers_both_colour_schemes(small_site: list[Article], tmp_path: Path) -> None:
    css = render(small_site, tmp_path)["static/css/pygments.css"].decode()
    light, dark = css.split("@media screen and (prefers-color-scheme: dark) {")
    assert ".highlight { background: #f8f8f8; }" in light and ".highlight { background: #0d1117; color: #E6EDF3 }" in dark


@pytest.mark.parametrize("body, summary, expected", [
    ("Headline\n\nThe first words.", None, "The first words."),
    ("Words & more.", None, "Words & more."),
    ("Anything.", "Given summary", "Given summary"),
    ("word " * 60, None, ("word " * 32).strip() + "…"),
], ids=["drops-repeated-headline", "unescaped-text", "summary-wins", "cut-at-a-word"])
def test_article_description(body: str, summary: str | None, expected: str) -> None:
    doc = Document(path="a.md", slug="a", title="Headline", date="", body_utf8=encode_text(body), summary=summary)
    assert article_description(Article.of(doc, render_markdown(body))) == expected


def test_templates_make_no_url_by_hand() -> None:
    """Every link of the packaged theme goes through url() (or another helper), so none can miss the base path."""
    templates = Path(__file__).resolve().parents[2] / "digest" / "themes" / "default" / "templates"
    for template in templates.rglob("*.html"):
        for match in re.finditer(r'\b(?:href|src|action|data-pagefind)="([^"]*)"', template.read_text(encoding="utf-8")):
            assert match.group(1).startswith(("{{", "#")), f"{template.name}: {match.group(0)}"


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12).filter(str.strip)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.tuples(names, st.one_of(st.none(), names), st.lists(names, max_size=3),
                                  st.one_of(st.none(), st.dates().map(lambda d: d.isoformat()))),
                        min_size=1, max_size=4),
       per_page=st.integers(1, 3))
def test_any_titles_tags_and_outlets_give_a_site_without_broken_links(tmp_path: Path, entries: list[tuple[str, str | None, list[str], str | None]],
                                                                     per_page: int) -> None:
    articles = [Article.of(Document(path=f"{n}.md", slug=f"a{n}", title=title, date=date or "", body_utf8=encode_text(title), source=source,
                                 tags=tuple(tags)), render_markdown(title))
                for n, (title, source, tags, date) in enumerate(entries)]
    articles.sort(key=lambda a: (a.doc.date, a.doc.slug), reverse=True)
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
    write_site(render(articles, tmp_path, per_page=per_page), out)
    assert check_links(out, Config(base_url="https://example.org/news/")) == []


def test_a_thing_named_in_more_articles_than_a_page_holds_gets_pages_that_list_each_once(
        small_site: list[Article], tmp_path: Path) -> None:
    slugs = tuple(a.doc.slug for a in small_site)
    entity = EntityEntry("s-400", "S-400", "system", (), slugs)
    files = render(small_site, tmp_path, annotations=AnnotationIndex(entities=(entity,)), entity_per_page=2)
    first, second = files["entities/s-400/index.html"].decode(), files["entities/s-400/page/2/index.html"].decode()
    assert "entities/s-400/page/3/index.html" not in files
    listed = [re.findall(r'href="/news/articles/([^/]+)/"', page) for page in (first, second)]
    assert listed == [list(slugs[:2]), list(slugs[2:])], "newest first, each article on one page"
    assert 'rel="next" href="/news/entities/s-400/page/2/"' in first and 'rel="prev" href="/news/entities/s-400/"' in second
    assert "<title>S-400 — page 2 — " in second and "Mentioned in 3 articles" in second
    assert "/news/entities/s-400/page/2/" in files["sitemap.xml"].decode()
    write_site(files, tmp_path / "out")
    assert check_links(tmp_path / "out", Config(base_url="https://example.org/news/")) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), unique=True, max_size=40), st.integers(1, 7))
def test_digest_json_lists_every_part_and_each_item_is_in_one(tmp_path_factory: pytest.TempPathFactory,
                                                               slugs: list[str], per_part: int) -> None:
    from digest.data import read_digest
    from digest.model import Annotations, DatedEvent
    from digest.stages import export

    articles = [Article.of(Document(path=f"{s}.md", slug=s, title=s.upper(), date=f"2021-01-{1 + n % 28:02d}", body_utf8=b"x"), "<p>x</p>",
                        Annotations(events=(DatedEvent("2020", f"It began for {s}."),))) for n, s in enumerate(slugs)]
    articles.sort(key=lambda a: (a.doc.date, a.doc.slug), reverse=True)
    site = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(export, "ITEMS_PER_PART", per_part)
        files = data_files(Site(tuple(articles)), Config(title="Parts"), None)
    write_site(files, site)
    index = json.loads(files["digest.json"])
    listed = [path for paths in index["parts"].values() for path in paths]
    assert sorted(listed) == sorted(path for path in files if path != "digest.json"), "every part listed, once"
    assert len(index["parts"]["articles"]) == max(1, -(-len(slugs) // per_part))
    data = read_digest(site)
    assert [a["slug"] for a in data["articles"]] == [a.doc.slug for a in articles], "newest first again"
    assert sorted(e["article"] for e in data["events"]) == sorted(slugs)
    for entries, events in zip(index["parts"]["articles"], index["parts"]["events"]):
        in_part = {a["slug"] for a in json.loads(files[entries])}
        assert {e["article"] for e in json.loads(files[events])} == in_part, "an article's events in its entry's part"
