"""A build with nothing changed stops early (digest.uptodate) — and only then."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from digest.build import BuildOptions, BuildResult, build_site
from digest.cache import FOLDER_NAME
from digest.config import load_config
from digest.parallel import Executor
from digest.uptodate import RECORD, inputs_hash
from tests.cli.test_build import tree_digest
from tests.conftest import run_digest
from tests.test_incremental import make_digest, page


def build(folder: Path, **options: object) -> BuildResult:
    return build_site(load_config(root=folder), BuildOptions(executor=Executor("serial"), **options))  # type: ignore[arg-type]


@pytest.fixture
def digest(tmp_path: Path) -> Path:
    folder = tmp_path / "digest"
    make_digest(folder)
    # an unknown front matter key: a warning every build, that an up-to-date build must repeat
    (folder / "content" / "articles" / "undated.md").write_text("---\ntitle: No date\ntitel: typo\n---\n\nText.\n")
    assert not build(folder).up_to_date
    return folder


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_rebuild_with_nothing_changed_touches_nothing_and_repeats_the_warnings(digest: Path) -> None:
    first = build(digest)
    before = mtimes(digest / "site")
    second = build(digest)
    assert second.up_to_date
    assert mtimes(digest / "site") == before
    assert (second.articles, second.files) == (first.articles, first.files)
    assert second.report.warnings and second.report.diagnostics == first.report.diagnostics


@pytest.mark.parametrize("edit", [
    lambda d: (d / "content" / "articles" / "undated.md").write_text("---\ntitle: No date\ntitel: typo\n---\n\nText!\n"),
    lambda d: (d / "content" / "articles" / "new.md").write_text(page("New", "2022-01-01", "New text.")),
    lambda d: (d / "content" / "articles" / "undated.md").rename(d / "content" / "articles" / "renamed.md"),
    lambda d: (d / "content" / "articles" / "undated.md").unlink(),
    lambda d: (d / "content" / "sources" / "a.txt").write_text("A source\n\nWith a paragraph of text.\n"),
    lambda d: (d / "config.yaml").write_text('title: "Another title"\n'),
    lambda d: (d / "themes" / "default" / "templates").mkdir(parents=True) or
    (d / "themes" / "default" / "templates" / "404.html").write_text("{{ config.title }} has no such page\n"),
    lambda d: (d / "site" / "index.html").write_text("edited by hand"),
    lambda d: (d / "site" / "index.html").unlink(),
    lambda d: (d / "site" / "stray.html").write_text("left by hand"),
    lambda d: (d / FOLDER_NAME / RECORD).write_text("{not json"),
    lambda d: (d / FOLDER_NAME / RECORD).write_text(json.dumps({"inputs": 1})),
], ids=["page edited", "page added", "page renamed", "page deleted", "source added", "config", "template",
        "output edited", "output deleted", "output added", "record damaged", "record of another shape"])
def test_any_change_to_inputs_or_output_builds_again_and_equals_a_clean_build(digest: Path, tmp_path: Path, edit) -> None:
    build(digest)
    edit(digest)
    result = build(digest)
    assert not result.up_to_date
    clean = tmp_path / "clean"
    build(digest, output=clean, cache=False)
    assert tree_digest(digest / "site") == tree_digest(clean)


def test_an_edit_that_keeps_size_and_time_is_still_seen(digest: Path) -> None:
    """Contents are hashed: an edit within the file system's time resolution, same size, is a change."""
    target = digest / "content" / "articles" / "undated.md"
    build(digest)
    stat = target.stat()
    target.write_text(target.read_text().replace("Text.", "Te#t."))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not build(digest).up_to_date
    assert "Te#t." in (digest / "site" / "articles" / "undated" / "index.html").read_text()


def test_other_output_folder_drafts_or_no_cache_build_again(digest: Path, tmp_path: Path) -> None:
    build(digest)
    assert not build(digest, drafts=True).up_to_date
    build(digest)
    assert not build(digest, output=tmp_path / "elsewhere").up_to_date
    assert not build(digest, cache=False).up_to_date


def test_the_cli_says_the_site_is_up_to_date(digest: Path) -> None:
    first = run_digest("build", cwd=digest, check=True)
    again = run_digest("build", cwd=digest, check=True)
    assert "up to date: nothing changed since the last build" in again.stderr
    warnings = [line for line in first.stderr.splitlines() if ": warning: " in line]
    assert warnings and warnings == [line for line in again.stderr.splitlines() if ": warning: " in line]


def test_a_file_whose_status_is_unchanged_is_not_read_again(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text("one")
    first = inputs_hash("settings", [folder])
    [(path, state)] = first.files.items()
    assert state[4] == hashlib.sha256(b"one").hexdigest()
    fake = {path: (*state[:4], "0" * 64)}  # as if the bytes were others: believed, since nothing about the file changed
    assert inputs_hash("settings", [folder], fake).hash != first.hash
    assert inputs_hash("settings", [folder], fake).files == fake
    (folder / "a.md").write_text("two")  # a write moves the change time on, whatever the modification time says
    assert inputs_hash("settings", [folder], fake).files[path][4] == hashlib.sha256(b"two").hexdigest()
