"""The entity pages' entries and the glossary of a digest (index_annotations), kept as a state that a
few changed articles update: each entry lists the articles naming its thing newest first, and only
the entries of the things a change names are made again.

An update puts an article in its place among a thing's articles by where it stands, (date, slug):
the order of a digest's lists, newest first."""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from digest.model import Annotations, EntityEntry, EntityRef, GlossaryEntry

V = TypeVar("V")
Rank = Any  # where an article stands: (date, slug), or minus its place in a list; the greater, the newer


@dataclasses.dataclass(eq=False)
class IndexState:
    """What the index keeps between updates. update_index changes it in place: a state given to it
    is not to be used again, only the one it returns.

    A thing's articles are kept newest first in a dict, each with what its first mention there gives
    (the entity; the acronym's expansion); once an update touches the thing, also oldest first in a
    list (placed), where an article can be put in its place. So are its spellings' counts."""

    rank: dict[str, Rank]
    annotations: dict[str, Annotations]
    entities: dict[str, tuple[dict[str, EntityRef], set[str]]]  # key: (its articles, every spelling of it)
    glossary: dict[str, dict[str, str]]  # acronym: its articles (with the expansion each gives)
    entries: dict[str, EntityEntry]
    entity_entries: tuple[EntityEntry, ...]
    glossary_entries: dict[str, GlossaryEntry]
    placed: dict[tuple[bool, str], list[str]] = dataclasses.field(default_factory=dict)  # (an acronym?, thing)
    # key: spelling: the entities that give it, from when an update first touches the key: a build has
    # no use for these, and counting every article's spellings costs about as much as the rest of the index
    spelling_counts: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    repeated: dict[tuple[str, str], list[EntityRef]] = dataclasses.field(default_factory=dict)  # an article's 2nd entity of a key
    order: list[tuple[str, str]] | None = None  # (name folded, key) of each entry in order, once updated
    in_order: list[EntityEntry] | None = None  # the entries in that order


def index_state(articles: Sequence[tuple[str, str, Annotations]]
                ) -> tuple[IndexState, tuple[EntityEntry, ...], tuple[GlossaryEntry, ...]]:
    """The entity entries and glossary of articles (slug, date, annotations as unified), each listing
    its articles newest first: by date, then slug, both descending (the order of a digest's lists)."""
    newest_first = sorted(articles, key=lambda a: (a[1], a[0]), reverse=True)
    return indexed([(slug, found) for slug, _, found in newest_first], [(date, slug) for slug, date, _ in newest_first])


def indexed(articles: Sequence[tuple[str, Annotations]], ranks: Iterable[Rank]
            ) -> tuple[IndexState, tuple[EntityEntry, ...], tuple[GlossaryEntry, ...]]:
    """index_state of articles (slug, annotations) given newest first, with where each stands (decreasing)."""
    state = IndexState(dict(zip((slug for slug, _ in articles), ranks)), dict(articles), {}, {}, {}, (), {})
    entities, glossary = state.entities, state.glossary
    for slug, found in articles:
        for e in found.entities:
            thing = entities.get(e.key)
            if thing is None:
                thing = entities[e.key] = ({}, set())
            if thing[0].setdefault(slug, e) is not e:
                state.repeated.setdefault((e.key, slug), []).append(e)
            thing[1].update(e.forms)
        for acronym in found.acronyms:
            glossary.setdefault(acronym.short, {}).setdefault(slug, acronym.expansion)
    entries = state.entries
    for key, (by_article, spellings) in entities.items():
        for e in by_article.values():  # the newest article's
            entries[key] = EntityEntry(key, e.name, e.kind, tuple(sorted(spellings - {e.name})), tuple(by_article))
            break
    state.entity_entries = tuple(sorted(state.entries.values(), key=lambda e: (e.name.casefold(), e.key)))
    state.glossary_entries = {short: GlossaryEntry(short, next(iter(by_article.values())), tuple(by_article))
                              for short, by_article in glossary.items()}
    return state, state.entity_entries, _sorted_glossary(state)


def update_index(state: IndexState, changed: Mapping[str, tuple[str, Annotations] | None]
                 ) -> tuple[IndexState, tuple[EntityEntry, ...], tuple[GlossaryEntry, ...]]:
    """state with the articles of changed as they are now ((date, unified annotations); None: removed),
    and its entries and glossary. The entries of things no change names are the very objects of before."""
    keys: set[str] = set()
    shorts: set[str] = set()
    for slug in changed:  # the articles as they were go first, while each still has its place
        found = state.annotations.get(slug)
        if found is not None:
            for e in found.entities:
                _count_spellings(state, e.key, e.forms, -1)
                state.repeated.pop((e.key, slug), None)
                _unlist(state, False, e.key, state.entities[e.key][0], slug)
                keys.add(e.key)
            for acronym in found.acronyms:
                _unlist(state, True, acronym.short, state.glossary[acronym.short], slug)
                shorts.add(acronym.short)
    for slug, now in changed.items():
        state.annotations.pop(slug, None)
        state.rank.pop(slug, None)
        if now is not None:
            state.rank[slug] = (now[0], slug)
            state.annotations[slug] = now[1]
    for slug, now in changed.items():
        for e in now[1].entities if now is not None else ():
            _count_spellings(state, e.key, e.forms, 1)
            by_article = state.entities.setdefault(e.key, ({}, set()))[0]
            if slug in by_article:  # a second entity of one key in one article: its spellings count, not its name
                state.repeated.setdefault((e.key, slug), []).append(e)
            else:
                _list(state, False, e.key, by_article, slug, e)
            keys.add(e.key)
        for acronym in now[1].acronyms if now is not None else ():
            by_short = state.glossary.setdefault(acronym.short, {})
            if slug not in by_short:
                _list(state, True, acronym.short, by_short, slug, acronym.expansion)
            shorts.add(acronym.short)
    for key in keys:
        _reindex(state, key)
    if keys:
        assert state.in_order is not None
        state.entity_entries = tuple(state.in_order)
    for short in shorts:
        by_short = state.glossary[short]
        if not by_short:
            del state.glossary[short], state.glossary_entries[short], state.placed[(True, short)]
            continue
        newest = _placed(state, True, short, by_short)[-1]
        entry = GlossaryEntry(short, by_short[newest], _newest_first(state, True, short, by_short))
        if entry != state.glossary_entries.get(short):
            state.glossary_entries[short] = entry
    return state, state.entity_entries, _sorted_glossary(state)


def _placed(state: IndexState, acronym: bool, thing: str, by_article: dict[str, V]) -> list[str]:
    """A thing's articles oldest first, as a list to put articles in their places (made when first asked)."""
    placed = state.placed.get((acronym, thing))
    if placed is None:
        placed = state.placed[(acronym, thing)] = list(reversed(by_article))
    return placed


def _newest_first(state: IndexState, acronym: bool, thing: str, by_article: dict[str, V]) -> tuple[str, ...]:
    placed = state.placed.get((acronym, thing))
    return tuple(by_article) if placed is None else tuple(reversed(placed))


def _unlist(state: IndexState, acronym: bool, thing: str, by_article: dict[str, V], slug: str) -> None:
    """An article's mention of a thing taken out of state (a second mention in one article: nothing)."""
    if slug in by_article:
        placed = _placed(state, acronym, thing, by_article)
        del placed[bisect_left(placed, state.rank[slug], key=state.rank.__getitem__)]
        del by_article[slug]


def _list(state: IndexState, acronym: bool, thing: str, by_article: dict[str, V], slug: str, value: V) -> None:
    """An article's mention of a thing put into state, in its place among the thing's articles."""
    insort(_placed(state, acronym, thing, by_article), slug, key=state.rank.__getitem__)
    by_article[slug] = value


def _count_spellings(state: IndexState, key: str, forms: Iterable[str], sign: int) -> None:
    """An entity's spellings added to (sign 1) or taken from (-1) the counts of its key."""
    counts = state.spelling_counts.get(key)
    if counts is None:
        counts = state.spelling_counts[key] = {}
        by_article = state.entities[key][0] if key in state.entities else {}
        for slug, e in by_article.items():
            for each in (e, *state.repeated.get((key, slug), ())) if state.repeated else (e,):
                for form in each.forms:
                    counts[form] = counts.get(form, 0) + 1
    for form in forms:
        now = counts.get(form, 0) + sign
        if now:
            counts[form] = now
        else:
            del counts[form]


def _reindex(state: IndexState, key: str) -> None:
    """The entry of key made again, in its place among the entries; the very object of before if equal."""
    if state.order is None:
        state.order = [(e.name.casefold(), e.key) for e in state.entity_entries]
        state.in_order = list(state.entity_entries)
    assert state.in_order is not None
    before = state.entries.get(key)
    by_article = state.entities[key][0]
    entry = None
    if by_article:
        e = by_article[_placed(state, False, key, by_article)[-1]]
        entry = EntityEntry(key, e.name, e.kind, tuple(sorted(state.spelling_counts[key].keys() - {e.name})),
                            _newest_first(state, False, key, by_article))
        if entry == before:
            return
        state.entries[key] = entry
    else:
        del state.entities[key], state.spelling_counts[key], state.entries[key], state.placed[(False, key)]
    if before is not None:
        at = bisect_left(state.order, (before.name.casefold(), key))
        del state.order[at], state.in_order[at]
    if entry is not None:
        place = (entry.name.casefold(), key)
        at = bisect_left(state.order, place)
        state.order.insert(at, place)
        state.in_order.insert(at, entry)


def _sorted_glossary(state: IndexState) -> tuple[GlossaryEntry, ...]:
    """The glossary by acronym, case folded (ties, 'NATO' and 'Nato': by the acronym as written)."""
    return tuple(state.glossary_entries[short] for short in sorted(state.glossary_entries, key=lambda s: (s.casefold(), s)))
