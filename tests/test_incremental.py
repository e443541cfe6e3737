"""Correct before fast: after any sequence of edits, a build that reuses the cache and the previous
output equals a clean build (no cache, no previous output) byte for byte — also when the builds run
in one process and keep what they made in memory, as digest serve's do."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.build import BuildMemory, BuildOptions, build_site
from digest.config import load_config
from digest.parallel import Executor
from digest.stages.write import LiveOutput
from digest.theme import PACKAGED
from tests.cli.test_build import tree_digest

TITLES = ["India's S-400 deal", "Sanctions: CAATSA", "Delivery in 2021", "Ракета С-400"]
# Bodies that share beginnings and lengths, so a cache key or a file comparison that looks at less than all of it fails.
BODIES = ["First paragraph.\n\nSecond one.", "First paragraph.\n\nSecond two.", "A *quoted* line and `code`.",
          "| a | b |\n|---|---|\n| 1 | 2 |", "Same words.", "Same words."]
DATES = ["2021-04-06", "2021-12-06", "2019-10-15"]

pick_title = st.sampled_from(TITLES)
pick_body = st.sampled_from(BODIES)
pick_date = st.sampled_from(DATES)
which = st.integers(min_value=0, max_value=9)  # an index into whatever exists, modulo its length

edits = st.one_of(
    st.tuples(st.just("add"), pick_title, pick_date, pick_body),
    st.tuples(st.just("change"), which, pick_title, pick_body),
    st.tuples(st.just("delete"), which),
    st.tuples(st.just("rename"), which, st.sampled_from(["renamed", "moved-page", "a"])),
    # the last reads the whole site: a page that does must be rendered again whatever changes
    st.tuples(st.just("template"), st.sampled_from(["", "variant one", "variant two", "{{ site.articles|length }} in all"])),
    st.tuples(st.just("config"), pick_title),
    st.tuples(st.just("source"), st.integers(min_value=0, max_value=2), pick_title, pick_body),
)


def page(title: str, date: str, body: str) -> str:
    return f"---\ntitle: \"{title}\"\ndate: {date}\n---\n\n{body}\n"


def make_digest(folder: Path) -> None:
    articles = folder / "content" / "articles"
    articles.mkdir(parents=True)
    (folder / "content" / "sources").mkdir()
    (folder / "config.yaml").write_text('title: "A digest"\n')
    for i in range(3):
        (articles / f"{DATES[i]}-page-{i}.md").write_text(page(TITLES[i], DATES[i], BODIES[i]), encoding="utf-8")


def apply(edit: tuple, folder: Path) -> None:
    articles = folder / "content" / "articles"
    pages = sorted(articles.glob("*.md"))
    kind = edit[0]
    if kind == "add":
        _, title, date, body = edit
        (articles / f"{date}-added-{len(pages)}.md").write_text(page(title, date, body), encoding="utf-8")
    elif kind in ("change", "delete", "rename") and pages:
        target = pages[edit[1] % len(pages)]
        if kind == "change":
            target.write_text(page(edit[2], "2020-01-01", edit[3]), encoding="utf-8")
        elif kind == "delete":
            target.unlink()
        elif not (articles / f"{edit[2]}.md").exists():
            target.rename(articles / f"{edit[2]}.md")
    elif kind == "template":
        override = folder / "themes" / "default" / "templates" / "article.html"
        if edit[1]:
            override.parent.mkdir(parents=True, exist_ok=True)
            template = (PACKAGED / "default" / "templates" / "article.html").read_text()  # inside a block, or it won't show
            override.write_text(template.replace("{% block main %}", f"{{% block main %}}<!-- {edit[1]} -->", 1))
        else:
            override.unlink(missing_ok=True)
    elif kind == "config":
        (folder / "config.yaml").write_text(f'title: "{edit[1]}"\n', encoding="utf-8")
    elif kind == "source":
        _, n, title, body = edit
        (folder / "content" / "sources" / f"source-{n}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def build(folder: Path, cache: bool, serve: tuple[BuildMemory, LiveOutput] | None = None, records_written: bool = True
          ) -> None:
    """A build of folder; with serve, as digest serve runs it: results kept in memory, the output updated in place,
    the search index and the records written after the build returns (once the browser has been told); or the
    records not written at all, as when another change waits to be built."""
    memory, live = serve or (None, None)
    after: list[Callable[[], None]] | None = [] if serve else None
    records: list[Callable[[], None]] | None = [] if serve else None
    build_site(load_config(root=folder), BuildOptions(executor=Executor("serial"), cache=cache, memory=memory, live=live,
                                                      deferred=records, search_after=after))
    for step in after or ():
        step()
    for record in (records or ()) if records_written else ():
        record()
    assert live is None or live.later is None


def clean_copy(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to, ignore=shutil.ignore_patterns("site", ".site.*", ".digest-cache"))
    return to


@pytest.mark.parametrize("in_memory, records_written", [(False, True), (True, True), (True, False)],
                         ids=["build", "serve", "serve-without-records"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(edits, min_size=1, max_size=6))
def test_a_cached_rebuild_equals_a_clean_build(tmp_path_factory, in_memory: bool, records_written: bool,
                                               steps: list[tuple]) -> None:
    base = tmp_path_factory.mktemp("incremental")
    digest = base / "digest"
    serve = (BuildMemory(), LiveOutput()) if in_memory else None
    make_digest(digest)
    build(digest, cache=True, serve=serve, records_written=records_written)
    for n, edit in enumerate(steps):
        apply(edit, digest)
        build(digest, cache=True, serve=serve, records_written=records_written)
        clean = clean_copy(digest, base / f"clean-{n}")
        build(clean, cache=False)
        assert tree_digest(digest / "site") == tree_digest(clean / "site"), f"after {steps[:n + 1]}"
