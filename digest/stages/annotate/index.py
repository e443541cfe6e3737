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

from digest.collector import with_cycle_collector_paused
from digest.model import Annotations, EntityEntry, EntityRef, GlossaryEntry

V = TypeVar("V")
Rank = Any  # where an article stands: (date, slug), or minus its place in a list; the greater, the newer


@dataclasses.dataclass(eq=False)
class IndexState:
    """What the index keeps between updates. update_index changes it in place: a state given to it
    is not to be used again, only the one it returns.

    A thing's articles are kept newest first in a dict, each with what its first mention there gives
    (the entity; the acronym's expansion); once an update touches the thing, also in a list (placed),
    where an article can be put in its place."""

    rank: dict[str, Rank]
    annotations: dict[str, Annotations]
    entities: dict[str, tuple[dict[str, EntityRef], set[str]]]  # key: (its articles, every spelling of it)
    glossary: dict[str, dict[str, str]]  # acronym: its articles (with the expansion each gives)
    entries: dict[str, EntityEntry]
    entity_entries: tuple[EntityEntry, ...]
    glossary_entries: dict[str, GlossaryEntry]
    placed: dict[tuple[bool, str], list[str]] = dataclasses.field(default_factory=dict)  # (an acronym?, thing)
    repeated: dict[tuple[str, str], list[EntityRef]] = dataclasses.field(default_factory=dict)  # an article's 2nd entity of a key
    in_order: list[EntityEntry] | None = None  # the entries in order, once an update touches them


@with_cycle_collector_paused
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
    state.entity_entries = tuple(sorted(state.entries.values(), key=_entry_order))
    state.glossary_entries = {short: GlossaryEntry(short, next(iter(by_article.values())), tuple(by_article))
                              for short, by_article in glossary.items()}
    return state, state.entity_entries, _sorted_glossary(state)


def _entry_order(entry: EntityEntry) -> tuple[str, str]:
    return entry.name.casefold(), entry.key


@with_cycle_collector_paused
def update_index(state: IndexState, changed: Mapping[str, tuple[str, Annotations] | None]
                 ) -> tuple[IndexState, tuple[EntityEntry, ...], tuple[GlossaryEntry, ...]]:
    """state with the articles of changed as they are now ((date, unified annotations); None: removed),
    and its entries and glossary. The entries of things no change names are the very objects of before."""
    withdrawn: dict[str, set[str]] = {}  # key: spellings that the articles as they were gave
    shorts: set[str] = set()
    for slug in changed:  # the articles as they were go first, while each still has its place
        found = state.annotations.get(slug)
        if found is not None:
            for e in found.entities:
                withdrawn.setdefault(e.key, set()).update(e.forms)
                state.repeated.pop((e.key, slug), None)
                _unlist(state, False, e.key, state.entities[e.key][0], slug)
            for acronym in found.acronyms:
                _unlist(state, True, acronym.short, state.glossary[acronym.short], slug)
                shorts.add(acronym.short)
    for slug, now in changed.items():
        state.annotations.pop(slug, None)
        state.rank.pop(slug, None)
        if now is not None:
            state.rank[slug] = (now[0], slug)
            state.annotations[slug] = now[1]
    keys = set(withdrawn)
    for slug, now in changed.items():
        for e in now[1].entities if now is not None else ():
            by_article, spellings = state.entities.setdefault(e.key, ({}, set()))
            spellings.update(e.forms)
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
    for key, forms in withdrawn.items():
        by_article, spellings = state.entities[key]
        spellings.difference_update([form for form in forms if not _spelt(state, key, by_article, form)])
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
        entry = GlossaryEntry(short, by_short[_placed(state, True, short, by_short)[0]], _newest_first(state, True, short, by_short))
        if entry != state.glossary_entries.get(short):
            state.glossary_entries[short] = entry
    return state, state.entity_entries, _sorted_glossary(state)


def _spelt(state: IndexState, key: str, by_article: dict[str, EntityRef], form: str) -> bool:
    """Whether an entity of key still gives the spelling: looked for rather than counted, as most
    spellings withdrawn are ones many articles give (the thing's name), found at once."""
    return (any(form in e.forms for e in by_article.values())
            or any(form in e.forms for (k, _), others in state.repeated.items() if k == key for e in others))


class _Newer:
    """An article's rank in a list kept newest first (bisect wants the list in increasing order)."""

    __slots__ = ("rank",)

    def __init__(self, rank: Rank) -> None:
        self.rank = rank

    def __lt__(self, other: _Newer) -> bool:
        return bool(self.rank > other.rank)


def _placed(state: IndexState, acronym: bool, thing: str, by_article: dict[str, V]) -> list[str]:
    """A thing's articles newest first, as a list to put articles in their places (made when first asked)."""
    placed = state.placed.get((acronym, thing))
    if placed is None:
        placed = state.placed[(acronym, thing)] = list(by_article)
    return placed


def _newest_first(state: IndexState, acronym: bool, thing: str, by_article: dict[str, V]) -> tuple[str, ...]:
    return tuple(state.placed.get((acronym, thing)) or by_article)


def _unlist(state: IndexState, acronym: bool, thing: str, by_article: dict[str, V], slug: str) -> None:
    """An article's mention of a thing taken out of state (a second mention in one article: nothing)."""
    if slug in by_article:
        placed = _placed(state, acronym, thing, by_article)
        del placed[bisect_left(placed, _Newer(state.rank[slug]), key=lambda s: _Newer(state.rank[s]))]
        del by_article[slug]


def _list(state: IndexState, acronym: bool, thing: str, by_article: dict[str, V], slug: str, value: V) -> None:
    """An article's mention of a thing put into state, in its place among the thing's articles."""
    insort(_placed(state, acronym, thing, by_article), slug, key=lambda s: _Newer(state.rank[s]))
    by_article[slug] = value


def _reindex(state: IndexState, key: str) -> None:
    """The entry of key made again, in its place among the entries; the very object of before if equal."""
    if state.in_order is None:
        state.in_order = list(state.entity_entries)
    before = state.entries.get(key)
    by_article, spellings = state.entities[key]
    entry = None
    if by_article:
        e = by_article[_placed(state, False, key, by_article)[0]]
        entry = EntityEntry(key, e.name, e.kind, tuple(sorted(spellings - {e.name})), _newest_first(state, False, key, by_article))
        if entry == before:
            return
        state.entries[key] = entry
    else:
        del state.entities[key], state.entries[key], state.placed[(False, key)]
    if before is not None:
        del state.in_order[bisect_left(state.in_order, _entry_order(before), key=_entry_order)]
    if entry is not None:
        insort(state.in_order, entry, key=_entry_order)


def _sorted_glossary(state: IndexState) -> tuple[GlossaryEntry, ...]:
    """The glossary by acronym, case folded (ties, 'NATO' and 'Nato': by the acronym as written)."""
    return tuple(state.glossary_entries[short] for short in sorted(state.glossary_entries, key=lambda s: (s.casefold(), s)))
