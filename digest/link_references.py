""""Read More" lines: each see_also line linked to the article whose title it matches (fuzzily), if any.

A line is compared only with the titles that share one of its two rarest words (an inverted index
over title words). So a changed title can change only the lines that share a word with it, old or
new: ReadMore keeps the index and re-resolves just those.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from digest.link_terms import STOPWORDS
from digest.model import Document, Reference
from digest.variants import term_key

_TOKEN = re.compile(r"\w+")


def title_words(title: str) -> list[str]:
    return [w for w in (term_key(t) for t in _TOKEN.findall(title)) if w and w not in STOPWORDS]


class ReadMore:
    """The resolved see_also lines of a corpus of articles (by slot), and the title index that resolves them
    (made once some article has a see_also line: until then nothing is read from the titles)."""

    def __init__(self, min_match: float) -> None:
        self.min_match = min_match
        self.titles: dict[int, str] = {}  # slot -> its title
        self.slugs: dict[int, str] = {}
        self.lines: dict[int, tuple[str, ...]] = {}  # slot -> its see_also lines (articles with any)
        self.title_index: dict[str, set[int]] | None = None  # title word -> slots whose title has it
        self.line_index: dict[str, set[int]] = defaultdict(set)  # word -> slots with a line that has it
        self.resolved: dict[int, tuple[Reference, ...]] = {}

    def update(self, docs: Mapping[int, Document | None], slug_order: Callable[[int], int]) -> None:
        """Take the articles of these slots (None: gone) and re-resolve the lines they can change."""
        redo: set[int] = set()
        retitled: list[tuple[int, str | None, str | None]] = []
        for slot, doc in docs.items():
            old_title, old_lines = self.titles.get(slot), self.lines.get(slot, ())
            new_title, new_lines = (doc.title, doc.see_also) if doc is not None else (None, ())
            if new_title != old_title or (doc is not None and self.slugs.get(slot) != doc.slug):
                retitled.append((slot, old_title, new_title))
            if new_lines != old_lines:
                for word in {w for line in old_lines for w in title_words(line)}:
                    _discard(self.line_index, word, slot)
                for word in {w for line in new_lines for w in title_words(line)}:
                    self.line_index[word].add(slot)
                redo.add(slot)
            if doc is None:
                del self.titles[slot], self.slugs[slot]
                self.lines.pop(slot, None)
            else:
                self.titles[slot], self.slugs[slot] = doc.title, doc.slug
                if new_lines:
                    self.lines[slot] = new_lines
                else:
                    self.lines.pop(slot, None)
        if not self.lines:
            self.title_index, self.resolved = None, {}
            return
        if self.title_index is None:
            self.title_index = defaultdict(set)
            for slot, title in self.titles.items():
                for word in title_words(title):
                    self.title_index[word].add(slot)
            redo = set(self.lines)
        else:
            for slot, old_title, new_title in retitled:
                old_words = set(title_words(old_title)) if old_title is not None else set()
                new_words = set(title_words(new_title)) if new_title is not None else set()
                for word in old_words | new_words:
                    redo |= self.line_index.get(word, set())
                for word in old_words:
                    _discard(self.title_index, word, slot)
                for word in new_words:
                    self.title_index[word].add(slot)
        for slot in redo:
            if slot in self.lines:
                self.resolved[slot] = tuple(self._resolve(slot, text, slug_order) for text in self.lines[slot])
            else:
                self.resolved.pop(slot, None)

    def references(self, slots_in_slug_order: Iterable[int]) -> dict[str, tuple[Reference, ...]]:
        """{slug: its resolved lines} of the articles with see_also lines, in slug order."""
        return {self.slugs[slot]: self.resolved[slot] for slot in slots_in_slug_order if slot in self.resolved}

    def _resolve(self, slot: int, text: str, slug_order: Callable[[int], int]) -> Reference:
        index = self.title_index or {}
        words = title_words(text)
        # candidates share one of the line's two rarest words: an inverted index, not every title
        rarest = sorted(set(words), key=lambda w: (len(index.get(w, ())), w))[:2]
        candidates = sorted({j for w in rarest for j in index.get(w, ()) if j != slot}, key=slug_order)
        wanted = " ".join(words)
        best, best_ratio = None, self.min_match
        for j in candidates:
            ratio = difflib.SequenceMatcher(None, wanted, " ".join(title_words(self.titles[j])), autojunk=False).ratio()
            if ratio >= best_ratio and (best is None or ratio > best_ratio):
                best, best_ratio = j, ratio
        return Reference(text, self.slugs[best] if best is not None else None)


def _discard(index: dict[str, set[int]], word: str, slot: int) -> None:
    found = index.get(word)
    if found is not None:
        found.discard(slot)
        if not found:
            del index[word]
