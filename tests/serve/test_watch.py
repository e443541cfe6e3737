from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from digest.config import load_config
from digest.serve.watch import (ChangeBatcher, ChangeKind, Layout, Watcher, classify, classify_path, is_editor_temp,
                                 is_own_page_write)

ROOT = Path("/d")
LAYOUT = Layout(config_file=ROOT / "config.yaml", sources=ROOT / "content/sources", articles=ROOT / "content/articles",
                themes=(ROOT / "themes", Path("/pkg/themes")), output=ROOT / "site", stories=ROOT / "content/stories.yaml")


@pytest.mark.parametrize("name, temp", [
    ("2021-04-06-india.md", False), ("digest.css", False), ("notes.txt", False), ("base.html", False),
    (".2021-04-06-india.md.swp", True), (".india.md.swx", True), ("india.md~", True), (".#india.md", True),
    ("#india.md#", True), ("4913", True), ("india.md.tmp", True), (".india.md.tmp", True),
    ("india.md___jb_tmp___", True), (".goutputstream-XK2F1", True), (".DS_Store", True),
], ids=lambda v: str(v))
def test_is_editor_temp_tells_swap_and_backup_files_from_content(name: str, temp: bool) -> None:
    assert is_editor_temp(name) is temp


@pytest.mark.parametrize("path, kind", [
    ("config.yaml", ChangeKind.CONFIG),
    ("content/articles/2021-04-06-india.md", ChangeKind.SITE),
    ("content/sources/000.txt", ChangeKind.SITE),
    ("content/stories.yaml", ChangeKind.SITE),  # an editor renamed a story
    ("content/.stories.yaml.123.tmp", ChangeKind.NONE),
    ("content/notes.txt", ChangeKind.NONE),
    ("content/sources/nested/000.html", ChangeKind.SITE),
    ("themes/default/templates/article.html", ChangeKind.SITE),
    ("themes/default/static/css/digest.css", ChangeKind.STYLE),
    ("themes/default/static/img/logo.png", ChangeKind.SITE),
    ("themes/default/templates/print.css", ChangeKind.SITE),
    ("content", ChangeKind.SITE),  # a parent of the watched folders appeared or vanished
    ("themes", ChangeKind.SITE),
    ("content/articles/.2021-04-06-india.md.swp", ChangeKind.NONE),
    ("content/articles/2021-04-06-india.md~", ChangeKind.NONE),
    ("content/articles/4913", ChangeKind.NONE),
    ("content/articles/.india.md.tmp", ChangeKind.NONE),
    ("content/articles/.git/index", ChangeKind.NONE),
    ("site/index.html", ChangeKind.NONE),
    ("site", ChangeKind.NONE),
    (".site.new-123", ChangeKind.NONE),
    ("README.md", ChangeKind.NONE),
    ("config.yaml~", ChangeKind.NONE),
], ids=lambda v: str(v))
def test_classify_path(path: str, kind: ChangeKind) -> None:
    assert classify_path(ROOT / path, LAYOUT) is kind


def test_classify_packaged_theme_css_is_a_style_change() -> None:
    assert classify_path(Path("/pkg/themes/default/static/css/digest.css"), LAYOUT) is ChangeKind.STYLE


@pytest.mark.parametrize("paths, kind", [
    ([], ChangeKind.NONE),
    (["site/index.html", "content/articles/.x.md.swp"], ChangeKind.NONE),
    (["themes/default/static/css/digest.css"], ChangeKind.STYLE),
    (["themes/default/static/css/digest.css", "content/articles/x.md"], ChangeKind.SITE),
    (["content/articles/x.md", "config.yaml"], ChangeKind.CONFIG),
], ids=["empty", "ignored-only", "css-only", "css-and-page", "page-and-config"])
def test_classify_batch_takes_the_largest_kind(paths: list[str], kind: ChangeKind) -> None:
    assert classify([ROOT / p for p in paths], LAYOUT) is kind


def test_output_inside_a_content_folder_is_still_ignored() -> None:
    layout = Layout(ROOT / "config.yaml", ROOT / "src", ROOT / "articles", (ROOT / "themes",), ROOT / "articles" / "_site")
    assert classify_path(ROOT / "articles/_site/index.html", layout) is ChangeKind.NONE


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_batcher_waits_for_quiet_then_hands_over_the_whole_burst() -> None:
    clock = FakeClock()
    batcher = ChangeBatcher(quiet=0.1, longest=2.0, clock=clock)
    assert batcher.take(clock.now) is None
    for name in ["a.md", "4913", "b.md"]:
        batcher.add([Path(name)])
        clock.now += 0.05
    assert batcher.take(clock.now) is None  # the last save was 0.05 s ago
    clock.now += 0.06
    assert batcher.take(clock.now) == {Path("a.md"), Path("4913"), Path("b.md")}
    assert batcher.take(clock.now + 10) is None


def test_batcher_hands_over_a_never_ending_burst_after_longest() -> None:
    clock = FakeClock()
    batcher = ChangeBatcher(quiet=0.1, longest=1.0, clock=clock)
    for _ in range(12):  # a save every 0.09 s: never 0.1 s of quiet
        batcher.add([Path("log.md")])
        assert batcher.take(clock.now) is None
        clock.now += 0.09
    batcher.add([Path("log.md")])  # over 1.0 s after the first
    assert batcher.take(clock.now) == {Path("log.md")}


def test_batcher_saves_during_a_build_make_exactly_one_more_batch() -> None:
    clock = FakeClock()
    batcher = ChangeBatcher(quiet=0.1, clock=clock)
    batcher.add([Path("a.md")])
    clock.now += 0.2
    assert batcher.take(clock.now) == {Path("a.md")}
    # "building" now; three saves arrive meanwhile
    for name in ["a.md", "b.md", "a.md"]:
        batcher.add([Path(name)])
    clock.now += 5.0  # the build was slow
    assert batcher.take(clock.now) == {Path("a.md"), Path("b.md")}
    assert batcher.take(clock.now + 10) is None


def test_batcher_wait_returns_a_batch_added_from_another_thread() -> None:
    batcher = ChangeBatcher(quiet=0.05)
    timer = threading.Timer(0.05, batcher.add, args=([Path("a.md")],))
    timer.start()
    started = time.monotonic()
    assert batcher.wait(5.0) == {Path("a.md")}
    assert time.monotonic() - started < 2.0
    timer.join()
    assert batcher.wait(0.05) is None


@pytest.mark.parametrize("poll", [False, True], ids=["native", "poll"])
def test_watcher_turns_a_burst_of_real_saves_into_one_batch(example_digest: Path, poll: bool) -> None:
    config = load_config(root=example_digest)
    layout = Layout.of(config, example_digest / "config.yaml", example_digest / "site")
    batcher = ChangeBatcher(quiet=0.3 if poll else 0.2)
    watcher = Watcher(layout, batcher, poll=poll)
    watcher.start()
    try:
        if poll:
            time.sleep(0.6)  # let the poller take its first snapshot
        articles = example_digest / "content" / "articles"
        # vim's save dance, another page, and noise that must not count
        (articles / "4913").write_text("probe")
        (articles / "4913").unlink()
        (articles / ".page.md.swp").write_text("swap")
        (articles / "page.md").write_text("---\ntitle: A page\n---\n\nText.\n")
        (articles / "other.md").write_text("---\ntitle: Other\n---\n\nText.\n")
        (example_digest / "site").mkdir()
        (example_digest / "site" / "index.html").write_text("built")
        batch = batcher.wait(5.0)
        assert batch is not None
        assert {p.name for p in batch} == {"page.md", "other.md"}
        assert batcher.wait(0.8 if poll else 0.4) is None
    finally:
        watcher.stop()
    assert not watcher.observer.is_alive()


@pytest.mark.parametrize("src, dest, own", [
    ("content/articles/.x.md.4242.tmp", "content/articles/x.md", True),
    ("content/articles/x.md", "content/articles/.x.md.4242.aside", True),
    ("content/articles/x.md", "content/articles/.x.md.4242.tmp", False),
    ("content/articles/.x.md.tmp", "content/articles/x.md", False),
    ("content/articles/x.md.tmp", "content/articles/x.md", False),  # not digest's name for it
    ("content/articles/.x.md.tmp", "content/articles/y.md", False),
    ("content/articles/x.md___jb_tmp___", "content/articles/x.md", False),  # an editor's save: rebuild
    ("elsewhere/.x.md.1.tmp", "content/articles/x.md", False),
], ids=["digest-page-write", "digest-page-aside", "not-digest-order", "no-pid", "other-tmp-name", "other-target", "jetbrains-save", "other-folder"])
def test_is_own_page_write(src: str, dest: str, own: bool) -> None:
    assert is_own_page_write(ROOT / src, ROOT / dest) is own
