"""Named things: people, organisations, places, systems. Found by general means: runs of
capitalised words, titles and honorifics before names, the words around a name, acronym
definitions, and the gazetteer and aliases of config.yaml; spellings of one thing merged."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from digest.model import EntityRef
from digest.slugs import slugify
from digest.stages.annotate.acronyms import Definition
from digest.stages.annotate.options import AnnotateOptions
from digest.stages.annotate.words import (CALENDAR, COMMON, DEMONYMS, NOISE, OFFICES, ORGANISATION_NOUNS,
                                          ORGANISATION_WORDS, OTHER_WORDS, SHIP_PREFIXES, SPEECH_VERBS, SYSTEM_NOUNS,
                                          TITLES)

# One capitalised word: "India", "S-400", "Su-30", "MiG-29", "BrahMos", "Almaz-Antey", "Lavrov's",
# or an initial ("S." before a name).
_TOKEN = r"(?:[A-Z]\.(?=\s[A-Z])|[A-Z][\w’']*(?:[-–][\w’']+)*)"
_CONNECTOR = r"(?:of|for|de|da|del|van|von|bin|al)"
# The first capital is matched before the lookbehind, so the engine only tries it where a capital is.
_PHRASE = re.compile(rf"[A-Z](?<![\w’'.-][A-Z])(?:\.(?=\s[A-Z])|[\w’']*(?:[-–][\w’']+)*)"
                     rf"(?:(?:\s+{_CONNECTOR}(?:\s+the)?)?\s+{_TOKEN})*")
_LOWER_WORD = re.compile(r"\b[a-z][a-z’'-]+")
_SYSTEM_CODE = re.compile(r"^[A-Z][A-Za-z]{0,3}-?\d{1,4}[A-Za-z]{0,3}$")
_POSSESSIVE = re.compile(r"[’']s?$")
_SENTENCE_OPENERS = ".!?:;“\"‘'(—–-•|"
_NOT_ALNUM = re.compile(r"[\W_]+")
_SPEAKER_AFTER = re.compile(rf",?\s+(?:{SPEECH_VERBS})\b")  # matched at the end of a name
# what follows a name that starts a sentence: "Orsted has abandoned", "Sony and Toyota will"
_SUBJECT_AFTER = re.compile(rf"\s+(?:(?:has|have|had|will|would|and|plans|wants)\b|(?:{SPEECH_VERBS})\b)")
_WEAK_PERSON = "person?"  # two or three capitalised words: a person unless the words around say otherwise
_WEAK_ORGANISATION = "organisation?"  # an acronym: an organisation unless the words around say otherwise ("AK rifles")


# Mentions of one spelling of a name, of one kind, are counted (most articles name a thing many times):
# (the spelling, tidied; its kind; whether it came after a title, "President Putin"). A plain tuple:
# an article has a hundred mentions or more, and a named tuple costs several times more to make.
_Mention = tuple[str, "str | None", bool]


@lru_cache(maxsize=65536)
def norm_key(name: str) -> str:
    """What two spellings of one name share: 'S-400' and 'S400' -> 's400'."""
    return _NOT_ALNUM.sub("", name.lower())


@lru_cache(maxsize=65536)
def entity_key(name: str) -> str:
    """The entity's page name: entities/<key>/."""
    return slugify(name)


def _headline_case(paragraph: str) -> bool:
    """A line in Title Case without a full stop: a headline, label or menu, whose capitals say nothing."""
    if paragraph.rstrip()[-1:] in ".!?\"”":  # the cheap test first: most paragraphs end a sentence
        return False
    words = paragraph.split()
    if len(words) < 2:
        return False
    capitalised = sum(1 for w in words if w[:1].isupper())
    return capitalised / len(words) >= 0.6


def _special(token: str) -> bool:
    """A token that is a name whatever its place: an acronym, a code with digits, camel case."""
    return (len(token) > 1 and token.isupper()) or any(c.isdigit() for c in token) or any(c.isupper() for c in token[1:])


def _context_kind(paragraph: str, start: int, end: int) -> str | None:
    after = paragraph[end:end + 40].lower().split(None, 3)[:3]
    before = paragraph[max(0, start - 30):start].lower().rsplit(None, 1)[-1:]
    for word in after:
        word = word.strip(",.;:”\"")
        if word in SYSTEM_NOUNS:
            return "system"
        if word in ORGANISATION_NOUNS:
            return "organisation"
        if not word.isalpha() or word in ("and", "or", "the", "in", "on", "to", "of", "for"):
            break
    if before and before[-1] in SYSTEM_NOUNS:
        return "system"
    if before and before[-1] in ORGANISATION_NOUNS:
        return "organisation"
    if _SPEAKER_AFTER.match(paragraph, end, end + 20):
        return "person"
    return None


def _classify(tokens: list[str], titled: bool, options: AnnotateOptions, name: str) -> str | None:
    known = options.kind_of(name)
    if known:
        return known
    first, last = tokens[0].lower(), tokens[-1].lower()
    if first in SHIP_PREFIXES and len(tokens) > 1:
        return "system"
    if _SYSTEM_CODE.match(tokens[0]):
        return "system"
    if last in ORGANISATION_WORDS or first in ORGANISATION_WORDS:
        return "organisation"
    if last in OTHER_WORDS or first == "operation":
        return "other"
    if titled:
        return "person"
    if any(options.kind_of(t) for t in tokens):
        return None  # "India-Russia Summit" is not a person
    if len(tokens) == 1 and tokens[0].isupper() and tokens[0].isalpha() and len(tokens[0]) > 1:
        return _WEAK_ORGANISATION
    if 2 <= len(tokens) <= 4 and all(t[:1].isupper() and t[1:].replace("-", "").isalpha() and t[1:].islower() or len(t) <= 2
                                     for t in tokens):
        return _WEAK_PERSON
    return None


def _tidy(token: str) -> str:
    if len(token) == 2 and token.endswith("."):
        return token[0]  # an initial
    if token.endswith("s") and token[-2:-1].isdigit():
        return token[:-1]  # "S400s" are S400
    return token


def _split_possessives(tokens: list[str]) -> list[list[str]]:
    """'Russia's Rosoboronexport' is two names."""
    parts: list[list[str]] = [[]]
    for token in tokens:
        bare = _POSSESSIVE.sub("", token) if ("’" in token or "'" in token) else token
        parts[-1].append(bare)
        if bare != token:
            parts.append([])
    return [p for p in parts if p]


def _strip_leading(tokens: list[str], initial: bool, mid_caps: set[str], lower_words: set[str],
                   options: AnnotateOptions) -> tuple[list[str], bool]:
    """tokens without the words before the name: sentence openers, titles, demonyms. (tokens, titled)."""
    titled = False
    while tokens:
        token = tokens[0]
        lowered = token.lower()
        ends_as_organisation = tokens[-1].lower() in ORGANISATION_WORDS
        if lowered in ("of", "for", "the", "de", "da", "del", "van", "von", "bin", "al"):
            tokens, initial = tokens[1:], False
            continue
        if options.kind_of(token) or lowered in options.aliases:
            break
        if lowered in COMMON or lowered in CALENDAR:
            tokens, initial = tokens[1:], False
            continue
        if lowered in DEMONYMS and len(tokens) > 1 and not ends_as_organisation:
            tokens, initial = tokens[1:], False
            continue
        if lowered in TITLES and not ends_as_organisation and (len(tokens) > 1 or titled):
            tokens, titled, initial = tokens[1:], True, False
            continue
        if initial and len(tokens) > 1 and not _special(token) and token not in mid_caps and (
                lowered in lower_words or lowered.endswith(("ing", "ed", "ly"))
                or (len(tokens) > 2 and tokens[1] in ("of", "for"))):
            tokens, initial = tokens[1:], False
            continue
        break
    return tokens, titled


def find_entities(paragraphs: tuple[str, ...], definitions: list[list[Definition]],
                  options: AnnotateOptions) -> tuple[EntityRef, ...]:
    """The named things of an article, aliases merged, most mentioned first."""
    # one pass over the whole text (a paragraph has no newline, and one is not a word character)
    lower_words = set(_LOWER_WORD.findall("\n".join(paragraphs)))
    raw: list[tuple[int, str, str, int, int, bool]] = []  # paragraph, phrase, first word, start, end, at a sentence start
    mid_caps: set[str] = set()
    for i, paragraph in enumerate(paragraphs):
        if _headline_case(paragraph):
            continue
        for m in _PHRASE.finditer(paragraph):
            start, end = m.span()
            before = paragraph[start - 4 if start > 4 else 0:start].rstrip()
            initial = not before or before[-1] in _SENTENCE_OPENERS
            phrase = m.group()
            words = phrase.split()
            raw.append((i, phrase, words[0], start, end, initial))
            # a word counts as a name where it begins a name mid-sentence, or ends one (a surname)
            if not initial:
                mid_caps.add(words[0])
            if len(words) == 1 and initial:
                continue
            last = words[-1]
            mid_caps.add(_POSSESSIVE.sub("", last) if "’" in last or "'" in last else last)

    expansions = {norm_key(d.expansion): (d.short, _classify(d.expansion.split(), False, options, d.expansion))
                  for defs in definitions for d in defs}
    memo = options.memo
    if len(memo) > 200_000:
        memo.clear()
    mentions: dict[_Mention, int] = {}
    contexts: dict[str, tuple[int, str | None]] = {}
    for i, phrase, first, start, end, initial in raw:
        paragraph = paragraphs[i]
        spans = definitions[i]
        if spans and any(d.start <= start < d.end and d.short not in phrase.split() for d in spans):
            continue  # inside an acronym's definition: the acronym stands for it
        subject = (initial and " " not in phrase and (start == 0 or paragraph[start - 1] not in "“\"‘'")
                   and bool(_SUBJECT_AFTER.match(paragraph, end)))
        names = _remembered(memo, phrase, initial, subject, mid_caps, lower_words, options)
        final = len(names) - 1
        for n, (name, kind, titled) in enumerate(names):
            if expansions and norm_key(name) in expansions:
                short, kind = expansions[norm_key(name)]
                mention: _Mention = (short, kind, False)
                mentions[mention] = mentions.get(mention, 0) + 1
                continue
            if n == final and (kind is None or kind[-1] == "?"):
                looks, context = contexts.get(phrase, (0, None))
                if looks < 3:  # three looks at the words around a name are enough; later mentions reuse them
                    context = _context_kind(paragraph, start, end) or context
                    contexts[phrase] = (looks + 1, context)
                if not (context == "person" and kind == _WEAK_ORGANISATION):  # "NATO said" is still NATO
                    kind = context or kind
            if kind is not None and kind[-1] == "?":
                kind = kind[:-1]
            mention = (name, kind, titled)
            mentions[mention] = mentions.get(mention, 0) + 1
    return _merge(mentions, options)


class _Asked:
    """A set of words that notes what it is asked: a reading of a phrase holds for another article
    whose words answer the same questions."""

    __slots__ = ("words", "asked")

    def __init__(self, words: set[str]) -> None:
        self.words, self.asked = words, {}

    def __contains__(self, word: object) -> bool:
        found = self.asked[word] = word in self.words
        return found


def _remembered(memo: dict[Any, Any], phrase: str, initial: bool, subject: bool, mid_caps: set[str],
                lower_words: set[str], options: AnnotateOptions) -> tuple[tuple[str, str | None, bool], ...]:
    """_read_phrase, from the memo when an earlier reading asked the same of the article's words."""
    readings = memo.setdefault((phrase, initial, subject), [])
    for mid_asked, lower_asked, names in readings:
        if all((w in mid_caps) is a for w, a in mid_asked) and all((w in lower_words) is a for w, a in lower_asked):
            return names
    mid, lower = _Asked(mid_caps), _Asked(lower_words)
    names = _read_phrase(phrase, initial, subject, mid, lower, options)  # type: ignore[arg-type]
    readings.append((tuple(mid.asked.items()), tuple(lower.asked.items()), names))
    return names


def _split_offices(parts: list[list[str]], options: AnnotateOptions) -> list[list[str]]:
    """'New Jersey Governor Phil Murphy' -> 'New Jersey', 'Governor Phil Murphy': an office in the
    middle of a run of capitals ends what comes before it (kept when it is a known name or an acronym)."""
    result = []
    for tokens in parts:
        lowered = [t.lower() for t in tokens]
        if tokens[-1].lower() in ORGANISATION_WORDS:
            result.append(tokens)
            continue
        cut = max((i for i, t in enumerate(lowered[:-1]) if t in OFFICES), default=-1)
        if cut <= 0:
            result.append(tokens)
            continue
        start = cut
        while start > 0 and lowered[start - 1] in TITLES:
            start -= 1  # "Health Minister", "Foreign Secretary": modifiers of the office
        before = tokens[:start]
        if before and (options.kind_of(" ".join(before)) or (len(before) == 1 and before[0].isupper())):
            result.append(before)
        result.append(tokens[cut:])
    return result


def _split_noise_tail(tokens: list[str]) -> list[str]:
    """'Credit Suisse for CHF' -> 'Credit Suisse': a connector never joins a name to a currency code."""
    for i, token in enumerate(tokens[1:], 1):
        if token.lower() in NOISE and tokens[i - 1] in ("of", "for", "the"):
            kept = tokens[:i]
            while kept and kept[-1] in ("of", "for", "the"):
                kept.pop()
            return kept
    return tokens


def _read_phrase(phrase: str, initial: bool, subject: bool, mid_caps: set[str], lower_words: set[str],
                 options: AnnotateOptions) -> tuple[tuple[str, str | None, bool], ...]:
    """The names a run of capitalised words holds, as (name, kind if the words tell, after a title)."""
    found = []
    parts = _split_offices(_split_possessives(_split_noise_tail(phrase.split())), options)
    for n, tokens in enumerate(parts):
        tokens, titled = _strip_leading(tokens, initial and n == 0, mid_caps, lower_words, options)
        if not tokens:
            continue
        tokens = [_tidy(t) for t in tokens]
        name = " ".join(tokens)
        lowered = name.lower()
        if lowered in NOISE or lowered in options.ignore or lowered in COMMON or lowered in CALENDAR:
            continue
        if len(tokens) == 1:
            token = tokens[0]
            if len(token) < 2 or lowered in TITLES or lowered in DEMONYMS:
                continue
            if "-" in token and all(options.kind_of(part) for part in token.split("-")):
                continue  # "India-Russia talks" names two places already counted
            if (initial and n == 0 and not titled and not _special(token) and token not in mid_caps
                    and not options.kind_of(token) and lowered not in options.aliases
                    and not (subject and lowered not in lower_words and not token.endswith("s"))):
                continue
        if (_SYSTEM_CODE.match(tokens[0]) and len(tokens) > 1 and all(t[:1].isupper() for t in tokens[1:])
                and tokens[-1].lower() not in OTHER_WORDS and tokens[-1].lower() not in ORGANISATION_WORDS):
            tokens = tokens[:1]  # "S-400 Triumf" is the S-400
            name = tokens[0]
        found.append((name, _classify(tokens, titled, options, options.canonical(name)), titled))
    return tuple(found)


def _merge(mentions: dict[_Mention, int], options: AnnotateOptions) -> tuple[EntityRef, ...]:
    """One EntityRef per thing: config aliases, spellings that differ only in punctuation, and a
    surname alone ("Putin") merged with the full name ("Vladimir Putin") the article gives."""
    groups: dict[str, dict[_Mention, int]] = {}
    canonical_of: dict[str, str] = {}
    for mention, count in mentions.items():
        canonical = options.canonical(mention[0])
        key = norm_key(canonical)
        groups.setdefault(key, {})[mention] = count
        if canonical != mention[0]:
            canonical_of[key] = canonical
    kinds = {key: _vote(group) for key, group in groups.items()}
    # surnames: the last word of a person's full name, used alone
    full_names: dict[str, list[str]] = {}
    for key, group in groups.items():
        name = next(iter(group))[0]
        if " " in name and kinds[key] in ("person", None) and key not in canonical_of:
            full_names.setdefault(norm_key(name.rsplit(" ", 1)[1]), []).append(key)
    for key, targets in full_names.items():
        if key in groups and len(targets) == 1 and " " not in next(iter(groups[key]))[0] and kinds[key] in ("person", None):
            target = groups[targets[0]]
            for mention, count in groups.pop(key).items():
                target[mention] = target.get(mention, 0) + count
            kinds[targets[0]] = "person"
    result = []
    for key, group in groups.items():
        if len(group) == 1:  # most things: one spelling of one kind (the general case gives the same)
            ((name, _, titled), count), = group.items()
            spellings: tuple[str, ...] = (name,)
            name = canonical_of.get(key) or name
            kind = kinds[key] or ("person" if titled else "other")
            result.append(EntityRef(entity_key(name), name, kind, count, spellings))
            continue
        forms: dict[str, int] = {}
        for (form, _, _), count in group.items():
            forms[form] = forms.get(form, 0) + count
        name = canonical_of.get(key) or _display_name(forms)
        kind = kinds[key] or ("person" if any(titled for _, _, titled in group) else "other")
        spellings = tuple(sorted(forms, key=lambda f: (-len(f), f)))
        result.append(EntityRef(entity_key(name), name, kind, sum(group.values()), spellings))
    result.sort(key=lambda e: (-e.count, e.name))
    return tuple(result)


def _display_name(forms: dict[str, int]) -> str:
    """The spelling to show: the longest full name used, then the commonest, hyphenated codes preferred."""
    return max(forms, key=lambda f: (len(f.split()), "-" in f, forms[f], f))


def _vote(group: dict[_Mention, int]) -> str | None:
    """The kind most mentions give (ties: alphabetical), None when none gives one."""
    if len(group) == 1:
        return next(iter(group))[1] or None
    counted: dict[str, int] = {}
    for (_, kind, _), count in group.items():
        if kind:
            counted[kind] = counted.get(kind, 0) + count
    if not counted:
        return None
    return max(counted, key=lambda k: (counted[k], k))
