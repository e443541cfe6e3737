"""Strip boilerplate from a raw source and read its metadata. (Placeholder: first line is the title.)"""

from __future__ import annotations

from digest.model import Source, StrippedArticle


def strip_source(source: Source) -> StrippedArticle:
    """The article in source: its title, body and metadata, with the boilerplate removed."""
    lines = [line.strip() for line in source.text.splitlines()]
    lines = [line for line in lines if line]
    title = lines[0] if lines else source.path
    body = "\n\n".join(lines[1:])
    return StrippedArticle(source_path=source.path, title=title, body=body)
