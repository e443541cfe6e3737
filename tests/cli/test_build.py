from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import run_digest


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_writes_home_and_one_page_per_article(example_digest: Path) -> None:
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 0, result.stderr
    site = example_digest / "site"
    assert (site / "index.html").is_file()
    pages = sorted((site / "articles").glob("*/index.html"))
    assert len(pages) == 5
    assert len(list((example_digest / "content" / "articles").glob("*.md"))) == 5


def test_two_builds_are_byte_identical(example_digest: Path, tmp_path: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    first = tree_digest(example_digest / "site")
    run_digest("build", cwd=example_digest, check=True)
    assert tree_digest(example_digest / "site") == first


def test_init_then_build(tmp_path: Path) -> None:
    run_digest("init", "fresh", cwd=tmp_path, check=True)
    result = run_digest("build", cwd=tmp_path / "fresh")
    assert result.returncode == 0, result.stderr
    assert ", 0 warnings in " in result.stderr, "a newcomer's first build is clean"
    assert (tmp_path / "fresh" / "site" / "index.html").is_file()


def test_a_broken_page_fails_the_build_and_keeps_the_old_site(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    before = tree_digest(example_digest / "site")
    articles = example_digest / "content" / "articles"
    (articles / "bad-date.md").write_text("---\ntitle: Hand-written\ndate: tomorrow\n---\n\nText.\n")
    (articles / "bad-yaml.md").write_text("---\ntitle: [unclosed\n---\n\nText.\n")
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 1
    assert "content/articles/bad-date.md:3:7: error: front matter: date 'tomorrow' is not a date" in result.stderr
    assert "content/articles/bad-yaml.md:3:1: error: YAML:" in result.stderr  # every problem, not just the first
    assert tree_digest(example_digest / "site") == before
    assert not list(example_digest.glob(".site.staging-*")), "the new site it staged is gone"


def test_config_errors_exit_2_and_name_the_line(example_digest: Path) -> None:
    (example_digest / "config.yaml").write_text("title: x\nper_page: lots\n")
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 2
    assert "config.yaml:2:11: error: per_page: expected a whole number, found text 'lots'" in result.stderr


def test_flags_override_config(example_digest: Path) -> None:
    run_digest("build", "--base-url", "https://example.org/news/", "--out", "public", cwd=example_digest, check=True)
    home = (example_digest / "public" / "index.html").read_text()
    assert 'href="/news/articles/' in home
    assert not (example_digest / "site").exists()


def test_drafts_are_left_out_unless_asked_for(example_digest: Path) -> None:
    (example_digest / "content" / "articles" / "wip.md").write_text("---\ntitle: Work in progress\ndate: 2021-05-01\n"
                                                                   "draft: true\n---\n\nNot yet.\n")
    run_digest("build", cwd=example_digest, check=True)
    assert not (example_digest / "site" / "articles" / "wip").exists()
    run_digest("build", "--drafts", cwd=example_digest, check=True)
    assert (example_digest / "site" / "articles" / "wip" / "index.html").exists()


@pytest.mark.parametrize("out", [".", "content", "content/sources", "..", "themes"])
def test_output_folder_that_holds_the_digest_is_refused(example_digest: Path, out: str) -> None:
    (example_digest / "themes").mkdir()
    result = run_digest("build", "--out", out, cwd=example_digest)
    assert result.returncode == 2
    assert "refusing to build into" in result.stderr
    assert (example_digest / "content" / "sources").is_dir()
    assert (example_digest / "config.yaml").is_file()


def test_an_editors_page_is_never_overwritten(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    page = sorted((example_digest / "content" / "articles").glob("*.md"))[0]
    edited = page.read_text().replace("\n---\n\n", "\n---\n\nAn editor's paragraph.\n\n", 1)
    page.write_text(edited)
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 0, result.stderr
    assert page.read_text() == edited
    assert "<p>An editor's paragraph.</p>" in (example_digest / "site" / "articles" / page.stem / "index.html").read_text()


@pytest.mark.parametrize("command", [[], ["build"], ["init"]])
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = run_digest(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: digest" in result.stdout


def test_version_and_usage_errors(tmp_path: Path) -> None:
    assert run_digest("--version", cwd=tmp_path).stdout.startswith("digest ")
    assert run_digest("frobnicate", cwd=tmp_path).returncode == 2
    assert run_digest(cwd=tmp_path).returncode == 2


def test_build_outside_a_digest_says_what_to_do(tmp_path: Path) -> None:
    result = run_digest("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "no config.yaml here" in result.stderr and "digest init" in result.stderr


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    result = run_digest("init", "busy", cwd=tmp_path)
    assert result.returncode == 2
    assert (tmp_path / "busy" / "notes.txt").read_text() == "mine"


def test_a_source_over_the_size_limit_is_refused_and_the_others_still_build(example_digest: Path) -> None:
    with (example_digest / "config.yaml").open("a") as config:
        config.write("limits:\n  max_source_bytes: 3000\n")
    result = run_digest("build", cwd=example_digest)
    assert result.returncode == 1
    assert "content/sources/004_9c74b1dcc24b33d3.txt: error: too large (" in result.stderr
    assert "raise limits.max_source_bytes" in result.stderr
    pages = sorted(p.name for p in (example_digest / "content" / "articles").glob("*.md"))
    assert len(pages) == 4, "the other sources were still stripped into pages"


def test_progress_shows_on_a_terminal_only(example_digest: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    from tests.conftest import REPO

    controller, terminal = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.run([sys.executable, "-m", "digest", "build"], cwd=example_digest, env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal, timeout=120)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.returncode == 0
    text = shown.decode()
    assert "[1/11] inputs…" in text and "[2/11] read…" in text and "[11/11] write…" in text
    assert "\r\x1b[Kcontent/sources/" in text, "the status line is cleared before the first message"
    assert "[1/11]" not in run_digest("build", cwd=example_digest).stderr  # not a terminal: silent
