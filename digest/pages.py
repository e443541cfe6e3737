"""The Markdown pages of content/articles/: written from sources without losing an editor's edits, and read back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from digest.bidi import isolate_document
from digest.errors import Diagnostic, warning
from digest.frontmatter import Page, parse_page
from digest.model import Document, StrippedArticle
from digest.paths import link_outside, safe_slug
from digest.stages.convert import edited_by_editor, page_name, page_text


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


def read_page_files(folder: Path, root: Path, parse_many: ParseMany = parse_each) -> tuple[list[PageFile], list[Diagnostic]]:
    """Every page under folder, sorted; broken ones are reported, the rest still read."""
    read: list[tuple[Path, str, str | Diagnostic]] = []
    if not folder.is_dir():
        return [], []
    for path in sorted(folder.rglob("*.md"), key=lambda p: p.as_posix()):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        display = _display(path, root)
        if outside := link_outside(root, path, display):
            read.append((path, display, outside))
            continue
        try:
            read.append((path, display, path.read_text(encoding="utf-8-sig")))
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[:exc.start].count(b"\n") + 1
            read.append((path, display, Diagnostic(display, "not UTF-8 text", line, None, "save the file as UTF-8")))
        except OSError as exc:
            read.append((path, display, Diagnostic(display, f"cannot read: {exc.strerror or exc}", hint="check the file's permissions")))
    parsed = iter(parse_many([(text, display) for _, display, text in read if isinstance(text, str)]))
    pages: list[PageFile] = []
    problems: list[Diagnostic] = []
    for path, display, text in read:
        if isinstance(text, Diagnostic):
            problems.append(text)
            continue
        page, found = next(parsed)
        problems.extend(found)
        if page is not None:
            pages.append(PageFile(path, display, page))
    return pages, problems


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
            _write_text(current.path, text)
            written.add(article.source_path)
            continue
        name = page_name(article, unicode_slugs)
        stem, n = name[:-3], 2
        while name in taken:
            name = f"{stem}-{n}.md"
            n += 1
        taken.add(name)
        _write_text(folder / name, text)
        written.add(article.source_path)
    return problems, written


def _hash_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("generated: "):
            return line.split(": ", 1)[1]
    return None


def document_from(pf: PageFile) -> Document:
    """The Document of a page file; its slug is the front matter's, else the file name."""
    meta = pf.page.meta
    return isolate_document(Document(
        path=pf.display, slug=safe_slug(meta.slug or pf.path.stem), title=meta.title, date=meta.date or "",
        body=pf.page.body, body_line=pf.page.body_line, date_inferred=meta.date_inferred,
        summary=meta.summary, dateline=meta.dateline, author=meta.author, source=meta.source, url=meta.url,
        tags=tuple(meta.tags), see_also=meta.see_also, notes=meta.notes, draft=meta.draft,
        source_file=meta.source_file, extra=pf.page.extra,
    ))


def _write_text(path: Path, text: str) -> None:
    """Write through a temporary file and a rename, so a page is never half-written."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _display(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
