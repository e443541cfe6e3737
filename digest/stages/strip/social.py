"""Embedded social posts, as they look once a page is copied as text, turned back into quotes.

    ???? | Welcoming India’s trusted friend.            <- the post (an emoji lost to '????')
    PM @narendramodi welcomed ... pic.twitter.com/x     <- the post, with its picture link
    — Arindam Bagchi (@MEAIndia) December 6, 2021       <- the signature

becomes a blockquote attributed to "Arindam Bagchi (@MEAIndia), December 6, 2021".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.stages.strip.metadata import find_date
from digest.stages.strip.rules import HANDLE, POST_SIGNATURE

HASHTAG = re.compile(r"(?<!\w)#\w{2,}")
MAX_POST_LINES = 4


@dataclass(frozen=True)
class Signature:
    name: str
    handle: str
    date: str | None  # ISO, when the signature gives one

    def attribution(self, written_date: str | None) -> str:
        return f"— {self.name} ({self.handle})" + (f", {written_date}" if written_date else "")


def post_signature(line: str) -> tuple[Signature, str | None] | None:
    """(the signature, its date as written) of a "— Name (@handle) Month D, YYYY" line, else None."""
    match = POST_SIGNATURE.match(line)
    if match is None:
        return None
    written = match.group("date")
    return Signature(match.group("name").strip(), match.group("handle"), find_date(written) if written else None), written


def has_social_marks(line: str) -> bool:
    """True when a line carries the marks of a social post: @handles or #hashtags."""
    return bool(HANDLE.search(line) or HASHTAG.search(line))


def as_quote(post_lines: list[str], attribution: str) -> str:
    """A Markdown blockquote of a post's lines and its attribution."""
    return "\n>\n".join(f"> {line}" for line in [*post_lines, attribution])
