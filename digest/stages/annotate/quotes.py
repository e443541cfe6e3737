"""Quotes with their speaker: '"...," Lavrov said', '"...," said Foreign Secretary Harsh Vardhan Shringla',
'Shringla said: "..."'. A pronoun or a role ("he", "the deputy CEO") stands for the person last named."""

from __future__ import annotations

import re
from typing import Callable

from digest.model import EntityRef, Quote
from digest.stages.annotate.words import SPEECH_VERBS

_QUOTED = re.compile(r"“(?P<a>[^”“]{12,}?)”|\"(?P<b>[^\"]{12,}?)\"")
_NAME = r"(?:[A-Z][\w’'.-]*(?:\s+(?:de|van|von|bin|al)?\s*[A-Z][\w’'.-]*){0,6})"
_WHO = rf"(?:(?:the|a|an|his|her|their)\s+)?(?:[\w’'-]+\s+){{0,4}}?{_NAME}|he|she|they|it|[Tt]he\s+[a-z][\w -]{{2,40}}?|[Aa]n?\s+[a-z][\w -]{{2,40}}?"
# after the quotation: ', Lavrov said' / ', said Foreign Secretary Harsh Vardhan Shringla' / ', he stated'
_AFTER_VERB_FIRST = re.compile(rf"^[\s,]*(?:{SPEECH_VERBS})\s+(?P<who>he|she|they|[^.,;:“”\"]{{2,80}})")
_AFTER_NAME_FIRST = re.compile(rf"^[\s,]*(?P<who>{_WHO})(?:,[^,“\"]{{2,80}},)?\s+(?:also\s+)?(?:{SPEECH_VERBS})\b")
# before the quotation: 'Lavrov said: ' / 'The deputy CEO also shared that '
_BEFORE = re.compile(rf"(?P<who>{_WHO})(?:,[^,“\"]{{2,80}},)?\s+(?:also\s+)?(?:{SPEECH_VERBS})(?:\s+(?:that|reporters|journalists))?[:,]?\s*$")
_SENTENCE_BREAK = re.compile(r"[.!?][”\"]?\s+")
_ROLE = re.compile(r"^the\s+([a-z][\w -]{2,40})$", re.IGNORECASE)
_PRONOUN = re.compile(r"^(?:he|she|they|it|the\s+.+|an?\s+.+|his\s+.+|her\s+.+|their\s+.+)$", re.IGNORECASE)


def find_quotes(paragraphs: tuple[str, ...], entities: tuple[EntityRef, ...]) -> tuple[Quote, ...]:
    """The direct speech of the paragraphs with the speaker each is attributed to, in reading order."""
    by_form = {form: e for e in entities for form in e.forms}
    people = [(form, e) for form, e in by_form.items() if e.kind == "person"]
    result = []
    for i, paragraph in enumerate(paragraphs):
        if "“" not in paragraph and '"' not in paragraph:
            continue
        for m in _QUOTED.finditer(paragraph):
            text = (m.group("a") or m.group("b") or "").strip().rstrip(",")
            if len(text.split()) < 3:
                continue
            after = paragraph[m.end():m.end() + 120]
            before = _SENTENCE_BREAK.split(paragraph[max(0, m.start() - 120):m.start()])[-1]
            who = None
            for pattern, chunk in ((_AFTER_VERB_FIRST, after), (_AFTER_NAME_FIRST, after), (_BEFORE, before)):
                found = pattern.search(chunk)
                if found:
                    who = found.group("who").strip()
                    break
            if who is None:
                continue
            earlier = paragraphs[:i] + (paragraph[:m.start()],)
            speaker, entity = _resolve(who, by_form, lambda: _last_person(earlier, people), earlier)
            result.append(Quote(text, speaker, entity.key if entity else ""))
    return tuple(result)


def _resolve(who: str, by_form: dict[str, EntityRef], nearest: Callable[[], EntityRef | None],
             earlier: tuple[str, ...]) -> tuple[str, EntityRef | None]:
    """(the speaker's name, its entity): a person the words name, a role introduced earlier ("a Lufthansa
    spokesperson" ... "the spokesperson said"), a pronoun for the person last named, else what the text says."""
    words = who.split()
    named = None
    for size in range(len(words), 0, -1):  # "Foreign Secretary Harsh Vardhan Shringla" -> Harsh Vardhan Shringla
        for start in range(0, len(words) - size + 1):
            form = " ".join(words[start:start + size])
            form = form[:-2] if form.endswith(("’s", "'s")) else form
            entity = by_form.get(form.rstrip(","))
            if entity is not None and (entity.kind == "person" or named is None):
                if entity.kind == "person":
                    return entity.name, entity
                named = entity
    role = _ROLE.match(who)
    if role:
        introduced = re.findall(rf"\b[Aa]n?\s+((?:[A-Z][\w’'-]*\s+)*{re.escape(role.group(1))})\b", "\n".join(earlier))
        if introduced:
            return "A " + introduced[-1], None
    if _PRONOUN.match(who):
        person = nearest()
        if person is not None:
            return person.name, person
    if named is not None:
        return named.name, named
    return who, None


def _last_person(earlier: tuple[str, ...], people: list[tuple[str, EntityRef]]) -> EntityRef | None:
    """The person named last in the text before a quotation (the paragraphs before it, the last one cut)."""
    for paragraph in reversed(earlier):
        best, best_at = None, -1
        for form, entity in people:
            at = paragraph.rfind(form)
            if at > best_at:
                best, best_at = entity, at
        if best is not None:
            return best
    return None
