"""Spelling variants of one name, merged before linking: S400 / S-400 / S 400, Jaishankar / Jayashankar.

Two general rules and one table, nothing about particular words:
  1. term_key: case, accents, hyphens, dots and spaces never tell two names apart.
  2. merge_variants: names that sound alike (same consonant skeleton) and are spelt alike
     (difflib ratio >= min_ratio) are one name. The skeleton is only a cheap way to find
     candidates without comparing every pair; the spelling ratio decides.
  3. aliases (config.yaml `annotation.aliases`): canonical name -> variants, for what no rule can see.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping

_NOT_KEY = re.compile(r"[^0-9a-z]+")
_VOWELS_AND_GLIDES = re.compile(r"[aeiouyhw]+")
_REPEATS = re.compile(r"(.)\1+")


def term_key(text: str) -> str:
    """The spelling-independent key of a name: lowercase ASCII letters and digits only.

    term_key('S-400') == term_key('S 400') == term_key('s400') == 's400'
    """
    if text.isascii():
        return _NOT_KEY.sub("", text.lower())
    folded = unicodedata.normalize("NFKD", text.casefold())
    return _NOT_KEY.sub("", "".join(c for c in folded if not unicodedata.combining(c)))


def skeleton(key: str) -> str:
    """The consonant skeleton of a key: first letter kept, later vowels/glides dropped, repeats folded.

    Transliterations of one name mostly differ in vowels and glides (Jaishankar, Jayashankar -> jshnkr).
    """
    if not key:
        return key
    return _REPEATS.sub(r"\1", key[0] + _VOWELS_AND_GLIDES.sub("", key[1:]))


def merge_variants(counts: Mapping[str, int], min_ratio: float = 0.8, min_length: int = 5) -> dict[str, str]:
    """{key: canonical key} for every key of counts that is a variant of a more frequent one.

    Only keys of at least min_length characters without digits are merged this way: short
    names and model numbers (S-300 vs S-400) differ by design. The canonical key of a group
    is its most frequent member (ties: alphabetical), so the choice does not depend on order.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for key in counts:
        if mergeable(key, min_length):
            groups[skeleton(key)].append(key)
    canonical: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda k: (-counts[k], k))
        heads: list[str] = []
        for key in members:
            head = next((h for h in heads if _alike(h, key, min_ratio)), None)
            if head is None:
                heads.append(key)
            else:
                canonical[key] = head
    return canonical


def mergeable(key: str, min_length: int = 5) -> bool:
    """Whether merge_variants may merge key at all: long enough, and no digits (S-300 and S-400 differ by design)."""
    return len(key) >= min_length and not any(c.isdigit() for c in key)


def _alike(a: str, b: str, min_ratio: float) -> bool:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= min_ratio


def alias_keys(aliases: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, str]]:
    """{variant key: (canonical key, canonical name)} from config aliases (the canonical name maps to itself)."""
    table: dict[str, tuple[str, str]] = {}
    for name in sorted(aliases):
        target = (term_key(name), name)
        for variant in (name, *aliases[name]):
            key = term_key(variant)
            if key:
                table.setdefault(key, target)
    return table
