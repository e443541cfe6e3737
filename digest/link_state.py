"""The link stage as a state that follows edits: link_state works out everything for a corpus and keeps
what it worked out; update_links takes the few articles an edit added, changed or removed, follows
the change to what it can reach, and works out only that again. Either way the Links are the same
(the whole-corpus path is link_state, and digest.stages.link.link_corpus is link_state's Links).

What a change reaches, in the order update_links follows it (docs/linking.md, "Keeping up with edits"):

1. the vocabulary (spellings -> names): only spellings whose decision reads a changed count;
2. counts, then weights: an article's own rows, and the rows of every article with a term whose
   rounded document frequency changed (digest.similarity.rounded_count: rarely, past small counts);
3. each article's strongest features and the index (those minus the most common columns): rows
   whose weights changed, and rows with a column that entered or left the index;
4. nearest articles: the changed rows' lists are made again; the lists that held one of them, or that
   one of them now scores high enough to enter, are merged with their new scores (similarities are
   symmetric and exact, so the changed rows' own products give those);
5. near-duplicates, related pieces with reasons, stories (only the groups touched), "Read More"
   (only the lines sharing a word with a changed title).

Article rows are slots: an article keeps its slot while it lives, and a removed article's slot is
given to the next one added. Nothing observable depends on slots: ties are broken by slugs and terms.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from digest.collector import with_cycle_collector_paused
from digest.config import Linking
from digest.link_index import Columns, RowStore
from digest.link_references import ReadMore
from digest.link_stories import date_order, story_entries, story_terms, story_timeline, title_from
from digest.link_terms import SIGNATURE_SIZE, ArticleTerms, NameCounts
from digest.model import Annotations, Document, Links, Related, Story, TimelineEntry
from digest.similarity import (NAME_PRIOR_DOCS, BoolArray, FloatArray, IntArray, Pairs, Scoring, date_factor,
                               drop_cut, inverse_frequency, nearest, quantised, ranked, rarity, rounded_count, shared_features,
                               weigh_rows)
from digest.story_ids import assign_story_ids, moved_ids

REASONS = 3  # shared things shown per related piece
_PAIRS_AT_ONCE = 1 << 16  # signatures compared at once: 512 bytes a pair
_PRODUCT_ROWS_TIMES_ARTICLES = 256 * 10_000
# An update that weighs more than this share of the articles again starts again (link_state): a whole run
# costs about 0.2 ms an article at 10,000, an update 0.5 ms per article weighed again and what that reaches.
_MOST_REWEIGHED = 1 / 3

Article = tuple[Document, ArticleTerms, Annotations]


def scoring_of(options: Linking) -> Scoring:
    return Scoring(name_weight=options.name_weight, date_weight=options.date_weight,
                   date_scale_days=options.date_scale_days)


# --- one kind of term ------------------------------------------------------------------------------------

@dataclass
class Block:
    """One kind of term (names, or words) across the corpus: each article's strongest shared features (top:
    term order, -1 padded to `keep`); those of them in the index (top without the columns dropped for being
    too common); and the document frequencies all of this reads. Counts are not kept: they are read again
    from the articles' terms for the few rows an update weighs again."""

    kind: int  # 0 names, 1 words: the column of the stacked index is 2 * id + kind
    keep: int
    prior: int
    columns: Columns
    df: IntArray  # articles with the term
    top_col: IntArray  # article x keep: term ids, -1 past the end
    top_weight: FloatArray  # quantised TF-IDF weight, normalised over all the article's terms
    top_raw: FloatArray  # (1 + ln tf) * idf, not normalised: what reasons are ordered by
    kept_df: IntArray  # articles with the term in their top
    cut: float  # rounded kept_df from which a term leaves the index (digest.similarity.drop_cut)
    dropped: BoolArray  # by term: out of the index
    index_df: IntArray  # articles with the term in their index

    def index_mask(self, slots: IntArray, top_col: IntArray | None = None, dropped: BoolArray | None = None) -> BoolArray:
        """Which of the slots' top entries are in the index (by default as they are now)."""
        cols = self.top_col[slots] if top_col is None else top_col
        mask: BoolArray = cols >= 0
        mask[mask] = ~(self.dropped if dropped is None else dropped)[cols[mask]]
        return mask

    def index_rows(self, slots: IntArray, values: FloatArray) -> sp.csr_matrix:
        """The slots' index entries (values: top_weight or top_raw) as a CSR matrix over term ids."""
        mask = self.index_mask(slots)
        lengths = mask.sum(axis=1)
        return sp.csr_matrix((values[slots][mask], self.top_col[slots][mask], np.concatenate([[0], np.cumsum(lengths)])),
                             shape=(len(slots), len(self.columns)))


@dataclass
class Group:
    """A story's articles (slots, date order) and what is made from them, its id aside."""

    members: tuple[int, ...]
    slugs: tuple[str, ...]
    terms: tuple[str, ...]
    timeline: tuple[TimelineEntry, ...]
    entries: tuple[tuple[str, ...], ...]
    latest: str
    story: Story | None = None  # as last given out, with its id


@dataclass
class LinkState:
    """Everything the link stage worked out for a corpus, for update_links to bring up to date. Opaque to
    callers; update_links consumes it (after it raises, start again with link_state)."""

    options: Linking
    scoring: Scoring
    aliases: Mapping[str, Iterable[str]]
    known: Mapping[str, Sequence[str] | str]
    # articles by slot
    slot_of: dict[str, int]
    docs: list[Document | None]
    terms: list[ArticleTerms | None]
    annotations: list[Annotations | None]
    free: list[int]
    sorted_slugs: list[str]
    slug_order: IntArray  # rank of each slot's slug (-1: free)
    days: FloatArray
    signatures: NDArray[np.uint64]
    has_text: BoolArray
    # what is compared
    names: NameCounts
    blocks: tuple[Block, Block]
    index: RowStore  # article x stacked column: both blocks' index weights, scaled and quantised
    # what was found
    near_b: IntArray  # article x per_article: its nearest, best first; -1 past the end
    near_score: FloatArray
    near_similarity: FloatArray
    duplicates_of: dict[int, set[int]]
    related: dict[int, tuple[Related, ...]]
    groups: dict[int, Group]  # by group number
    group_of: dict[int, int]  # slot -> group number (articles in a story)
    next_group: int
    read_more: ReadMore
    links: Links = field(default_factory=Links)

    @property
    def n_docs(self) -> int:
        return len(self.slot_of)

    def live_slots(self) -> list[int]:
        """The articles' slots in slug order."""
        return [self.slot_of[slug] for slug in self.sorted_slugs]


# --- the whole corpus ------------------------------------------------------------------------------------

@with_cycle_collector_paused  # it makes many long-lived objects, and no cycles
def link_state(docs: Sequence[Document], terms_by_slug: Mapping[str, ArticleTerms],
               annotations: Mapping[str, Annotations], options: Linking,
               aliases: Mapping[str, Iterable[str]] = {}, known_stories: Mapping[str, Sequence[str] | str] = {},
               *, scoring: Scoring | None = None) -> tuple[LinkState, Links]:
    """The Links of the corpus (slugs distinct, as digest.paths.distinct_slugs makes them), and the state
    update_links brings up to date after edits. scoring: the model's inner settings (tests and benchmarks);
    by default those of options."""
    scoring = scoring or scoring_of(options)
    docs = sorted(docs, key=lambda d: d.slug)  # input order never matters
    n = len(docs)
    terms = [terms_by_slug[d.slug] for d in docs]
    names = NameCounts(aliases)
    names.count(terms, 1)
    names.decide()
    empty = bytes(8 * SIGNATURE_SIZE)
    per_article = _per_article(options, scoring)
    state = LinkState(
        options=options, scoring=scoring, aliases=aliases, known=dict(known_stories),
        slot_of={d.slug: i for i, d in enumerate(docs)}, docs=list(docs), terms=list(terms),
        annotations=[annotations.get(d.slug) for d in docs], free=[], sorted_slugs=[d.slug for d in docs],
        slug_order=np.arange(n, dtype=np.int64), days=np.array([day_number(d.date) for d in docs], dtype=np.float64),
        signatures=np.frombuffer(b"".join(t.signature or empty for t in terms), dtype="<u8").reshape(n, SIGNATURE_SIZE).copy(),
        has_text=np.array([bool(t.signature) for t in terms], dtype=bool),
        names=names,
        blocks=(_block(0, [t.names for t in terms], names.canonical, scoring.index_names, NAME_PRIOR_DOCS, n, scoring),
                _block(1, [t.words for t in terms], None, scoring.index_words, 0, n, scoring)),
        index=RowStore(sp.csr_matrix((n, 0))),
        near_b=np.full((n, per_article), -1, dtype=np.int64),
        near_score=np.zeros((n, per_article)), near_similarity=np.zeros((n, per_article)),
        duplicates_of={}, related={}, groups={}, group_of={}, next_group=0,
        read_more=ReadMore(options.reference_match))
    del terms
    every = np.arange(n, dtype=np.int64)
    state.index = RowStore(_stacked_rows(state, every))
    _find_nearest(state, every)
    found = _near_pairs(state, every)
    same = _same_text(state, found[:, 0], found[:, 1])
    for i, j in found[same].tolist():
        state.duplicates_of.setdefault(i, set()).add(j)
        state.duplicates_of.setdefault(j, set()).add(i)
    _relate(state, every, set(every.tolist()))
    _regroup_all(state)
    state.read_more.update(dict(enumerate(docs)), lambda s: int(state.slug_order[s]))
    _assign_ids(state, set(state.groups))
    state.links = _links(state)
    return state, state.links


def _per_article(options: Linking, scoring: Scoring) -> int:
    """How many nearest articles each article keeps: enough to list its related pieces and its story edges."""
    return max(options.related, scoring.story_neighbours)


def _block(kind: int, rows: Sequence[Mapping[str, int]], rename: Mapping[str, str] | None, keep: int, prior: int,
           n: int, scoring: Scoring) -> Block:
    counts, keys = _count_matrix(rows, rename)
    df = np.bincount(counts.indices, minlength=len(keys)).astype(np.int64)
    block = Block(kind=kind, keep=keep, prior=prior, columns=Columns(keys), df=df,
                  top_col=np.zeros((0, keep), dtype=np.int64), top_weight=np.zeros((0, keep)), top_raw=np.zeros((0, keep)),
                  kept_df=np.zeros(len(keys), dtype=np.int64), cut=math.inf, dropped=np.zeros(len(keys), dtype=bool),
                  index_df=np.zeros(len(keys), dtype=np.int64))
    every = np.arange(n, dtype=np.int64)
    weighed = _weigh(None, block, every, n, scoring, counts)
    del counts  # before the top arrays are made: the peak of the step
    block.top_col, block.top_weight, block.top_raw = np.full((n, keep), -1, dtype=np.int64), np.zeros((n, keep)), np.zeros((n, keep))
    _put_top(block, every, *weighed)
    del weighed
    block.kept_df = np.bincount(block.top_col[block.top_col >= 0], minlength=len(keys)).astype(np.int64)
    block.cut = drop_cut(block.kept_df, n, scoring)
    block.dropped = rounded_count(block.kept_df, scoring.drop_bits) >= block.cut
    block.index_df = np.bincount(block.top_col[block.index_mask(every)], minlength=len(keys)).astype(np.int64)
    return block


def _count_matrix(rows: Sequence[Mapping[str, int]], rename: Mapping[str, str] | None) -> tuple[sp.csr_matrix, list[str]]:
    """Rows of counts as a sparse matrix (keys renamed first: surface form -> canonical name; keys
    renamed to nothing dropped; counts of keys renamed alike summed), columns numbered in the keys'
    sorted order (ids are ranks at first: digest.link_index.Columns), and the key of each column.

    Built from flat iterators over all rows at once, not a Python loop per entry, and as CSR
    straight away: the entries already come row by row.
    """
    from itertools import chain, repeat
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    keys: list[str | None] = list(chain.from_iterable(rows))
    # float32 holds counts exactly (up to 16 million): half the memory of float64, and the state keeps them
    counts = np.fromiter(chain.from_iterable(r.values() for r in rows), dtype=np.float32, count=len(keys))
    if rename is not None:
        keys = list(map(rename.get, keys))  # type: ignore[arg-type]
    names = sorted(k for k in set(keys) if k is not None)
    column = {key: i for i, key in enumerate(names)}
    cols = np.fromiter(map(column.get, keys, repeat(-1)), dtype=np.int64, count=len(keys))  # type: ignore[arg-type]
    del keys
    kept = cols >= 0
    if not kept.all():  # keys renamed to nothing
        lengths = np.bincount(np.repeat(np.arange(len(rows), dtype=np.int64), lengths)[kept], minlength=len(rows))
        cols, counts = cols[kept], counts[kept]
    index = np.int32 if max(len(cols), len(column)) < 2**31 else np.int64
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(index)
    matrix = sp.csr_matrix((counts, cols.astype(index), indptr), shape=(len(rows), len(column)))
    matrix.sum_duplicates()
    return matrix, names


def _weigh(state: LinkState | None, block: Block, slots: IntArray, n: int, scoring: Scoring,
           counts: sp.csr_matrix | None = None) -> tuple[sp.csr_matrix, FloatArray, IntArray]:
    """The slots' strongest shared features (digest.similarity.weigh_rows) over term ids: (top, raw, used ids).
    counts: the whole corpus's, as first counted (ids are ranks); else the slots' counts are read again."""
    if counts is None:
        assert state is not None
        rows = [_row_counts(state, block, state.terms[slot], state.names.canonical.get) for slot in slots.tolist()]
        ids = block.columns.ids
        matrix = sp.csr_matrix((np.array([v for row in rows for v in row.values()], dtype=np.float32),
                                np.array([ids[t] for row in rows for t in row], dtype=np.int64),
                                np.concatenate([[0], np.cumsum([len(row) for row in rows])])),
                               shape=(len(slots), len(block.columns)))
        counts, used = block.columns.in_term_order(matrix)
    else:
        used = np.arange(counts.shape[1], dtype=np.int64)
    df = block.df[used]
    weighed = weigh_rows(counts, df, inverse_frequency(df, n, block.prior, scoring), block.keep)
    return weighed.top, weighed.raw, used


def _put_top(block: Block, slots: IntArray, top: sp.csr_matrix, raw: FloatArray, used: IntArray) -> None:
    lengths = np.diff(top.indptr)
    row_of = np.repeat(np.arange(len(slots)), lengths)
    place = np.arange(len(top.data)) - top.indptr[row_of]
    block.top_col[slots] = -1
    block.top_weight[slots] = 0.0
    block.top_raw[slots] = 0.0
    block.top_col[slots[row_of], place] = used[top.indices]
    block.top_weight[slots[row_of], place] = top.data
    block.top_raw[slots[row_of], place] = raw


def _stacked_rows(state: LinkState, slots: IntArray) -> sp.csr_matrix:
    """The slots' rows of the stacked index: names then words, each block's weights times the square root of
    its share of the score, quantised (so the product is an exact cosine mix)."""
    share = (state.scoring.name_weight, 1.0 - state.scoring.name_weight)
    parts = []
    for block in state.blocks:
        mask = block.index_mask(slots)
        values = quantised(block.top_weight[slots] * math.sqrt(share[block.kind]))
        parts.append((mask, block.top_col[slots] * 2 + block.kind, values))
    mask = np.concatenate([p[0] for p in parts], axis=1)
    cols = np.concatenate([p[1] for p in parts], axis=1)[mask]
    values = np.concatenate([p[2] for p in parts], axis=1)[mask]
    width = 2 * max(len(b.columns) for b in state.blocks)
    return sp.csr_matrix((values, cols, np.concatenate([[0], np.cumsum(mask.sum(axis=1))])), shape=(len(slots), width))


def day_number(date: str) -> float:
    """Days since year 1 of an ISO date (its first 10 characters), NaN when unknown."""
    try:
        return float(dt.date.fromisoformat(date[:10]).toordinal())
    except ValueError:
        return math.nan


# --- nearest articles -------------------------------------------------------------------------------------

def _find_nearest(state: LinkState, slots: IntArray, chunk: int | None = None) -> None:
    """The slots' nearest articles, from their products with the index, a chunk of slots at a time (a chunk's
    product has a column per article, so by default the chunk shrinks as the digest grows: at 10,000 articles
    1,024 rows took 66 MB above the step's start, 256 rows 27 MB, in the same time)."""
    options, per_article = state.options, _per_article(state.options, state.scoring)
    chunk = chunk or max(16, min(256, _PRODUCT_ROWS_TIMES_ARTICLES // max(state.n_docs, 1)))
    state.near_b[slots] = -1
    for start in range(0, len(slots), chunk):
        part = slots[start:start + chunk]
        found = nearest(state.index.products(state.index.rows(part)), part, state.days, state.slug_order,
                        state.scoring, min(options.threshold, options.story_threshold), per_article)
        _put_nearest(state, found)


def _put_nearest(state: LinkState, found: Pairs) -> None:
    place = np.arange(len(found.a)) - np.searchsorted(found.a, found.a, side="left")
    state.near_b[found.a, place] = found.b
    state.near_score[found.a, place] = found.score
    state.near_similarity[found.a, place] = found.similarity


def _near_pairs(state: LinkState, slots: IntArray) -> IntArray:
    """(a, b) for each of the slots' nearest, as rows of an array."""
    near = state.near_b[slots]
    rows = np.repeat(slots, (near >= 0).sum(axis=1))
    return np.stack([rows, near[near >= 0]], axis=1).reshape(-1, 2)


def _same_text(state: LinkState, a: IntArray, b: IntArray) -> BoolArray:
    """Whether each pair's texts are the same report: the estimated Jaccard similarity of their 5-word
    shingles (MinHash signatures) is at least duplicate_threshold."""
    agree = np.empty(len(a))
    for start in range(0, len(a), _PAIRS_AT_ONCE):  # the pairs' signatures side by side
        part = slice(start, start + _PAIRS_AT_ONCE)
        agree[part] = (state.signatures[a[part]] == state.signatures[b[part]]).mean(axis=1)
    same: BoolArray = (agree >= state.options.duplicate_threshold) & state.has_text[a] & state.has_text[b]
    return same


# --- related pieces ---------------------------------------------------------------------------------------

def _relate(state: LinkState, slots: IntArray, fresh: set[int]) -> None:
    """The slots' related pieces: their nearest scoring at least threshold, the best `related`, each with its
    reasons. Reasons of a pair neither of whose articles is in fresh are taken from the last related pieces."""
    options = state.options
    near, score = state.near_b[slots], state.near_score[slots]
    shown = (near >= 0) & (score >= options.threshold)
    shown &= np.cumsum(shown, axis=1) <= options.related  # scores fall along a row: the first `related` of them
    rows = np.repeat(slots, shown.sum(axis=1))
    others, scores = near[shown], score[shown]
    slugs = [_doc(state, j).slug for j in others.tolist()]
    known: dict[int, dict[str, tuple[str, ...]]] = {}  # slot -> {slug: reasons} of its last related pieces

    def last_reasons(i: int, slug: str) -> tuple[str, ...] | None:
        if i not in known:
            known[i] = {item.slug: item.reasons for item in state.related.get(i, ())}
        return known[i].get(slug)

    reasons: list[tuple[str, ...] | None] = []
    for i, j, slug in zip(rows.tolist(), others.tolist(), slugs):
        if i in fresh or j in fresh:
            reasons.append(None)
        else:  # either way round: a pair's reasons are symmetric
            found = last_reasons(i, slug)
            reasons.append(found if found is not None else last_reasons(j, _doc(state, i).slug))
    missing = [k for k, r in enumerate(reasons) if r is None]
    if missing:
        for k, worked_out in zip(missing, pair_reasons(state, rows[missing], others[missing])):
            reasons[k] = worked_out
    made: dict[int, list[Related]] = {i: [] for i in slots.tolist()}
    for i, j, slug, s, why in zip(rows.tolist(), others.tolist(), slugs, scores.tolist(), reasons):
        assert why is not None
        made[i].append(Related(slug, round(s, 4), why, j in state.duplicates_of.get(i, ())))
    for i, items in made.items():
        state.related[i] = tuple(items)


def pair_reasons(state: LinkState, a: IntArray, b: IntArray, chunk: int = 8192) -> list[tuple[str, ...]]:
    """What each pair shares, strongest first: named things, then content words to fill up to REASONS.

    Strength is the pair's product of (unnormalised) weights times rarity: in a digest where every
    article names India and Russia, "Lavrov" says more about why two of them go together. Pairs are
    read a chunk at a time (each pair's reasons are its own).
    """
    if len(a) > chunk:
        return [why for start in range(0, len(a), chunk)
                for why in pair_reasons(state, a[start:start + chunk], b[start:start + chunk], chunk)]
    names_block, words_block = state.blocks
    names, name_ids = _shared(state, names_block, a, b, REASONS)
    words, word_ids = _shared(state, words_block, a, b, REASONS * 2)
    name_keys = names_block.columns.terms
    word_keys = words_block.columns.terms
    display = state.names.display
    reasons = []
    for shared_names, shared_words in zip(names, words):
        keys = [name_keys[name_ids[c]] for c in shared_names]
        shown = [display.get(k, k) for k in keys]
        taken = set(keys)
        for c in shared_words:
            if len(shown) >= REASONS:
                break
            word = word_keys[word_ids[c]]
            if word not in taken:  # "Russia" the name already says "russia" the word
                shown.append(word)
        reasons.append(tuple(shown))
    return reasons


def _shared(state: LinkState, block: Block, a: IntArray, b: IntArray, limit: int) -> tuple[list[list[int]], IntArray]:
    """shared_features of the pairs over the block's index (in term order), and the term id of each column."""
    slots, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    matrix, used = block.columns.in_term_order(block.index_rows(slots, block.top_raw))
    boost = rarity(block.index_df[used], state.n_docs, state.scoring)
    return shared_features(matrix, inverse[:len(a)], inverse[len(a):], limit, boost=boost), used


# --- stories ----------------------------------------------------------------------------------------------

def _story_edges(state: LinkState, slots: IntArray) -> tuple[IntArray, IntArray]:
    """The story edges (a, b) from the slots: b similar at least story_threshold with each among the other's
    nearest, or a near-duplicate.

    Asking for both directions keeps one article that touches two stories (a follow-up that
    shares part of the cast) from chaining them into one. Time apart does not count here: a
    story may unfold over years; it only orders each article's nearest.
    """
    near = state.near_b[slots]
    strong = (near >= 0) & (state.near_similarity[slots] >= state.options.story_threshold)
    a, b = np.repeat(slots, strong.sum(axis=1)), near[strong]
    mutual = (state.near_b[b] == a[:, None]).any(axis=1)  # the same similarity either way: exact sums
    dup = [(i, j) for i in slots.tolist() for j in state.duplicates_of.get(i, ())]
    dup_a, dup_b = np.array(dup, dtype=np.int64).reshape(-1, 2).T
    return np.concatenate([a[mutual], dup_a]), np.concatenate([b[mutual], dup_b])


def _regroup_all(state: LinkState) -> None:
    """The stories of the whole corpus: connected groups of two or more (scipy's connected components)."""
    n = state.near_b.shape[0]
    pairs = _near_pairs(state, np.arange(n, dtype=np.int64))
    similarity = state.near_similarity[state.near_b >= 0]
    a, b = pairs[:, 0], pairs[:, 1]
    strong = similarity >= state.options.story_threshold
    a, b = a[strong], b[strong]
    mutual = np.isin(a * n + b, b * n + a) & (a < b)
    dup = np.array(sorted((i, j) for i, js in state.duplicates_of.items() for j in js if i < j), dtype=np.int64).reshape(-1, 2)
    rows = np.concatenate([a[mutual], dup[:, 0]])
    cols = np.concatenate([b[mutual], dup[:, 1]])
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    members: dict[int, list[int]] = defaultdict(list)
    for i in sorted(state.slot_of.values()):
        members[int(label[i])].append(i)
    _make_groups(state, [m for m in members.values() if len(m) > 1])


def _regroup(state: LinkState, touched: set[int]) -> tuple[set[int], dict[tuple[str, ...], Story], bool]:
    """Bring the stories up to date after the story edges of the touched slots may have changed: the groups of
    the articles reachable from them or from their groups' other articles are drawn again; the other groups
    are as they were (their edges did not change, so they are still connected). The numbers of the groups
    made (or made again), the stories of the groups they replace (by their articles), and whether the groups
    are not the same (the same articles in the same order) as those they replace: then ids may change."""
    starts = set(touched)
    for slot in touched:
        if slot in state.group_of:
            starts |= set(state.groups[state.group_of[slot]].members)
    frontier = np.array(sorted(s for s in starts if state.docs[s] is not None), dtype=np.int64)
    seen = set(frontier.tolist())
    edges_a, edges_b = [], []
    while len(frontier):
        a, b = _story_edges(state, frontier)
        edges_a.append(a)
        edges_b.append(b)
        frontier = np.array(sorted(set(b.tolist()) - seen), dtype=np.int64)
        seen |= set(frontier.tolist())
    vertices = np.array(sorted(seen), dtype=np.int64)
    found: list[list[int]] = []
    if len(vertices):
        a, b = np.searchsorted(vertices, np.concatenate(edges_a)), np.searchsorted(vertices, np.concatenate(edges_b))
        graph = sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(len(vertices), len(vertices)))
        _, label = connected_components(graph, directed=False)
        members: dict[int, list[int]] = defaultdict(list)
        for slot, number in zip(vertices.tolist(), label.tolist()):
            members[number].append(slot)
        found = [m for m in members.values() if len(m) > 1]
    old_groups = {state.group_of[slot] for slot in seen | starts if slot in state.group_of}
    before = {story.articles: story for k in old_groups if (story := state.groups[k].story) is not None}
    for number in old_groups:
        for slot in state.groups[number].members:
            if state.group_of.get(slot) == number:
                del state.group_of[slot]
        del state.groups[number]
    made = _make_groups(state, found)
    return made, before, {state.groups[k].slugs for k in made} != before.keys()


def _make_groups(state: LinkState, groups: Sequence[Sequence[int]]) -> set[int]:
    """Groups of slots as stories (their ids aside): members in date order, terms, timeline, entries."""
    ordered = [tuple(sorted(g, key=lambda i: date_order(_doc(state, i)))) for g in groups]
    numbers = set()
    for group, terms in zip(ordered, _group_terms(state, ordered)):
        number = state.next_group
        state.next_group += 1
        slugs = {i: _doc(state, i).slug for i in group}
        state.groups[number] = Group(
            members=group, slugs=tuple(slugs[i] for i in group), terms=tuple(terms),
            timeline=story_timeline([_doc(state, i) for i in group], [state.annotations[i] for i in group]),
            entries=story_entries(group, slugs, state.duplicates_of),
            latest=max(_doc(state, i).date for i in group))
        for i in group:
            state.group_of[i] = number
        numbers.add(number)
    return numbers


def _group_terms(state: LinkState, groups: Sequence[Sequence[int]]) -> list[list[str]]:
    """The names most of each group's articles share (digest.link_stories.story_terms), as shown."""
    if not groups:
        return []
    block = state.blocks[0]
    slots, inverse = np.unique(np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]), return_inverse=True)
    matrix, used = block.columns.in_term_order(block.index_rows(slots, block.top_weight))
    local, start = [], 0
    for g in groups:
        local.append(inverse[start:start + len(g)].tolist())
        start += len(g)
    keys = block.columns.terms
    display = state.names.display
    return [[display.get(keys[used[c]], keys[used[c]]) for c in cols] for cols in story_terms(matrix, local)]


def _doc(state: LinkState, slot: int) -> Document:
    doc = state.docs[slot]
    assert doc is not None
    return doc


def _assign_ids(state: LinkState, made: set[int], before: Mapping[tuple[str, ...], Story] = {}) -> None:
    """Story ids for every group (digest.story_ids: they depend on all groups), and the Story objects of the
    groups made and of those whose id changed (before: the stories of groups made again, by their articles)."""
    numbers = sorted(state.groups)
    ids = assign_story_ids([state.groups[k].slugs for k in numbers], state.known)
    for number, story_id in zip(numbers, ids):
        group = state.groups[number]
        if number in made or group.story is None or group.story.id != story_id:
            _make_story(state, number, story_id, before.get(group.slugs))


def _make_story(state: LinkState, number: int, story_id: str, before: Story | None = None) -> None:
    """The group's Story under story_id: the one before when equal (digest serve's render memo knows it)."""
    group = state.groups[number]
    title = state.options.story_titles.get(story_id) or title_from(group.terms) or _doc(state, group.members[0]).title
    story = Story(id=story_id, title=title, articles=group.slugs, timeline=group.timeline, entries=group.entries,
                  terms=group.terms)
    group.story = before if story == before else story


def _links(state: LinkState, changed: Iterable[int] = (), added_or_removed: bool = True,
           duplicates_changed: bool = True, known_changed: bool = True) -> Links:
    """The Links of the state: new dicts each time (the last Links stay as they were), made from the last
    ones where only a few entries changed (the related pieces of the changed slots)."""
    last = state.links
    if added_or_removed:
        related = {slug: state.related[state.slot_of[slug]] for slug in state.sorted_slugs}
    else:
        related = dict(last.related)
        for slot in changed:
            related[_doc(state, slot).slug] = state.related[slot]
    groups = sorted(state.groups.values(), key=lambda g: (g.latest, g.story.id if g.story else ""), reverse=True)
    stories = tuple(g.story for g in groups if g.story is not None)  # newest story first, like the article list
    if not known_changed and len(stories) == len(last.stories) and all(a is b for a, b in zip(stories, last.stories)):
        stories, story_of, moved = last.stories, dict(last.story_of), dict(last.moved_stories)
    else:
        story_of = {slug: story.id for story in stories for slug in story.articles}
        moved = moved_ids(state.known, story_of)
    if duplicates_changed or added_or_removed:
        duplicates = dict(sorted((_doc(state, i).slug, tuple(sorted(_doc(state, j).slug for j in others)))
                                 for i, others in state.duplicates_of.items()))
    else:
        duplicates = dict(last.duplicates)
    resolved = sorted(state.read_more.resolved, key=lambda slot: int(state.slug_order[slot]))
    return Links(related=related, stories=stories, story_of=story_of, references=state.read_more.references(resolved),
                 duplicates=duplicates, moved_stories=moved)


# --- edits --------------------------------------------------------------------------------------------------

@with_cycle_collector_paused
def update_links(state: LinkState, changed: Mapping[str, Article | None],
                 known_stories: Mapping[str, Sequence[str] | str] = {}) -> tuple[LinkState, Links]:
    """The state and Links after the articles in changed were added or changed (their new document, terms and
    annotations) or removed (None); every other article is as in state. The state given is used up."""
    for slug, new in changed.items():
        if new is not None and new[0].slug != slug:
            raise ValueError(f"update_links: the document given for {slug!r} has the slug {new[0].slug!r}")
    edits = {slug: new for slug, new in changed.items() if not _same_article(state, slug, new)}
    n_after = state.n_docs + sum((new is not None) - (slug in state.slot_of) for slug, new in edits.items())
    bits = state.scoring.article_bits
    if float(rounded_count(n_after, bits)) != float(rounded_count(state.n_docs, bits)):
        return _start_again(state, edits, known_stories)  # every weight changes
    known_changed = known_stories != state.known
    state.known = dict(known_stories)  # (a copy: the caller's may change)
    if not edits:
        if known_changed:
            _assign_ids(state, set())
            state.links = _links(state, added_or_removed=False, duplicates_changed=False)  # (the known ids changed)
        return state, state.links

    # The articles, and the vocabulary.
    state.names.change([t for slug in edits if slug in state.slot_of if (t := state.terms[state.slot_of[slug]]) is not None],
                       [new[1] for new in edits.values() if new is not None])
    terms_before = {slot: state.terms[slot] for slug in edits
                    for slot in ([state.slot_of[slug]] if slug in state.slot_of else [])}
    docs_changed = _apply_articles(state, edits)
    names = state.names.decide()
    edited = np.array(sorted(docs_changed), dtype=np.int64)
    n = state.n_docs

    # Counts, weights, each article's top features, the index.
    recount = set(docs_changed) | _holding_spellings(state, names.spellings, set(docs_changed))
    for slot in docs_changed:
        terms_before.setdefault(slot, None)  # a slot that was free

    def canonical_before(spelling: str) -> str | None:
        return names.spellings[spelling] if spelling in names.spellings else state.names.canonical.get(spelling)

    changed_rows: list[set[int]] = []  # per block: rows whose index entries changed
    reason_rows: set[int] = set()  # rows whose index terms or raw weights changed: their reasons are made again
    rarer: list[IntArray] = []  # per block: terms whose rarity changed
    reweighed = [_recount(state, block, sorted(recount), terms_before, canonical_before) for block in state.blocks]
    if len(reweighed[0] | reweighed[1]) > n * _MOST_REWEIGHED:
        return _start_again(state, edits, known_stories)  # cheaper than following the change
    for block, slots in zip(state.blocks, reweighed):
        rows, raw_rows, rarity_cols = _reweigh(state, block, slots, n)
        changed_rows.append(rows)
        reason_rows |= raw_rows
        rarer.append(rarity_cols)
    state.index.widen(2 * max(len(b.columns) for b in state.blocks))
    moved = changed_rows[0] | changed_rows[1] | set(docs_changed)
    moved_slots = np.array(sorted(moved), dtype=np.int64)
    stacked = _stacked_rows(state, moved_slots)
    for k, slot in enumerate(moved_slots.tolist()):
        part = slice(stacked.indptr[k], stacked.indptr[k + 1])
        state.index.set(slot, stacked.indices[part].astype(np.int64), stacked.data[part])

    # Nearest articles, near-duplicates.
    relisted, before, after = _update_nearest(state, moved_slots)
    duplicated = _recheck_duplicates(state, np.concatenate([before, after]), edited)

    # Related pieces, stories, Read More.
    names_block = state.blocks[0]
    shown_cols = [names_block.columns.ids[k] for k in names.shown if k in names_block.columns.ids]
    renamed_rows = set(state.index.holding(np.array(shown_cols, dtype=np.int64) * 2).tolist()) if shown_cols else set()
    rarer_rows = set()
    for block, cols in zip(state.blocks, rarer):
        if len(cols):
            rarer_rows |= set(state.index.holding(cols * 2 + block.kind).tolist())
    fresh = reason_rows | renamed_rows | rarer_rows | set(docs_changed)
    for slot in docs_changed:
        if state.docs[slot] is None:
            state.related.pop(slot, None)
    shown = state.options.related
    fresh_flags = np.zeros(state.near_b.shape[0] + 1, dtype=bool)
    fresh_flags[list(fresh)] = True
    relate = set(relisted) | duplicated | fresh | set(np.flatnonzero(fresh_flags[state.near_b[:, :shown]].any(axis=1)).tolist())
    relate = {s for s in relate if state.docs[s] is not None}
    _relate(state, np.array(sorted(relate), dtype=np.int64), fresh)
    touched = set(relisted) | duplicated | set(docs_changed) | changed_rows[0] | renamed_rows
    made, before_stories, regrouped = _regroup(state, touched)
    if regrouped or known_changed:
        _assign_ids(state, made, before_stories)
    else:
        for number in made:
            old = before_stories[state.groups[number].slugs]
            _make_story(state, number, old.id, old)
    state.read_more.update(docs_changed, lambda s: int(state.slug_order[s]))
    removed = {slot for slot, doc in docs_changed.items() if doc is None}
    added_or_removed = bool(removed) or any(state.links.related.get(doc.slug) is None
                                            for doc in docs_changed.values() if doc is not None)
    state.index.settle()
    state.links = _links(state, relate | set(docs_changed) - removed, added_or_removed,
                         duplicates_changed=bool(duplicated), known_changed=known_changed)
    return state, state.links


def _apply_articles(state: LinkState, edits: Mapping[str, Article | None]) -> dict[int, Document | None]:
    """Put the edits in the state's article lists (removals first: their slots go to the articles added);
    {slot: its document now, None when free}."""
    touched: dict[int, Document | None] = {}
    for slug, new in edits.items():
        if new is None and slug in state.slot_of:
            slot = state.slot_of.pop(slug)
            state.docs[slot] = state.terms[slot] = state.annotations[slot] = None
            place = bisect_left(state.sorted_slugs, slug)
            del state.sorted_slugs[place]
            state.slug_order[state.slug_order > place] -= 1
            state.slug_order[slot] = -1
            state.has_text[slot] = False
            state.free.append(slot)
            touched[slot] = None
    for slug, new in edits.items():
        if new is None:
            continue
        doc, terms, annotations = new
        if slug in state.slot_of:
            slot = state.slot_of[slug]
        else:
            slot = _take_slot(state)
            state.slot_of[slug] = slot
            place = bisect_left(state.sorted_slugs, slug)
            state.sorted_slugs.insert(place, slug)
            state.slug_order[state.slug_order >= place] += 1
            state.slug_order[slot] = place
        state.docs[slot], state.terms[slot], state.annotations[slot] = doc, terms, annotations
        state.days[slot] = day_number(doc.date)
        state.signatures[slot] = np.frombuffer(terms.signature or bytes(8 * SIGNATURE_SIZE), dtype="<u8")
        state.has_text[slot] = bool(terms.signature)
        touched[slot] = doc
    return touched


def _take_slot(state: LinkState) -> int:
    """A free slot, the arrays grown if there is none (by a quarter: adding articles one by one stays cheap)."""
    if state.free:
        return state.free.pop()
    slot = len(state.docs)
    state.docs.append(None)
    state.terms.append(None)
    state.annotations.append(None)
    if slot >= len(state.days):
        more = max(16, len(state.days) // 4)

        def grown(array: NDArray[Any], fill: object) -> NDArray[Any]:
            return np.concatenate([array, np.full((more, *array.shape[1:]), fill, dtype=array.dtype)])

        state.slug_order = grown(state.slug_order, -1)
        state.days = grown(state.days, math.nan)
        state.signatures = grown(state.signatures, 0)
        state.has_text = grown(state.has_text, False)
        state.near_b = grown(state.near_b, -1)
        state.near_score = grown(state.near_score, 0.0)
        state.near_similarity = grown(state.near_similarity, 0.0)
        for block in state.blocks:
            block.top_col = grown(block.top_col, -1)
            block.top_weight = grown(block.top_weight, 0.0)
            block.top_raw = grown(block.top_raw, 0.0)
    return slot


def _holding_spellings(state: LinkState, spellings: Iterable[str], known: set[int]) -> set[int]:
    """The articles that name any of the spellings (those renamed by the vocabulary), besides those in known."""
    wanted = set(spellings)
    counts = state.names.spelling_df
    inside = sum(1 for slot in known for s in wanted if (t := state.terms[slot]) is not None and s in t.names)
    if inside == sum(counts.get(s, 0) for s in wanted):
        return set()  # only the edited articles have them
    return _holding(state, wanted, "names") - known


def _holding_terms(state: LinkState, block: Block, cols: IntArray) -> set[int]:
    """The articles whose counts have any of the block's terms (their terms read again: no index of counts is kept)."""
    if len(cols) == 0:
        return set()
    terms = block.columns.terms
    if block.kind == 1:
        return _holding(state, {terms[c] for c in cols.tolist()}, "words")
    return _holding(state, {s for c in cols.tolist() for s in state.names.spellings_named.get(terms[c], ())}, "names")


def _holding(state: LinkState, keys: set[str], field: str) -> set[int]:
    """The articles whose terms' names or words (field) have any of the keys: for a few keys a look-up per key
    and article, for many one walk through each article's terms (what set.isdisjoint does with a dict)."""
    if len(keys) > 8:
        return {slot for slot, t in enumerate(state.terms) if t is not None and not keys.isdisjoint(getattr(t, field))}
    found: set[int] = set()
    for key in keys:
        found.update(slot for slot, t in enumerate(state.terms) if t is not None and key in getattr(t, field))
    return found


def _row_counts(state: LinkState, block: Block, terms: ArticleTerms | None,
                canonical: Callable[[str], str | None]) -> dict[str, float]:
    """An article's counts in the block, by term (names: by the canonical key each spelling has under canonical)."""
    if terms is None:
        return {}
    if block.kind == 1:
        return {w: float(n) for w, n in terms.words.items()}
    counts: dict[str, float] = {}
    for surface, n in terms.names.items():
        key = canonical(surface)
        if key is not None:
            counts[key] = counts.get(key, 0.0) + n
    return counts


def _recount(state: LinkState, block: Block, slots: Sequence[int], before: Mapping[int, ArticleTerms | None],
             canonical_before: Callable[[str], str | None]) -> set[int]:
    """Count the slots' terms again (before: their terms before the edits, where they changed); the rows to weigh
    again: these, and every row with a term whose document frequency changed as the weights see it (rounded,
    or whether any other article has it)."""
    rows = [_row_counts(state, block, state.terms[slot], state.names.canonical.get) for slot in slots]
    old_rows = [_row_counts(state, block, before[slot] if slot in before else state.terms[slot], canonical_before)
                for slot in slots]
    block.columns.add(t for row in rows for t in row)
    grow = len(block.columns) - len(block.df)
    if grow:
        block.df, block.kept_df, block.index_df = (np.concatenate([a, np.zeros(grow, np.int64)])
                                                   for a in (block.df, block.kept_df, block.index_df))
        block.dropped = np.concatenate([block.dropped, np.zeros(grow, dtype=bool)])
    before_df = block.df.copy()
    ids = block.columns.ids
    for old, row in zip(old_rows, rows):
        block.df[[ids[t] for t in old]] -= 1
        block.df[[ids[t] for t in row]] += 1
    moved = np.flatnonzero(block.df != before_df)
    bits = state.scoring.count_bits
    reweighed = moved[(rounded_count(block.df[moved], bits) != rounded_count(before_df[moved], bits))
                      | ((block.df[moved] >= 2) != (before_df[moved] >= 2))]
    return set(slots) | _holding_terms(state, block, reweighed)


def _reweigh(state: LinkState, block: Block, slots_set: set[int], n: int) -> tuple[set[int], set[int], IntArray]:
    """Weigh the rows again and follow the change through the index: (rows whose index entries changed, rows
    whose index terms or raw weights changed, terms whose rarity changed)."""
    slots = np.array(sorted(slots_set), dtype=np.int64)
    old_col, old_weight, old_raw = block.top_col[slots].copy(), block.top_weight[slots].copy(), block.top_raw[slots].copy()
    _put_top(block, slots, *_weigh(state, block, slots, n, state.scoring))
    np.subtract.at(block.kept_df, old_col[old_col >= 0], 1)
    np.add.at(block.kept_df, block.top_col[slots][block.top_col[slots] >= 0], 1)
    old_dropped = block.dropped.copy()
    cut = drop_cut(block.kept_df, n, state.scoring)
    looked_at = np.unique(np.concatenate([old_col[old_col >= 0], block.top_col[slots][block.top_col[slots] >= 0]]))
    if cut != block.cut:
        looked_at = np.arange(len(block.dropped))
        block.cut = cut
    block.dropped[looked_at] = rounded_count(block.kept_df[looked_at], state.scoring.drop_bits) >= cut
    toggled = np.flatnonzero(block.dropped != old_dropped)
    others = np.zeros(0, np.int64)
    if len(toggled):  # rows with such a term in their top have it in their index now, or no longer
        flag = np.zeros(len(block.dropped) + 1, dtype=bool)
        flag[toggled] = True
        others = np.setdiff1d(np.flatnonzero(flag[block.top_col].any(axis=1)), slots)
    every = np.concatenate([slots, others])
    before_col = np.concatenate([old_col, block.top_col[others]])
    before_weight = np.concatenate([old_weight, block.top_weight[others]])
    before_raw = np.concatenate([old_raw, block.top_raw[others]])
    old_mask = block.index_mask(every, before_col, old_dropped)
    new_mask = block.index_mask(every)
    np.subtract.at(block.index_df, before_col[old_mask], 1)
    np.add.at(block.index_df, block.top_col[every][new_mask], 1)
    old_index = _packed(old_mask, before_col, before_weight, before_raw)
    new_index = _packed(new_mask, block.top_col[every], block.top_weight[every], block.top_raw[every])
    same_terms = (old_index[0] == new_index[0]).all(axis=1)
    changed = ~(same_terms & (old_index[1] == new_index[1]).all(axis=1))
    raw_changed = ~(same_terms & (old_index[2] == new_index[2]).all(axis=1))
    index_cols = np.unique(np.concatenate([before_col[old_mask], block.top_col[every][new_mask]]))
    bits = state.scoring.count_bits
    old_df = block.index_df[index_cols].copy()
    np.add.at(old_df, np.searchsorted(index_cols, block.top_col[every][new_mask]), -1)
    np.add.at(old_df, np.searchsorted(index_cols, before_col[old_mask]), 1)
    rarer = index_cols[rounded_count(old_df, bits) != rounded_count(block.index_df[index_cols], bits)]
    return set(every[changed].tolist()), set(every[raw_changed].tolist()), rarer


def _packed(mask: BoolArray, *arrays: NDArray[Any]) -> list[NDArray[Any]]:
    """Each row's masked entries moved to its front, in order, the rest blanked: index entries comparable row by row."""
    order = np.argsort(~mask, axis=1, kind="stable")
    kept = np.take_along_axis(mask, order, axis=1)
    return [np.where(kept, np.take_along_axis(a, order, axis=1), -1) for a in arrays]


def _update_nearest(state: LinkState, moved: IntArray) -> tuple[set[int], IntArray, IntArray]:
    """Bring the nearest lists up to date after the moved rows changed (their index rows, their dates, or their
    articles went); the rows whose lists changed, and their (a, b) pairs before and after.

    A moved row's list is made again from its products. Any other row can only have gained or lost moved
    articles: its list is the best of its old list without them and of their new scores with it (the moved
    rows' own products give those: similarities are symmetric and exact). That is its true list unless the
    old list was full and fewer than its length stay above where it ended; such rows are made again too.
    """
    options, per_article = state.options, _per_article(state.options, state.scoring)
    min_score = min(options.threshold, options.story_threshold)
    moved_flags = np.zeros(state.near_b.shape[0] + 1, dtype=bool)  # the last stands for -1: no article
    moved_flags[moved] = True
    live = np.array([s for s in moved.tolist() if state.docs[s] is not None], dtype=np.int64)
    product = state.index.products(state.index.rows(live)) if len(live) else sp.coo_matrix((0, state.near_b.shape[0]))
    # The moved articles' new scores with every other article, seen from the other article's row.
    outside = (product.data >= min_score) & ~moved_flags[product.col]
    other, mover, similarity = product.col[outside].astype(np.int64), live[product.row[outside]], product.data[outside]
    listing = np.flatnonzero(moved_flags[state.near_b].any(axis=1))
    merged = np.setdiff1d(np.union1d(listing, other), moved)
    involved = np.union1d(merged, moved)
    old = state.near_b[involved].copy(), state.near_score[involved].copy(), state.near_similarity[involved].copy()
    # The moved rows' own lists.
    state.near_b[moved] = -1
    if len(live):
        _put_nearest(state, nearest(product, live, state.days, state.slug_order, state.scoring, min_score, per_article))
    # The other rows: their old lists without the moved articles, and the moved articles' new scores.
    kept_b, kept_score, kept_similarity = state.near_b[merged], state.near_score[merged], state.near_similarity[merged]
    kept = (kept_b >= 0) & ~moved_flags[kept_b]
    a = np.concatenate([np.repeat(merged, kept.sum(axis=1)), other])
    b = np.concatenate([kept_b[kept], mover])
    scores = np.concatenate([kept_score[kept], np.round(similarity * date_factor(state.days[other], state.days[mover], state.scoring), 6)])
    similarities = np.concatenate([kept_similarity[kept], np.round(similarity, 6)])
    order = ranked(a, scores, state.slug_order[b])
    a, b, scores, similarities = a[order], b[order], scores[order], similarities[order]
    rank = np.arange(len(a)) - np.searchsorted(a, a, side="left")
    best = rank < per_article
    found = Pairs(a[best], b[best], scores[best], similarities[best])
    last_b, last_score = kept_b[:, -1].copy(), kept_score[:, -1].copy()  # the old last entries (full lists only)
    state.near_b[merged] = -1
    _put_nearest(state, found)
    # Exact when the old list was not full (no other article scored enough), or when the new list is full and
    # ends at or above where the old one ended: all the articles never listed rank below that.
    new_b, new_last = state.near_b[merged, -1], state.near_score[merged, -1]
    level = (new_last == last_score) & (state.slug_order[new_b] <= state.slug_order[last_b]) & (state.slug_order[last_b] >= 0)
    exact = (last_b < 0) | ((new_b >= 0) & ((new_last > last_score) | level))
    again = merged[~exact]
    if len(again):
        _find_nearest(state, again)
    changed = ((state.near_b[involved] != old[0]) | (state.near_score[involved] != old[1])
               | (state.near_similarity[involved] != old[2])).any(axis=1)
    rows = involved[changed]
    before = old[0][changed]
    pairs_before = np.stack([np.repeat(rows, (before >= 0).sum(axis=1)), before[before >= 0]], axis=1).reshape(-1, 2)
    return set(rows.tolist()), pairs_before, _near_pairs(state, rows)


def _recheck_duplicates(state: LinkState, pairs: IntArray, edited: IntArray) -> set[int]:
    """Whether each of the pairs (those a changed list held, before or after, and every pair an edited article
    is in: its text, so its signature, may have changed when its terms and lists did not) is a near-duplicate
    now; the articles whose duplicates changed. A pair is compared when either lists the other (as link_state
    does)."""
    extra = [(slot, other) for slot in edited.tolist() for other in state.duplicates_of.get(slot, ())]
    flags = np.zeros(state.near_b.shape[0] + 1, dtype=bool)
    flags[edited] = True
    listed_with = np.argwhere(flags[state.near_b])  # (row, place) of every list entry that is an edited article
    pairs = np.concatenate([pairs, np.array(extra, dtype=np.int64).reshape(-1, 2), _near_pairs(state, edited),
                            np.stack([listed_with[:, 0], state.near_b[listed_with[:, 0], listed_with[:, 1]]], axis=1)])
    if len(pairs) == 0:
        return set()
    width = np.int64(state.near_b.shape[0])
    codes = np.unique(pairs.min(axis=1) * width + pairs.max(axis=1))
    a, b = codes // width, codes % width
    live = state.slug_order >= 0
    listed = live[a] & live[b] & ((state.near_b[a] == b[:, None]).any(axis=1) | (state.near_b[b] == a[:, None]).any(axis=1))
    same = np.zeros(len(a), dtype=bool)
    same[listed] = _same_text(state, a[listed], b[listed])
    known = np.array([i * width + j for i, others in state.duplicates_of.items() for j in others if i < j], dtype=np.int64)
    changed = same != np.isin(codes, known)
    touched = set()
    for i, j, now in zip(a[changed].tolist(), b[changed].tolist(), same[changed].tolist()):
        touched |= {i, j}
        for x, y in ((i, j), (j, i)):
            if now:
                state.duplicates_of.setdefault(x, set()).add(y)
            else:
                state.duplicates_of[x].discard(y)
                if not state.duplicates_of[x]:
                    del state.duplicates_of[x]
    return touched


def _same_article(state: LinkState, slug: str, new: Article | None) -> bool:
    slot = state.slot_of.get(slug)
    if slot is None:
        return new is None
    if new is None:
        return False
    doc, terms, annotations = new
    return doc == state.docs[slot] and terms == state.terms[slot] and annotations == state.annotations[slot]


def _start_again(state: LinkState, edits: Mapping[str, Article | None],
                 known_stories: Mapping[str, Sequence[str] | str]) -> tuple[LinkState, Links]:
    """link_state of the corpus after the edits (when they change every weight: the rounded number of articles)."""
    articles: dict[str, tuple[Document, ArticleTerms, Annotations | None]] = {}
    for slug, slot in state.slot_of.items():
        doc, terms = state.docs[slot], state.terms[slot]
        assert doc is not None and terms is not None
        articles[slug] = (doc, terms, state.annotations[slot])
    for slug, new in edits.items():
        if new is None:
            articles.pop(slug, None)
        else:
            articles[slug] = new
    return link_state([d for d, _, _ in articles.values()], {s: t for s, (_, t, _) in articles.items()},
                      {s: a for s, (_, _, a) in articles.items() if a is not None}, state.options, state.aliases,
                      known_stories, scoring=state.scoring)
