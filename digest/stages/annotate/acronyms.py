"""Acronyms: spelled out by the article ("CAATSA (Countering America's Adversaries Through Sanctions Act)",
"Federal Service for Military-Technical Cooperation (FSMTC)") or given by the config glossary."""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.model import Acronym

ACRONYM = re.compile(r"\b[A-Z][A-Za-z]*[A-Z](?:-\d+)?s?\b")
_SHORT_THEN_LONG = re.compile(r"\b([A-Z][A-Z0-9&-]{1,9})\s*\(([^()]{4,120})\)")
_LONG_THEN_SHORT = re.compile(r"((?:[A-Z][\w’'&-]*\s+(?:(?:of|for|and|the|on|in|to|de)\s+)*){1,10})\(([A-Z][A-Za-z0-9&-]{1,9})\)")
_WORD = re.compile(r"[A-Za-z0-9]+")
_MINOR = frozenset("of for and the on in to de a an s".split())


@dataclass(frozen=True)
class Definition:
    short: str
    expansion: str
    start: int  # the span of the paragraph the definition takes (both forms), for entity mining to skip
    end: int


def initials_match(short: str, expansion: str) -> bool:
    """True when the capitals of short spell the initials of expansion's words, in order."""
    letters = [c for c in short if c.isalpha() and c.isupper()]
    words = [w for w in _WORD.findall(expansion.replace("’", "'").replace("'s ", " ")) if w.lower() not in _MINOR]
    if not letters or not words or words[0][0].upper() != letters[0]:
        return False
    i = 0
    for word in words:
        if i < len(letters) and word[0].upper() == letters[i]:
            i += 1
            # a word can give more than one letter: "Military-Technical" was split, "GmbH" is rare
    return i == len(letters) and len(words) <= len(letters) + 2


def find_definitions(paragraph: str) -> list[Definition]:
    """The acronyms paragraph defines, in order."""
    found = []
    for m in _SHORT_THEN_LONG.finditer(paragraph):
        short, long = m.group(1), m.group(2).strip()
        if initials_match(short, long):
            found.append(Definition(short, long, m.start(), m.end()))
    for m in _LONG_THEN_SHORT.finditer(paragraph):
        words = m.group(1).split()
        short = m.group(2)
        letters = sum(1 for c in short if c.isupper())
        # take as many words from the end as the acronym needs, plus the minor words between them
        for size in range(min(len(words), letters + 3), 0, -1):
            long = " ".join(words[-size:])
            if long.split()[0].lower() not in _MINOR and initials_match(short, long):
                found.append(Definition(short, long, m.end(1) - len(long) - 1, m.end()))
                break
    found.sort(key=lambda d: d.start)
    return found


def collect_acronyms(paragraphs: tuple[str, ...], definitions: list[Definition], glossary: dict[str, str]) -> tuple[Acronym, ...]:
    """Each acronym the article uses with an expansion, in order of first use: its own definitions first,
    then the glossary's for acronyms it uses without defining."""
    result: dict[str, Acronym] = {}
    for d in definitions:
        result.setdefault(d.short, Acronym(d.short, _tidy(d.expansion), True))
    if glossary:
        for paragraph in paragraphs:
            for m in ACRONYM.finditer(paragraph):
                word = m.group(0)
                if word not in result and word in glossary:
                    result[word] = Acronym(word, glossary[word], False)
    return tuple(result.values())


def _tidy(expansion: str) -> str:
    return " ".join(expansion.split()).strip(" ,;")
