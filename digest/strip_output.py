"""What `digest strip` prints: an article as a page, as text, or as a JSON record, with its removed lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digest.config import Config
from digest.errors import Diagnostic, Severity
from digest.model import StrippedArticle


def article_record(path: str, article: StrippedArticle | None, diagnostics: tuple[Diagnostic, ...]) -> dict[str, Any]:
    """The JSON object of one input: its fields, its Markdown body, its removed lines and its problems."""
    problems = [str(d) for d in diagnostics]
    if article is None:
        errors = [d.message for d in diagnostics if d.severity is Severity.ERROR] or [d.message for d in diagnostics]
        return {"path": path, "error": "; ".join(errors) or "not read", "body": "", "problems": problems}
    return {
        "path": path, "title": article.title, "date": article.date, "date_inferred": article.date_inferred,
        "source": article.source, "author": article.author, "url": article.url, "dateline": article.dateline,
        "tags": list(article.tags), "summary": article.summary, "see_also": list(article.see_also),
        "body": article.body, "removed": [{"text": r.text, "rule": r.rule} for r in article.removed],
        "problems": problems,
    }


def format_article(article: StrippedArticle, form: str, explain: bool) -> str:
    """The article as its Markdown page or as plain title-and-body text, with the removed lines listed if asked."""
    if form == "markdown":
        from digest.stages.convert import page_text

        text = page_text(article).rstrip("\n")
    else:
        text = f"{article.title}\n\n{article.body}".rstrip("\n")
    if explain:
        width = max((len(r.rule) for r in article.removed), default=0)
        listing = [f"  {r.rule:<{width}}  {r.text}" for r in article.removed] or ["  (nothing)"]
        text += "\n\nremoved:\n" + "\n".join(listing)
    return text + "\n"


def keep_lists(config: Config) -> dict[Path, tuple[str, ...]]:
    """{source file: the `keep:` list of the page generated from it} for a digest's existing pages."""
    from digest.pages import read_page_files

    root = config.root.resolve()
    pages, _ = read_page_files(config.resolve(config.paths.articles), root)
    return {(root / pf.page.meta.source_file).resolve(): pf.page.meta.keep
            for pf in pages if pf.page.meta.source_file and pf.page.meta.keep}
