"""write_site: the output is exactly the files given, and a file whose bytes did not change is left as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.model import KEEP
from digest.stages.write import LiveOutput, StagedSite, safe_name, safe_relative, update_in_place, write_site
from digest.uptodate import output_files


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


SITE = {"index.html": b"<h1>Home</h1>", "articles/a/index.html": b"A", "articles/b/index.html": b"B",
        "static/css/digest.css": b"body{}"}


def test_unchanged_files_keep_their_file_and_time(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "cache" / "previous-site"
    reuse.parent.mkdir()
    write_site(SITE, out, reuse)
    before = stamps(out)
    os.utime(out / "articles" / "a" / "index.html", ns=(1_000_000_000, 1_000_000_000))  # an old file, as after a deploy
    before["articles/a/index.html"] = stamps(out)["articles/a/index.html"]
    for changed in ({"articles/b/index.html": b"B, edited"}, {"index.html": b"<h1>Home</h1> new"}):
        files = SITE | changed
        write_site(files, out, reuse)
        assert tree(out) == files
        after = stamps(out)
        for name in files:
            if files[name] == SITE[name]:
                assert after[name] == before[name], f"{name} was rewritten"
        assert after["articles/a/index.html"][1] == 1_000_000_000


def test_a_build_that_changes_nothing_touches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(SITE, out)
    before = stamps(out), out.stat().st_ino
    write_site(dict(SITE), out)
    assert (stamps(out), out.stat().st_ino) == before


def test_removed_files_and_folders_go(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "previous"
    write_site(SITE, out, reuse)
    write_site(SITE | {"articles/c/index.html": b"C"}, out, reuse)
    write_site({"index.html": b"x", "articles": b"now a file"}, out, reuse)
    assert tree(out) == {"index.html": b"x", "articles": b"now a file"}
    assert sorted(p.name for p in out.iterdir()) == ["articles", "index.html"]
    write_site(SITE, out, reuse)
    assert tree(out) == SITE


def test_whatever_the_reused_folder_holds_the_output_is_exactly_the_files(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "previous"
    write_site(SITE, out, reuse)
    (reuse / "index.html").mkdir(parents=True, exist_ok=True)  # a folder where a file goes
    (reuse / "articles" / "a").mkdir(parents=True)
    (reuse / "articles" / "a" / "index.html").write_bytes(b"stale")
    (reuse / "stray.txt").write_bytes(b"left over")
    (reuse / "static").symlink_to(tmp_path)  # a link out of the site
    (reuse / "articles" / "b").mkdir()
    (reuse / "articles" / "b" / "index.html").symlink_to(tmp_path / "site" / "index.html")
    files = SITE | {"articles/a/index.html": b"A2"}
    write_site(files, out, reuse)
    assert tree(out) == files
    assert not (out / "static").is_symlink() and not (out / "articles" / "b" / "index.html").is_symlink()


def test_a_kept_file_of_the_same_size_is_still_compared(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "previous"
    for data in (b"one", b"two", b"six"):  # the third write finds "one" in the kept site, "two" in the live one
        write_site({"a.html": data}, out, reuse)
        assert tree(out) == {"a.html": data}


def test_a_file_or_link_where_the_kept_site_should_be_is_left_alone(tmp_path: Path) -> None:
    out, reuse, elsewhere = tmp_path / "site", tmp_path / "previous", tmp_path / "elsewhere"
    reuse.write_text("not a folder")
    write_site(SITE, out, reuse)
    write_site(SITE | {"index.html": b"2"}, out, reuse)
    assert tree(out) == SITE | {"index.html": b"2"} and reuse.read_text() == "not a folder"
    reuse.unlink()
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    reuse.symlink_to(elsewhere)
    write_site(SITE, out, reuse)
    assert tree(out) == SITE and (elsewhere / "keep.txt").read_text() == "mine" and reuse.is_symlink()


def test_the_live_site_is_never_written_through_a_shared_file(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "previous"
    write_site(SITE, out, reuse)
    write_site(SITE | {"index.html": b"second"}, out, reuse)  # now the kept site shares files with the live one
    live_a = (out / "articles" / "a" / "index.html").stat().st_ino
    assert (reuse / "articles" / "a" / "index.html").stat().st_ino == live_a
    write_site(SITE | {"index.html": b"third", "articles/a/index.html": b"A3"}, out, reuse)
    assert tree(out) == SITE | {"index.html": b"third", "articles/a/index.html": b"A3"}
    assert (reuse / "articles" / "a" / "index.html").read_bytes() == b"A", "the replaced site is intact"


names = st.sampled_from(["index.html", "a/index.html", "a/b/index.html", "b/index.html", "a", "c.css"])
sites = st.dictionaries(names, st.sampled_from([b"", b"one", b"two", b"six", b"three!"]), max_size=5).filter(
    lambda files: not any(other.startswith(name + "/") for name in files for other in files))


@settings(max_examples=30, deadline=None)
@given(st.lists(sites, min_size=1, max_size=5))
def test_any_sequence_of_writes_leaves_exactly_the_last_files(tmp_path_factory, sequence: list[dict[str, bytes]]) -> None:
    base = tmp_path_factory.mktemp("write")
    out, reuse = base / "site", base / "previous"
    previous: dict[str, bytes] = {}
    for files in sequence:
        before = stamps(out) if out.exists() else {}
        write_site(files, out, reuse)
        assert tree(out) == files
        after = stamps(out)
        for name, data in files.items():
            if previous.get(name) == data:
                assert after[name] == before[name]
        previous = files


def test_dot_folders_are_kept_like_any_other(tmp_path: Path) -> None:
    files = {".well-known/security.txt": b"Contact: mailto:a@example.org\n", ".nojekyll": b"", "index.html": b"<p>x</p>"}
    write_site(files, tmp_path / "site", reuse=tmp_path / "previous")
    write_site({**files, "index.html": b"<p>y</p>"}, tmp_path / "site", reuse=tmp_path / "previous")
    write_site({**files, "index.html": b"<p>z</p>"}, tmp_path / "site", reuse=tmp_path / "previous")
    assert (tmp_path / "site" / ".well-known" / "security.txt").read_bytes() == files[".well-known/security.txt"]
    assert sorted(p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*") if p.is_file()) == \
        [".nojekyll", ".well-known/security.txt", "index.html"]


def _first_build(files: dict[str, bytes], out: Path, reuse: Path) -> LiveOutput:
    """A first build as digest serve runs it: a whole new site, then remembered."""
    live = LiveOutput()
    write_site(files, out, reuse)
    live.remember(out, output_files(out))
    return live


@settings(max_examples=30, deadline=None)
@given(st.lists(sites, min_size=1, max_size=6))
def test_any_sequence_of_in_place_updates_leaves_exactly_the_last_files(tmp_path_factory, sequence: list[dict[str, bytes]]) -> None:
    base = tmp_path_factory.mktemp("in-place")
    out, reuse = base / "site", base / "previous"
    live = _first_build(sequence[0], out, reuse)
    previous = sequence[0]
    for files in sequence[1:]:
        before = stamps(out)
        if update_in_place(files, out, live) is None:  # a file where a folder was: a whole new site
            write_site(files, out, reuse)
            live.remember(out, output_files(out))
        assert tree(out) == files
        assert live.known(out) == output_files(out), "what the process knows is what the folder holds"
        after = stamps(out)
        for name, data in files.items():
            if previous.get(name) == data:
                assert after[name] == before[name]
        assert not list(base.glob(".site.staging-*"))
        previous = files


def test_an_in_place_update_writes_only_what_changed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    live = _first_build(SITE, out, tmp_path / "previous")
    folder_before, before = out.stat().st_ino, stamps(out)
    changed = {**{name: KEEP for name in SITE}, "articles/a/index.html": b"A, edited", "articles/c/index.html": b"C"}
    del changed["articles/b/index.html"]
    assert update_in_place(changed, out, live) is not None
    assert out.stat().st_ino == folder_before, "the same folder: nothing swapped"
    assert tree(out) == {"index.html": SITE["index.html"], "static/css/digest.css": SITE["static/css/digest.css"],
                         "articles/a/index.html": b"A, edited", "articles/c/index.html": b"C"}
    assert not (out / "articles" / "b").exists(), "a folder left empty goes"
    after = stamps(out)
    assert after["index.html"] == before["index.html"] and after["static/css/digest.css"] == before["static/css/digest.css"]


def test_a_folder_replaced_since_the_last_build_is_not_updated_in_place(tmp_path: Path) -> None:
    out = tmp_path / "site"
    live = _first_build(SITE, out, tmp_path / "previous")
    write_site({**SITE, "index.html": b"<h1>Built beside serve</h1>"}, out, tmp_path / "elsewhere")  # swapped in
    assert update_in_place({**SITE, "index.html": b"<h1>Home, edited</h1>"}, out, live) is None
    assert (out / "index.html").read_bytes() == b"<h1>Built beside serve</h1>", "nothing touched"


def test_a_process_that_never_built_the_folder_does_not_update_it_in_place(tmp_path: Path) -> None:
    write_site(SITE, tmp_path / "site", tmp_path / "previous")
    assert update_in_place({**SITE, "index.html": b"x"}, tmp_path / "site", LiveOutput()) is None


def test_files_an_update_wrote_are_compared_by_their_hashes_not_read_again(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "site"
    live = _first_build(SITE, out, tmp_path / "previous")
    edited = {**SITE, "articles/a/index.html": b"A, edited"}
    update_in_place(edited, out, live)  # reads the files it compares, once

    def no_reading(self: Path) -> bytes:
        raise AssertionError(f"read {self}")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    assert update_in_place({**edited, "index.html": b"<h1>Home, edited</h1>"}, out, live) is not None
    monkeypatch.undo()
    assert tree(out) == {**edited, "index.html": b"<h1>Home, edited</h1>"}


def test_a_site_swapped_in_while_an_update_is_staged_is_not_written_into(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "site"
    live = _first_build(SITE, out, tmp_path / "previous")
    real_write, swapped = Path.write_bytes, []

    def write_then_swap(self: Path, data: bytes) -> int:  # a `digest build` beside the preview finishes meanwhile
        written = real_write(self, data)
        if not swapped:
            swapped.append(True)
            write_site({**SITE, "index.html": b"<h1>Built beside serve</h1>"}, out, tmp_path / "elsewhere")
        return written

    monkeypatch.setattr(Path, "write_bytes", write_then_swap)
    assert update_in_place({**SITE, "index.html": b"<h1>Home, edited</h1>"}, out, live) is None
    monkeypatch.undo()
    assert (out / "index.html").read_bytes() == b"<h1>Built beside serve</h1>", "the other build's site is left as it is"
    assert not list(tmp_path.glob(".site.staging-*"))


def test_a_site_staged_file_by_file_is_swapped_in_whole_and_reads_back(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "previous"
    write_site(SITE, out, reuse)
    before = stamps(out)
    files = {**SITE, "articles/a/index.html": KEEP, "index.html": b"<h1>Home, edited</h1>", "articles/c/index.html": b"C"}
    del files["articles/b/index.html"]
    with StagedSite(out, reuse) as site:
        for name, data in files.items():
            site[name] = data
            assert tree(out) == SITE, "nothing is written into the live site before finish"
        assert site["index.html"] == b"<h1>Home, edited</h1>" and site["articles/a/index.html"] is KEEP
        assert sorted(site) == sorted(files) and len(site) == len(files)
        site.finish()
        assert site.file_stats() == output_files(out), "what it says the site holds is what a walk finds"
    assert tree(out) == {**files, "articles/a/index.html": b"A"}
    after = stamps(out)
    assert after["articles/a/index.html"] == before["articles/a/index.html"]
    assert after["static/css/digest.css"] == before["static/css/digest.css"]
    assert tree(reuse) == SITE, "the replaced site is kept for the next build"
    assert not list(tmp_path.glob(".site.staging-*"))


def test_a_staged_site_left_unfinished_changes_nothing(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "previous"
    write_site(SITE, out, reuse)
    before = stamps(out), out.stat().st_ino
    with pytest.raises(RuntimeError), StagedSite(out, reuse) as site:
        site["index.html"] = b"<h1>Half a build</h1>"
        raise RuntimeError("the build failed")
    assert (stamps(out), out.stat().st_ino) == before and tree(out) == SITE
    assert not list(tmp_path.glob(".site.staging-*"))
    write_site(SITE | {"articles/a/index.html": b"A2"}, out, reuse)  # the staging folder is reused as it was left
    assert tree(out) == SITE | {"articles/a/index.html": b"A2"}


def test_a_staged_site_the_same_as_the_live_one_touches_nothing(tmp_path: Path) -> None:
    out, reuse = tmp_path / "site", tmp_path / "previous"
    write_site(SITE, out, reuse)
    write_site(SITE | {"index.html": b"2"}, out, reuse)
    before = stamps(out), out.stat().st_ino
    with StagedSite(out, reuse) as site:
        for name, data in (SITE | {"index.html": b"2"}).items():
            site[name] = data
        site.finish()
        assert site.file_stats() == output_files(out)
    assert (stamps(out), out.stat().st_ino) == before


def test_a_staged_site_writes_nothing_through_a_link_where_a_folder_goes(tmp_path: Path) -> None:
    out, reuse, elsewhere = tmp_path / "site", tmp_path / "previous", tmp_path / "elsewhere"
    elsewhere.mkdir()
    reuse.mkdir()
    (reuse / "articles").symlink_to(elsewhere)  # what a reused staging folder might hold
    (reuse / "static").write_bytes(b"a file where a folder goes")
    with StagedSite(out, reuse) as site:
        for name, data in SITE.items():
            site[name] = data
        site.finish()
        assert site.file_stats() == output_files(out)
    assert tree(out) == SITE and list(elsewhere.iterdir()) == []


def test_a_staging_folder_of_a_build_still_running_is_not_taken_for_a_leftover(tmp_path: Path) -> None:
    import subprocess
    import sys

    from digest.stages.write import staging_folders

    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                                  text=True, check=True).stdout.strip()
        for name in (f".site.staging-{running.pid}", f".site.staging-{finished}", f".site.staging-{finished}-old",
                     f".site.staging-{os.getpid()}", ".site.staging-junk"):
            (tmp_path / name).mkdir()
        found = {folder.name for folder in staging_folders(tmp_path / "site")}
    finally:
        running.kill()
        running.wait()
    assert found == {f".site.staging-{finished}", f".site.staging-{finished}-old", f".site.staging-{os.getpid()}",
                     ".site.staging-junk"}


@given(st.lists(st.sampled_from(["a", "b.html", "/", ".", "..", ":", "\\", "\x00", "c:"]), max_size=12).map("".join))
def test_safe_name_is_safe_relative_as_text(name: str) -> None:
    try:
        expected: str | None = safe_relative(name).as_posix()
    except ValueError:
        expected = None
    try:
        found: str | None = safe_name(name)
    except ValueError:
        found = None
    assert found == expected
