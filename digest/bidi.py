"""Bidirectional text controls in untrusted text: kept, but unable to reach past the text they sit in.

A right-to-left override (U+202E) in a scraped headline reverses everything after it up to the
end of the paragraph: in a list of articles, the dates and titles that follow; in <title>, the
site's name. Stripping the controls would change what the source said (and Arabic or Hebrew
text may need them), so each metadata field is made self-contained instead: its embeddings are
closed and the whole is wrapped in an isolate. Slugs never hold them (slugify drops every
control and format character). Article bodies are left as written: each paragraph is its own
bidirectional paragraph, so a control there cannot leave it.
"""

from __future__ import annotations

import dataclasses

from digest.model import Document

# Explicit bidirectional formatting: embeddings and overrides (closed by PDF), isolates (closed by PDI).
_OPENERS = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
            "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
_CLOSERS = {"\u202c", "\u2069"}
BIDI_CONTROLS = frozenset(_OPENERS) | _CLOSERS



def isolate_bidi(text: str) -> str:
    """text whose bidirectional controls cannot reach past it: unmatched closers dropped, open
    embeddings closed, and the whole wrapped in an isolate (FSI ... PDI) — so a right-to-left
    override in a title cannot reverse the text around it. Text without controls comes back unchanged."""
    if not BIDI_CONTROLS.intersection(text):
        return text
    kept: list[str] = []
    open_stack: list[str] = []
    for char in text:
        if char in _OPENERS:
            open_stack.append(_OPENERS[char])
        elif char in _CLOSERS:
            if not open_stack or open_stack[-1] != char:
                continue
            open_stack.pop()
        kept.append(char)
    return "\u2068" + "".join(kept) + "".join(reversed(open_stack)) + "\u2069"


def bidi_balanced(text: str) -> bool:
    """True when every bidirectional embedding, override and isolate opened in text is closed in it."""
    open_stack: list[str] = []
    for char in text:
        if char in _OPENERS:
            open_stack.append(_OPENERS[char])
        elif char in _CLOSERS:
            if not open_stack or open_stack.pop() != char:
                return False
    return not open_stack


def isolate_document(doc: Document) -> Document:
    """doc with the bidirectional controls of its title, summary, dateline, author, outlet and tags isolated."""
    def isolated(text: str | None) -> str | None:
        return isolate_bidi(text) if text else text

    return dataclasses.replace(doc, title=isolate_bidi(doc.title), summary=isolated(doc.summary),
                               dateline=isolated(doc.dateline), author=isolated(doc.author), source=isolated(doc.source),
                               tags=tuple(isolate_bidi(tag) for tag in doc.tags))
