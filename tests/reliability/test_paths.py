"""Paths: no name from content writes outside the output folder; symlinks are followed only inside the digest."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import Config
from digest.frontmatter import dump_page, parse_page
from digest.markdown import render_markdown
from digest.model import Article, Links, Site
from digest.pages import PageFile, document_from
from digest.paths import distinct_slugs, is_safe_segment
from digest.slugs import is_reserved_name
from digest.stages.render import render_site, template_filters, template_globals
from digest.stages.write import write_site
from digest.theme import find_theme, make_environment
from tests.conftest import run_digest
from tests.reliability.test_fuzz import QUICK

# Pieces of names that mean something to a file system or a URL, mixed with letters.
hostile_name = st.one_of(
    st.lists(st.sampled_from(["..", "/", "\\", "C:", "c:\\", "\x00", "CON", "aux", "nul", "com1", "LPT9", ".", " ",
                              "\u202e", "\u2066", "~", "%2e%2e", "?", "#", ":", "a", "б", "\u0301", "\u200b", "-", "_"]),
             min_size=1, max_size=8).map("".join),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
)


CONFIG = Config(title="Paths", base_url="https://example.org/news/")
ENV = make_environment(find_theme(CONFIG.theme, Path("themes")), template_globals(CONFIG), template_filters())
FEW = settings(QUICK, max_examples=60)


def render_files(articles: list[Article]) -> dict[str, bytes]:
    return render_site(Site(tuple(articles), Links()), CONFIG, ENV, {})


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder with its hash (symlinks as their target)."""
    found = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath) / name
            key = path.relative_to(folder).as_posix()
            found[key] = os.readlink(path) if path.is_symlink() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@FEW
@given(slug=hostile_name, stem=hostile_name, tags=st.lists(hostile_name, max_size=4), outlet=hostile_name)
def test_no_slug_tag_outlet_or_file_name_makes_a_path_outside_the_output(tmp_path_factory, slug: str, stem: str,
                                                                         tags: list[str], outlet: str) -> None:
    text = dump_page({"title": "Title", "date": "2021-04-06", "slug": slug, "source": outlet, "tags": tags}, "Body.")
    page, problems = parse_page(text, "a.md")
    assert page is not None, problems
    file_stem = stem.replace("/", "").replace("\x00", "") or "x"
    doc = document_from(PageFile(Path("content/articles") / f"{file_stem}.md", "a.md", page))
    no_slug = document_from(PageFile(Path("content/articles") / f"{file_stem}.md", "b.md",
                                     parse_page(dump_page({"title": "T", "tags": tags}, "B."), "b.md")[0]))  # type: ignore[arg-type]
    root = tmp_path_factory.mktemp("paths")
    documents, _ = distinct_slugs([doc, no_slug])  # as build_site does
    files = render_files([Article.of(d, render_markdown(d.body)) for d in documents])
    for name in files:
        for part in name.split("/"):
            assert part == ".nojekyll" or is_safe_segment(part), (name, part)
    output = root / "out" / "site"
    write_site(files, output)
    assert set(tree(root)) == {f"out/site/{name}" for name in files}
    assert not is_reserved_name(doc.slug) and is_safe_segment(doc.slug)


def make_digest(folder: Path) -> Path:
    (folder / "content" / "sources").mkdir(parents=True)
    (folder / "content" / "articles").mkdir(parents=True)
    (folder / "config.yaml").write_text("title: Paths\n")
    (folder / "content" / "sources" / "real.txt").write_text("A real article\n\nIts text.\n")
    return folder


def test_traversal_names_in_content_write_nothing_outside_the_site(tmp_path: Path) -> None:
    digest = make_digest(tmp_path / "digest")
    (digest / "content" / "sources" / "a..b..txt").write_text("../../outside\n\nText.\n")
    (digest / "content" / "articles" / "x..%2f..%2f.md").write_text(
        '---\ntitle: "../../../outside"\nslug: "../../../outside"\nsource: "/etc"\n'
        'tags: ["../../../etc", "C:\\\\Windows", "aux", "/abs"]\n---\n\nText.\n')
    result = run_digest("build", cwd=digest)
    assert result.returncode == 0, result.stderr
    assert "slug '../../../outside' cannot be part of a URL" in result.stderr
    outside = {name for name in tree(tmp_path) if not name.startswith(("digest/site/", "digest/content/", "digest/.digest-cache/"))}
    assert outside == {"digest/config.yaml"}
    assert (digest / "site" / "articles" / "outside" / "index.html").is_file()
    assert (digest / "site" / "tags" / "aux-1" / "index.html").is_file()


def test_symlinks_out_of_the_digest_are_skipped_with_a_warning(tmp_path: Path) -> None:
    digest = make_digest(tmp_path / "digest")
    secret_source = tmp_path / "private.txt"
    secret_source.write_text("Private letter\n\nSECRET-SOURCE-TEXT\n")
    secret_page = tmp_path / "private.md"
    secret_page.write_text("---\ntitle: Private page\n---\n\nSECRET-PAGE-TEXT\n")
    sources, articles = digest / "content" / "sources", digest / "content" / "articles"
    (sources / "leak.txt").symlink_to(secret_source)
    (articles / "leak.md").symlink_to(secret_page)
    (sources / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (sources / "loop.txt").symlink_to(sources / "loop.txt")
    (sources / "outside-folder").symlink_to(tmp_path, target_is_directory=True)
    (digest / "notes.txt").write_text("Inside the digest\n\nLinked from sources.\n")
    (sources / "inside.txt").symlink_to(digest / "notes.txt")
    before = {p: p.read_bytes() for p in (secret_source, secret_page)}

    result = run_digest("build", cwd=digest)
    assert result.returncode == 0, result.stderr
    for name in ("content/sources/leak.txt", "content/articles/leak.md"):
        assert f"{name}: warning: skipped: it links to a file outside the digest (or to nothing)" in result.stderr
    site_text = b"".join(p.read_bytes() for p in (digest / "site").rglob("*") if p.is_file())
    pages_text = "".join(p.read_text() for p in articles.glob("*.md") if not p.is_symlink())
    assert b"SECRET" not in site_text and "SECRET" not in pages_text
    assert "dangling" not in result.stderr and "loop" not in result.stderr, "links to nothing are not files: ignored"
    assert "Linked from sources." in pages_text, "a symlink to a file inside the digest is followed"
    assert {p: p.read_bytes() for p in before} == before
    assert (articles / "leak.md").is_symlink(), "the editor's link is left as it is"


def test_pages_that_ask_for_one_slug_are_all_published(tmp_path: Path) -> None:
    digest = make_digest(tmp_path / "digest")
    articles = digest / "content" / "articles"
    (articles / "a.md").write_text("---\ntitle: A\nslug: b\ndate: 2021-01-01\n---\n\nText A.\n")
    (articles / "b.md").write_text("---\ntitle: B\n---\n\nText B.\n")  # undated: once a crash in the sitemap
    result = run_digest("build", cwd=digest)
    assert result.returncode == 0, result.stderr
    assert "content/articles/b.md: warning: slug 'b' is taken by content/articles/a.md: published as 'b-2'" in result.stderr
    assert "Text A" in (digest / "site" / "articles" / "b" / "index.html").read_text()
    assert "Text B" in (digest / "site" / "articles" / "b-2" / "index.html").read_text()
