"""Editor notes anchored to a quotation, as the W3C Web Annotation TextQuoteSelector does it:
the exact words, and optionally the words just before (prefix) and after (suffix) to tell
repeated quotations apart. Matched against the article's text as rendered, whitespace-insensitively."""

from __future__ import annotations

import html
import re

from digest.model import AnchoredNote, Note

_TAG_OR_TEXT = re.compile(r"(<[^>]*>)|([^<]+)")
_SPACE = re.compile(r"\s+")


def html_text_nodes(fragment: str) -> list[tuple[bool, str]]:
    """The fragment as (is_tag, piece) in order; text pieces still escaped."""
    return [(m.group(1) is not None, m.group(0)) for m in _TAG_OR_TEXT.finditer(fragment)]


def html_text(fragment: str) -> str:
    """The text a reader sees in an HTML fragment made by our Markdown renderer."""
    return "".join(html.unescape(piece) for is_tag, piece in html_text_nodes(fragment) if not is_tag)


def find_anchor(text: str, note: Note) -> tuple[int, int] | None:
    """The span of text that note's quotation selects (the first whose prefix and suffix agree), or None."""
    words = note.quote.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    prefix = _SPACE.sub(" ", note.prefix).strip()
    suffix = _SPACE.sub(" ", note.suffix).strip()
    m = pattern.search(text)
    while m is not None:  # overlapping occurrences too: "aa" in "aaa" is at 0 and at 1
        before = _SPACE.sub(" ", text[max(0, m.start() - len(note.prefix) - 20):m.start()]).strip()
        after = _SPACE.sub(" ", text[m.end():m.end() + len(note.suffix) + 20]).strip()
        if before.endswith(prefix) and after.startswith(suffix):
            return m.start(), m.end()
        m = pattern.search(text, m.start() + 1)
    return None


def anchor_notes(notes: tuple[Note, ...], rendered_html: str) -> tuple[AnchoredNote, ...]:
    """Each note with its id and whether its quotation is still in the rendered article."""
    if not notes:
        return ()
    text = html_text(rendered_html)
    return tuple(AnchoredNote(note, f"note-{i}", find_anchor(text, note) is not None) for i, note in enumerate(notes, 1))
