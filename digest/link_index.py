"""The link stage's sparse rows, kept up to date a few rows at a time (digest.link_state).

- Columns: one id per term for good, and the term's place in sorted order, which is what ties are
  broken by (digest.similarity): ids follow first appearance in a long-lived state, ranks do not.
- RowStore: rows of a sparse matrix as a CSR snapshot plus the rows changed since. A column's rows
  (the inverted index) come from the snapshot's transpose, corrected by the changed rows; so a
  change costs its own rows, and the snapshot is made again only once many rows have changed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from digest.similarity import BoolArray, FloatArray, IntArray


class Columns:
    """Ids of one kind of term (names, or words), and their ranks in sorted order."""

    def __init__(self, terms: Sequence[str] = ()) -> None:
        """terms: sorted; they take ids 0, 1, ... (so that, until a term is added, ids are ranks)."""
        self.terms: list[str] = list(terms)
        self.ids: dict[str, int] = {t: i for i, t in enumerate(self.terms)}
        self._sorted: list[str] = list(self.terms)
        self.rank: IntArray = np.arange(len(self.terms), dtype=np.int64)
        self._ids_are_ranks = True

    def __len__(self) -> int:
        return len(self.terms)

    def add(self, terms: Iterable[str]) -> None:
        """Give the terms not seen yet ids (at the end) and ranks (in between: the others' ranks move up)."""
        new = sorted(set(terms) - self.ids.keys())
        if not new:
            return
        places = np.array([bisect_left(self._sorted, t) for t in new], dtype=np.int64)
        self.rank += np.searchsorted(places, self.rank, side="right")
        self.rank = np.concatenate([self.rank, places + np.arange(len(new))])
        for term in new:
            self.ids[term] = len(self.terms)
            self.terms.append(term)
            self._sorted.insert(bisect_left(self._sorted, term), term)
        self._ids_are_ranks = False

    def in_term_order(self, matrix: sp.csr_matrix) -> tuple[sp.csr_matrix, IntArray]:
        """matrix (columns: ids) with its columns renumbered 0.. in the terms' order, rows sorted that way,
        and the id of each new column."""
        if self._ids_are_ranks:  # (the whole corpus, as first counted)
            ordered = sp.csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], len(self)))
            ordered.sort_indices()
            return ordered, np.arange(len(self), dtype=np.int64)
        used = np.unique(matrix.indices)
        used = used[np.argsort(self.rank[used])]
        local = np.searchsorted(self.rank[used], self.rank[matrix.indices]).astype(np.int32)
        ordered = sp.csr_matrix((matrix.data, local, matrix.indptr), shape=(matrix.shape[0], len(used)))
        ordered.has_sorted_indices = False
        ordered.sort_indices()
        return ordered, used.astype(np.int64)


class RowStore:
    """Rows of a sparse matrix (columns may be added, rows too): a CSR snapshot and the rows changed since.
    Entries keep the order they were given in."""

    def __init__(self, snapshot: sp.csr_matrix, limit: int = 0) -> None:
        """limit: changed rows kept before settle() makes the snapshot again (0: an eighth of the rows, at least 512)."""
        self.snapshot = snapshot
        self.shape: tuple[int, int] = snapshot.shape
        self.changed: dict[int, tuple[IntArray, FloatArray]] = {}
        self._limit = limit
        self._columns: sp.csr_matrix | None = None  # the snapshot's transpose, made when first asked for
        self._changed_flags: BoolArray | None = None
        self._late: tuple[IntArray, sp.csr_matrix] | None = None  # the changed rows and their transpose

    def row(self, i: int) -> tuple[IntArray, FloatArray]:
        if i in self.changed:
            return self.changed[i]
        if i >= self.snapshot.shape[0]:
            return np.zeros(0, np.int64), np.zeros(0, dtype=self.snapshot.data.dtype)
        part = slice(self.snapshot.indptr[i], self.snapshot.indptr[i + 1])
        return self.snapshot.indices[part].astype(np.int64), self.snapshot.data[part]

    def set(self, i: int, cols: IntArray, values: FloatArray) -> None:
        self.shape = (max(self.shape[0], i + 1), max(self.shape[1], int(cols.max()) + 1 if len(cols) else 0))
        self.changed[i] = (cols, values)
        self._changed_flags = None
        self._late = None

    def widen(self, cols: int) -> None:
        """Room for columns up to cols (new terms)."""
        self.shape = (self.shape[0], max(self.shape[1], cols))

    def rows(self, which: Sequence[int] | IntArray) -> sp.csr_matrix:
        """The rows, in the order given, as a CSR matrix as wide as the store."""
        which = np.asarray(which, dtype=np.int64)
        flags = self._flags()
        if len(which) == 0 or (not flags[which].any() and which.max() < self.snapshot.shape[0]):
            picked = self.snapshot[which]
            return sp.csr_matrix((picked.data, picked.indices, picked.indptr), shape=(len(which), self.shape[1]))
        parts = [self.row(int(i)) for i in which]
        lengths = np.array([len(c) for c, _ in parts], dtype=np.int64)
        return sp.csr_matrix((np.concatenate([v for _, v in parts]), np.concatenate([c for c, _ in parts]),
                              np.concatenate([[0], np.cumsum(lengths)])), shape=(len(which), self.shape[1]))

    def holding(self, cols: IntArray) -> IntArray:
        """The rows (sorted) that hold any of the columns."""
        cols = np.asarray(cols, dtype=np.int64)
        transpose = self._transpose()
        known = cols[cols < transpose.shape[0]]
        found = [transpose.indices[s:e] for s, e in zip(transpose.indptr[known].tolist(), transpose.indptr[known + 1].tolist())]
        old = np.concatenate(found).astype(np.int64) if found else np.zeros(0, np.int64)
        old = old[~self._flags()[old]]
        wanted = np.zeros(max(self.shape[1], int(cols.max(initial=-1)) + 1), dtype=bool)
        wanted[cols] = True
        late = [i for i, (c, _) in self.changed.items() if wanted[c].any()]
        return np.unique(np.concatenate([old, np.array(late, dtype=np.int64)]))

    def products(self, left: sp.csr_matrix) -> sp.coo_matrix:
        """left @ self.T (left's columns are this store's), with every row of the store as it is now."""
        transpose = self._transpose()
        base = left
        if left.shape[1] != transpose.shape[0]:
            late_columns = left.indices >= transpose.shape[0]
            base = _without(left, late_columns) if late_columns.any() else left  # only changed rows have those
            base = sp.csr_matrix((base.data, base.indices, base.indptr), shape=(left.shape[0], transpose.shape[0]))
        product = (base @ transpose).tocoo()
        if not self.changed:  # the whole corpus: the snapshot is all there is
            return sp.coo_matrix((product.data, (product.row, product.col)), shape=(left.shape[0], self.shape[0]))
        fresh = ~self._flags()[product.col]
        rows, cols, data = [product.row[fresh]], [product.col[fresh].astype(np.int64)], [product.data[fresh]]
        if self.changed:
            if self._late is None or self._late[1].shape[0] != self.shape[1]:
                late = np.array(sorted(self.changed), dtype=np.int64)
                self._late = late, self.rows(late).T.tocsr()
            late, late_columns = self._late
            if left.shape[1] != late_columns.shape[0]:
                left = sp.csr_matrix((left.data, left.indices, left.indptr), shape=(left.shape[0], late_columns.shape[0]))
            extra = (left @ late_columns).tocoo()
            rows.append(extra.row)
            cols.append(late[extra.col])
            data.append(extra.data)
        return sp.coo_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(left.shape[0], self.shape[0]))

    def settle(self) -> None:
        """Make the snapshot again if many rows changed since the last one."""
        if len(self.changed) <= (self._limit or max(512, self.shape[0] // 8)):
            return
        self.snapshot = self._merged()
        self.changed = {}
        self._columns = None
        self._changed_flags = None
        self._late = None

    def _merged(self) -> sp.csr_matrix:
        """The store as one CSR matrix, each row's entries in their order (a vectorised merge, no loop over rows)."""
        old, n = self.snapshot, self.shape[0]
        flags = self._flags()
        lengths = np.zeros(n, dtype=np.int64)
        lengths[:old.shape[0]] = np.diff(old.indptr)
        late = np.array(sorted(self.changed), dtype=np.int64)
        lengths[late] = [len(self.changed[i][0]) for i in late.tolist()]
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.empty(indptr[-1], dtype=np.int32 if self.shape[1] < 2**31 else np.int64)
        data = np.empty(indptr[-1], dtype=old.data.dtype)
        row_of = np.repeat(np.arange(old.shape[0]), np.diff(old.indptr))
        kept = ~flags[row_of]
        position = np.arange(len(old.data))[kept]
        target = indptr[row_of[kept]] + position - old.indptr[row_of[kept]]
        indices[target], data[target] = old.indices[position], old.data[position]
        if len(late):
            target = np.concatenate([np.arange(indptr[i], indptr[i + 1]) for i in late.tolist()])
            indices[target] = np.concatenate([self.changed[i][0] for i in late.tolist()])
            data[target] = np.concatenate([self.changed[i][1] for i in late.tolist()])
        return sp.csr_matrix((data, indices, indptr), shape=self.shape)

    def _transpose(self) -> sp.csr_matrix:
        if self._columns is None:
            self._columns = self.snapshot.T.tocsr()
        if self._columns.shape[0] < self.shape[1]:  # room for newer terms (no rows hold them in the snapshot)
            extra = self.shape[1] - self._columns.shape[0]
            indptr = np.concatenate([self._columns.indptr, np.full(extra, self._columns.indptr[-1])])
            self._columns = sp.csr_matrix((self._columns.data, self._columns.indices, indptr),
                                          shape=(self.shape[1], self._columns.shape[1]))
        return self._columns

    def _flags(self) -> BoolArray:
        """Whether each row (of the store's shape) changed since the snapshot."""
        if self._changed_flags is None or len(self._changed_flags) != self.shape[0]:
            flags = np.zeros(self.shape[0], dtype=bool)
            flags[list(self.changed)] = True
            self._changed_flags = flags
        return self._changed_flags


def _without(matrix: sp.csr_matrix, drop: BoolArray) -> sp.csr_matrix:
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    keep = ~drop
    lengths = np.bincount(row_of[keep], minlength=matrix.shape[0])
    return sp.csr_matrix((matrix.data[keep], matrix.indices[keep], np.concatenate([[0], np.cumsum(lengths)])),
                         shape=matrix.shape)
