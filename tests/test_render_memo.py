"""Pages a change does not touch are kept, not rendered again (digest.render_memo) — and the rest are."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from digest.build import BuildOptions, build_site
from digest.config import Config, load_config
from digest.model import KEEP, AnnotationIndex, Article, Document, EntityEntry, Keep, Site, encode_text
from digest.parallel import Executor
from digest.render_memo import Fingerprints, LastRender, RenderMemo, base_key
from digest.stages import export
from digest.stages.render import data_files, render_site, template_filters, template_globals
from digest.theme import find_theme, make_environment
from tests.cli.test_build import tree_digest
from tests.test_incremental import PACKAGED, page


def build(folder: Path, **options: object) -> None:
    build_site(load_config(root=folder), BuildOptions(executor=Executor("serial"), **options))  # type: ignore[arg-type]


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    """Two stories that share nothing, three articles each, in different months and tags."""
    folder = tmp_path / "digest"
    articles = folder / "content" / "articles"
    articles.mkdir(parents=True)
    (folder / "config.yaml").write_text('title: "Memo"\n')
    for i in range(3):
        (articles / f"missile-{i}.md").write_text(
            f"---\ntitle: \"Missile deal {i}\"\ndate: 2021-0{i + 1}-10\ntags: [defence]\n---\n\n"
            f"India and Russia signed the S-400 missile deal worth $5 billion. Lavrov spoke in Delhi, part {i}.\n")
        (articles / f"harvest-{i}.md").write_text(
            f"---\ntitle: \"Harvest report {i}\"\ndate: 2022-0{i + 4}-10\ntags: [farming]\n---\n\n"
            f"Wheat farmers in Punjab expect a record harvest after the monsoon rains, report {i}.\n")
    build(folder)
    return folder


def with_main_line(line: str) -> str:
    """The packaged article.html with line at the start of its main block (outside a block it would not show)."""
    template = (PACKAGED / "default" / "templates" / "article.html").read_text()
    assert "{% block main %}" in template
    return template.replace("{% block main %}", "{% block main %}" + line, 1)


def mtimes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("index.html")}


def changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {path for path in after if before.get(path) != after[path]}


def test_an_edit_rewrites_the_article_and_the_pages_that_show_it_and_nothing_of_the_other_story(digest: Path, tmp_path: Path) -> None:
    site = digest / "site"
    before = mtimes(site)
    target = digest / "content" / "articles" / "harvest-1.md"
    target.write_text(target.read_text().replace("record harvest", "poor harvest"))
    build(digest)
    rewritten = changed(before, mtimes(site))
    assert "articles/harvest-1/index.html" in rewritten
    assert "tags/farming/index.html" in rewritten  # lists it, with its summary
    assert not {p for p in rewritten if p.startswith("articles/missile-")}, rewritten
    assert "tags/defence/index.html" not in rewritten
    build(digest, output=tmp_path / "clean", cache=False)
    assert tree_digest(site) == tree_digest(tmp_path / "clean")


def test_a_template_change_renders_every_page_that_uses_it(digest: Path) -> None:
    site = digest / "site"
    override = digest / "themes" / "default" / "templates" / "article.html"
    override.parent.mkdir(parents=True)
    override.write_text(with_main_line("<!-- new footer -->"))
    build(digest)
    assert all("<!-- new footer -->" in p.read_text() for p in (site / "articles").glob("*/index.html"))
    assert "<!-- new footer -->" not in (site / "index.html").read_text()


def test_a_page_that_reads_the_whole_site_follows_every_change(digest: Path) -> None:
    override = digest / "themes" / "default" / "templates" / "article.html"
    override.parent.mkdir(parents=True)
    override.write_text(with_main_line("<!-- newest: {{ site.articles[0].doc.title }} -->"))
    build(digest)
    (digest / "content" / "articles" / "late.md").write_text(page("A late piece", "2023-01-01", "Nothing in common."))
    build(digest)
    assert "<!-- newest: A late piece -->" in (digest / "site" / "articles" / "missile-0" / "index.html").read_text()


def test_a_list_page_that_reads_its_groups_articles_follows_a_change_to_any_of_them(digest: Path) -> None:
    (digest / "config.yaml").write_text('title: "Memo"\nper_page: 1\n')
    override = digest / "themes" / "default" / "templates" / "list.html"
    override.parent.mkdir(parents=True)
    template = (PACKAGED / "default" / "templates" / "list.html").read_text()
    override.write_text(template.replace("{% block main %}", "{% block main %}<!-- all: {% for a in group.articles %}"
                                         "{{ a.doc.summary }};{% endfor %} -->", 1))
    build(digest)
    target = digest / "content" / "articles" / "harvest-0.md"  # on the last page; a summary changes no other article
    target.write_text(target.read_text().replace("tags: [farming]", "tags: [farming]\nsummary: Rain at last.", 1))
    build(digest)
    first = (digest / "site" / "tags" / "farming" / "index.html").read_text()
    assert "<!-- all: None;None;Rain at last.; -->" in first


def render_twice(root: Path, before: list[Article], after: list[Article],
                 index: AnnotationIndex = AnnotationIndex()) -> tuple[dict[str, bytes | Keep], dict[str, bytes | Keep]]:
    """The files of rendering before, and of rendering after with the memo that left (KEEP: the file of before stays)."""
    config = Config(title="Memo", root=root, per_page=1, entity_per_page=2)
    theme = find_theme(config.theme, root / "themes")
    env = make_environment(theme, template_globals(config), template_filters())
    base = base_key(theme.template_dirs, config)
    old, new = Site(tuple(before), annotations=index), Site(tuple(after), annotations=index)
    first = RenderMemo(base, LastRender(), Fingerprints(old))
    files = render_site(old, config, env, {}, first)
    second = RenderMemo(base, first.last(), Fingerprints(new))
    return files, render_site(new, config, env, {}, second)


def farming(n: int, text: str = "A record harvest.") -> Article:
    doc = Document(path=f"content/articles/harvest-{n}.md", slug=f"harvest-{n}", title=f"Harvest report {n}",
                   date=f"2022-0{n + 1}-10", body_utf8=encode_text(text), tags=("farming",))
    return Article.of(doc, f"<p>{text}</p>", description=text)


def test_an_edit_renders_only_the_list_page_that_shows_the_article_and_reuses_the_rest(tmp_path: Path) -> None:
    before = [farming(n) for n in (2, 1, 0)]  # newest first, one to a page
    after = [before[0], farming(1, "A poor harvest."), before[2]]
    _, files = render_twice(tmp_path, before, after)
    rendered = {path for path, data in files.items() if data is not KEEP}
    assert {p for p in rendered if p.startswith("tags/")} == {"tags/farming/page/2/index.html", "tags/farming/feed.xml",
                                                              "tags/farming/feed.json"}
    assert "articles/harvest-1/index.html" in rendered and "articles/harvest-0/index.html" in rendered  # its neighbour


def test_an_edit_rewrites_only_the_parts_of_digest_json_that_hold_the_article(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "ITEMS_PER_PART", 2)  # 9 articles in 5 parts
    before = [farming(n) for n in range(8, -1, -1)]
    after = [*before[:7], farming(1, "A poor harvest."), before[8]]
    first, files = render_twice(tmp_path, before, after)
    data = {path for path in files if path.startswith(export.DATA)}
    (entry,) = [path for path in data if path.startswith("data/articles-") and b'"harvest-1"' in first[path]]
    number = entry.removeprefix("data/articles-")
    assert {path for path in data if files[path] is not KEEP} == {f"data/{key}-{number}" for key in export.ARTICLE_KEYS}, \
        "its entry's part, and the parts of its events, figures, notes and quotes, the same articles'"
    assert len([path for path in data if path.startswith("data/articles-")]) == 5
    config = Config(title="Memo", root=tmp_path, per_page=1, entity_per_page=2)
    made = data_files(Site(tuple(after)), config, None)
    assert {path: first[path] if files[path] is KEEP else files[path] for path in [*data, "digest.json"]} == made


def test_an_edit_renders_only_the_page_of_a_named_thing_that_lists_the_article(tmp_path: Path) -> None:
    before = [farming(n) for n in (3, 2, 1, 0)]  # newest first, two to an entity page
    entity = EntityEntry("harvest", "Harvest", "other", (), tuple(a.doc.slug for a in before))
    after = [*before[:3], farming(0, "A poor harvest.")]
    _, files = render_twice(tmp_path, before, after, AnnotationIndex(entities=(entity,)))
    assert files["entities/harvest/index.html"] is KEEP
    assert files["entities/harvest/page/2/index.html"] is not KEEP


def test_fingerprints_made_from_the_last_builds_do_not_hash_the_same_objects_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.render_memo as render_memo
    from digest.interning import ByIdentity
    from digest.model import Annotations, EntityRef

    articles = tuple(dataclasses.replace(farming(n), annotations=Annotations((EntityRef(f"k{n}", f"Name {n}", "person"),)))
                     for n in range(3))
    first = Fingerprints(Site(articles))
    before = [first.article(a.doc.slug) for a in articles]
    hashed: list[object] = []
    real = render_memo._value_hash
    monkeypatch.setattr(render_memo, "_value_hash", lambda value: hashed.append(value) or real(value))
    edited = (dataclasses.replace(articles[0], annotations=Annotations()), *articles[1:])
    second = Fingerprints(Site(edited), ByIdentity(first.values))  # as digest serve's next build starts
    after = [second.article(a.doc.slug) for a in edited]
    assert Annotations() in hashed and not any(a.annotations in hashed for a in articles), \
        "only the edited article's annotations are hashed again"
    assert after[1:] == before[1:] and after[0] != before[0]
