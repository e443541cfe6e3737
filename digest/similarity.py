"""Article similarity at corpus scale: sparse TF-IDF vectors, an inverted index, top-k per article.

    score(a, b) = (name_weight * cos(names_a, names_b) + (1 - name_weight) * cos(words_a, words_b))
                  * date_factor(|date_a - date_b|)

Both cosines come from one sparse product X @ X.T over the stacked, weighted vectors (scipy
multiplies through the column index: the inverted index), a chunk of rows at a time. Each
article keeps only its strongest features, so common words never make the product dense.
No Python loop runs over pairs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import chain, repeat
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from digest.link_terms import ArticleTerms, Vocabulary

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Features:
    """Row i is article i: each article's strongest names and content words, TF-IDF weighted,
    each block L2-normalised, so names @ names.T is a cosine over the kept features."""

    names: sp.csr_matrix
    words: sp.csr_matrix
    name_keys: tuple[str, ...]
    word_keys: tuple[str, ...]


@dataclass(frozen=True)
class Pairs:
    """Scored article pairs (a, b), a != b, sorted by a then by score, best first."""

    a: IntArray
    b: IntArray
    score: FloatArray  # similarity times the date factor: what related pieces are ranked by
    similarity: FloatArray  # without the date factor: what stories are joined by


@dataclass(frozen=True)
class Scoring:
    name_weight: float = 0.5  # share of the score from named things (the rest from content words)
    date_weight: float = 0.25  # how much distance in time can lower a score (0: dates ignored)
    date_scale_days: float = 180.0  # at this distance the date factor is halfway down
    index_names: int = 30  # strongest names kept per article
    index_words: int = 60  # strongest content words kept per article
    work_per_article: float = 2_000  # products per article X @ X.T may cost (see _drop_most_common)


def features(terms: Sequence[ArticleTerms], vocab: Vocabulary, scoring: Scoring = Scoring()) -> Features:
    """TF-IDF matrices of the corpus: weight = (1 + ln tf) * ln(1 + N / df), rows L2-normalised,
    then only each article's strongest shared features kept (see _tfidf)."""
    # One matrix at a time, each count matrix let go once weighted: at 10,000 articles this was the step
    # of the link stage that took the most memory above its start (and 100,000 peak in the link stage).
    name_counts, name_keys = _count_matrix([t.names for t in terms], vocab.canonical)
    names = _tfidf(name_counts, scoring.index_names, NAME_PRIOR_DOCS, scoring.work_per_article)
    del name_counts
    word_counts, word_keys = _count_matrix([t.words for t in terms], None)
    words = _tfidf(word_counts, scoring.index_words, 0, scoring.work_per_article)
    return Features(names, words, name_keys, word_keys)


# A small digest is a sample of the news, not all of it: a name in every one of its five
# articles (S-400 in a digest about the S-400) is not a common word. Names count as if the
# corpus had this many more articles without them; at corpus scale it makes no difference.
NAME_PRIOR_DOCS = 50


def _count_matrix(rows: Sequence[Mapping[str, int]], rename: Mapping[str, str] | None) -> tuple[sp.csr_matrix, tuple[str, ...]]:
    """Rows of counts as a sparse matrix (keys renamed first: surface form -> canonical name; keys
    renamed to nothing dropped; counts of keys renamed alike summed) and the key of each column.

    Built from flat iterators over all rows at once, not a Python loop per entry, and as CSR
    straight away: the entries already come row by row (going through COO took three more arrays
    the size of the matrix). Columns are numbered in order of first appearance, rows keep the
    order of their dicts (the order of the text), so nothing depends on hashing.
    """
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    keys: list[str | None] = list(chain.from_iterable(rows))
    counts = np.fromiter(chain.from_iterable(r.values() for r in rows), dtype=np.float64, count=len(keys))
    if rename is not None:
        keys = list(map(rename.get, keys))  # type: ignore[arg-type]
    column = {key: i for i, key in enumerate(k for k in dict.fromkeys(keys) if k is not None)}
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
    return matrix, tuple(column)


def _tfidf(matrix: sp.csr_matrix, keep: int, prior_docs: int, work_per_article: float) -> sp.csr_matrix:
    """Counts (a matrix of the caller's, changed in place) as TF-IDF rows normalised over all their
    features, then cut to the keep strongest that another row has too.

    A feature only one article has can never be shared, so it never takes a place in the index,
    but it stays in the norm: an article mostly about other things is less similar. The result
    is a lower bound of the cosine, and keeping only strong features keeps X @ X.T sparse: a word
    every article uses has a low weight everywhere and drops out of every row.
    """
    n_docs = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    idf = np.log1p((n_docs + prior_docs) / np.maximum(df, 1.0))
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    _normalise_rows(matrix)
    matrix.data[df[matrix.indices] < 2] = 0.0
    matrix.eliminate_zeros()
    return _drop_most_common(top_per_row(matrix, keep), work_per_article)


def _drop_most_common(matrix: sp.csr_matrix, work_per_article: float) -> sp.csr_matrix:
    """matrix without its most common columns, as few as needed to bound the work of matrix @ matrix.T.

    A column in df rows costs df * df products; a corpus of n articles may spend work_per_article * n.
    The columns dropped are the least telling ones (every article that has them is a candidate),
    as search engines drop very frequent terms; their weight stays in the row norms.
    """
    df = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    budget = work_per_article * matrix.shape[0]
    by_df = np.argsort(-df, kind="stable")
    cost = df[by_df] ** 2
    over = np.cumsum(cost[::-1])[::-1] > budget  # over[i]: columns from i on still cost too much
    drop = by_df[over]
    if len(drop) == 0:
        return matrix
    out = matrix.copy()
    out.data[np.isin(out.indices, drop)] = 0.0
    out.eliminate_zeros()
    return out


def _normalise_rows(matrix: sp.csr_matrix) -> None:
    """Each row of matrix divided by its L2 norm, in place."""
    squares = np.bincount(np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr)),
                          weights=matrix.data ** 2, minlength=matrix.shape[0])
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))


def top_per_row(matrix: sp.csr_matrix, k: int, chunk: int = 4096) -> sp.csr_matrix:
    """matrix with only the k largest entries of each row kept (ties: first columns first)."""
    matrix = sp.csr_matrix(matrix)
    matrix.sum_duplicates()
    lengths = np.diff(matrix.indptr)
    long_rows = np.flatnonzero(lengths > k)
    if len(long_rows) == 0:
        return matrix
    # The k-th largest value of each long row, by a partition over rows padded to equal length,
    # a chunk of rows at a time: no Python loop over rows, no sort of the whole matrix.
    cut = np.full(matrix.shape[0], -np.inf)
    for start in range(0, len(long_rows), chunk):
        rows = long_rows[start:start + chunk]
        width = int(lengths[rows].max())
        offsets = np.arange(width)
        valid = offsets[None, :] < lengths[rows][:, None]
        padded = np.full((len(rows), width), -np.inf)
        padded[valid] = matrix.data[(matrix.indptr[rows][:, None] + offsets[None, :])[valid]]
        cut[rows] = np.partition(padded, width - k, axis=1)[:, width - k]
    # Few arrays the size of the matrix, and small ones: this runs on the whole corpus's term matrices (features).
    row_of = np.repeat(np.arange(matrix.shape[0], dtype=np.int32), lengths)
    cut_of = cut[row_of]
    keep = matrix.data > cut_of
    ties = np.flatnonzero(matrix.data == cut_of)  # at the cut: keep as many as fit, in stored order
    del cut_of
    room = k - np.bincount(row_of[keep], minlength=matrix.shape[0])
    tie_rows = row_of[ties]  # in row order, as the entries are
    tie_rank = np.arange(len(ties)) - np.searchsorted(tie_rows, tie_rows, side="left")
    keep[ties[tie_rank < room[tie_rows]]] = True
    kept_lengths = np.bincount(row_of[keep], minlength=matrix.shape[0])
    kept = sp.csr_matrix((matrix.data[keep], matrix.indices[keep], np.concatenate([[0], np.cumsum(kept_lengths)])),
                         shape=matrix.shape)
    return kept


def _order_within_rows(rows: IntArray, values: FloatArray) -> IntArray:
    """Positions sorted by row, then value descending (values >= 0); ties keep their order."""
    scale = max(1.0, float(values.max(initial=0.0)))
    order: IntArray = np.argsort(rows + (1.0 - values / scale) * 0.5, kind="stable")
    return order


def date_factor(days_a: FloatArray, days_b: FloatArray, scoring: Scoring) -> FloatArray:
    """1 for the same day, falling towards 1 - date_weight with distance; 1 when a date is unknown (no evidence)."""
    if scoring.date_weight <= 0:
        return np.ones_like(days_a)
    distance = np.abs(days_a - days_b)
    closeness = np.where(np.isnan(distance), 1.0, 0.5 ** (np.nan_to_num(distance) / scoring.date_scale_days))
    factor: FloatArray = 1.0 - scoring.date_weight * (1.0 - closeness)
    return factor


_PRODUCT_ROWS_TIMES_ARTICLES = 256 * 10_000


def similar_pairs(feats: Features, days: FloatArray, scoring: Scoring, min_score: float, per_article: int,
                  chunk: int | None = None) -> Pairs:
    """For every article, up to per_article others with a similarity of at least min_score, best score first.
    Each row's scores are its own, whatever the chunk (rows at a time). A chunk's product has a column per
    article, so by default the chunk shrinks as the digest grows: at 10,000 articles 1,024 rows took 66 MB
    above the step's start (then the peak of an edit build), 256 rows 27 MB, in the same time."""
    n = feats.names.shape[0]
    if n < 2 or per_article < 1:
        return Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    chunk = chunk or max(16, min(256, _PRODUCT_ROWS_TIMES_ARTICLES // n))
    stacked = sp.hstack([feats.names * math.sqrt(scoring.name_weight),
                         feats.words * math.sqrt(1.0 - scoring.name_weight)], format="csr")
    stacked_t = stacked.T.tocsr()
    found: list[tuple[IntArray, IntArray, FloatArray, FloatArray]] = []
    for start in range(0, n, chunk):
        product = (stacked[start:start + chunk] @ stacked_t).tocoo()
        rows = product.row.astype(np.int64) + start
        cols = product.col.astype(np.int64)
        keep = (rows != cols) & (product.data >= min_score)
        rows, cols, similarity = rows[keep], cols[keep], product.data[keep]
        values = np.round(similarity * date_factor(days[rows], days[cols], scoring), 6)
        order = _order_within_rows(rows, values)
        rows, cols, values, similarity = rows[order], cols[order], values[order], np.round(similarity[order], 6)
        rank = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
        best = rank < per_article
        found.append((rows[best], cols[best], values[best], similarity[best]))
    return Pairs(*(np.concatenate([f[i] for f in found]) for i in range(4)))


def shared_features(matrix: sp.csr_matrix, a: IntArray, b: IntArray, limit: int, square: bool = True,
                    boost: FloatArray | None = None) -> list[list[int]]:
    """For each pair, the columns both rows have, strongest shared weight (times boost) first, at most limit.
    With square=False (a == b), simply each row's strongest columns."""
    if len(a) == 0:
        return []
    both = sp.csr_matrix(matrix[a].multiply(matrix[b]) if square else matrix[a])
    if boost is not None:
        both.data = both.data * boost[both.indices]
    both = top_per_row(both, limit)
    lengths = np.diff(both.indptr)
    rows = np.repeat(np.arange(len(a), dtype=np.int64), lengths)
    order = _order_within_rows(rows, both.data)
    cols = both.indices[order].tolist()
    out: list[list[int]] = []
    start = 0
    for length in lengths.tolist():
        out.append(cols[start:start + length])
        start += length
    return out


def rarity(matrix: sp.csr_matrix) -> FloatArray:
    """ln(1 + N / df)^2 of each column: what few articles share says more about a pair (reason order)."""
    df = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    boost: FloatArray = np.log1p(matrix.shape[0] / np.maximum(df, 1.0)) ** 2
    return boost
