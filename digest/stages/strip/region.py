"""Where the article is in a whole-page text dump: the run of lines richest in prose.

A page saved as text is menus, then the article, then teasers, footers and comments. Article
paragraphs are long, end like sentences and are mostly lowercase; furniture is short, Title Cased
and unpunctuated. Each line gets a weight (positive for prose, negative for furniture) and the
article is the contiguous run with the largest total — the maximum-subarray view of boilerplate
detection (Pinto et al., "Quasi-Web-Wide Extraction", and the densitometric BTE family).
"""

from __future__ import annotations

import re

from digest.stages.strip.rules import WORD, word_count

_SENTENCE_END = frozenset(".!?…:;\"”’»)]。！？」』）")  # the last character but spaces
_LETTER = re.compile(r"[^\W\d_]")
_PUNCTUATION_INSIDE = re.compile(r"[.!?,;:。，、]\s")
LIST_ITEM = re.compile(r"^(?:[-•*–]\s|\d{1,2}[.)]\s)")


def prose_weight(line: str) -> float:
    """How much line looks like article prose: its words when it does, a penalty when it is furniture."""
    words = WORD.findall(line)
    n = len(words) if line.isascii() else word_count(line)
    if not n:
        return -1.0
    initials = [w[0] for w in words]
    capitalised = sum(map(str.isupper, initials)) / n
    numbers = sum(map(str.isdigit, initials)) / n
    ends_like_sentence = line.rstrip()[-1:] in _SENTENCE_END
    punctuated = ends_like_sentence or bool(_PUNCTUATION_INSIDE.search(line))
    if numbers < 0.3 and ((n >= 25 and punctuated and (capitalised < 0.6 or ends_like_sentence)) or
                          (n >= 10 and ends_like_sentence and capitalised < 0.5)):
        return float(n)
    if n >= 6 and ends_like_sentence and capitalised < 0.6:
        return n * 0.5
    if not _LETTER.search(line):
        return -1.0
    if LIST_ITEM.match(line):  # an article's own list: neither prose nor furniture
        return -0.3
    return -2.0 - min(n, 10) * 0.2


def main_region(weights: list[float]) -> tuple[int, int]:
    """(start, end) of the contiguous run of weights with the largest sum; (0, 0) when all are negative."""
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, weight in enumerate(weights):
        if total <= 0:
            total, start = 0.0, i
        total += weight
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def looks_like_page_dump(weights: list[float]) -> bool:
    """True for a whole page saved as text (menus above the article, footers below), not a pasted article.

    weights are those of the lines no rule has claimed yet. An article's own lists and tables are
    short lines too, but they come after its first paragraph; a page's menus come before.
    """
    first_prose = next((i for i, w in enumerate(weights) if w >= 10), len(weights))
    furniture_above = sum(1 for w in weights[:first_prose] if w < 0)
    furniture = sum(1 for w in weights if w < 0)
    return furniture_above >= 6 or (furniture_above >= 3 and furniture >= 10 and furniture >= 0.6 * len(weights))
