"""Discrepancies: two articles of one story giving different figures for what looks like the same
thing (the deal's value: "$5.4 billion" in one, "USD 5 billion" in another). Worded as questions
for the editor: the annotator cannot know whether the two sentences speak of one thing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from digest.model import Annotations, Discrepancy, Figure, FigureSource

_WORD = re.compile(r"[a-z][a-z-]{3,}")
_NOT_TELLING = frozenset("""
about after also been before being billion million thousand trillion crore lakh could from have into more most
over said says that their there these they this those under were what when which while will with would year
years percent than since until other another some such only just even still been very
""".split())
_MAX_PER_GROUP = 20


def groups_by_shared_entities(annotations_by_slug: dict[str, Annotations], shared: int = 2) -> list[tuple[str, ...]]:
    """Stories for want of better ones: each pair of articles that share at least `shared` named things
    (a thing most of the digest names, like the country it is about, says nothing and is not counted)."""
    slugs = sorted(annotations_by_slug)
    by_entity: dict[str, list[str]] = {}
    for slug in slugs:
        for key in sorted({e.key for e in annotations_by_slug[slug].entities}):
            by_entity.setdefault(key, []).append(slug)
    common = max(50, len(slugs) // 100)
    counts: dict[tuple[str, str], int] = {}
    for members in by_entity.values():
        if len(members) > common:
            continue
        for pair in combinations(members, 2):
            counts[pair] = counts.get(pair, 0) + 1
    return sorted(pair for pair, n in counts.items() if n >= shared)


@dataclass(frozen=True)
class _Stated:
    """A figure with what its sentence is about, prepared once per article."""

    figure: Figure
    entities: frozenset[str]
    words: frozenset[str]


def _prepare(found: Annotations) -> dict[tuple[str, str], list[_Stated]]:
    forms = {form.lower() for e in found.entities for form in e.forms}
    buckets: dict[tuple[str, str], list[_Stated]] = {}
    for f in found.figures:
        if not f.value:
            continue
        entities = frozenset(e.key for e in found.entities if any(form in f.sentence for form in e.forms))
        words = frozenset(w for w in _WORD.findall(f.sentence.lower()) if w not in _NOT_TELLING and w not in forms)
        buckets.setdefault((f.kind, f.unit), []).append(_Stated(f, entities, words))
    return buckets


def _what(figure: Figure) -> str:
    if figure.kind == "money":
        return "amount"
    if figure.kind == "percent":
        return "share"
    return f"number of {figure.unit}"


def find_discrepancies(annotations_by_slug: dict[str, Annotations], groups: list[tuple[str, ...]]) -> tuple[Discrepancy, ...]:
    """Pairs of figures from different articles of one group that differ, with the same unit and a
    similar size (within a factor of 2), in sentences that name a common thing and share another
    telling word ("signed"), three such in all, where neither article also gives the other's figure."""
    prepared: dict[str, dict[tuple[str, str], list[_Stated]]] = {}
    found: list[Discrepancy] = []
    seen: set[tuple[str, str, str, str]] = set()
    for group in groups:
        in_group = 0
        for slug_a, slug_b in combinations(sorted(set(group)), 2):
            if slug_a not in annotations_by_slug or slug_b not in annotations_by_slug:
                continue
            for slug in (slug_a, slug_b):
                if slug not in prepared:
                    prepared[slug] = _prepare(annotations_by_slug[slug])
            a, b = prepared[slug_a], prepared[slug_b]
            for bucket in sorted(a.keys() & b.keys()):
                values_a = {s.figure.value for s in a[bucket]}
                values_b = {s.figure.value for s in b[bucket]}
                for sa in a[bucket]:
                    if sa.figure.value in values_b:
                        continue  # each article also gives the other's figure: they speak of two things
                    for sb in b[bucket]:
                        if sb.figure.value in values_a:
                            continue
                        ratio = max(sa.figure.value, sb.figure.value) / min(sa.figure.value, sb.figure.value)
                        if ratio < 1.02 or ratio > 2:
                            continue
                        shared_entities = len(sa.entities & sb.entities)
                        shared_words = len(sa.words & sb.words)
                        if not shared_entities or not shared_words or shared_entities + shared_words < 3:
                            continue
                        marker = (slug_a, sa.figure.text, slug_b, sb.figure.text)
                        if marker in seen or in_group >= _MAX_PER_GROUP:
                            continue
                        seen.add(marker)
                        in_group += 1
                        question = (f"Do {sa.figure.text} and {sb.figure.text} give the same {_what(sa.figure)}? "
                                    "The two articles differ.")
                        found.append(Discrepancy(question, FigureSource(slug_a, sa.figure), FigureSource(slug_b, sb.figure)))
    return tuple(found)
