"""A Markdown source with front matter is already clean: its fields and body pass through unchanged."""

from __future__ import annotations

import re

from digest.frontmatter import parse_page, split_front_matter
from digest.model import StrippedArticle

# A level-1 ATX heading with some text in it; [ \t] rather than \s, which would run onto the next line.
_HEADING = re.compile(r"^#[ \t]+(\S.*?)[ \t]*#*[ \t]*$", re.MULTILINE)


def strip_markdown(text: str, path: str) -> StrippedArticle:
    """The article of a Markdown source: front matter fields as they are, or the first heading as title."""
    yaml_text, body, _ = split_front_matter(text.lstrip("\ufeff"))
    if yaml_text is not None:
        page, problems = parse_page(text.lstrip("\ufeff"), path)
        if page is not None:
            m = page.meta
            return StrippedArticle(source_path=path, title=m.title, body=page.body.strip(), date=m.date,
                                   date_inferred=m.date_inferred, summary=m.summary, dateline=m.dateline,
                                   author=m.author, source=m.source, url=m.url,
                                   tags=(m.tags,) if isinstance(m.tags, str) else tuple(m.tags),
                                   see_also=tuple(m.see_also), diagnostics=tuple(problems))
        return StrippedArticle(source_path=path, title=_title(body, path), body=body.strip(), diagnostics=tuple(problems))
    heading = _HEADING.search(body)
    if heading and not body[:heading.start()].strip():
        return StrippedArticle(source_path=path, title=heading.group(1), body=body[heading.end():].strip())
    return StrippedArticle(source_path=path, title=_title(body, path), body=body.strip())


def _title(body: str, path: str) -> str:
    heading = _HEADING.search(body)
    if heading:
        return heading.group(1)
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
