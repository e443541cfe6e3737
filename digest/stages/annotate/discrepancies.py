"""Discrepancies: two articles of one story giving different figures for what looks like the same
thing (the deal's value: "$5.4 billion" in one, "USD 5 billion" in another). Worded as questions
for the editor: the annotator cannot know whether the two sentences speak of one thing."""

from __future__ import annotations

import re
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
    """Stories for want of better ones: articles joined when they share at least `shared` named things."""
    slugs = sorted(annotations_by_slug)
    keys = {slug: {e.key for e in annotations_by_slug[slug].entities} for slug in slugs}
    parent = {slug: slug for slug in slugs}

    def root(slug: str) -> str:
        while parent[slug] != slug:
            parent[slug] = parent[parent[slug]]
            slug = parent[slug]
        return slug

    by_entity: dict[str, list[str]] = {}
    for slug in slugs:
        for key in keys[slug]:
            by_entity.setdefault(key, []).append(slug)
    counts: dict[tuple[str, str], int] = {}
    for members in by_entity.values():
        if len(members) > 50:  # a thing every article names ("India") says nothing about stories
            continue
        for a, b in combinations(members, 2):
            counts[(a, b)] = counts.get((a, b), 0) + 1
    for (a, b), n in sorted(counts.items()):
        if n >= shared:
            parent[root(b)] = root(a)
    groups: dict[str, list[str]] = {}
    for slug in slugs:
        groups.setdefault(root(slug), []).append(slug)
    return [tuple(g) for g in groups.values() if len(g) > 1]


def _telling_words(figure: Figure, forms: set[str]) -> set[str]:
    words = set(_WORD.findall(figure.sentence.lower()))
    return {w for w in words if w not in _NOT_TELLING and w not in forms}


def _entities_in(sentence: str, annotations: Annotations) -> set[str]:
    return {e.key for e in annotations.entities if any(form in sentence for form in e.forms)}


def _what(figure: Figure) -> str:
    if figure.kind == "money":
        return "amount"
    if figure.kind == "percent":
        return "share"
    return f"number of {figure.unit}"


def find_discrepancies(annotations_by_slug: dict[str, Annotations], groups: list[tuple[str, ...]]) -> tuple[Discrepancy, ...]:
    """Pairs of figures from different articles of one group that differ, with the same unit and a
    similar size, in sentences that name a common thing and share at least two other telling words."""
    found: list[Discrepancy] = []
    seen: set[tuple[str, str, str, str]] = set()
    for group in groups:
        in_group = 0
        for slug_a, slug_b in combinations(sorted(set(group)), 2):
            a, b = annotations_by_slug.get(slug_a), annotations_by_slug.get(slug_b)
            if a is None or b is None:
                continue
            values_a = {(f.kind, f.unit, f.value) for f in a.figures}
            values_b = {(f.kind, f.unit, f.value) for f in b.figures}
            forms = {form.lower() for e in (*a.entities, *b.entities) for form in e.forms}
            for fa in a.figures:
                for fb in b.figures:
                    if fa.kind != fb.kind or fa.unit != fb.unit or not fa.value or not fb.value:
                        continue
                    ratio = max(fa.value, fb.value) / min(fa.value, fb.value)
                    if ratio < 1.02 or ratio > 2:
                        continue
                    # each article also gives the other's figure: they speak of two things
                    if (fb.kind, fb.unit, fb.value) in values_a or (fa.kind, fa.unit, fa.value) in values_b:
                        continue
                    if not (_entities_in(fa.sentence, a) & _entities_in(fb.sentence, b)):
                        continue
                    if len(_telling_words(fa, forms) & _telling_words(fb, forms)) < 2:
                        continue
                    marker = (slug_a, fa.text, slug_b, fb.text)
                    if marker in seen or in_group >= _MAX_PER_GROUP:
                        continue
                    seen.add(marker)
                    in_group += 1
                    question = f"Do {fa.text} and {fb.text} give the same {_what(fa)}? The two articles differ."
                    found.append(Discrepancy(question, FigureSource(slug_a, fa), FigureSource(slug_b, fb)))
    return tuple(found)
