"""One key, name and kind per named thing across the digest, kept as a state that a few changed
articles update (digest serve shows an editor's save without unifying 10,000 articles again).

Everything here is a function of the digest's mentions summed by spelling group (the spellings that
share norm_key), never of the order articles come in: that is what lets an update be exact. Groups
join only through surnames (a first name spelt two ways, a surname alone), so a change reaches the
groups it can join or split (its cluster) and the keys numbered beside its name (unique_slugs).
"""

from __future__ import annotations

import dataclasses
from bisect import insort
from functools import lru_cache
from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from digest.collector import with_cycle_collector_paused
from digest.model import Annotations, EntityRef, Quote
from digest.stages.annotate.entities import entity_key, norm_key

Id = TypeVar("Id", bound=Hashable)  # an article: its slug, or its place in a list (unify_entities)
K = TypeVar("K", bound=Hashable)
Final = tuple[str, str, str]  # a group's digest-wide (key, name, kind)


class _Group(Generic[Id]):
    """The mentions of one spelling group across the digest, and what they make it (person or not,
    the surname bucket it joins by its commonest spelling)."""

    __slots__ = ("total", "spellings", "kinds", "articles", "kind", "surname", "first")

    def __init__(self) -> None:
        self.total = 0
        self.spellings: dict[str, int] = {}  # name as an article gives it: mentions
        self.kinds: dict[str, int] = {}
        self.articles: dict[Id, int] = {}  # article: its entities in this group (one, as annotate gives them)
        self.kind = ""
        self.surname: str | None = None  # the group of a person's last name, for two or more words
        self.first = ""  # a person's first name, for the same

    def settle(self) -> None:
        """Its kind and names from its counts (ties: the greater value, so no article order matters)."""
        self.kind = _commonest(self.kinds)
        words = _commonest(self.spellings).split()
        if self.kind == "person" and len(words) > 1:
            self.surname, self.first = norm_key(words[-1]), words[0]
        else:
            self.surname, self.first = None, ""


def _commonest(counted: Mapping[str, int]) -> str:
    return max(counted, key=lambda value: (counted[value], value))


@dataclasses.dataclass(eq=False)
class EntityState(Generic[Id]):
    """What unification keeps between updates: the articles' annotations as found and unified, each
    spelling group's counts and final (key, name, kind), and how groups joined. update_entities
    changes it in place: a state given to it is not to be used again, only the one it returns."""

    found: dict[Id, Annotations] = dataclasses.field(default_factory=dict)
    unified: dict[Id, Annotations] = dataclasses.field(default_factory=dict)
    groups: dict[str, _Group[Id]] = dataclasses.field(default_factory=dict)  # by norm_key
    buckets: dict[str, set[str]] = dataclasses.field(default_factory=dict)  # surname group: groups of people so named
    top_of: dict[str, str] = dataclasses.field(default_factory=dict)  # group: the group that stands for those it joined
    members: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # top: its groups, in order
    named: dict[str, Final] = dataclasses.field(default_factory=dict)  # top: (the key it asks for, its name, its kind)
    families: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # key asked for: the tops asking, in order
    keys: dict[str, str] = dataclasses.field(default_factory=dict)  # top: its key, numbered within its family
    final: dict[str, Final] = dataclasses.field(default_factory=dict)  # group: (key, name, kind)
    # Each spelling and tuple of spellings held once: the articles of a digest name the same things,
    # and each article's copies of them took 50 MB at 10,000 articles.
    strings: dict[str, str] = dataclasses.field(default_factory=dict)
    forms: dict[tuple[str, ...], tuple[str, ...]] = dataclasses.field(default_factory=dict)


@with_cycle_collector_paused
def entity_state(found: Mapping[Id, Annotations]) -> tuple[EntityState[Id], dict[Id, Annotations]]:
    """The unified annotations of every article (see unify_entities), by article, and the state that
    update_entities takes."""
    state = unified_names(found)
    state.unified = {article: rekey(annotated, state) for article, annotated in found.items()}
    return state, state.unified


def unified_names(found: Mapping[Id, Annotations]) -> EntityState[Id]:
    """The state of found before any article is rekeyed: each spelling group's final (key, name, kind)."""
    state = EntityState[Id](found=dict(found))
    for article, annotated in found.items():
        _count(state, article, annotated)
    for name, group in state.groups.items():
        group.settle()
        if group.surname is not None:
            state.buckets.setdefault(group.surname, set()).add(name)
    tops = _tops(state.groups, state)
    for name in sorted(state.groups):
        state.top_of[name] = tops[name]
        state.members.setdefault(tops[name], []).append(name)
    for top in state.members:  # sorted, as the groups were
        state.named[top] = _named(state.members[top], state)
        state.families.setdefault(state.named[top][0], []).append(top)
    for asked in state.families:
        _number(state, asked)
    state.final = {name: _final(state, top) for name, top in state.top_of.items()}
    return state


@with_cycle_collector_paused
def update_entities(state: EntityState[Id], changed: Mapping[Id, Annotations | None]
                    ) -> tuple[EntityState[Id], dict[Id, Annotations]]:
    """state with the articles of changed as found now (None: removed), and the unified annotations
    of every article whose unified annotations are not the last ones: those changed, and those whose
    named things took another key, name or kind. The others keep their very objects."""
    dirty: set[str] = set()
    for article, now in changed.items():
        before = state.found.pop(article, None)
        state.unified.pop(article, None)
        if before is not None:
            _count(state, article, before, dirty, -1)
        if now is not None:
            state.found[article] = now
            _count(state, article, now, dirty)
    reached_before = _cluster(dirty, state)  # the groups whose joins the change can undo...
    for name in dirty:
        group = state.groups[name]
        if group.surname is not None:
            _discard(state.buckets, group.surname, name)
        if not group.articles:
            del state.groups[name]
            continue
        group.settle()
        if group.surname is not None:
            state.buckets.setdefault(group.surname, set()).add(name)
    region = _cluster(dirty | reached_before, state)  # ... and those whose joins it can make
    tops = _tops(region, state)
    members: dict[str, list[str]] = {}
    for name in sorted(region):
        members.setdefault(tops[name], []).append(name)
    asked: set[str] = set()
    for top in {state.top_of[name] for name in reached_before | region if name in state.top_of}:
        if members.get(top) == state.members[top] and dirty.isdisjoint(members[top]):
            continue  # the same groups, counted the same: the same name, kind and key
        key = state.named.pop(top)[0]
        state.families[key].remove(top)
        state.keys.pop(top)
        asked.add(key)
        for name in state.members.pop(top):
            del state.top_of[name]
    renamed = set(dirty)
    for top, names in members.items():
        if top not in state.named:
            state.members[top] = names
            for name in names:
                state.top_of[name] = top
            state.named[top] = _named(names, state)
            insort(state.families.setdefault(state.named[top][0], []), top)
            asked.add(state.named[top][0])
            renamed.update(names)
    # The second thing to ask for a key gets key-2, unless another asks for key-2 itself: a key now
    # asked for, or no longer, can renumber the family of its stem.
    for key in list(asked):
        stem, _, number = key.rpartition("-")
        if number.isdigit():
            asked.add(stem)
        if not state.families.get(key, True):
            del state.families[key]
    for key in asked:
        if key in state.families:
            for top in _number(state, key):
                renamed.update(state.members[top])
    rekeyed = {article for article, now in changed.items() if now is not None}
    for name in renamed:
        if name not in state.top_of:
            state.final.pop(name, None)
            continue
        final = _final(state, state.top_of[name])
        if state.final.get(name) != final:
            state.final[name] = final
            rekeyed.update(state.groups[name].articles)
    for article in rekeyed:
        state.unified[article] = rekey(state.found[article], state)
    return state, {article: state.unified[article] for article in rekeyed}


def _count(state: EntityState[Id], article: Id, annotations: Annotations, dirty: set[str] | None = None,
           sign: int = 1) -> None:
    """Add (sign 1) or take away (-1) an article's mentions from the groups' counts; dirty gets the groups
    touched. A count that comes to nought goes (annotate_document counts each entity once at least)."""
    groups = state.groups
    for e in annotations.entities:
        name = norm_key(e.name)
        group = groups.get(name)
        if group is None:
            group = groups[name] = _Group[Id]()
        count = sign * e.count
        group.total += count
        _add(group.spellings, e.name, count)
        _add(group.kinds, e.kind, count)
        _add(group.articles, article, sign)
        if dirty is not None:
            dirty.add(name)


def _add(counts: dict[K, int], key: K, count: int) -> None:
    now = counts.get(key, 0) + count
    if now:
        counts[key] = now
    else:
        del counts[key]


def _discard(sets: dict[str, set[str]], key: str, value: str) -> None:
    values = sets[key]
    values.discard(value)
    if not values:
        del sets[key]


def _cluster(start: Iterable[str], state: EntityState[Id]) -> set[str]:
    """The groups that can join start's, as the state stands: those of the surname buckets they are in,
    the surname group of each such bucket, and the bucket of each surname group among them."""
    reached: set[str] = set()
    buckets: set[str] = set()
    stack = [name for name in start if name in state.groups]
    while stack:
        name = stack.pop()
        if name in reached:
            continue
        reached.add(name)
        for surname in (state.groups[name].surname, name):
            if surname is not None and surname not in buckets:
                buckets.add(surname)
                stack.extend(state.buckets.get(surname, ()))
                if surname in state.groups:
                    stack.append(surname)
    return reached


def _tops(names: Collection[str], state: EntityState[Id]) -> dict[str, str]:
    """Each group of names (a whole cluster or clusters) with the group that stands for those it joins:
    a person's first name spelt two ways ('Vladamir Putin'), and a surname alone ('Putin') where the
    digest names only one person so."""
    groups = state.groups
    parent = {name: name for name in names}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    def rank(name: str) -> tuple[int, str]:
        return groups[name].total, name

    by_surname: dict[str, list[str]] = {}
    for name in sorted(names):
        surname = groups[name].surname
        if surname is not None:
            by_surname.setdefault(surname, []).append(name)
    people = sorted(by_surname.items())
    for _, named in people:
        for i, a in enumerate(named):  # 'Vladamir Putin' and 'Vladimir Putin'
            for b in named[i + 1:]:
                if root(a) != root(b) and _similar_first_names(groups[a].first, groups[b].first):
                    parent[max(root(a), root(b), key=rank)] = min(root(a), root(b), key=rank)
    for surname, named in people:
        roots = {root(name) for name in named}
        if surname in parent and len(roots) == 1 and surname not in roots and groups[surname].kind in ("person", "other"):
            parent[root(surname)] = roots.pop()
    return {name: root(name) for name in names}


def _named(members: list[str], state: EntityState[Id]) -> Final:
    """(the key it asks for, its name, its kind) of a top and the groups it stands for: the spelling used
    most, the kind given most."""
    if len(members) == 1:
        group = state.groups[members[0]]
        counted, kinded = group.spellings, group.kinds
    else:
        counted, kinded = {}, {}
        for name in members:
            group = state.groups[name]
            for spelling, count in group.spellings.items():
                counted[spelling] = counted.get(spelling, 0) + count
            for kind, count in group.kinds.items():
                kinded[kind] = kinded.get(kind, 0) + count
    # a full name over a surname alone, then the commonest spelling, then a hyphenated code
    name = max(counted, key=lambda n: (len(n.split()) > 1, counted[n], "-" in n, n))
    return entity_key(name), name, max(kinded, key=lambda k: (kinded[k], k))


def _number(state: EntityState[Id], asked: str) -> list[str]:
    """The tops asking for one key with their keys as unique_slugs numbers them in the order of the tops
    (the first the key, the next key-2, key-3... skipping keys that others ask for themselves); the tops
    whose key that changes."""
    changed = []
    number = 2
    for i, top in enumerate(state.families[asked]):
        key = asked
        if i:
            while f"{asked}-{number}" in state.families:
                number += 1
            key = f"{asked}-{number}"
            number += 1
        if state.keys.get(top) != key:
            state.keys[top] = key
            changed.append(top)
    return changed


def _final(state: EntityState[Id], top: str) -> Final:
    _, name, kind = state.named[top]
    return state.keys[top], name, kind


def rekey(found: Annotations, state: EntityState[Id]) -> Annotations:
    """found with each entity under its digest-wide key, name and kind (two merged into one summed). These
    and its spellings are the very strings the other articles' entities hold."""
    final, strings, shared_forms = state.final, state.strings, state.forms
    merged: dict[str, EntityRef] = {}
    old_to_new: dict[str, str] = {}
    changed = False
    for e in found.entities:
        key, name, kind = final[norm_key(e.name)]
        old_to_new[e.key] = key
        forms = shared_forms.get(e.forms)
        if forms is None:
            forms = shared_forms[e.forms] = tuple(strings.setdefault(form, form) for form in e.forms)
        if key in merged:
            before = merged[key]
            forms = tuple(sorted(set(before.forms) | set(forms), key=lambda f: (-len(f), f)))
            merged[key] = dataclasses.replace(before, count=before.count + e.count, forms=forms)
            changed = True
        else:
            changed = changed or (key, name, kind) != (e.key, e.name, e.kind)
            merged[key] = EntityRef(key, name, kind, e.count, forms)
    if not changed:
        return dataclasses.replace(found, entities=tuple(merged.values()))
    entities = tuple(sorted(merged.values(), key=lambda e: (-e.count, e.name)))
    by_key = {e.key: e for e in entities}
    quotes = tuple(_rekey_quote(q, old_to_new, by_key) for q in found.quotes)
    return dataclasses.replace(found, entities=entities, quotes=quotes)


def _rekey_quote(quote: Quote, old_to_new: dict[str, str], by_key: dict[str, EntityRef]) -> Quote:
    if not quote.speaker_key or quote.speaker_key not in old_to_new:
        return quote
    entity = by_key[old_to_new[quote.speaker_key]]
    return Quote(quote.text, entity.name, entity.key)


@lru_cache(maxsize=65536)
def _similar_first_names(a: str, b: str) -> bool:
    """'Vladimir'/'Vladamir', 'S'/'Subrahmanyam': one spelling of one first name, or an initial."""
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if a[:1] != b[:1]:
        return False
    if len(a) == 1 or len(b) == 1:
        return True
    return len(a) > 3 and len(b) > 3 and _edit_distance(a, b) <= 1 + (min(len(a), len(b)) > 6)


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
