"""Turn a stripped article into a Markdown page file: front matter, body, and a hash of both.

The hash (`generated:`) is what lets a rebuild tell an editor's change from its own output:
a page whose text no longer matches its hash was edited, and is never overwritten.
"""

from __future__ import annotations

import hashlib
import re

from digest.frontmatter import dump_page, split_front_matter
from digest.model import StrippedArticle
from digest.slugs import slugify

_GENERATED_LINE = re.compile(r"^generated: [0-9a-f]{64}\n", re.MULTILINE)
# `keep:` and its list, block style ("- a" lines, indented or not) or flow style ("keep: [a, b]")
_KEEP_BLOCK = re.compile(r"^keep:[^\n]*\n(?:(?:[ \t]+|- )[^\n]*\n)*", re.MULTILINE)


def page_name(article: StrippedArticle, unicode_slugs: bool = False) -> str:
    """The file name of the article's page: <date>-<slug>.md (the date part left out when unknown)."""
    slug = slugify(article.title, unicode=unicode_slugs)
    day = (article.date or "")[:10]
    return f"{day}-{slug}.md" if day else f"{slug}.md"


def page_text(article: StrippedArticle) -> str:
    """The page file for article, with `generated:` set to the hash of everything else."""
    meta = {
        "title": article.title,
        "date": article.date,
        "date_inferred": article.date_inferred,
        "summary": article.summary,
        "dateline": article.dateline,
        "author": article.author,
        "source": article.source,
        "url": article.url,
        "tags": list(article.tags),
        "see_also": list(article.see_also),
        "source_file": article.source_path,
        "removed": [{"text": r.text, "rule": r.rule} for r in article.removed],
        "keep": list(article.keep),
    }
    text = dump_page(meta, article.body)
    digest = content_hash(text)
    return text.replace("\n---\n", f"\ngenerated: {digest}\n---\n", 1)


def content_hash(text: str) -> str:
    """The hash of a page's text without its `generated:` line and its `keep:` list.

    `keep:` is the editor's instruction to the next strip, not an edit of the article: adding an
    entry lets the page be regenerated with the line back in it (and the entry written back).
    """
    yaml_text, _, _ = split_front_matter(text)
    if yaml_text is not None:
        text = text.replace(yaml_text, _KEEP_BLOCK.sub("", yaml_text), 1)
    return hashlib.sha256(_GENERATED_LINE.sub("", text, count=1).encode("utf-8")).hexdigest()


def edited_by_editor(text: str, stored_hash: str | None) -> bool:
    """True when a generated page's text differs from what digest wrote (or it was never generated)."""
    return stored_hash is None or content_hash(text) != stored_hash
