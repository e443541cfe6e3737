"""Link: the whole-corpus stage. Related pieces (with reasons), stories with timelines,
near-duplicates, and "Read More" lines resolved to articles of the digest.

Runs once, after every article is read and annotated; see docs/linking.md for the scoring and
for how it would run on a cluster.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from digest.config import Linking
from digest.link_terms import SIGNATURE_SIZE, STOPWORDS, ArticleTerms, article_terms, vocabulary
from digest.model import Annotations, Document, Links, Reference, Related, Story, TimelineEntry
from digest.similarity import (Features, IntArray, Pairs, Scoring, features, rarity, shared_features,
                               similar_pairs)
from digest.story_ids import assign_story_ids, moved_ids
from digest.variants import term_key

REASONS = 3  # shared things shown per related piece
STORY_NEIGHBOURS = 10  # candidate story edges per article, whatever `related` is


def link_articles(docs: Sequence[Document], annotations: Mapping[str, Annotations], options: Linking,
                  aliases: Mapping[str, Iterable[str]] = {}, known_stories: Mapping[str, Sequence[str] | str] = {}) -> Links:
    """Related pieces, stories, duplicates and resolved references of the corpus docs. known_stories:
    the story ids earlier builds gave out, {id: slugs} (digest.story_ids)."""
    terms = {d.slug: article_terms(d, annotations.get(d.slug)) for d in docs}
    return link_corpus(docs, terms, annotations, options, aliases, known_stories)


def link_corpus(docs: Sequence[Document], terms_by_slug: Mapping[str, ArticleTerms],
                annotations: Mapping[str, Annotations], options: Linking,
                aliases: Mapping[str, Iterable[str]] = {}, known_stories: Mapping[str, Sequence[str] | str] = {}) -> Links:
    """link_articles with each article's terms already read (digest.link_terms.article_terms is
    per-article work: it can run in parallel and be cached by content; this part needs the corpus)."""
    docs = sorted(docs, key=lambda d: d.slug)  # input order never matters
    terms = [terms_by_slug[d.slug] for d in docs]
    vocab = vocabulary(terms, aliases)
    scoring = Scoring(name_weight=options.name_weight, date_weight=options.date_weight,
                      date_scale_days=options.date_scale_days)
    feats = features(terms, vocab, scoring)
    days = np.array([_day_number(d.date) for d in docs], dtype=np.float64)
    pairs = similar_pairs(feats, days, scoring, min_score=min(options.threshold, options.story_threshold),
                          per_article=max(options.related, STORY_NEIGHBOURS))
    duplicate_pairs = near_duplicates(terms, pairs, options.duplicate_threshold)
    related = related_pieces(docs, feats, vocab.display, pairs, duplicate_pairs, options)
    stories = gather_stories(docs, annotations, feats, vocab.display, pairs, duplicate_pairs, options, known_stories)
    duplicates: dict[str, list[str]] = defaultdict(list)
    for a, b in duplicate_pairs:
        duplicates[docs[a].slug].append(docs[b].slug)
        duplicates[docs[b].slug].append(docs[a].slug)
    story_of = {slug: story.id for story in stories for slug in story.articles}
    return Links(
        related=related,
        stories=stories,
        story_of=story_of,
        references=resolve_references(docs, options.reference_match),
        duplicates={slug: tuple(sorted(set(others))) for slug, others in sorted(duplicates.items())},
        moved_stories=moved_ids(known_stories, story_of),
    )


def _day_number(date: str) -> float:
    """Days since year 1 of an ISO date (its first 10 characters), NaN when unknown."""
    try:
        return float(dt.date.fromisoformat(date[:10]).toordinal())
    except ValueError:
        return math.nan


# --- related pieces -------------------------------------------------------------------------------

def related_pieces(docs: Sequence[Document], feats: Features, display: Mapping[str, str], pairs: Pairs,
                   duplicate_pairs: set[tuple[int, int]], options: Linking) -> dict[str, tuple[Related, ...]]:
    """{slug: the best `options.related` others scoring at least `options.threshold`}, each with its reasons."""
    keep = pairs.score >= options.threshold
    a, b, score = pairs.a[keep], pairs.b[keep], pairs.score[keep]
    rank = np.arange(len(a)) - np.searchsorted(a, a, side="left")
    keep = rank < options.related
    a, b, score = a[keep], b[keep], score[keep]
    reasons = pair_reasons(feats, display, a, b)
    related: dict[str, list[Related]] = {d.slug: [] for d in docs}
    for i, j, s, why in zip(a.tolist(), b.tolist(), score.tolist(), reasons):
        duplicate = (min(i, j), max(i, j)) in duplicate_pairs
        related[docs[i].slug].append(Related(docs[j].slug, round(s, 4), why, duplicate))
    return {slug: tuple(items) for slug, items in related.items()}


def pair_reasons(feats: Features, display: Mapping[str, str], a: IntArray, b: IntArray) -> list[tuple[str, ...]]:
    """What each pair shares, strongest first: named things, then content words to fill up to REASONS.

    Strength is the pair's product of weights times rarity: in a digest where every article
    names India and Russia, "Lavrov" says more about why two of them go together.
    """
    names = shared_features(feats.names, a, b, REASONS, boost=rarity(feats.names))
    words = shared_features(feats.words, a, b, REASONS * 2, boost=rarity(feats.words))
    shown_names = [display.get(k, k) for k in feats.name_keys]
    reasons = []
    for shared_names, shared_words in zip(names, words):
        shown = [shown_names[c] for c in shared_names]
        taken = {feats.name_keys[c] for c in shared_names}
        for c in shared_words:
            if len(shown) >= REASONS:
                break
            word = feats.word_keys[c]
            if word not in taken:  # "Russia" the name already says "russia" the word
                shown.append(word)
        reasons.append(tuple(shown))
    return reasons


# --- near-duplicates --------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")
_PAIRS_AT_ONCE = 1 << 16


def near_duplicates(terms: Sequence[ArticleTerms], pairs: Pairs, threshold: float) -> set[tuple[int, int]]:
    """Pairs (i < j) whose texts are the same report: the estimated Jaccard similarity of their
    5-word shingles is at least threshold. Only pairs already found similar are compared."""
    if len(pairs.a) == 0:
        return set()
    empty = bytes(8 * SIGNATURE_SIZE)
    signatures = np.frombuffer(b"".join(t.signature or empty for t in terms), dtype="<u8").reshape(len(terms), -1)
    has_text = np.array([bool(t.signature) for t in terms])
    agree = np.empty(len(pairs.a))
    for start in range(0, len(pairs.a), _PAIRS_AT_ONCE):  # the pairs' signatures side by side: 512 bytes a pair
        part = slice(start, start + _PAIRS_AT_ONCE)
        agree[part] = (signatures[pairs.a[part]] == signatures[pairs.b[part]]).mean(axis=1)
    same = (agree >= threshold) & has_text[pairs.a] & has_text[pairs.b]
    return {(min(i, j), max(i, j)) for i, j in zip(pairs.a[same].tolist(), pairs.b[same].tolist())}


# --- stories ------------------------------------------------------------------------------------------

def gather_stories(docs: Sequence[Document], annotations: Mapping[str, Annotations], feats: Features,
                   display: Mapping[str, str], pairs: Pairs, duplicate_pairs: set[tuple[int, int]],
                   options: Linking, known_stories: Mapping[str, Sequence[str] | str] = {}) -> tuple[Story, ...]:
    """Articles joined by a similarity of at least story_threshold (or by being duplicates), as stories of two
    or more, under the ids known_stories gave their articles where it can (digest.story_ids)."""
    n = len(docs)
    a, b = mutual_pairs(pairs, n, options.story_threshold)
    dup = np.array(sorted(duplicate_pairs), dtype=np.int64).reshape(-1, 2)
    rows = np.concatenate([a, dup[:, 0]])
    cols = np.concatenate([b, dup[:, 1]])
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(label.tolist()):
        members[c].append(i)
    groups = [sorted(m, key=lambda i: _date_order(docs[i])) for m in members.values() if len(m) > 1]
    titles = story_terms(feats, display, groups)
    ids = assign_story_ids([[docs[i].slug for i in group] for group in groups], known_stories)
    stories = []
    for group, terms, story_id in zip(groups, titles, ids):
        title = options.story_titles.get(story_id) or _title_from(terms) or docs[group[0]].title
        stories.append(Story(
            id=story_id, title=title, articles=tuple(docs[i].slug for i in group),
            timeline=story_timeline([docs[i] for i in group], annotations),
            entries=_entries(docs, group, duplicate_pairs), terms=tuple(terms)))
    # newest story first, like the article list
    latest = {story.id: max(docs[i].date for i in group) for story, group in zip(stories, groups)}
    stories.sort(key=lambda s: (latest[s.id], s.id), reverse=True)
    return tuple(stories)


def mutual_pairs(pairs: Pairs, n: int, threshold: float) -> tuple[IntArray, IntArray]:
    """Pairs at least threshold similar where each is among the other's nearest: the story edges.

    Asking for both directions keeps one article that touches two stories (a follow-up that
    shares part of the cast) from chaining them into one. Time apart does not count here: a
    story may unfold over years (an arms deal signed in 2018, delivered in 2021, extended in 2025);
    it only orders each article's nearest.
    """
    strong = pairs.similarity >= threshold
    a, b = pairs.a[strong], pairs.b[strong]
    forward = a * n + b
    backward = b * n + a
    mutual = np.isin(forward, backward) & (a < b)
    return a[mutual], b[mutual]


def _date_order(doc: Document) -> tuple[int, str, str]:
    return (0 if doc.date else 1, doc.date, doc.slug)


def story_terms(feats: Features, display: Mapping[str, str], groups: Sequence[Sequence[int]],
                limit: int = 3) -> list[list[str]]:
    """The names most of each group's articles share, strongest (summed weight) first."""
    if not groups:
        return []
    rows = np.concatenate([np.full(len(g), k) for k, g in enumerate(groups)])
    cols = np.concatenate([np.asarray(g) for g in groups])
    membership = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(groups), feats.names.shape[0]))
    weight = sp.csr_matrix(membership @ feats.names)
    present = sp.csr_matrix(membership @ (feats.names > 0).astype(np.float64))
    weight.sort_indices()
    present.sort_indices()  # the same products over the same pattern: entries line up one to one
    sizes = np.array([len(g) for g in groups], dtype=np.float64)
    needed = np.maximum(2.0, np.ceil(sizes / 2))
    row_of = np.repeat(np.arange(len(groups)), np.diff(present.indptr))
    weight.data[present.data < needed[row_of]] = 0.0
    weight.eliminate_zeros()
    strongest = shared_features(weight, np.arange(len(groups)), np.arange(len(groups)), limit, square=False)
    return [[display.get(feats.name_keys[c], feats.name_keys[c]) for c in cols] for cols in strongest]


def _title_from(terms: Sequence[str]) -> str:
    if not terms:
        return ""
    if len(terms) == 1:
        return terms[0]
    return ", ".join(terms[:-1]) + " and " + terms[-1]


def story_timeline(docs: Sequence[Document], annotations: Mapping[str, Annotations]) -> tuple[TimelineEntry, ...]:
    """The dated events the story's articles mention, and each article's publication, in date order."""
    entries: dict[tuple[str, str], TimelineEntry] = {}
    for doc in docs:
        found = annotations.get(doc.slug)
        for event in found.events if found else ():
            key = (event.date, " ".join(event.text.split()).lower())
            if key not in entries:  # the first article to mention an event gives it (made only then: 0.1 s at 10,000)
                entries[key] = TimelineEntry(event.date, event.text, event.slug or doc.slug, "event")
        entries[(doc.date[:10], "\0" + doc.slug)] = TimelineEntry(doc.date[:10], doc.title, doc.slug, "published")
    return tuple(sorted(entries.values(), key=lambda e: (e.date == "", e.date, e.kind, e.slug, e.text)))


def _entries(docs: Sequence[Document], group: Sequence[int], duplicate_pairs: set[tuple[int, int]]) -> tuple[tuple[str, ...], ...]:
    """The group's articles with near-duplicates joined into one entry (the earliest first)."""
    parent = {i: i for i in group}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in duplicate_pairs:
        if i in parent and j in parent:
            ri, rj = root(i), root(j)
            parent[max(ri, rj)] = min(ri, rj)
    joined: dict[int, list[int]] = defaultdict(list)
    for i in group:  # group is in date order, so each entry is too
        joined[root(i)].append(i)
    position = {i: p for p, i in enumerate(group)}
    entries = sorted(joined.values(), key=lambda e: position[e[0]])
    return tuple(tuple(docs[i].slug for i in e) for e in entries)


# --- "Read More" references ----------------------------------------------------------------------

def resolve_references(docs: Sequence[Document], min_match: float) -> dict[str, tuple[Reference, ...]]:
    """Each article's see_also lines, linked to the article whose title they match (fuzzily), if any."""
    if not any(d.see_also for d in docs):
        return {}
    titles = [_title_words(d.title) for d in docs]
    index: dict[str, list[int]] = defaultdict(list)
    for i, words in enumerate(titles):
        for word in set(words):
            index[word].append(i)
    resolved: dict[str, tuple[Reference, ...]] = {}
    for i, doc in enumerate(docs):
        if not doc.see_also:
            continue
        refs = []
        for text in doc.see_also:
            words = _title_words(text)
            # candidates share one of the line's two rarest words: an inverted index, not every title
            rarest = sorted(set(words), key=lambda w: (len(index.get(w, ())), w))[:2]
            candidates = sorted({j for w in rarest for j in index.get(w, ()) if j != i})
            wanted = " ".join(words)
            best, best_ratio = None, min_match
            for j in candidates:
                ratio = difflib.SequenceMatcher(None, wanted, " ".join(titles[j]), autojunk=False).ratio()
                if ratio >= best_ratio and (best is None or ratio > best_ratio):
                    best, best_ratio = j, ratio
            refs.append(Reference(text, docs[best].slug if best is not None else None))
        resolved[doc.slug] = tuple(refs)
    return resolved


def _title_words(title: str) -> list[str]:
    return [w for w in (term_key(t) for t in _TOKEN.findall(title)) if w and w not in STOPWORDS]
