"""What annotations need the whole digest for: one key per named thing across articles, the
entity pages and the glossary. Runs once, after every article is annotated."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from typing import Iterable, Sequence

from digest.collector import with_cycle_collector_paused
from digest.errors import Diagnostic, warning
from digest.model import (AnnotationIndex, Annotations, Discrepancy, Document, EntityEntry, EntityRef, GlossaryEntry,
                          Quote)
from digest.slugs import unique_slugs
from digest.stages.annotate import annotate_document
from digest.stages.annotate.discrepancies import discrepancies_between_related, find_discrepancies
from digest.stages.annotate.entities import entity_key, norm_key
from digest.stages.annotate.options import AnnotateOptions


def annotate_documents(documents: list[Document], options: AnnotateOptions) -> tuple[list[Annotations], list[Diagnostic]]:
    """The annotations of each document (same order), entity keys made one across the digest,
    and a warning for each editor note whose quotation no longer matches its article."""
    return finish_annotations(documents, [annotate_document(doc, options) for doc in documents])


def finish_annotations(documents: list[Document], found: list[Annotations],
                       remembered: RekeyMemo | None = None) -> tuple[list[Annotations], list[Diagnostic]]:
    """The whole-digest step after the per-article annotate_document (which can be cached and run in
    parallel): entity keys made one across the digest, and a warning per orphaned editor note.
    remembered: see unify_entities."""
    annotations = unify_entities(found, remembered)
    problems = []
    for doc, found in zip(documents, annotations):
        for anchored in found.notes:
            if not anchored.anchored:
                problems.append(warning(doc.path, f"note {anchored.id}: the quotation {anchored.note.quote!r} is no longer in the text",
                                        hint="correct the note's quote (and prefix/suffix) in the front matter, or remove the note; "
                                             "the page lists it as an orphaned note meanwhile"))
    return annotations, problems


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


# the whole-digest steps make a few hundred thousand objects while every article's annotations are
# in memory: full collections walking those were 3 of their 5 CPU seconds at 10,000 articles
# An article's annotations as found, by id: (them, the digest-wide key, name and kind of each of their
# named things, the annotations under those). Held, so no other object takes the id meanwhile.
RekeyMemo = dict[int, tuple[Annotations, tuple[tuple[str, str, str], ...], Annotations]]


@with_cycle_collector_paused
def unify_entities(annotations: list[Annotations], remembered: RekeyMemo | None = None) -> list[Annotations]:
    """annotations with one key and one name for each named thing across articles: spellings that
    differ in punctuation ('S400'/'S-400'), a first name spelt two ways ('Vladamir Putin'), and a
    surname alone where the digest names only one person so ('Putin').

    remembered (digest serve keeps it between builds, and it is left holding this call's): an article
    found as the very object of the last call, whose named things keep their keys, names and kinds,
    gets the very result of then. So do later steps that know values by identity (digest.render_memo)."""
    totals: Counter[str] = Counter()  # group id: mentions
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for found in annotations:
        for e in found.entities:
            group = norm_key(e.name)
            totals[group] += e.count
            spellings[group][e.name] += e.count
            kinds[group][e.kind] += e.count
    parent = {group: group for group in totals}

    def root(group: str) -> str:
        while parent[group] != group:
            parent[group] = parent[parent[group]]
            group = parent[group]
        return group

    people = sorted(g for g in totals if kinds[g].most_common(1)[0][0] == "person")
    by_surname: dict[str, list[str]] = defaultdict(list)
    for group in people:
        words = spellings[group].most_common(1)[0][0].split()
        if len(words) > 1:
            by_surname[norm_key(words[-1])].append(group)
    for surname, groups in sorted(by_surname.items()):
        for i, a in enumerate(groups):  # 'Vladamir Putin' and 'Vladimir Putin'
            for b in groups[i + 1:]:
                first_a = spellings[a].most_common(1)[0][0].split()[0]
                first_b = spellings[b].most_common(1)[0][0].split()[0]
                if root(a) != root(b) and _similar_first_names(first_a, first_b):
                    parent[max(root(a), root(b), key=lambda g: (totals[g], g))] = min(root(a), root(b), key=lambda g: (totals[g], g))
    for surname, groups in sorted(by_surname.items()):
        roots = {root(g) for g in groups}
        if surname in totals and len(roots) == 1 and surname not in roots and kinds[surname].most_common(1)[0][0] in ("person", "other"):
            parent[root(surname)] = roots.pop()
    # each final group: the spelling used most, the kind given most
    members: dict[str, list[str]] = defaultdict(list)
    for group in sorted(totals):
        members[root(group)].append(group)
    names: dict[str, str] = {}
    group_kind: dict[str, str] = {}
    for top, groups in members.items():
        counted: Counter[str] = Counter()
        kinded: Counter[str] = Counter()
        for g in groups:
            counted.update(spellings[g])
            kinded.update(kinds[g])
        # a full name over a surname alone, then the commonest spelling, then a hyphenated code
        names[top] = max(counted, key=lambda n: (len(n.split()) > 1, counted[n], "-" in n, n))
        group_kind[top] = max(kinded, key=lambda k: (kinded[k], k))
    tops = sorted(members)
    keys = dict(zip(tops, unique_slugs([entity_key(names[t]) for t in tops])))
    final = {group: (keys[root(group)], names[root(group)], group_kind[root(group)]) for group in totals}
    forms: dict[str, str] = {}
    if remembered is None:
        return [_rekey(found, final, forms) for found in annotations]
    now: RekeyMemo = {}
    for found in annotations:
        named = tuple(final[norm_key(e.name)] for e in found.entities)
        last = remembered.get(id(found))
        now[id(found)] = (found, named, last[2] if last is not None and last[0] is found and last[1] == named
                          else _rekey(found, final, forms))
    remembered.clear()
    remembered.update(now)
    return [now[id(found)][2] for found in annotations]


def _rekey(found: Annotations, final: dict[str, tuple[str, str, str]], shared: dict[str, str]) -> Annotations:
    """found with each entity under its digest-wide key, name and kind (two merged into one summed). These and
    its spellings are the very strings the other articles' entities hold (by way of final and shared): the
    articles of a digest name the same things, and each article's copies of them took 50 MB at 10,000."""
    merged: dict[str, EntityRef] = {}
    old_to_new: dict[str, str] = {}
    changed = False
    for e in found.entities:
        key, name, kind = final[norm_key(e.name)]
        old_to_new[e.key] = key
        forms = tuple(shared.setdefault(form, form) for form in e.forms)
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


@with_cycle_collector_paused
def discrepancies_of(annotations_by_slug: dict[str, Annotations], stories: Sequence[tuple[str, ...]]) -> tuple[Discrepancy, ...]:
    """The digest's discrepancies: looked for within stories, or, before stories exist, among articles that
    share at least two named things."""
    groups = [tuple(g) for g in stories]
    return find_discrepancies(annotations_by_slug, groups) if groups else discrepancies_between_related(annotations_by_slug)


@with_cycle_collector_paused
def index_annotations(articles: Iterable[tuple[str, Annotations]], stories: Sequence[tuple[str, ...]] = (),
                      discrepancies: tuple[Discrepancy, ...] | None = None) -> AnnotationIndex:
    """The digest's entity pages, glossary and discrepancies (discrepancies_of, unless given: a build
    keeps them by what they are computed from); articles (slug, annotations) newest first."""
    articles = list(articles)
    # slugs kept in dicts (ordered, and membership in constant time: one entity may be in every article)
    entities: dict[str, tuple[EntityRef, dict[str, None], set[str]]] = {}
    glossary: dict[str, tuple[str, dict[str, None]]] = {}
    for slug, found in articles:
        for e in found.entities:
            entry = entities.get(e.key)
            if entry is None:
                entry = entities[e.key] = (e, {}, set())
            entry[1][slug] = None
            entry[2].update(e.forms)
        for acronym in found.acronyms:
            glossary.setdefault(acronym.short, (acronym.expansion, {}))[1][slug] = None
    entity_entries = tuple(
        EntityEntry(key, e.name, e.kind, tuple(sorted(forms - {e.name})), tuple(slugs))
        for key, (e, slugs, forms) in sorted(entities.items(), key=lambda item: (item[1][0].name.casefold(), item[0]))
    )
    glossary_entries = tuple(GlossaryEntry(short, expansion, tuple(slugs))
                             for short, (expansion, slugs) in sorted(glossary.items(), key=lambda i: i[0].casefold()))
    if discrepancies is None:
        discrepancies = discrepancies_of(dict(articles), stories)
    return AnnotationIndex(entity_entries, glossary_entries, discrepancies)
