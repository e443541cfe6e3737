"""Stories: articles joined by a strong mutual similarity (or by being duplicates), with a title from
the names most of them share, a timeline and their near-duplicates grouped (digest.link_state
keeps them up to date; docs/linking.md says why stories are drawn this way).

Everything here reads one group of articles at a time, so a change re-makes only the stories it touches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from digest.model import Annotations, Document, TimelineEntry
from digest.similarity import shared_features


def date_order(doc: Document) -> tuple[int, str, str]:
    """How a story lists its articles: by date, undated last, then by slug."""
    return (0 if doc.date else 1, doc.date, doc.slug)


def story_terms(names: sp.csr_matrix, groups: Sequence[Sequence[int]], limit: int = 3) -> list[list[int]]:
    """The columns of names (rows: articles; columns in the terms' order; weights exact multiples of
    a power of two, so sums do not depend on order) that most of each group's articles share,
    strongest (summed weight) first (ties: the first term)."""
    if not groups:
        return []
    rows = np.concatenate([np.full(len(g), k) for k, g in enumerate(groups)])
    cols = np.concatenate([np.asarray(g) for g in groups])
    membership = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(groups), names.shape[0]))
    weight = sp.csr_matrix(membership @ names)
    present = sp.csr_matrix(membership @ (names > 0).astype(np.float64))
    weight.sort_indices()
    present.sort_indices()  # the same products over the same pattern: entries line up one to one
    sizes = np.array([len(g) for g in groups], dtype=np.float64)
    needed = np.maximum(2.0, np.ceil(sizes / 2))
    row_of = np.repeat(np.arange(len(groups)), np.diff(present.indptr))
    weight.data[present.data < needed[row_of]] = 0.0
    weight.eliminate_zeros()
    return shared_features(weight, np.arange(len(groups)), np.arange(len(groups)), limit, square=False)


def title_from(terms: Sequence[str]) -> str:
    if not terms:
        return ""
    if len(terms) == 1:
        return terms[0]
    return ", ".join(terms[:-1]) + " and " + terms[-1]


def story_timeline(docs: Sequence[Document], annotations: Sequence[Annotations | None]) -> tuple[TimelineEntry, ...]:
    """The dated events the story's articles mention, and each article's publication, in date order.
    docs in date order, annotations alongside."""
    entries: dict[tuple[str, str], TimelineEntry] = {}
    for doc, found in zip(docs, annotations):
        for event in found.events if found else ():
            key = (event.date, " ".join(event.text.split()).lower())
            if key not in entries:  # the first article to mention an event gives it (made only then: 0.1 s at 10,000)
                entries[key] = TimelineEntry(event.date, event.text, event.slug or doc.slug, "event")
        entries[(doc.date[:10], "\0" + doc.slug)] = TimelineEntry(doc.date[:10], doc.title, doc.slug, "published")
    return tuple(sorted(entries.values(), key=lambda e: (e.date == "", e.date, e.kind, e.slug, e.text)))


def story_entries(group: Sequence[int], slugs: Mapping[int, str],
                  duplicates_of: Mapping[int, Collection[int]]) -> tuple[tuple[str, ...], ...]:
    """The group's articles (in date order) with near-duplicates joined into one entry (the earliest first)."""
    parent = {i: i for i in group}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in group:
        for j in duplicates_of.get(i, ()):
            if j in parent:
                ri, rj = root(i), root(j)
                parent[max(ri, rj)] = min(ri, rj)
    joined: dict[int, list[int]] = defaultdict(list)
    for i in group:  # group is in date order, so each entry is too
        joined[root(i)].append(i)
    position = {i: p for p, i in enumerate(group)}
    entries = sorted(joined.values(), key=lambda e: position[e[0]])
    return tuple(tuple(slugs[i] for i in e) for e in entries)
