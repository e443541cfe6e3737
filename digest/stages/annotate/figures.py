"""Figures: money ("$5.4 billion", "USD 5 billion"), quantities with their unit ("400 kilometers",
"70,000 AK rifles") and percentages ("29%"), each with the sentence it comes from."""

from __future__ import annotations

import re
from typing import Callable

from digest.model import Figure

_CURRENCY_SIGNS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "rs": "INR", "rs.": "INR",
                   "usd": "USD", "eur": "EUR", "gbp": "GBP", "inr": "INR", "jpy": "JPY", "cny": "CNY", "rub": "RUB",
                   "dollars": "USD", "dollar": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
                   "rupees": "INR", "rubles": "RUB", "roubles": "RUB", "yuan": "CNY", "yen": "JPY",
                   "crowns": "crowns", "kronor": "SEK", "francs": "CHF", "rand": "ZAR", "naira": "NGN", "won": "KRW",
                   "lira": "TRY", "pesos": "pesos", "reais": "BRL", "dirhams": "AED", "riyals": "riyals",
                   "shillings": "shillings"}
# ISO 4217 codes written before an amount ("KES 2 billion", "CHF 40 million")
_CODES = ("USD|EUR|GBP|INR|JPY|CNY|RUB|CHF|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|TRY|BRL|MXN|ARS|ZAR|NGN|KES|EGP|"
          "PKR|BDT|LKR|KRW|SGD|HKD|TWD|THB|IDR|MYR|PHP|VND|AED|SAR|QAR|ILS|UAH")
_SCALE = {"thousand": 1e3, "k": 1e3, "lakh": 1e5, "million": 1e6, "mn": 1e6, "m": 1e6, "crore": 1e7,
          "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
# The first digit is matched before the lookbehind, so the engine only tries it where a number starts.
_AMOUNT = r"\d(?:\d{0,2}(?:,\d{3})+|\d*)(?:\.\d+)?"
_NUMBER = r"\d(?<![\w$€£¥₹.,-]\d)(?:\d{0,2}(?:,\d{3})+|\d*)(?:\.\d+)?"
_SCALES = r"thousand|lakh|million|mn|crore|billion|bn|trillion|tn"
# Two patterns, each starting where a number starts (digits are rarer than capitals, so the engine
# skips ahead fast): an amount right after a sign or a currency code (the code is read back and
# checked against _CODES), or an amount followed by a currency word.
_MONEY_BEFORE = re.compile(
    rf"\d(?:(?<=[$€£¥₹]\d)|(?<=[$€£¥₹] \d)|(?<=[A-Z]{{3}} \d)|(?<=[A-Z]{{3}}\d)|(?<=Rs\. \d)|(?<=Rs \d)|(?<=Rs\.\d))"
    rf"(?:\d{{0,2}}(?:,\d{{3}})+|\d*)(?:\.\d+)?(?:\s?(?P<scale>{_SCALES}|[kmb]n?)\b)?"
)
_PREFIX = re.compile(r"(?:(?P<sign>(?:US)?[$€£¥₹])|(?<![\w])(?P<code>[A-Z]{3}|Rs\.?))\s?$")
_MONEY_AFTER = re.compile(
    rf"(?P<n>{_NUMBER})(?:\s(?P<scale>{_SCALES}))?(?:\s[A-Z][a-z]+)?\s(?P<word>dollars|euros|pounds|rupees|rubles|"
    rf"roubles|yuan|yen|crowns|kronor|francs|rand|naira|won|lira|pesos|reais|dirhams|riyals|shillings)\b"
)
_LEADING_NUMBER = re.compile(r"\d(?:\d{0,2}(?:,\d{3})+|\d*)(?:\.\d+)?")
_CODE_SET = frozenset(_CODES.split("|")) | {"Rs", "Rs."}
_PERCENT = re.compile(rf"(?P<n>{_NUMBER})\s?(?:%|per\s?cent\b|percent\b)")
# count nouns whose plural does not end in s
_UNCOUNTED = "people|cattle|women|men|children|police|staff|personnel|sheep|fish|aircraft|livestock|deer|crew"
_UNITS = ("kilometers|kilometres|km|miles|mile|metres|meters|m|feet|ft|tonnes|tons|tonne|kg|kilograms|grams|litres|"
          "liters|barrels|megawatts|mw|gigawatts|gw|hectares|acres|knots|degrees|mph|km/h|years|months|weeks|days|hours")
# A count: a number, an optional scale, then up to three words ending in a plural noun or a unit.
_QUANTITY = re.compile(
    rf"(?P<n>{_NUMBER})(?:\s(?P<scale>{_SCALES}))?"
    rf"(?P<rest>(?:\s(?:{_UNITS})\b)|(?:\s(?!(?:of|for|to|in|on|at|by|the|and|or|from|with|as|than|per|a|an|is|was|were|are|has|have|had|will|would)\b)[A-Za-z][\w-]*(?:\sand(?=\s[a-z]))?){{0,2}}?\s(?:[a-z][a-z-]*(?<![sui])s|{_UNCOUNTED})\b)"
)
# Where a run of digits starts. Each figure pattern begins with a digit that no digit precedes, so a
# paragraph is scanned once for these and each pattern only tried there (scanning a paragraph costs
# more than trying a pattern at a handful of places).
_DIGITS_START = re.compile(r"\d(?<!\d\d)")
_BARE_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _add_money(found: list[tuple[int, int, Figure]], taken: list[tuple[int, int]], index: int, paragraph: str,
               start: int, end: int, scale: str | None, sign: str, sentence_at: Callable[[int, int], str]) -> None:
    """Record the money figure paragraph[start:end]."""
    number = _LEADING_NUMBER.search(paragraph, start, end)
    value = _number(number.group(0) if number else "0") * _SCALE.get((scale or "").lower(), 1.0)
    taken.append((start, end))
    figure = Figure(paragraph[start:end].strip(), "money", value, _CURRENCY_SIGNS.get(sign, sign.upper()),
                    sentence_at(index, start))
    found.append((index, start, figure))


def _matches(pattern: re.Pattern[str], paragraph: str, starts: list[int]) -> list[re.Match[str]]:
    """pattern.finditer(paragraph) for a pattern whose matches can only begin at one of starts."""
    found = []
    end = 0
    for start in starts:
        if start >= end:
            m = pattern.match(paragraph, start)
            if m is not None:
                found.append(m)
                end = m.end()
    return found


def find_figures(paragraphs: tuple[str, ...], sentence_at: Callable[[int, int], str]) -> tuple[Figure, ...]:
    """Every figure of the paragraphs, in reading order."""
    found: list[tuple[int, int, Figure]] = []
    for i, paragraph in enumerate(paragraphs):
        starts = [m.start() for m in _DIGITS_START.finditer(paragraph)]
        if not starts:
            continue
        taken: list[tuple[int, int]] = []
        for m in _matches(_MONEY_BEFORE, paragraph, starts):
            prefix = _PREFIX.search(paragraph, max(0, m.start() - 5), m.start())
            if prefix is None or (prefix.group("code") and prefix.group("code") not in _CODE_SET):
                continue
            sign = (prefix.group("sign") or prefix.group("code")).lower()
            _add_money(found, taken, i, paragraph, prefix.start(), m.end(), m.group("scale"), sign, sentence_at)
        for m in _matches(_MONEY_AFTER, paragraph, starts):
            if not any(s <= m.start() < e for s, e in taken):
                _add_money(found, taken, i, paragraph, m.start(), m.end(), m.group("scale"), m.group("word"), sentence_at)
        for m in _matches(_PERCENT, paragraph, starts):
            taken.append((m.start(), m.end()))
            found.append((i, m.start(), Figure(m.group(0), "percent", _number(m.group("n")), "%", sentence_at(i, m.start()))))
        for m in _matches(_QUANTITY, paragraph, starts):
            if any(s <= m.start() < e for s, e in taken):
                continue
            n = m.group("n")
            if _BARE_YEAR.match(n) and not m.group("scale"):
                continue
            unit = m.group("rest").split()[-1].lower()
            value = _number(n) * _SCALE.get((m.group("scale") or "").lower(), 1.0)
            found.append((i, m.start(), Figure(m.group(0), "quantity", value, unit, sentence_at(i, m.start()))))
    found.sort(key=lambda f: (f[0], f[1]))
    return tuple(f for _, _, f in found)
