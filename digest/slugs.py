"""URL slugs: readable, ASCII by default, never empty, unique, never a path."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from anyascii import anyascii

_NOT_SLUG = re.compile(r"[^\w]+", re.UNICODE)
_MAX = 80
_APOSTROPHE = re.compile(r"(?<=\w)['’ʼ](?=\w)")
# Names Windows will not create a file or folder under, whatever the extension (CON, aux.md, LPT1).
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def is_reserved_name(name: str) -> bool:
    """True for names Windows reserves (CON, aux, com1 ...), also with an extension (nul.md)."""
    return name.split(".", 1)[0].rstrip(" ").lower() in _RESERVED


def slugify(text: str, unicode: bool = False, max_length: int = _MAX) -> str:
    """A URL-safe slug of text: lowercase words joined by '-', transliterated to ASCII unless unicode.

    A text with nothing sluggable (only symbols, or a script that transliterates to nothing)
    gets a stable id made from its hash, so a slug is never empty.
    """
    # symbols and controls (emoji, arrows, RTL overrides) carry no words: anyascii would spell them out
    normal = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c)[0] not in "SC")
    normal = _APOSTROPHE.sub("", normal)  # "Putin’s" -> putins, not putin-s
    if not unicode:
        normal = anyascii(normal)
    words = [w for w in _NOT_SLUG.split(normal.lower().replace("_", " ")) if w]
    slug = "-".join(words)
    if not unicode:
        slug = re.sub(r"[^a-z0-9-]", "", slug).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    slug = slug.strip("-")
    if not slug:
        slug = "a-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug}-1" if is_reserved_name(slug) else slug  # a site must check out on Windows too


def unique_slugs(slugs: list[str]) -> list[str]:
    """The slugs with repeats numbered (-2, -3, ...) in the order given, so the result is deterministic."""
    taken: set[str] = set(slugs)
    seen: set[str] = set()
    result = []
    for slug in slugs:
        candidate, n = slug, 2
        # a number never takes a slug that another item asked for itself
        while candidate in seen or (candidate != slug and candidate in taken):
            candidate = f"{slug}-{n}"
            n += 1
        seen.add(candidate)
        result.append(candidate)
    return result
