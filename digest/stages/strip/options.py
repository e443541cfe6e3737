"""What strip is told from outside: the digest's own phrases, lines to keep, metadata an extractor already found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StripOptions:
    """Options of one strip run (from config.yaml `cleaning:` and the page's `keep:` list)."""

    boilerplate: tuple[str, ...] = ()  # site-specific phrases: a line containing one is removed
    keep: tuple[str, ...] = ()  # removed lines an editor wants back, matched by their text


@dataclass(frozen=True)
class KnownMeta:
    """Metadata found before the text rules run (by the HTML extractor); the text's own lines fill the gaps."""

    title: str | None = None
    date: str | None = None
    author: str | None = None
    source: str | None = None
    url: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
