"""The annotate stage's whole-digest states, updated for a few changed articles, equal the full
steps run again on the digest as it then stands: unification, the index and discrepancies."""

from __future__ import annotations

import dataclasses
from random import Random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.model import Acronym, Annotations, EntityRef, Figure, Quote
from digest.slugs import unique_slugs
from digest.stages.annotate.entities import entity_key
from digest.stages.annotate.corpus import discrepancies_of
from digest.stages.annotate.discrepancies import discrepancy_state, groups_by_shared_entities, update_discrepancies
from digest.stages.annotate.index import index_state, update_index
from digest.stages.annotate.unification import entity_state, update_entities

# Spellings that test every way groups join and keys collide: punctuation ('S-400'/'S400'), a first name
# spelt two ways or as an initial, a surname alone, two people of one surname, a name whose surname is
# another's whole name ('De Santis' / 'Ron DeSantis'), names asking for one key ('São Paulo'/'Sao Paulo')
# and for a numbered key ('Sao Paulo 2'), acronyms in two cases.
NAMES = ["Vladimir Putin", "Vladamir Putin", "V. Putin", "Putin", "PUTIN", "Beatrix Santos", "Irene Santos",
         "Santos", "Ron DeSantis", "De Santis", "DeSantis", "S-400", "S400", "S 400", "NATO", "Nato",
         "São Paulo", "Sao Paulo", "Sao Paulo 2", "Sao Paulo-2", "India", "Almaz-Antey", "Almaz Antey",
         "Subrahmanyam Jaishankar", "S Jaishankar", "Jaishankar", "Lavrov", "Sergei Lavrov", "Sergey Lavrov"]
KINDS = ["person", "organisation", "place", "system", "other"]
WORDS = ["signed", "deal", "contract", "delivery", "regiments", "trade"]


@st.composite
def entity(draw: Any) -> EntityRef:
    name = draw(st.sampled_from(NAMES))
    forms = draw(st.lists(st.sampled_from(NAMES), max_size=2))
    return EntityRef(entity_key(name), name, draw(st.sampled_from(KINDS)), draw(st.integers(1, 4)),
                     tuple(dict.fromkeys([name, *forms])))


@st.composite
def found_annotations(draw: Any) -> Annotations:
    """An article's annotations as annotate_document gives them: named things (several may share a
    spelling group), figures whose sentences name some of them, quotes, acronyms."""
    entities = tuple(draw(st.lists(entity(), max_size=5)))
    figures = []
    for _ in range(draw(st.integers(0, 4))):
        named = [draw(st.sampled_from(e.forms)) for e in entities if draw(st.booleans())]
        words = draw(st.lists(st.sampled_from(WORDS), max_size=3))
        kind, unit = draw(st.sampled_from([("money", "USD"), ("money", "EUR"), ("quantity", "rifles"), ("percent", "%")]))
        value = draw(st.sampled_from([0.0, 5.0, 5.05, 5.4, 6.0, 9.9, 10.0, 10.1, 11.0, 20.0, 30.0]))
        text = draw(st.sampled_from([f"{value:g} {unit}", f"about {value:g} {unit}"]))
        figures.append(Figure(text, kind, value, unit, " ".join([*named, *words, text]) + "."))
    quotes = tuple(Quote("We agree", e.name, e.key) for e in entities if draw(st.booleans()))
    acronyms = tuple(Acronym(short, draw(st.sampled_from(["one expansion", "another expansion"])))
                     for short in draw(st.lists(st.sampled_from(["NATO", "Nato", "CAATSA", "UN"]), max_size=2)))
    return Annotations(entities=entities, figures=tuple(figures), quotes=quotes, acronyms=acronyms)


SLUGS = [f"a{i}" for i in range(12)]


@st.composite
def digest_and_changes(draw: Any) -> tuple[dict[str, Annotations], list[dict[str, Annotations | None]]]:
    """A digest (articles by slug) and a sequence of changes, each adding, changing or removing articles."""
    digest = draw(st.dictionaries(st.sampled_from(SLUGS), found_annotations(), max_size=8))
    changes = draw(st.lists(st.dictionaries(st.sampled_from(SLUGS), st.none() | found_annotations(), min_size=1,
                                            max_size=3), max_size=6))
    return digest, changes


def apply(digest: dict[str, Annotations], change: dict[str, Annotations | None]) -> dict[str, Annotations]:
    now = dict(digest)
    for slug, found in change.items():
        if found is None:
            now.pop(slug, None)
        else:
            now[slug] = found
    return now


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(digest_and_changes())
def test_updated_unification_equals_unifying_again(case: tuple[dict[str, Annotations], list[dict[str, Annotations | None]]]) -> None:
    digest, changes = case
    state, unified = entity_state(digest)
    unified = dict(unified)
    for change in changes:
        before = dict(unified)
        state, updated = update_entities(state, change)
        digest = apply(digest, change)
        for slug, found in change.items():
            if found is None:
                unified.pop(slug, None)
        unified.update(updated)
        assert unified == entity_state(digest)[1]
        for slug, now in unified.items():
            if slug not in updated:
                assert now is before[slug], "an article not given back keeps its very object"
        assert all(slug in digest for slug in updated)


@given(st.lists(st.sampled_from(["a", "a-2", "a-3", "b", "a-2-2", "b-1", "a-02"]), max_size=8))
def test_keys_are_numbered_as_unique_slugs_numbers_them(asked: list[str]) -> None:
    digest = {f"x{i}": Annotations(entities=(EntityRef(key, key, "other", 1, (key,)),)) for i, key in enumerate(asked)}
    # groups are numbered in the order of their names: here the names are the keys
    unified = entity_state(digest)[1]
    by_group = {}
    for found in unified.values():
        by_group[found.entities[0].name] = found.entities[0].key
    names = sorted(by_group)
    assert [by_group[n] for n in names] == unique_slugs([entity_key(n) for n in names])


DATES = ["2021-01-01", "2021-01-02", "2021-03-05T10:00:00", ""]


@SETTINGS
@given(digest_and_changes(), st.lists(st.sampled_from(DATES), min_size=40, max_size=40))
def test_updated_index_equals_indexing_again(case: tuple[dict[str, Annotations], list[dict[str, Annotations | None]]],
                                             dates: list[str]) -> None:
    # any annotations will do (unified ones have one entity per key in an article; these may have two)
    digest, changes = case
    date_of = iter(dates)
    articles = {slug: (next(date_of), found) for slug, found in digest.items()}
    state, entries, glossary = index_state([(slug, date, found) for slug, (date, found) in articles.items()])
    for change in changes:
        dated = {slug: None if found is None else (next(date_of), found) for slug, found in change.items()}
        before = {e.key: e for e in entries}
        state, entries, glossary = update_index(state, dated)
        for slug, now in dated.items():
            if now is None:
                articles.pop(slug, None)
            else:
                articles[slug] = now
        again = index_state([(slug, date, found) for slug, (date, found) in articles.items()])
        assert (entries, glossary) == again[1:]
        named = {e.key for slug in change for found in (digest.get(slug), change[slug]) if found is not None
                 for e in found.entities}
        assert all(e is before[e.key] for e in entries if e.key not in named), "entries of things not named are kept"
        digest = apply(digest, change)


# Discrepancies: few named things and close values, so that one thing gathers more figures than a
# window and the same figure text comes in two sentences of one article.
FEW = ["S-400", "India", "Turkey"]
VALUES = [0.0, *(round(1.08 ** i, 2) for i in range(16))]  # 1.0 to 3.17: neighbours 8% apart


@st.composite
def figures_article(draw: Any) -> Annotations:
    names = draw(st.lists(st.sampled_from(FEW), min_size=1, max_size=3, unique=True))
    entities = tuple(EntityRef(entity_key(n), n, "other", 1, (n, n.replace("-", ""))) for n in names)
    figures = []
    for _ in range(draw(st.integers(1, 6))):
        named = [draw(st.sampled_from(e.forms)) for e in draw(st.lists(st.sampled_from(entities), min_size=1, unique=True))]
        words = draw(st.lists(st.sampled_from(["signed", "deal", "trade"]), min_size=1, max_size=2, unique=True))
        kind, unit = draw(st.sampled_from([("money", "USD"), ("money", "USD"), ("quantity", "rifles")]))
        value = draw(st.sampled_from(VALUES))
        # a few texts for many values: one pair of texts can come from several pairs of figures
        text = draw(st.sampled_from([f"{value:g} {unit}", f"some {unit}", f"more {unit}"]))
        figures.append(Figure(text, kind, value, unit, " ".join([*named, *words, text])))
    return Annotations(entities=entities, figures=tuple(figures))


@st.composite
def groups_of(draw: Any) -> list[tuple[str, ...]]:
    """Stories (disjoint groups, some of one article, some naming articles the digest lacks), now and
    then one more group across them; or none (articles sharing two named things go together)."""
    if draw(st.integers(0, 4)) == 0:
        return []
    story = {slug: draw(st.sampled_from([None, 0, 1, 1, 2])) for slug in SLUGS}
    groups = [tuple(slug for slug in SLUGS if story[slug] == n) for n in range(3)]
    groups = [g for g in groups if g]
    if draw(st.booleans()) and len(groups) > 1:
        groups.append((groups[0][0], groups[1][-1]))
    return draw(st.permutations(groups))


Steps = list[tuple[dict[str, Annotations | None], list[tuple[str, ...]]]]


@st.composite
def figures_and_changes(draw: Any) -> tuple[dict[str, Annotations], list[tuple[str, ...]], Steps]:
    """A digest, its groups, and changes each with the groups after it (the same, or others)."""
    digest = draw(st.dictionaries(st.sampled_from(SLUGS), figures_article(), min_size=2, max_size=12))
    groups = first = draw(groups_of())
    steps = []
    now = digest
    for _ in range(draw(st.integers(0, 5))):
        change = draw(st.dictionaries(st.sampled_from(SLUGS), st.none() | figures_article(), max_size=3))
        if now and draw(st.booleans()):  # an article rekeyed: its figures and keys as they were, its kinds or spellings not
            slug = draw(st.sampled_from(sorted(now)))
            fewer = draw(st.booleans())
            change[slug] = dataclasses.replace(now[slug], entities=tuple(
                dataclasses.replace(e, forms=e.forms[:1]) if fewer else dataclasses.replace(e, kind="person")
                for e in now[slug].entities))
        groups = draw(groups_of()) if draw(st.booleans()) else groups
        steps.append((change, groups))
        now = apply(now, change)
    return digest, first, steps


@SETTINGS
@given(figures_and_changes())
def test_updated_discrepancies_equal_looking_again(case: tuple[dict[str, Annotations], list[tuple[str, ...]], Steps]) -> None:
    digest, groups, steps = case
    state, found = discrepancy_state(digest, groups)
    assert found == discrepancies_of(digest, groups)
    for change, groups in steps:
        before = {(d.first.slug, d.first.figure.text, d.second.slug, d.second.figure.text): d for d in found}
        state, found = update_discrepancies(state, change, groups)
        digest = apply(digest, change)
        assert found == discrepancies_of(digest, groups)
        kept = [d for d in found if before.get((d.first.slug, d.first.figure.text, d.second.slug, d.second.figure.text)) == d]
        assert all(d is before[(d.first.slug, d.first.figure.text, d.second.slug, d.second.figure.text)] for d in kept)


def deal_article(rng: Random) -> Annotations:
    """An article giving a figure or two about one deal, as most articles of a large story do."""
    entities = (EntityRef("india", "India", "place", 2, ("India",)), EntityRef("s-400", "S-400", "system", 2, ("S-400",)))
    figures = tuple(Figure(f"{value:g} USD", "money", value, "USD", f"India signed the S-400 deal for {value:g} USD.")
                    for value in rng.sample(VALUES[1:], rng.randint(1, 2)))
    return Annotations(entities=entities, figures=figures)


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False), st.booleans(), st.integers(46, 52),
       st.lists(st.lists(st.integers(0, 56), min_size=1, max_size=4), min_size=1, max_size=5))
def test_a_thing_too_many_articles_give_figures_about_is_left_out_after_updates_too(rng: Random, stories: bool, size: int,
                                                                                   steps: list[list[int]]) -> None:
    # more than 50 grouped articles giving figures about a thing: it makes no candidates; without stories, more
    # than 50 articles naming a thing: it relates none of them (each threshold is crossed both ways)
    digest = {f"s{i:02}": deal_article(rng) for i in range(size)}
    groups = [tuple(digest)] if stories else []
    state, found = discrepancy_state(digest, groups)
    for numbers in steps:
        change = {f"s{n:02}": None if f"s{n:02}" in digest and rng.random() < 0.6 else deal_article(rng) for n in numbers}
        digest = apply(digest, change)
        if stories:
            groups = [tuple(digest)] if rng.random() < 0.8 else [tuple(digest)[: len(digest) // 2], tuple(digest)[len(digest) // 2:]]
        state, found = update_discrepancies(state, change, groups)
        assert found == discrepancies_of(digest, groups)


def test_the_threshold_grows_with_the_grouped_articles_after_updates_too() -> None:
    # 52 articles give figures about a thing: too many while fewer than 5,200 articles are grouped (max(50, n // 100))
    rng = Random(4)
    digest = {f"s{i:02}": deal_article(rng) for i in range(52)}
    unseen = [f"unseen-{i}" for i in range(5_300)]  # grouped, no annotations (yet): they count all the same
    state, found = discrepancy_state(digest, [tuple(digest), tuple(unseen[:5_000])])
    asked = [len(found)]
    for grouped, change in [(5_190, {}), (5_148, {"s00": deal_article(rng)}), (5_148, {"s01": None}), (5_300, {}),
                            (5_000, {"s01": deal_article(rng)}), (5_150, {"s51": None}), (5_250, {"s51": deal_article(rng)})]:
        digest = apply(digest, change)
        groups = [tuple(digest), tuple(unseen[:grouped])]  # the threshold changes, not the articles' story
        state, found = update_discrepancies(state, change, groups)
        assert found == discrepancies_of(digest, groups)
        asked.append(len(found))
    assert asked.count(0) and len(asked) - asked.count(0) >= 2, asked


def test_without_stories_the_threshold_grows_with_the_digest_after_updates_too() -> None:
    # 52 articles name two things: too many to relate articles while the digest has fewer than 5,200 articles
    # (50 of them give figures: few enough to compare)
    rng = Random(5)
    digest: dict[str, Annotations] = {f"s{i:02}": deal_article(rng) for i in range(50)}
    digest.update((f"s{i:02}", dataclasses.replace(deal_article(rng), figures=())) for i in range(50, 52))
    digest.update((f"other-{i}", Annotations()) for i in range(5_100))
    state, found = discrepancy_state(digest, [])
    asked = [len(found)]
    for change in [{f"other-{i}": Annotations() for i in range(5_100, 5_150)}, {"s00": deal_article(rng)},
                   {f"other-{i}": None for i in range(5_000, 5_150)}, {"s51": None, "s02": None},
                   {"s51": deal_article(rng)}, {f"other-{i}": Annotations() for i in range(5_000, 5_200)}]:
        digest = apply(digest, change)
        state, found = update_discrepancies(state, change, [])
        assert found == discrepancies_of(digest, [])
        asked.append(len(found))
    assert asked.count(0) and len(asked) - asked.count(0) >= 2, asked


@SETTINGS
@given(figures_and_changes())
def test_without_stories_the_pairs_sharing_named_things_are_updated_as_found_again(
        case: tuple[dict[str, Annotations], list[tuple[str, ...]], Steps]) -> None:
    digest, _, steps = case
    state, _ = discrepancy_state(digest, [])
    for change, _ in steps:
        state, found = update_discrepancies(state, change, [])
        digest = apply(digest, change)
        assert found == discrepancies_of(digest, [])
        assert sorted((a, b) for a, together in state.partners.items() for b in together if a < b) == groups_by_shared_entities(digest)
