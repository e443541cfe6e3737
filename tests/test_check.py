"""`digest check`: config, front matter, notes and every link of the built site, as file:line messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_digest

ARTICLES = Path(__file__).resolve().parent / "golden" / "render" / "small-site" / "articles"


@pytest.fixture
def digest_folder(tmp_path: Path) -> Path:
    """A digest of hand-written articles with full front matter, served from a sub-path."""
    folder = tmp_path / "d"
    shutil.copytree(ARTICLES, folder / "content" / "articles")
    (folder / "config.yaml").write_text("title: Check me\nbase_url: https://example.org/news/\n", encoding="utf-8")
    return folder


def test_check_passes_a_sound_digest(digest_folder: Path) -> None:
    result = run_digest("check", "--strict", cwd=digest_folder)
    assert result.returncode == 0, result.stderr
    assert "checked 3 articles: 0 errors, 0 warnings" in result.stderr
    assert not (digest_folder / "site").exists()  # built into a temporary folder, nothing published


def test_check_finds_a_link_that_ignores_the_base_path(digest_folder: Path) -> None:
    templates = digest_folder / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text('{% extends "base.html" %}{% block main %}\n<h1>Lost</h1>\n'
                                        '<p><a href="/archive/">archive</a> <a href="{{ url() }}#nowhere">home</a></p>\n'
                                        '{% endblock %}\n', encoding="utf-8")
    result = run_digest("check", cwd=digest_folder)
    assert result.returncode == 1
    errors = [line.split(":", 2) for line in result.stderr.splitlines() if ": error: " in line]
    assert [(path, message) for path, _, message in errors] == [
        ("site/404.html", " error: link /archive/ is outside the base path /news/ (it ignores the base path)"
                          " — make every link with url() in templates"),
        ("site/404.html", " error: broken anchor /news/#nowhere: no id 'nowhere' in /news/ — make every link with url() in templates"),
    ]
    assert errors[0][1] == errors[1][1] and int(errors[0][1]) > 1  # the line of the <p> in the built page


def test_check_of_a_built_site_finds_a_broken_link_and_anchor(digest_folder: Path) -> None:
    run_digest("build", cwd=digest_folder, check=True)
    page = digest_folder / "site" / "tags" / "index.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace('href="/news/tags/training/"', 'href="/news/tags/missing/"')
                    .replace('href="/news/archive/"', 'href="/news/archive/#gone"'), encoding="utf-8")
    result = run_digest("check", "--site", "site", cwd=digest_folder)
    assert result.returncode == 1
    broken = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert any(line.startswith("site/tags/index.html:") and "broken link /news/tags/missing/: nothing at /news/tags/missing/" in line
               for line in broken), result.stderr
    assert any("broken anchor /news/archive/#gone: no id 'gone' in /news/archive/" in line for line in broken)


def test_check_reports_front_matter_and_orphaned_notes(digest_folder: Path) -> None:
    articles = digest_folder / "content" / "articles"
    (articles / "bad.md").write_text("---\ntitle: Bad\ndate: tomorrow\n---\n\nText.\n", encoding="utf-8")
    result = run_digest("check", cwd=digest_folder)
    assert result.returncode == 1
    assert "content/articles/bad.md:3:7: error: front matter: date 'tomorrow' is not a date" in result.stderr
    (articles / "bad.md").write_text("---\ntitle: Noted\nnotes:\n  - quote: words that are gone\n    note: see\n---\n\nText.\n",
                                     encoding="utf-8")
    result = run_digest("check", "--strict", cwd=digest_folder)
    assert result.returncode == 1
    assert ("content/articles/bad.md:4: warning: note on 'words that are gone': the quotation is not in the article"
            " — quote the article's words exactly, or remove the note") in result.stderr.splitlines()


def test_check_warns_when_base_url_is_not_absolute(digest_folder: Path) -> None:
    result = run_digest("check", "--base-url", "/news/", cwd=digest_folder)
    assert result.returncode == 0
    assert "config.yaml: warning: base_url '/news/' has no scheme and host" in result.stderr


def test_check_reports_a_broken_config_with_exit_2(digest_folder: Path) -> None:
    (digest_folder / "config.yaml").write_text("title: Check me\nper_page: 0\nentity_per_page: -1\nbase_url: ftp://x/\n",
                                               encoding="utf-8")
    result = run_digest("check", cwd=digest_folder)
    assert result.returncode == 2
    assert "config.yaml: error: base_url: expected an http(s) URL or a path, found 'ftp://x/'" in result.stderr
    assert "config.yaml: error: per_page: expected a number of at least 1, found 0" in result.stderr
    assert "config.yaml: error: entity_per_page: expected a number of at least 1, found -1" in result.stderr


def test_a_digest_without_articles_builds_every_page_and_passes_check(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("title: Empty\nbase_url: https://example.org/news/\n", encoding="utf-8")
    result = run_digest("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ["index.html", "tags/index.html", "archive/index.html", "search/index.html", "feed.xml", "sitemap.xml"]:
        assert (tmp_path / "site" / name).is_file(), name
    assert not (tmp_path / "site" / "pagefind").exists()  # Pagefind builds no empty index
    assert run_digest("check", "--site", "site", cwd=tmp_path).returncode == 0
