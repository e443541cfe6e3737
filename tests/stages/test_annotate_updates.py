"""The annotate stage's whole-digest states, updated for a few changed articles, equal the full
steps run again on the digest as it then stands: unification, the index and discrepancies."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.model import Acronym, Annotations, EntityRef, Figure, Quote
from digest.slugs import unique_slugs
from digest.stages.annotate.entities import entity_key
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
