"""The Markdown pages of content/articles/: written from sources without losing an editor's edits, and read back."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from digest.bidi import isolate_document
from digest.errors import Diagnostic, warning
from digest.frontmatter import Page, parse_page
from digest.model import Document, StrippedArticle, encode_text
from digest.paths import link_outside, safe_slug
from digest.renames import rename_new
from digest.stages.convert import edited_by_editor, page_name, page_text
from digest.uptodate import unwritten_since


@dataclass(frozen=True)
class PageFile:
    path: Path
    display: str
    page: Page


ParsedPage = tuple[Page | None, list[Diagnostic]]
# Parses many (text, display path) pairs at once, in order: parse_each, or a cached and parallel map of parse_one.
ParseMany = Callable[[list[tuple[str, str]]], list[ParsedPage]]


def parse_one(text_and_display: tuple[str, str]) -> ParsedPage:
    """parse_page of one (text, display path) pair: the per-article function a parallel map runs."""
    return parse_page(*text_and_display)


def parse_each(pairs: list[tuple[str, str]]) -> list[ParsedPage]:
    return [parse_one(pair) for pair in pairs]


FileStat = tuple[int, int, int, int]  # digest.uptodate.unwritten_since: the same while the file is not written
KnownTexts = dict[Path, tuple[FileStat, str]]


def read_page_files(folder: Path, root: Path, parse_many: ParseMany = parse_each,
                    known: KnownTexts | None = None) -> tuple[list[PageFile], list[Diagnostic]]:
    """Every page under folder, sorted; broken ones are reported, the rest still read. known: the texts of the
    last read by path and stat (digest serve keeps them); a file with the same stat is not read again, and
    known is left holding this read's. Pages are read and parsed READ_AT_ONCE at a time: a text goes once
    parsed (100,000 articles' texts took 1 GB beside their parsed pages)."""
    if not folder.is_dir():
        return [], []
    # A plain file right in a folder that lies inside the digest lies inside too: one lstat, not a resolve.
    folder_inside = link_outside(root, folder, "") is None
    listed: list[tuple[Path, str, Diagnostic | None]] = []  # a page, or why it is not read: it leads outside
    for path in sorted(folder.rglob("*.md"), key=lambda p: p.as_posix()):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        display = _display(path, root)
        plain = folder_inside and path.parent == folder and not path.is_symlink()
        listed.append((path, display, None if plain else link_outside(root, path, display)))
    now: KnownTexts = {}
    pages: list[PageFile] = []
    problems: list[Diagnostic] = []
    for start in range(0, len(listed), READ_AT_ONCE):
        read = [(path, display, outside or _read(path, display, known, now))
                for path, display, outside in listed[start:start + READ_AT_ONCE]]
        parsed = iter(parse_many([(text, display) for _, display, text in read if isinstance(text, str)]))
        for path, display, text in read:
            if isinstance(text, Diagnostic):
                problems.append(text)
                continue
            page, found = next(parsed)
            problems.extend(found)
            if page is not None:
                pages.append(PageFile(path, display, page))
    if known is not None:
        known.clear()
        known.update(now)
    return pages, problems


READ_AT_ONCE = 5000


def _read(path: Path, display: str, known: KnownTexts | None, now: KnownTexts) -> str | Diagnostic:
    """The text of a page, or why it cannot be read."""
    try:
        return _text(path, known, now)
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        return Diagnostic(display, "not UTF-8 text", line, None, "save the file as UTF-8")
    except OSError as exc:
        return Diagnostic(display, f"cannot read: {exc.strerror or exc}", hint="check the file's permissions")


def _text(path: Path, known: KnownTexts | None, now: KnownTexts) -> str:
    """The text of path: as known when its stat is the same (statted before reading: a write in between is seen
    next time), else read."""
    if known is None:
        return path.read_text(encoding="utf-8-sig")
    stat = unwritten_since(os.stat(path))
    found = known.get(path)
    text = found[1] if found is not None and found[0] == stat else path.read_text(encoding="utf-8-sig")
    now[path] = (stat, text)
    return text


def sync_pages(articles: list[StrippedArticle], folder: Path, root: Path, existing: list[PageFile],
               unicode_slugs: bool = False) -> tuple[list[Diagnostic], set[str]]:
    """Write each article's page into folder; a page the editor changed is kept and the conflict reported.

    Returns the problems and the source paths whose page was written (new or regenerated).
    """
    problems: list[Diagnostic] = []
    written: set[str] = set()
    by_source = {pf.page.meta.source_file: pf for pf in existing if pf.page.meta.source_file}
    taken = {pf.path.name for pf in existing}
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        text = page_text(article)
        current = by_source.get(article.source_path)
        if current is not None:
            old_text = current.path.read_text(encoding="utf-8-sig")
            if old_text == text:
                continue
            if edited_by_editor(old_text, current.page.meta.generated):
                if current.page.meta.generated != _hash_line(text):
                    problems.append(warning(current.display, f"you edited this page, so it was not regenerated from {article.source_path}",
                                            hint="delete the page to regenerate it, or carry the source's changes over by hand"))
                continue
            if _replace_unless_saved(current.path, old_text, text):
                written.add(article.source_path)
            else:
                problems.append(warning(current.display, f"you saved this page while it was being regenerated from "
                                        f"{article.source_path}, so your version was kept",
                                        hint="delete the page to regenerate it, or carry the source's changes over by hand"))
            continue
        name = page_name(article, unicode_slugs)
        stem, n = name[:-3], 2
        while name in taken or not _create(folder / name, text):  # a file of that name may appear meanwhile
            taken.add(name)
            name = f"{stem}-{n}.md"
            n += 1
        taken.add(name)
        written.add(article.source_path)
    return problems, written


def _hash_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("generated: "):
            return line.split(": ", 1)[1]
    return None


KnownDocuments = dict[str, tuple[Page, Document]]  # by display path: a page as parsed, and its document


def documents_from(page_files: list[PageFile], known: KnownDocuments | None = None) -> list[Document]:
    """document_from of each page file. known: the last build's by path (digest serve keeps them), reused where
    the parsed page is the very object of then (the parse cache gives the same object for the same text), so
    an unchanged article's document is the same object build after build (0.4 s a build at 10,000 articles,
    and what the render memo hashes by identity); left holding this build's."""
    if known is None:
        return [document_from(pf) for pf in page_files]
    now: KnownDocuments = {}
    for pf in page_files:
        last = known.get(pf.display)
        now[pf.display] = (pf.page, last[1] if last is not None and last[0] is pf.page else document_from(pf))
    known.clear()
    known.update(now)
    return [now[pf.display][1] for pf in page_files]


def document_from(pf: PageFile) -> Document:
    """The Document of a page file; its slug is the front matter's, else the file name."""
    meta = pf.page.meta
    return isolate_document(Document(
        path=pf.display, slug=safe_slug(meta.slug or pf.path.stem), title=meta.title, date=meta.date or "",
        body_utf8=encode_text(pf.page.body), body_line=pf.page.body_line, date_inferred=meta.date_inferred,
        summary=meta.summary, dateline=meta.dateline, author=meta.author, source=meta.source, url=meta.url,
        tags=tuple(meta.tags), see_also=meta.see_also, notes=meta.notes, draft=meta.draft,
        source_file=meta.source_file, extra=pf.page.extra,
    ))


# An editor may save a page at any moment, also while the build rewrites it. Pages are therefore
# never written over: a new page is renamed into place only where no file is (rename_new), and a
# page is replaced by first renaming it aside, checking it is still the text the build read, then
# renaming the new text in where, again, no file may be. Whatever the editor saved, and whenever,
# is what stays at the page's path. (digest serve knows these renames for the build's own: watch.py.)

def _create(path: Path, text: str) -> bool:
    """Put text at path, complete or not at all, unless a file is there: then False and nothing written."""
    tmp = _temporary(path, text)
    try:
        return rename_new(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _replace_unless_saved(path: Path, old_text: str, text: str) -> bool:
    """Replace path, which held old_text when the build read it, by text; False (and the file as the editor
    left it) when it was saved, moved or deleted since."""
    tmp = _temporary(path, text)
    aside = path.with_name(f".{path.name}.{os.getpid()}.aside")
    try:
        try:
            os.rename(path, aside)  # from here on, a save creates a new file at path, which nothing replaces
        except FileNotFoundError:
            return False  # deleted or renamed by the editor: that was their edit
        if aside.read_text(encoding="utf-8-sig") != old_text:  # saved between the build's read and the rename
            rename_new(aside, path)  # fails only when a newer save is already at path
            return False
        return rename_new(tmp, path)  # fails when the editor saved a new file after the rename: theirs stays
    finally:
        tmp.unlink(missing_ok=True)
        aside.unlink(missing_ok=True)


def recover_pages(folder: Path, root: Path) -> list[Diagnostic]:
    """Tidy what a killed build left: its temporary pages go; a page it had renamed aside goes back
    to its name when that is free (a killed build is the only way one is left), else stays, reported.
    Done before the pages are read: a page left aside is not read, and its source would get a second page."""
    problems: list[Diagnostic] = []
    if not folder.is_dir():
        return problems
    for leftover in sorted(folder.glob(".*.tmp")):
        leftover.unlink(missing_ok=True)
    for aside in sorted(folder.glob(".*.aside")):
        original = aside.with_name(aside.name[1:].rsplit(".", 2)[0])
        if not rename_new(aside, original):
            problems.append(warning(_display(aside, root), f"an interrupted build left this copy of {original.name}, "
                                    "which has changed since", hint="keep what you need of it, then delete it"))
    return problems


def _temporary(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    return tmp


def _display(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
