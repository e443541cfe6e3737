"""digest serve's quick path for saved pages (digest.delta): the saved article's page is written first and the rest
of the site after it, and after any series of saves the site is byte for byte what a clean build of the same files
makes. Each save is applied as the preview applies it: the quick path where it takes the save, a whole build where
it does not."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.build import BuildMemory, BuildOptions, build_saved, build_site
from digest.config import load_config
from digest.delta import NotIncremental
from digest.errors import Interrupted
from digest.parallel import Executor
from digest.stages.write import LiveOutput
from tests.cli.test_build import tree_digest
from tests.conftest import REPO


def example_pages(folder: Path) -> Path:
    """A copy of the example digest with its pages, config and story ids, as the repository holds them."""
    shutil.copytree(REPO / "content", folder / "content")
    shutil.copy(REPO / "config.yaml", folder / "config.yaml")
    return folder


class Served:
    """A digest built and updated the way digest serve does it, in this process."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.memory, self.live = BuildMemory(), LiveOutput()
        self.quick = 0  # saves the quick path took

    def options(self, records: list[Callable[[], None]], after: list[Callable[[], None]],
                interrupt: Callable[[], bool] | None = None) -> BuildOptions:
        return BuildOptions(executor=Executor("serial"), memory=self.memory, live=self.live, deferred=records,
                            search_after=after, interrupt=interrupt)

    def build(self) -> None:
        records: list[Callable[[], None]] = []
        after: list[Callable[[], None]] = []
        build_site(load_config(root=self.folder), self.options(records, after))
        self.settle(records, after)

    def save(self, paths: list[Path], interrupted: int | None = None) -> bool:
        """Build for these saved pages as the preview does: the quick path, else a whole build. interrupted: as when
        another save comes while the rest of the site is made (nothing more is written): at the build's asking that
        many times before (0: the first). Whether it was written."""
        asked = itertools.count()
        records: list[Callable[[], None]] = []
        after: list[Callable[[], None]] = []
        try:
            finish = build_saved(load_config(root=self.folder), self.options(records, after, lambda: interrupted is not None and next(asked) >= interrupted),
                                 [p.resolve() for p in paths])
            self.quick += 1
            finish()
            self.settle(records, after)  # (the search index too may be interrupted)
        except NotIncremental:
            self.build()
        except Interrupted:
            return False
        return True

    def settle(self, records: list[Callable[[], None]], after: list[Callable[[], None]]) -> None:
        for step in after:
            step()
        for record in records:
            record()
        assert self.live.later is None and self.live.waiting is None


def clean_build(folder: Path, to: Path) -> dict[str, str]:
    shutil.copytree(folder, to, ignore=shutil.ignore_patterns("site", ".site.*", ".digest-cache"))
    build_site(load_config(root=to), BuildOptions(executor=Executor("serial"), cache=False))
    return tree_digest(to / "site")


SENTENCES = ["Sergei Lavrov said the deal was worth $5.4 billion.", "In 2019 India signed a contract with Rosoboronexport.",
             "Kestrel Water, a new name, was mentioned 3 times.", "The Quadrilateral Security Dialogue (Quad) met again.",
             "“We will not bow to pressure,” said Vladimir Putin.", "S-400 S-400 S-400 air defence air defence."]

# Some saves are interrupted by the next: their first pages are written, the rest is left to a later save. Where it
# stops: at the build's nth asking (rendering, the feeds, digest.json, before writing, laying out or running Pagefind).
interrupted = st.one_of(st.none(), st.integers(0, 8))
edits = st.one_of(
    st.tuples(st.just("append"), st.integers(0, 4), st.sampled_from(SENTENCES)),
    st.tuples(st.just("drop-paragraph"), st.integers(0, 4), st.integers(0, 30)),
    st.tuples(st.just("title"), st.integers(0, 4), st.sampled_from(["S-400: the deal", "A new headline", "Ракета"])),
    st.tuples(st.just("date"), st.integers(0, 4), st.sampled_from(["2021-04-06", "2020-01-01", "2024-02-29"])),
    st.tuples(st.just("tags"), st.integers(0, 4), st.sampled_from(["[defence]", "[defence, russia]", "[]"])),
    st.tuples(st.just("summary"), st.integers(0, 4), st.sampled_from(["A summary.", "Lavrov's visit, in short."])),
    # another article's text (a near-duplicate, joining stories), or one about something else (leaving its story)
    st.tuples(st.just("body-of"), st.integers(0, 4), st.integers(0, 4)),
    st.tuples(st.just("body"), st.integers(0, 4), st.sampled_from(["Cricket scores from Leeds, 2019.",
                                                                    "Ukraine buys grain. Sergei Lavrov spoke."])),
    # a page written by hand, with another article's date and text (joining its story), and one deleted
    st.tuples(st.just("add"), st.integers(0, 4), st.integers(0, 2)),
    st.tuples(st.just("delete-added"), st.integers(0, 4), st.just(0)),
)


def apply(edit: tuple, folder: Path) -> Path:
    pages = sorted((folder / "content" / "articles").glob("*.md"))
    kind, n, value = edit
    page = pages[n % len(pages)]
    if kind == "add":
        added = folder / "content" / "articles" / f"added-{value}.md"
        date = re.search(r"(?m)^date: (.*)$", page.read_text(encoding="utf-8"))
        body = page.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        added.write_text(f"---\ntitle: 'Added page {value}'\n{f'date: {date[1]}' if date else ''}\n---\n{body}",
                         encoding="utf-8")
        return added
    if kind == "delete-added":
        added = sorted(p for p in pages if p.name.startswith("added-"))
        if not added:
            return page  # (nothing to delete: a save that changes nothing)
        added[n % len(added)].unlink()
        return added[n % len(added)]
    text = page.read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    if kind == "append":
        body = body.rstrip("\n") + f"\n\n{value}\n"
    elif kind == "drop-paragraph":
        paragraphs = body.split("\n\n")
        if len(paragraphs) > 2:
            del paragraphs[1 + value % (len(paragraphs) - 1)]
        body = "\n\n".join(paragraphs)
    elif kind == "title":
        head = re.sub(r"(?m)^title: .*$", f"title: '{value}'", head)
    elif kind == "date":
        head = re.sub(r"(?m)^date: .*$", f"date: '{value}'", head)
    elif kind == "tags":
        head = re.sub(r"(?m)^tags: .*$\n?", "", head) + f"\ntags: {value}"
    elif kind == "summary":
        head = re.sub(r"(?m)^summary: .*$\n?", "", head) + f"\nsummary: \"{value}\""
    elif kind == "body-of":
        body = pages[value % len(pages)].read_text(encoding="utf-8").split("\n---\n", 1)[1]
    elif kind == "body":
        body = f"\n{value}\n"
    page.write_text(head + "\n---\n" + body, encoding="utf-8")
    return page


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(edits, interrupted), min_size=1, max_size=5))
def test_saves_through_the_quick_path_leave_what_a_clean_build_makes(tmp_path_factory: pytest.TempPathFactory,
                                                                       steps: list[tuple[tuple, int | None]]) -> None:
    base = tmp_path_factory.mktemp("delta")
    served = Served(example_pages(base / "digest"))
    served.build()
    for n, (edit, stopped) in enumerate([(("append", 0, SENTENCES[0]), None), *steps, (("append", 1, "The end."), None)]):
        if served.save([apply(edit, served.folder)], interrupted=stopped):
            assert tree_digest(served.folder / "site") == clean_build(served.folder, base / f"clean-{n}"), f"after {steps[:n]}"
    assert served.quick >= 1  # the first save, a sentence added, always takes it


def test_the_saved_page_is_written_first_and_the_rest_held_back_until_written(tmp_path: Path) -> None:
    served = Served(example_pages(tmp_path / "digest"))
    served.build()
    page = apply(("append", 1, "An added sentence about Kestrel Water."), served.folder)
    records: list[Callable[[], None]] = []
    after: list[Callable[[], None]] = []
    finish = build_saved(load_config(root=served.folder), served.options(records, after), [page.resolve()])
    slug = page.stem
    shown = (served.folder / "site" / "articles" / slug / "index.html").read_text(encoding="utf-8")
    assert "Kestrel Water" in shown
    waiting = served.live.waiting
    assert waiting is not None
    assert not waiting(f"articles/{slug}") and not waiting(f"articles/{slug}/index.html")
    assert not waiting("static/css/main.css")
    assert waiting("index.html") and waiting("entities/kestrel-water") and waiting("pagefind/pagefind.js")
    finish()
    assert served.live.waiting is None
    served.settle(records, after)
    assert (served.folder / "site" / "entities" / "kestrel-water" / "index.html").is_file()


NEW_PAGES = {  # new pages a save cannot add: of a source, a draft, under a slug an article has
    "new page of a source": "source_file: content/sources/elsewhere.txt\n",
    "new draft": "draft: true\n",
    "new page, slug taken": "slug: {taken}\n",
}


@pytest.mark.parametrize("change", [*NEW_PAGES, "deleted page of a source", "slug", "draft"])
def test_what_the_quick_path_cannot_update_needs_a_whole_build(tmp_path: Path, change: str) -> None:
    served = Served(example_pages(tmp_path / "digest"))
    served.build()
    articles = served.folder / "content" / "articles"
    page = sorted(articles.glob("*.md"))[0]
    if change in NEW_PAGES:
        extra = NEW_PAGES[change].format(taken=page.stem)
        page = articles / "2022-01-01-new.md"
        page.write_text(f"---\ntitle: New\ndate: 2022-01-01\n{extra}---\n\nA new page.\n", encoding="utf-8")
    elif change == "deleted page of a source":
        page.unlink()
    else:
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("\ntitle:", "\nslug: another\ntitle:" if change == "slug" else "\ndraft: true\ntitle:", 1),
                        encoding="utf-8")
    with pytest.raises(NotIncremental):
        build_saved(load_config(root=served.folder), served.options([], []), [page.resolve()])
    assert served.live.waiting is None  # nothing was written, nothing is held back


def test_the_story_ids_as_written_read_back_as_the_stories_they_were_written_from(tmp_path: Path) -> None:
    from digest.delta import _known_stories
    from digest.story_ids import read_story_ids

    served = Served(example_pages(tmp_path / "digest"))
    served.build()
    model = served.memory.model
    assert model is not None and model.corpus is not None
    config = load_config(root=served.folder)
    assert model.stories_file.read_text(encoding="utf-8") == model.ids_text
    known, data = _known_stories(model, model.corpus, config)
    assert (known, data) == read_story_ids(model.stories_file, config.paths.stories)[:2]



def test_a_whole_build_after_an_interrupted_save_is_never_up_to_date(tmp_path: Path) -> None:
    """A save whose rest was interrupted holds readers of the other pages back until a build writes the rest. A save
    that changed nothing leaves the output and the record as they were: the whole build that follows (for a save
    the quick path does not take) must not stop at 'up to date', which would hold them back for good."""
    served = Served(example_pages(tmp_path / "digest"))
    served.build()
    page = sorted((served.folder / "content" / "articles").glob("*.md"))[1]
    page.write_text(page.read_text(encoding="utf-8"), encoding="utf-8")  # saved as it was
    assert not served.save([page], interrupted=0)
    assert served.live.waiting is not None
    served.build()  # (asserts that nothing is held back after it)
    assert tree_digest(served.folder / "site") == clean_build(served.folder, tmp_path / "clean")
