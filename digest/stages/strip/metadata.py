"""Metadata read from an article's own lines: dates, datelines, bylines, and clean source URLs."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from digest.stages.strip.rules import BYLINE, word_count

MONTHS = {name: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
DATE_PATTERNS = (
    re.compile(_WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{2})\b", re.IGNORECASE),
    re.compile(_WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>(?:19|20)\d{2})\b",
               re.IGNORECASE),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})[-./](?P<num_month>\d{1,2})[-./](?P<day>\d{1,2})\b"),
    # 11/19/2019 (month first, the American way, with a slash) or 19.11.2019 (day first, with dots)
    re.compile(r"\b(?P<first>\d{1,2})(?P<sep>[/.])(?P<second>\d{1,2})(?P=sep)(?P<year>(?:19|20)\d{2})\b"),
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\b\.?)?", re.IGNORECASE)
# What may stand on a date line besides the date: "Published:", "Updated on", a time zone.
_DATE_WORDS = re.compile(r"\b(?:published|posted|updated|last|modified|first|date|on|at|[ap]\.?m|ist|gmt|utc|bst|cet|cest|"
                         r"edt|est|cdt|cst|pdt|pst|et|pt)\b", re.IGNORECASE)
_ZONE = re.compile(r"\b[A-Z]{2,4}\b")

# "New Delhi [India]:", "NEW DELHI (Reuters) -", "WASHINGTON —" at the start of the first paragraph.
DATELINE = re.compile(
    r"^(?P<place>(?:[A-Z][\w.'’-]*\s*){1,4}?(?:,\s*[A-Z][\w.]*)?)\s*(?:\[(?P<country>[A-Z][\w .]{1,30})\]|\((?P<agency>[A-Z][\w .&/-]{1,30})\))?"
    r"\s*(?P<sep>:|[—–]|-{1,2})\s+(?=[A-Z“\"‘'])"
)

TRACKING_PARAMS = re.compile(r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|ref_src|"
                             r"ref_url|cmpid|ocid|icid|ncid|sr_share|s_cid|wt\.mc_id|mkt_tok|__twitter_impression)$",
                             re.IGNORECASE)
URL = re.compile(r"https?://[^\s<>()\"']+")


def find_date(text: str) -> str | None:
    """The first calendar date written in text, as YYYY-MM-DD, or None."""
    for pattern in DATE_PATTERNS:
        match = pattern.search(text)
        if match and (day := _to_iso(match)):
            return day
    return None


def date_line(line: str) -> str | None:
    """The date of a line that is only a date ("Tuesday, April 06, 2021", "Published: 6 Apr 2021 10:30"), else None."""
    if not _YEAR.search(line) or word_count(line) > 16:  # every pattern has a year: a cheap first test
        return None
    day, rest = None, line
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(rest):
            day = day or _to_iso(match)
        rest = pattern.sub(" ", rest)
    if day is None:
        return None
    rest = _ZONE.sub(" ", _DATE_WORDS.sub(" ", _TIME.sub(" ", rest)))
    return day if word_count(rest) <= 3 else None


def _to_iso(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups.get("first"):
        first, second = int(groups["first"]), int(groups["second"])
        month_first = groups["sep"] == "/" if first <= 12 and second <= 12 else second > 12
        month, day = (first, second) if month_first else (second, first)
    else:
        month = int(groups["num_month"]) if groups.get("num_month") else MONTHS[groups["month"].lower()]
        day = int(groups["day"])
    try:
        return dt.date(int(groups["year"]), month, day).isoformat()
    except ValueError:
        return None


def split_dateline(paragraph: str) -> tuple[str | None, str]:
    """(the dateline place, the paragraph without it) — or (None, paragraph) when it has none."""
    match = DATELINE.match(paragraph)
    if match is None:
        return None, paragraph
    place = match.group("place").strip().rstrip(",")
    rest = paragraph[match.end():]
    plain_separator = match.group("sep") in ("-", "--") and not (match.group("country") or match.group("agency"))
    # A capitalised word and a colon open many sentences ("Essentially: ..."); ask for a real place.
    shouted = place.isupper() and len(place) > 2
    if not (match.group("country") or match.group("agency") or shouted) or (plain_separator and not shouted):
        return None, paragraph
    if word_count(rest) < 5:
        return None, paragraph
    if match.group("country"):
        place = f"{place}, {match.group('country').strip()}"
    return (place.title() if place.isupper() else place), rest


def byline(line: str) -> tuple[str | None, str | None] | None:
    """(author, source) of a byline like "This article is written by the team of X", or None for other lines."""
    if word_count(line) > 16:
        return None
    match = BYLINE.match(line)
    if match is None:
        return None
    who = re.sub(r"\s+", " ", match.group("who")).strip(" ,;:-–—")
    team = re.match(r"^(?:the\s+)?(?:team|staff|editors|editorial\s+(?:team|staff|board)|desk|newsroom)\s+(?:of|at|from)\s+"
                    r"(?P<org>.+)$", who, re.IGNORECASE)
    if team:
        org = team.group("org").strip()
        return f"{org} team", org
    if not re.match(r"^[A-Z]", who) or word_count(who) > 8:
        return None
    return who, None


def clean_url(url: str) -> str:
    """url without tracking parameters (utm_*, fbclid ...) and without an empty query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    fragment = "" if parts.fragment.startswith(("utm_", ":~:")) else parts.fragment
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, doseq=True), fragment))


def clean_urls_in(text: str) -> str:
    """text with every URL in it stripped of tracking parameters."""
    if "://" not in text:
        return text
    return URL.sub(lambda m: clean_url(m.group(0)) if "?" in m.group(0) or "#" in m.group(0) else m.group(0), text)
