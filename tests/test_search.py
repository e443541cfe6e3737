"""Search: Pagefind's bundle of the article pages is byte-stable and works under a base sub-path."""

from __future__ import annotations

import functools
import gzip
import json
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from digest.config import Config
from digest import search
from digest.search import search_bundle
from digest.stages.write import write_site
from tests.stages.test_render import GOLDEN, read_articles, render


def fragments(bundle: dict[str, bytes]) -> list[dict[str, object]]:
    """Pagefind's per-page records: gzip, a 12-byte signature, then JSON."""
    return [json.loads(gzip.decompress(data)[len(b"pagefind_dcd"):])
            for name, data in sorted(bundle.items()) if name.startswith("pagefind/fragment/")]


def test_search_index_is_byte_stable_with_site_relative_urls(tmp_path: Path) -> None:
    files = render(read_articles(GOLDEN / "small-site" / "articles"), tmp_path)
    config = Config(base_url="https://example.org/news/")
    first, problems = search_bundle(files, config)
    second, _ = search_bundle(files, config)
    assert problems == [] and first == second
    assert {"pagefind/pagefind.js", "pagefind/pagefind-entry.json", "pagefind/pagefind-worker.js"} <= set(first)
    assert not any("-ui." in name for name in first)  # Pagefind's own UI is left out
    part, _ = search_bundle(files, config, "pagefind/shard-1/")
    assert {name.replace("shard-1/", "") for name in part} == {n for n in first if not n.startswith(("pagefind/pagefind.js",
            "pagefind/pagefind-worker.js", "pagefind/wasm."))}, "another part: the same index without the search code"
    records = fragments(first)
    assert sorted(str(r["url"]) for r in records) == [
        "/articles/2021-11-14-training/", "/articles/2021-12-06-deliveries-begin/", "/articles/undated-note/"]
    training = next(r for r in records if "training" in str(r["url"]))
    assert training["meta"] == {"title": "Indian crews finish S-400 training"}
    assert "Tags:" not in str(training["content"])  # the article footer is data-pagefind-ignore


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(params=[1000, 1], ids=["one index", "an index per page"])
def served_site(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The small site with its search index, served from /news/ on 127.0.0.1 by a real HTTP server;
    the index in one part, or in as many parts as pages (as a digest of thousands of pages has)."""
    files = render(read_articles(GOLDEN / "small-site" / "articles"), tmp_path)
    bundle: dict[str, bytes] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_SIZE", request.param)
        parts = search.shards({path: data for path, data in files.items() if search.indexed(path)})
    assert len(parts) == (1 if request.param == 1000 else 3)
    for folder, part in parts:
        bundle.update(search_bundle(part, Config(base_url="https://example.org/news/"), folder)[0])
    bundle[search.SHARDS] = search.shard_list([folder for folder, _ in parts])
    write_site({**files, **bundle}, tmp_path / "root" / "news")
    handler = functools.partial(QuietHandler, directory=str(tmp_path / "root"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/news/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.browser
def test_search_page_finds_an_article_in_chromium_without_console_errors(served_site: str) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's chromium is missing: apt-get install chromium")
        pytest.skip("needs Debian's chromium")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(served_site + "search/?q=training")
        link = page.locator("#search-results li a").first
        link.wait_for(timeout=15000)
        assert link.get_attribute("href") == "/news/articles/2021-11-14-training/"
        assert "1 article found" in page.locator("#search-status").inner_text()
        page.fill("#q", "regiments")
        page.click("form.search button")
        page.locator("#search-results li a", has_text="Russia begins deliveries").wait_for(timeout=15000)
        page.goto(served_site + "articles/2021-12-06-deliveries-begin/")
        browser.close()
    assert problems == []


def test_pages_are_split_into_parts_of_about_shard_size_each_page_in_one() -> None:
    pages = {f"articles/a-{i}/index.html": b"x" for i in range(2400)}
    parts = search.shards(pages)
    assert [folder for folder, _ in parts][:2] == ["pagefind/", "pagefind/shard-1/"]
    assert sorted(p for _, part in parts for p in part) == sorted(pages)
    assert len(parts) == 5 and all(330 < len(part) < 630 for _, part in parts)
    one_more = search.shards({**pages, "articles/new/index.html": b"y"})
    assert [set(part) - {"articles/new/index.html"} for _, part in one_more] == [set(part) for _, part in parts], \
        "adding a page leaves every other page in its part"
    assert search.shards({}) == [("pagefind/", {})]
    assert search.shard_list(["pagefind/", "pagefind/shard-1/"]) == b'["shard-1/"]\n'


def test_the_index_key_reads_what_pagefind_reads() -> None:
    page = (b'<html><body><nav>Sections</nav><article class="a" data-pagefind-body><h1>T</h1><article>quoted</article>'
            b'<footer data-pagefind-ignore>tags</footer></article><section>Related: A, B</section></body></html>')
    region = search.indexed_part(page)
    assert region.startswith(b'<article class="a" data-pagefind-body>') and region.endswith(b"</footer></article>")
    config = Config()
    key = search.search_key({"articles/x/index.html": page}, config)
    assert search.search_key({"articles/x/index.html": page.replace(b"A, B", b"A, C")}, config) == key
    assert search.search_key({"articles/x/index.html": page.replace(b"<h1>T", b"<h1>U")}, config) != key
    with_meta = page.replace(b"<nav>", b'<nav data-pagefind-meta="x">')
    assert search.indexed_part(with_meta) == with_meta, "an attribute outside the body counts: the whole page"
    no_body = page.replace(b" data-pagefind-body", b"")
    assert search.indexed_part(no_body) == no_body


def test_what_pagefind_ignores_altogether_is_not_in_the_index_key() -> None:
    page = (b'<html><body><article data-pagefind-body><h1>T</h1><p>Text.</p>'
            b'<section data-pagefind-ignore="all"><section><h2>Related</h2></section><p>A, B</p></section>'
            b'<footer data-pagefind-ignore>tags</footer></article></body></html>')
    assert search.indexed_part(page) == b'<article data-pagefind-body><h1>T</h1><p>Text.</p><footer data-pagefind-ignore>tags</footer></article>'
    config = Config()
    key = search.search_key({"articles/x/index.html": page}, config)
    assert search.search_key({"articles/x/index.html": page.replace(b"A, B", b"A, C")}, config) == key
    assert search.search_key({"articles/x/index.html": page.replace(b"tags", b"more tags")}, config) != key, \
        "an element ignored only for its text may still hold filters or metadata: it counts"
    bundle, _ = search_bundle({"articles/x/index.html": page.replace(b"A, B", b"Zanzibar")}, config)
    [record] = fragments(bundle)
    assert "Text." in str(record["content"]) and "Zanzibar" not in str(record["content"]), "Pagefind ignores it too"
    unclosed = page.replace(b"</p></section><footer", b"</p><footer")
    assert search.indexed_part(unclosed).count(b"A, B") == 1, "an element that cannot be delimited is kept"


def test_the_page_digests_of_a_build_serve_the_next_only_for_pages_still_as_written(tmp_path: Path) -> None:
    output = tmp_path / "site"
    written = {"articles/a/index.html": (10, 111, 1), "articles/b/index.html": (20, 222, 2)}
    digests = {"articles/a/index.html": b"\x01" * 32, "articles/b/index.html": b"\x02" * 32}
    search.save_page_digests(tmp_path, output, digests, written)
    live = {**written, "articles/b/index.html": (20, 333, 2)}  # b was written again since
    assert search.load_page_digests(tmp_path, output, live) == {"articles/a/index.html": b"\x01" * 32}
    assert search.load_page_digests(tmp_path, tmp_path / "elsewhere", live) == {}, "another output folder"
    assert search.load_page_digests(None, output, live) == {} and search.load_page_digests(tmp_path, output, None) == {}
    (tmp_path / search.PAGES_RECORD).write_text("{not json")
    assert search.load_page_digests(tmp_path, output, live) == {}
    search.save_page_digests(tmp_path, output, digests, None)
    assert not (tmp_path / search.PAGES_RECORD).exists()


def test_search_parts_digest_serve_hashed_last_build_are_not_hashed_again() -> None:
    from digest.interning import ByIdentity
    from digest.pipeline import hashed_bundles
    from digest.stages.write import file_digest

    kept, edited = {"pagefind/a.pf": b"A"}, {"pagefind-1/b.pf": b"B"}
    last: ByIdentity = ByIdentity()
    files, hashes = hashed_bundles([kept, edited], last)
    assert files == {"pagefind/a.pf": b"A", "pagefind-1/b.pf": b"B"}
    assert hashes == {path: file_digest(data) for path, data in files.items()}
    now = ByIdentity(last)  # as the next build of digest serve starts from the last one's
    again, _ = hashed_bundles([kept, {"pagefind-1/b.pf": b"B2"}], now)
    assert again == {"pagefind/a.pf": b"A", "pagefind-1/b.pf": b"B2"}
    assert now._seen[id(kept)][1] is last._seen[id(kept)][1], "the part kept from the cache: its very hashes"
    assert len(now._seen) == 2, "the next build knows this build's parts only"


def test_a_render_failure_after_the_article_pages_waits_for_the_search_index(example_digest: Path) -> None:
    """The index is made beside the rendering of the pages after the articles': when one of those fails,
    the build waits for it (no thread or Pagefind process outlives the build) and the last site stays."""
    from digest.build import BuildOptions, build_site
    from digest.config import load_config
    from digest.parallel import Executor
    from digest.theme import PACKAGED

    options = BuildOptions(executor=Executor("serial"))
    build_site(load_config(root=example_digest), options)
    site = example_digest / "site"
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert any(p.parts[0] == "pagefind" for p in before)
    override = example_digest / "themes" / "default" / "templates" / "tags.html"  # rendered after every article page
    override.parent.mkdir(parents=True)
    template = (PACKAGED / "default" / "templates" / "tags.html").read_text()  # inside a block, or it won't show
    override.write_text(template.replace("{% block main %}", "{% block main %}{{ no_such_thing.here }}", 1))
    for page in (example_digest / "content" / "articles").glob("*.md"):  # every article page and search part changes
        page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    with pytest.raises(Exception, match="no_such_thing"):
        build_site(load_config(root=example_digest), options)
    assert not [t for t in threading.enumerate() if t.name.startswith("digest-search")]
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert not list(example_digest.glob(".site.staging-*"))


def test_digest_serve_writes_the_search_index_after_the_pages(example_digest: Path) -> None:
    """A digest serve rebuild puts the pages live and returns; the index is written by the step it leaves for
    after the browser is told, and until then the folder is marked as due for it (LiveOutput.later)."""
    from digest.build import BuildMemory, BuildOptions, build_site
    from digest.config import load_config
    from digest.parallel import Executor
    from digest.stages.write import LiveOutput

    memory, live = BuildMemory(), LiveOutput()
    site = example_digest / "site"

    def build() -> list:
        after: list = []
        build_site(load_config(root=example_digest), BuildOptions(executor=Executor("serial"), memory=memory, live=live,
                                                                  deferred=[], search_after=after))
        return after

    for step in build():
        step()
    index = {p: p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    page = sorted((example_digest / "content" / "articles").glob("*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\nA zanzibarite sentence.\n", encoding="utf-8")
    after = build()
    assert live.later == "pagefind/"
    assert any(b"zanzibarite" in p.read_bytes() for p in (site / "articles").rglob("index.html"))
    assert {p: p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()} == index
    for step in after:
        step()
    assert live.later is None
    assert {p: p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()} != index


def _build(folder: Path) -> None:
    from digest.build import BuildOptions, build_site
    from digest.config import load_config
    from digest.parallel import Executor
    build_site(load_config(root=folder), BuildOptions(executor=Executor("serial")))


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_keeps_the_files_of_the_search_parts_no_edit_touched(example_digest: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from digest import pipeline
    monkeypatch.setattr(search, "SHARD_SIZE", 2)  # the example's five articles: three parts
    _build(example_digest)
    decoded: list[set[str]] = []  # the parts whose files a build gives the site as bytes, not kept
    real = pipeline._SearchIndex.take_files

    def take_files(index: pipeline._SearchIndex) -> Iterator[dict[str, object]]:
        for part in real(index):
            decoded.extend([{n.split("/")[1] for n in part}] if any(isinstance(v, bytes) for k, v in part.items()
                                                                    if k != search.SHARDS) else [])
            yield part

    monkeypatch.setattr(pipeline._SearchIndex, "take_files", take_files)
    page = sorted((example_digest / "content" / "articles").glob("*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence only search finds: zanzibarite.\n", encoding="utf-8")
    _build(example_digest)
    assert len(decoded) == 1, "only the edited article's part is made; the other two parts' files are kept"

    clean = tmp_path / "clean"
    shutil.copytree(example_digest, clean, ignore=shutil.ignore_patterns(".digest-cache", "site"))
    _build(clean)
    assert _files(example_digest / "site") == _files(clean / "site")

    # A kept file changed by hand since: its part is written again from the cache, the others still kept.
    [fragment, *_] = sorted((example_digest / "site" / "pagefind").rglob("fragment/*"))
    fragment.write_bytes(b"damaged")
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more.\n", encoding="utf-8")
    (clean / "content" / "articles" / page.name).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    decoded.clear()
    _build(example_digest)
    assert 1 <= len(decoded) <= 2, "the damaged file's part and the edited article's"
    _build(clean)
    assert _files(example_digest / "site") == _files(clean / "site")


def test_pagefind_reading_the_staged_pages_by_glob_makes_the_index_a_copy_of_them_makes(tmp_path: Path) -> None:
    files = render(read_articles(GOLDEN / "small-site" / "articles"), tmp_path / "rendered")
    config = Config(base_url="https://example.org/news/")
    staged = tmp_path / "staged"
    for path, data in files.items():
        (staged / path).parent.mkdir(parents=True, exist_ok=True)
        (staged / path).write_bytes(data)
    pages = sorted(files)
    assert search.search_bundle_in(staged, pages, config) == search_bundle(files, config)
    assert search.search_bundle_in(staged, pages, config, "pagefind/shard-1/") == search_bundle(files, config,
                                                                                               "pagefind/shard-1/")


@pytest.mark.parametrize("paths, glob", [
    (["articles/a/index.html"], "articles/a/index.html"),
    (["articles/a/index.html", "articles/b-2/index.html"], "{articles/a/index.html,articles/b-2/index.html}"),
    (["articles/a*/index.html"], None),  # glob syntax: the pages are copied instead
    (["articles/café/index.html"], None),
    (["articles/{a,b}/index.html"], None),
    ([], None),
])
def test_the_glob_names_exactly_the_pages_or_there_is_none(paths: list[str], glob: str | None) -> None:
    assert search._glob_of(paths) == glob
