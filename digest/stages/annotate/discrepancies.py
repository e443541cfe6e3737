"""Discrepancies: two articles of one story giving different figures for what looks like the same
thing (the deal's value: "$5.4 billion" in one, "USD 5 billion" in another). Worded as questions
for the editor: the annotator cannot know whether the two sentences speak of one thing."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import scipy.sparse as sp

from digest.interning import ByIdentity
from digest.model import Annotations, Discrepancy, Figure, FigureSource

_WORD = re.compile(r"[a-z][a-z-]{3,}")
_NOT_TELLING = frozenset("""
about after also been before being billion million thousand trillion crore lakh could from have into more most
over said says that their there these they this those under were what when which while will with would year
years percent than since until other another some such only just even still been very
""".split())
_MAX_PER_ARTICLE = 3  # questions naming one article, at most: the closest figures are the likeliest slips
_WINDOW = 15  # figures of the same thing compared with each, nearest values first


def groups_by_shared_entities(annotations_by_slug: dict[str, Annotations], shared: int = 2) -> list[tuple[str, str]]:
    """Stories for want of better ones: each pair of articles that share at least `shared` named things
    (a thing most of the digest names, like the country it is about, says nothing and is not counted)."""
    slugs = sorted(annotations_by_slug)
    first, second = _pairs_sharing(slugs, annotations_by_slug, shared)
    return [(slugs[a], slugs[b]) for a, b in zip(first.tolist(), second.tolist())]


def _pairs_sharing(slugs: list[str], annotations_by_slug: dict[str, Annotations],
                   shared: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of articles that share at least `shared` named things, as indices into slugs
    (first < second, in order). Counted by a sparse product, articles by things: 10,000 articles
    of a few stories share a few hundred thousand pairs, too many to count one by one."""
    columns: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, slug in enumerate(slugs):
        for key in {e.key for e in annotations_by_slug[slug].entities}:
            rows.append(i)
            cols.append(columns.setdefault(key, len(columns)))
    naming = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(slugs), len(columns)))
    common = max(50, len(slugs) // 100)
    naming = naming[:, np.flatnonzero(np.asarray(naming.sum(axis=0)).ravel() <= common)]
    counts = sp.triu(naming @ naming.T, k=1).tocoo()
    keep = counts.data >= shared
    first, second = counts.row[keep], counts.col[keep]
    order = np.lexsort((second, first))
    return first[order], second[order]


class _Stated:
    """A figure with what its sentence is about, prepared once per article (its telling words only
    when asked: most figures are never compared with one of another article)."""

    __slots__ = ("figure", "entities", "forms", "_words")

    def __init__(self, figure: Figure, entities: frozenset[str], forms: frozenset[str]) -> None:
        self.figure, self.entities, self.forms = figure, entities, forms
        self._words: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = frozenset(w for w in _WORD.findall(self.figure.sentence.lower())
                                    if w not in _NOT_TELLING and w not in self.forms)
        return self._words


_TOKEN = re.compile(r"[\w-]+")


def _prepare(found: Annotations) -> dict[tuple[str, str], list[_Stated]]:
    """The article's figures (those with a value) by (kind, unit), each with what its sentence names."""
    forms = frozenset(form.lower() for e in found.entities for form in e.forms)
    single = {form: e.key for e in found.entities for form in e.forms if " " not in form}
    multi: dict[str, list[tuple[str, str]]] = {}  # first word: (form, key), for names of several words
    for e in found.entities:
        for form in e.forms:
            if " " in form:
                multi.setdefault(form.split(" ", 1)[0], []).append((form, e.key))
    single_words, multi_words = frozenset(single), frozenset(multi)
    buckets: dict[tuple[str, str], list[_Stated]] = {}
    for f in found.figures:
        if not f.value:
            continue
        tokens = _TOKEN.findall(f.sentence)
        entities = {single[t] for t in single_words.intersection(tokens)}  # set operations run in C
        for t in multi_words.intersection(tokens):
            for form, key in multi[t]:
                if form in f.sentence:
                    entities.add(key)
        buckets.setdefault((f.kind, f.unit), []).append(_Stated(f, frozenset(entities), forms))
    return buckets


def discrepancy_inputs(annotations_by_slug: dict[str, Annotations], groups: Sequence[Sequence[str]],
                       known: ByIdentity[str] | None = None) -> list[str]:
    """What the discrepancies of a digest are computed from, as text for a cache key: the groups, and each
    article's slug, named things (keys and spellings) and figures; nothing else of the annotations.
    known: each article's text by its annotations' identity, from the last build (digest serve: 0.3 s at 10,000)."""
    known = known if known is not None else ByIdentity()
    return [repr([tuple(g) for g in groups]),
            *(f"{slug!r}{known.of(found, _figures_and_names)}" for slug, found in annotations_by_slug.items())]


def _figures_and_names(found: Annotations) -> str:
    return repr(([(e.key, e.forms) for e in found.entities], [(f.text, f.kind, f.value, f.unit, f.sentence) for f in found.figures]))


def _what(figure: Figure) -> str:
    if figure.kind == "money":
        return "amount"
    if figure.kind == "percent":
        return "share"
    return f"number of {figure.unit}"


def find_discrepancies(annotations_by_slug: dict[str, Annotations], groups: list[tuple[str, ...]]) -> tuple[Discrepancy, ...]:
    """Pairs of figures from different articles of one group that differ, with the same unit and a
    similar size (within a factor of 2), in sentences that name a common thing and share another
    telling word ("signed"), three such in all, where neither article also gives the other's figure.
    At most _MAX_PER_ARTICLE questions name any one article, the closest figures first."""
    together: set[tuple[str, str]] = set()  # pairs of articles in one group
    for group in groups:
        if len(group) == 2 and group[0] < group[1]:
            together.add((group[0], group[1]))
        else:
            together.update(combinations(sorted(set(group)), 2))
    grouped = sorted({slug for pair in together for slug in pair})
    number = {slug: i for i, slug in enumerate(grouped)}
    codes = {number[a] * len(grouped) + number[b] for a, b in together}
    return _compare_figures(annotations_by_slug, grouped, codes)


def discrepancies_between_related(annotations_by_slug: dict[str, Annotations]) -> tuple[Discrepancy, ...]:
    """find_discrepancies with groups_by_shared_entities for groups (when there are no stories yet),
    without spelling out each pair of slugs."""
    slugs = sorted(annotations_by_slug)
    first, second = _pairs_sharing(slugs, annotations_by_slug, 2)
    members = np.union1d(first, second)
    first, second = np.searchsorted(members, first), np.searchsorted(members, second)
    codes = set((first.astype(np.int64) * len(members) + second).tolist())
    return _compare_figures(annotations_by_slug, [slugs[i] for i in members.tolist()], codes)


def _compare_figures(annotations_by_slug: dict[str, Annotations], grouped: list[str],
                     together: set[int]) -> tuple[Discrepancy, ...]:
    """find_discrepancies among the articles grouped (sorted slugs), two articles being in one group
    when together holds first * len(grouped) + second (their numbers in grouped, first < second)."""
    size = len(grouped)
    # figures by (kind, unit, named thing): only figures about one thing are ever compared
    by_thing: dict[tuple[str, str, str], list[tuple[float, int, _Stated]]] = {}
    values: set[tuple[int, str, str, float]] = set()  # (article, kind, unit, a value it gives)
    for number, slug in enumerate(grouped):
        found = annotations_by_slug.get(slug)
        if found is None:
            continue
        for (kind, unit), stated in sorted(_prepare(found).items()):
            for s in stated:
                values.add((number, kind, unit, s.figure.value))
                for key in sorted(s.entities):
                    by_thing.setdefault((kind, unit, key), []).append((s.figure.value, number, s))
    # a thing named by much of the digest (the country it is about) does not make two figures one
    common = max(50, size // 100)
    candidates: list[tuple[float, str, str, str, str, _Stated, _Stated]] = []
    seen: set[tuple[str, str, str, str]] = set()
    for (kind, unit, thing), items in sorted(by_thing.items()):
        if len({number for _, number, _ in items}) > common:
            continue
        items.sort(key=lambda item: (item[0], item[1], item[2].figure.text))
        sorted_values = [item[0] for item in items]
        for value_a, a, sa in items:
            # equal values are no discrepancy: start at the first value 2% larger
            start = bisect_left(sorted_values, value_a * 1.02)
            for value_b, b, sb in items[start:start + _WINDOW]:
                if value_b > 2 * value_a:
                    break
                if a == b or (a * size + b if a < b else b * size + a) not in together:
                    continue
                # each article also gives the other's figure: they speak of two things
                if (a, kind, unit, value_b) in values or (b, kind, unit, value_a) in values:
                    continue
                shared_words = len(sa.words & sb.words)
                if not shared_words or len(sa.entities & sb.entities) + shared_words < 3:
                    continue
                first, second = ((grouped[a], sa), (grouped[b], sb)) if a < b else ((grouped[b], sb), (grouped[a], sa))
                marker = (first[0], first[1].figure.text, second[0], second[1].figure.text)
                if marker not in seen:
                    seen.add(marker)
                    candidates.append((value_b / value_a, *marker, first[1], second[1]))
    candidates.sort(key=lambda c: c[:5])
    per_article: dict[str, int] = {}
    result = []
    for _, slug_a, _, slug_b, _, sa, sb in candidates:
        if per_article.get(slug_a, 0) >= _MAX_PER_ARTICLE or per_article.get(slug_b, 0) >= _MAX_PER_ARTICLE:
            continue
        per_article[slug_a] = per_article.get(slug_a, 0) + 1
        per_article[slug_b] = per_article.get(slug_b, 0) + 1
        question = f"Do {sa.figure.text} and {sb.figure.text} give the same {_what(sa.figure)}? The two articles differ."
        result.append(Discrepancy(question, FigureSource(slug_a, sa.figure), FigureSource(slug_b, sb.figure)))
    result.sort(key=lambda d: (d.first.slug, d.second.slug, d.first.figure.text, d.second.figure.text))
    return tuple(result)
