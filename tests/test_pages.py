"""Reading content/articles/: what is read, what is skipped, and what digest serve keeps between reads."""

from __future__ import annotations

import os
from pathlib import Path

from digest.pages import KnownDocuments, KnownTexts, PageFile, documents_from, read_page_files

PAGE = "---\ntitle: {title}\ndate: 2021-05-01\n---\n\n{body}\n"


def titles(folder: Path, root: Path, known: KnownTexts | None = None) -> tuple[list[str], list[str]]:
    pages, problems = read_page_files(folder, root, known=known)
    return [pf.page.meta.title for pf in pages], [f"{d.path}: {d.message}" for d in problems]


def test_pages_of_an_articles_folder_linked_from_outside_the_digest_are_skipped(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.md").write_text(PAGE.format(title="Secret", body="SECRET"))
    root = tmp_path / "digest"
    (root / "content").mkdir(parents=True)
    (root / "content" / "articles").symlink_to(elsewhere, target_is_directory=True)
    found, problems = titles(root / "content" / "articles", root)
    assert found == []
    assert problems == ["content/articles/secret.md: skipped: it links to a file outside the digest (or to nothing)"]


def test_a_linked_subfolder_is_not_followed_and_the_other_pages_are_read(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.md").write_text(PAGE.format(title="Secret", body="SECRET"))
    articles = tmp_path / "digest" / "content" / "articles"
    articles.mkdir(parents=True)
    (articles / "a.md").write_text(PAGE.format(title="A", body="Text."))
    (articles / "more").symlink_to(elsewhere, target_is_directory=True)
    found, problems = titles(articles, tmp_path / "digest")
    assert found == ["A"] and problems == []


def test_known_texts_stand_for_files_whose_stat_is_the_same(tmp_path: Path) -> None:
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    for name in "ab":
        (articles / f"{name}.md").write_text(PAGE.format(title=name.upper(), body="Text."))
    known: KnownTexts = {}
    assert titles(articles, tmp_path, known)[0] == ["A", "B"]
    assert set(known) == {articles / "a.md", articles / "b.md"}

    # What digest serve remembers is used as long as the file's stat says it was not written since.
    stat, _ = known[articles / "a.md"]
    known[articles / "a.md"] = (stat, PAGE.format(title="Remembered", body="Text."))
    assert titles(articles, tmp_path, known)[0] == ["Remembered", "B"]

    # A save of the same size with the old modification time is still seen: its change time moved.
    old = os.stat(articles / "b.md")
    (articles / "b.md").write_text(PAGE.format(title="C", body="Text."))
    os.utime(articles / "b.md", ns=(old.st_atime_ns, old.st_mtime_ns))
    (articles / "a.md").unlink()
    assert titles(articles, tmp_path, known)[0] == ["C"]
    assert set(known) == {articles / "b.md"}, "a deleted page is forgotten"


def test_known_documents_are_reused_while_their_parsed_page_is_the_same_object(tmp_path: Path) -> None:
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    for name in "ab":
        (articles / f"{name}.md").write_text(PAGE.format(title=name.upper(), body="Text."))
    pages, _ = read_page_files(articles, tmp_path)
    known: KnownDocuments = {}
    first = documents_from(pages, known)
    assert [d.title for d in first] == ["A", "B"] and first == documents_from(pages)

    # The parse cache hands back the same page object for an unchanged file: its document is the same object too.
    reparsed, _ = read_page_files(articles, tmp_path)
    again = documents_from([pages[0], reparsed[1]], known)
    assert again[0] is first[0]
    assert again[1] is not first[1] and again[1] == first[1]
    assert set(known) == {"content/articles/a.md", "content/articles/b.md"}

    # A page dropped from the list is forgotten; what is reused follows the object, not the path's old text.
    only_b = documents_from([PageFile(pages[1].path, pages[1].display, reparsed[1].page)], known)
    assert only_b[0] is again[1] and set(known) == {"content/articles/b.md"}


def test_pages_read_a_few_at_a_time_are_read_as_all_at_once(tmp_path: Path, monkeypatch) -> None:
    import digest.pages

    articles = tmp_path / "digest" / "content" / "articles"
    articles.mkdir(parents=True)
    for name in "abcdefg":
        (articles / f"{name}.md").write_text(PAGE.format(title=name.upper(), body="Text."))
    (articles / "c.md").write_bytes(b"---\ntitle: C\n---\n\n\xff\xfe not UTF-8\n")
    (articles / "e.md").write_text("---\ntitle: [E\n---\n\nBroken front matter.\n")
    (articles / "z.md").symlink_to(tmp_path / "nowhere.md")
    at_once = titles(articles, tmp_path / "digest")
    assert at_once[0] == ["A", "B", "D", "F", "G"] and len(at_once[1]) == 3
    monkeypatch.setattr(digest.pages, "READ_AT_ONCE", 2)
    calls: list[int] = []

    def parse_counted(pairs: list[tuple[str, str]]) -> list:
        calls.append(len(pairs))
        return digest.pages.parse_each(pairs)

    pages, problems = read_page_files(articles, tmp_path / "digest", parse_counted)
    assert ([pf.page.meta.title for pf in pages], [f"{d.path}: {d.message}" for d in problems]) == at_once
    assert calls == [2, 1, 2, 1], "two files at a time; the one not UTF-8 and the one leading outside are not parsed"
