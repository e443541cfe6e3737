"""Dated events: sentences that tie something to a year or a day ("signed this deal ... in 2018",
"expected to visit India on December 6"), for story timelines."""

from __future__ import annotations

import re

from digest.model import DatedEvent
from digest.stages.annotate.words import MONTH_NUMBER

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DIGIT = re.compile(r"\d")
_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>(?:19|20)\d\d))?\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})(?:,?\s+(?P<y2>(?:19|20)\d\d))?\b"
    rf"|\b(?:in|since|by|from|until|till|during|of|before|after|early|late|mid-?)\s+(?:(?P<m3>{_MONTH})\s+)?(?P<y3>(?:19|20)\d\d)\b(?![-–/]\d)"
)


def find_events(sentences: list[str], article_year: str | None, slug: str) -> tuple[DatedEvent, ...]:
    """One event per sentence that states a date; a day without a year takes the article's year."""
    result = []
    seen: set[tuple[str, str]] = set()
    for sentence in sentences:
        if not _DIGIT.search(sentence) or not _may_hold_date(sentence):
            continue  # the cheap tests first: two sentences in three with a digit fail them
        m = _DATE.search(sentence)
        if m is None:
            continue
        date = _iso(m, article_year)
        if date is None or len(sentence) > 400 or len(sentence.split()) < 5:
            continue
        key = (date, sentence)
        if key not in seen:
            seen.add(key)
            result.append(DatedEvent(date, sentence, slug))
    return tuple(result)


# What every _MONTH starts with: the date pattern has no fixed start to search for, so it is tried at
# each character; finding one of these first costs a tenth of that.
_MONTH_STARTS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _may_hold_date(sentence: str) -> bool:
    """False when _DATE cannot match: each of its dates names a month or a year 19xx or 20xx."""
    return "19" in sentence or "20" in sentence or any(map(sentence.__contains__, _MONTH_STARTS))


def _iso(m: re.Match[str], article_year: str | None) -> str | None:
    if m.group("y3"):
        month = m.group("m3")
        return f"{m.group('y3')}-{MONTH_NUMBER[month.lower().rstrip('.')]:02d}" if month else m.group("y3")
    month = m.group("m1") or m.group("m2")
    day = int(m.group("d1") or m.group("d2"))
    year = m.group("y1") or m.group("y2") or article_year
    if not year or not 1 <= day <= 31:
        return None
    return f"{year}-{MONTH_NUMBER[month.lower().rstrip('.')]:02d}-{day:02d}"
