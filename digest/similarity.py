"""Article similarity at corpus scale: sparse TF-IDF vectors, an inverted index, top-k per article.

    score(a, b) = (name_weight * cos(names_a, names_b) + (1 - name_weight) * cos(words_a, words_b))
                  * date_factor(|date_a - date_b|)

Both cosines come from one sparse product X @ X.T over the stacked, weighted vectors (scipy
multiplies through the column index: the inverted index), a chunk of rows at a time. Each
article keeps only its strongest features, so common words never make the product dense.
No Python loop runs over pairs.

Everything here is made so that one article's change reaches as few others as it can, and so that
whatever is worked out again for a few rows is bit for bit what the whole corpus would give
(digest.link_state keeps the link stage up to date that way):

- counts of articles (document frequencies, the number of articles) go into weights rounded
  (rounded_count): exact while small, then to a few significant bits, so one more article with a
  word changes its weight only when the count crosses into the next bucket;
- index weights are kept to WEIGHT_BITS binary places, so a similarity is an exact sum: the same
  whatever order its products are added in, and whichever rows are multiplied together;
- ties are broken by the terms (their sorted order) and by the articles' slugs, never by the order
  things were found in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Scoring:
    name_weight: float = 0.5  # share of the score from named things (the rest from content words)
    date_weight: float = 0.25  # how much distance in time can lower a score (0: dates ignored)
    date_scale_days: float = 180.0  # at this distance the date factor is halfway down
    index_names: int = 30  # strongest names kept per article
    index_words: int = 60  # strongest content words kept per article
    work_per_article: float = 2_000  # products per article X @ X.T may cost (see drop_cut)
    story_neighbours: int = 10  # nearest articles each article keeps, whatever linking.related is: its candidate story edges
    count_bits: int = 4  # document frequencies: exact below 2**count_bits, then this many significant bits
    article_bits: int = 8  # the number of articles: likewise (a change of it reweighs every article)
    drop_bits: int = 6  # the drop rule's rounding (drop_cut): finer, since all columns of one rounded count go together


# A small digest is a sample of the news, not all of it: a name in every one of its five
# articles (S-400 in a digest about the S-400) is not a common word. Names count as if the
# corpus had this many more articles without them; at corpus scale it makes no difference.
NAME_PRIOR_DOCS = 50

# Index weights are multiples of 2**-WEIGHT_BITS (about 1.5e-8): a product of two is a multiple of
# 2**-52 below 1, and a sum of them below 2 (a cosine) is exact in float64, in any order.
WEIGHT_BITS = 26
_WEIGHT_SCALE = float(2**WEIGHT_BITS)


def rounded_count(counts: IntArray | int, bits: int) -> FloatArray:
    """Counts as the weights read them: exact below 2**bits; above, the middle of the bucket of counts
    that share their first `bits` binary digits (16-17, 18-19, ... 32-35, ... 4096-4351 for 4 bits).

    A bucket is a few percent wide, so an inverse document frequency moves by a few hundredths at
    most; and a word found in one more article changes weight only when its count leaves its bucket.
    """
    values = np.asarray(counts, dtype=np.int64)
    length = np.frexp(values.astype(np.float64))[1].astype(np.int64)  # bit length (0 for 0)
    shift = np.maximum(length - bits, 0)
    low = (values >> shift) << shift
    rounded: FloatArray = low + ((np.int64(1) << shift) - 1) / 2.0
    return rounded


def inverse_frequency(df: IntArray, n_docs: int, prior_docs: int, scoring: Scoring) -> FloatArray:
    """ln(1 + (N + prior) / df) of each column, N and df rounded (rounded_count)."""
    n = float(rounded_count(n_docs, scoring.article_bits))
    idf: FloatArray = np.log1p((n + prior_docs) / rounded_count(np.maximum(df, 1), scoring.count_bits))
    return idf


def rarity(df: IntArray, n_docs: int, scoring: Scoring) -> FloatArray:
    """ln(1 + N / df)^2 of each column (df: articles that have it in their index, both rounded):
    what few articles share says more about a pair (reason order)."""
    boost: FloatArray = inverse_frequency(df, n_docs, 0, scoring) ** 2
    return boost


def quantised(weights: FloatArray) -> FloatArray:
    """weights rounded to multiples of 2**-WEIGHT_BITS (see WEIGHT_BITS)."""
    rounded: FloatArray = np.rint(weights * _WEIGHT_SCALE) / _WEIGHT_SCALE
    return rounded


# --- each article's features --------------------------------------------------------------------------

@dataclass(frozen=True)
class Weighed:
    """Rows' strongest shared features: top holds the quantised TF-IDF weights (normalised over all of
    the row's features), raw the same entries' unnormalised (1 + ln tf) * idf."""

    top: sp.csr_matrix
    raw: FloatArray


def weigh_rows(counts: sp.csr_matrix, df: IntArray, idf: FloatArray, keep: int, chunk: int = 512) -> Weighed:
    """Counts (a matrix whose columns are in the terms' sorted order, each row's entries sorted) as TF-IDF
    rows normalised over all their features, then cut to the keep strongest that another row has too
    (ties: the first terms).

    A feature only one article has can never be shared, so it never takes a place in the index,
    but it stays in the norm: an article mostly about other things is less similar. The result
    is a lower bound of the cosine, and keeping only strong features keeps X @ X.T sparse: a word
    every article uses has a low weight everywhere and drops out of every row. Rows are independent
    of each other: weighing some rows gives what weighing all of them gives for those, and rows are
    weighed a chunk at a time (at 10,000 articles all at once took 100 MB above the step's start, 512 rows 10).
    """
    if counts.shape[0] <= chunk:
        return _weigh_chunk(counts, df, idf, keep)
    parts = [_weigh_chunk(counts[start:start + chunk], df, idf, keep) for start in range(0, counts.shape[0], chunk)]
    top = sp.vstack([p.top for p in parts], format="csr")
    return Weighed(sp.csr_matrix((top.data, top.indices, top.indptr), shape=counts.shape),
                   np.concatenate([p.raw for p in parts]))


def _weigh_chunk(counts: sp.csr_matrix, df: IntArray, idf: FloatArray, keep: int) -> Weighed:
    n = counts.shape[0]
    row_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(counts.indptr))
    raw = (1.0 + np.log(counts.data.astype(np.float64))) * idf[counts.indices]
    norms = np.sqrt(np.bincount(row_of, weights=raw * raw, minlength=n))  # in term order, row by row
    norms[norms == 0] = 1.0
    shared = np.flatnonzero(df[counts.indices] >= 2)
    shared_rows = row_of[shared]
    weights = raw[shared] / norms[shared_rows]
    kept = _top_mask(weights, _indptr(np.bincount(shared_rows, minlength=n)), shared_rows, keep)
    at = shared[kept]
    top = sp.csr_matrix((quantised(weights[kept]), counts.indices[at], _indptr(np.bincount(shared_rows[kept], minlength=n))),
                        shape=counts.shape)
    return Weighed(top, raw[at])


def _indptr(lengths: IntArray) -> IntArray:
    indptr: IntArray = np.concatenate([[0], np.cumsum(lengths)])
    return indptr


def _select(matrix: sp.csr_matrix, keep: BoolArray) -> sp.csr_matrix:
    """The entries of matrix where keep is true, in their order."""
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    lengths = np.bincount(row_of[keep], minlength=matrix.shape[0])
    return sp.csr_matrix((matrix.data[keep], matrix.indices[keep], np.concatenate([[0], np.cumsum(lengths)])),
                         shape=matrix.shape)


def drop_cut(kept_df: IntArray, n_docs: int, scoring: Scoring) -> float:
    """The rounded document frequency from which columns leave the index (inf: none do): as few of the
    most common as needed to bound the work of X @ X.T.

    A column in df rows costs df * df products; a corpus of n articles may spend work_per_article * n.
    The columns dropped are the least telling ones (every article that has them is a candidate),
    as search engines drop very frequent terms; their weight stays in the row norms. Counts are
    rounded as the weights' are and all columns of one rounded count go or stay together, so the
    cut moves only when a rounded count or the rounded number of articles does.
    """
    df = rounded_count(kept_df[kept_df > 0], scoring.drop_bits)
    budget = scoring.work_per_article * float(rounded_count(n_docs, scoring.article_bits))
    if float((df ** 2).sum()) <= budget:
        return math.inf
    values, counts = np.unique(df, return_counts=True)  # ascending
    cost_below = np.concatenate([[0.0], np.cumsum(values ** 2 * counts)])[:-1]  # of the columns under each value
    fits = np.flatnonzero(cost_below <= budget)
    return float(values[fits[-1]])


def top_positions(matrix: sp.csr_matrix, k: int, chunk: int = 4096) -> BoolArray:
    """Which entries of matrix (canonical CSR) are among the k largest of their row (ties: first columns first)."""
    row_of = np.repeat(np.arange(matrix.shape[0], dtype=np.int32), np.diff(matrix.indptr))
    return _top_mask(matrix.data, matrix.indptr, row_of, k, chunk)


def _top_mask(data: FloatArray, indptr: IntArray, row_of: NDArray[np.int32], k: int, chunk: int = 4096) -> BoolArray:
    """top_positions of the CSR entries data (indptr; row_of: each entry's row)."""
    n = len(indptr) - 1
    lengths = np.diff(indptr)
    long_rows = np.flatnonzero(lengths > k)
    if len(long_rows) == 0:
        return np.ones(len(data), dtype=bool)
    # The k-th largest value of each long row, by a partition over rows padded to equal length,
    # a chunk of rows at a time: no Python loop over rows, no sort of the whole matrix.
    cut = np.full(n, -np.inf)
    for start in range(0, len(long_rows), chunk):
        rows = long_rows[start:start + chunk]
        width = int(lengths[rows].max())
        offsets = np.arange(width)
        valid = offsets[None, :] < lengths[rows][:, None]
        padded = np.full((len(rows), width), -np.inf)
        padded[valid] = data[(indptr[rows][:, None] + offsets[None, :])[valid]]
        cut[rows] = np.partition(padded, width - k, axis=1)[:, width - k]
    # Few arrays the size of the matrix, and small ones: this runs on the whole corpus's term matrices.
    cut_of = cut[row_of]
    keep = np.asarray(data > cut_of, dtype=bool)
    ties = np.flatnonzero(data == cut_of)  # at the cut: keep as many as fit, in stored order
    del cut_of
    room = k - np.bincount(row_of[keep], minlength=n)
    tie_rows = row_of[ties]  # in row order, as the entries are
    tie_rank = np.arange(len(ties)) - np.searchsorted(tie_rows, tie_rows, side="left")
    keep[ties[tie_rank < room[tie_rows]]] = True
    return keep


def top_per_row(matrix: sp.csr_matrix, k: int, chunk: int = 4096) -> sp.csr_matrix:
    """matrix with only the k largest entries of each row kept (ties: first columns first)."""
    matrix = sp.csr_matrix(matrix)
    matrix.sum_duplicates()
    return _select(matrix, top_positions(matrix, k, chunk))


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


# --- the candidate search -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Pairs:
    """Scored article pairs (a, b), a != b, sorted by a then by score, best first (ties: b's slug first)."""

    a: IntArray
    b: IntArray
    score: FloatArray  # similarity times the date factor: what related pieces are ranked by
    similarity: FloatArray  # without the date factor: what stories are joined by


def nearest(product: sp.coo_matrix, rows: IntArray, days: FloatArray, slug_order: IntArray, scoring: Scoring,
            min_score: float, per_article: int) -> Pairs:
    """For each row of product (similarities of the articles `rows` with every article), up to per_article
    others with a similarity of at least min_score, best score first, ties to the slug that sorts first."""
    keep = np.flatnonzero(product.data >= min_score)
    row, b, similarity = product.row[keep], product.col[keep].astype(np.int64), product.data[keep]
    a = rows[row]
    keep = np.flatnonzero(a != b)
    a, b, similarity, row = a[keep], b[keep], similarity[keep], row[keep]
    score = np.round(similarity * date_factor(days[a], days[b], scoring), 6)
    order = ranked(row, score, slug_order[b])
    a, b, score, similarity, row = a[order], b[order], score[order], np.round(similarity[order], 6), row[order]
    rank = np.arange(len(a)) - np.searchsorted(row, row, side="left")
    best = rank < per_article
    return Pairs(a[best], b[best], score[best], similarity[best])


def ranked(rows: NDArray[np.integer], scores: FloatArray, slug_order: IntArray) -> IntArray:
    """Positions sorted by row, then score (rounded to 6 places, at most about 1) descending, then slug order:
    as np.lexsort((slug_order, -scores, rows)), but one sort of one integer key."""
    score_bits, slug_bits = 21, int(slug_order.max(initial=0)).bit_length()
    row_bits = int(rows.max(initial=0)).bit_length()
    if len(rows) == 0 or score_bits + slug_bits + row_bits > 62 or float(scores.max()) >= 2.0:
        order: IntArray = np.lexsort((slug_order, -scores, rows))
        return order
    below = (1 << score_bits) - 1 - np.rint(scores * 1e6).astype(np.int64)  # best first
    key = (rows.astype(np.int64) << (score_bits + slug_bits)) | (below << slug_bits) | slug_order
    order = np.argsort(key, kind="stable")
    return order


def shared_features(matrix: sp.csr_matrix, a: IntArray, b: IntArray, limit: int, square: bool = True,
                    boost: FloatArray | None = None) -> list[list[int]]:
    """For each pair, the columns both rows have, strongest shared weight (times boost) first, at most limit
    (ties: first columns first). With square=False (a == b), simply each row's strongest columns."""
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
