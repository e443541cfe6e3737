"""What annotate does across the digest: one key per named thing, the index, and discrepancies."""

from __future__ import annotations

from digest.model import Annotations, Document, EntityRef, Figure, Note, Quote, encode_text
from digest.stages.annotate import AnnotateOptions
from digest.stages.annotate.corpus import annotate_documents, index_annotations, unify_entities
from digest.interning import ByIdentity
from digest.stages.annotate.discrepancies import discrepancy_inputs, find_discrepancies, groups_by_shared_entities


def ref(name: str, kind: str, *forms: str, count: int = 1) -> EntityRef:
    return EntityRef(name.lower().replace(" ", "-"), name, kind, count, forms or (name,))


def test_spellings_of_one_thing_get_one_key_across_articles() -> None:
    unified = unify_entities([
        Annotations(entities=(ref("S-400", "system", count=3), ref("Vladimir Putin", "person", "Vladimir Putin", "Putin", count=2))),
        Annotations(entities=(ref("S400", "system"), ref("Vladamir Putin", "person")),
                    quotes=(Quote("We agree on it", "Vladamir Putin", "vladamir-putin"),)),
        Annotations(entities=(ref("Putin", "person"), ref("Beatrix Santos", "person"), ref("Irene Santos", "person"))),
    ])
    keys = [[(e.key, e.name) for e in a.entities] for a in unified]
    assert keys[0] == [("s-400", "S-400"), ("vladimir-putin", "Vladimir Putin")]
    assert keys[1] == [("s-400", "S-400"), ("vladimir-putin", "Vladimir Putin")]
    assert ("vladimir-putin", "Vladimir Putin") in keys[2]
    assert {"beatrix-santos", "irene-santos"} <= {k for k, _ in keys[2]}  # one surname, two people: never merged
    assert unified[1].quotes == (Quote("We agree on it", "Vladimir Putin", "vladimir-putin"),)
    assert unified[1].entities[1].forms == ("Vladamir Putin",)


def test_a_surname_shared_by_two_people_stays_apart() -> None:
    unified = unify_entities([Annotations(entities=(ref("Santos", "person"),)),
                              Annotations(entities=(ref("Beatrix Santos", "person"), ref("Irene Santos", "person")))])
    assert unified[0].entities[0].key == "santos"


def test_remembered_results_are_reused_only_while_the_merge_gives_the_same_names() -> None:
    putin = Annotations(entities=(ref("Putin", "person"),))
    other = Annotations(entities=(ref("S400", "system"),))
    remembered: dict = {}
    first = unify_entities([putin, other], remembered)
    assert first == unify_entities([putin, other]) and first == [putin, other], "nothing to merge: the found annotations"

    full_name = Annotations(entities=(ref("Vladimir Putin", "person"),))
    second = unify_entities([putin, other, full_name], remembered)
    assert second == unify_entities([putin, other, full_name])
    assert second[0].entities[0].key == "vladimir-putin", "a surname alone now joins the one person of that name"

    third = unify_entities([putin, other, full_name], remembered)
    assert third == second and third[0] is second[0], "the very object again: later steps know it by identity"
    fourth = unify_entities([Annotations(entities=(ref("Putin", "person"),)), other, full_name], remembered)
    assert fourth == second and fourth[0] is not second[0], "an equal object found anew is rekeyed anew"
    assert len(remembered) == 3, "what the last call was given, nothing older"


def test_articles_naming_one_thing_share_its_strings() -> None:
    # Each article's annotations come decoded on their own (cache, worker processes): equal, not shared strings.
    number = 400  # a string made at run time, unlike a literal, is a new object each time
    first, second = (Annotations(entities=(ref(f"S-{number}", "system", f"S{number}"),)) for _ in range(2))
    assert first.entities[0].name is not second.entities[0].name
    a, b = (found.entities[0] for found in unify_entities([first, second]))
    assert a == first.entities[0] and b == second.entities[0]
    assert a.key is b.key and a.name is b.name and a.kind is b.kind and a.forms[0] is b.forms[0]


def test_index_lists_articles_per_entity_and_the_glossary() -> None:
    from digest.model import Acronym
    index = index_annotations([
        ("new", Annotations(entities=(ref("India", "place"), ref("S-400", "system", "S-400", "S400")),
                            acronyms=(Acronym("CAATSA", "Countering America’s Adversaries Through Sanctions Act"),))),
        ("old", Annotations(entities=(ref("India", "place"),))),
    ])
    assert [(e.name, e.articles, e.aliases) for e in index.entities] == [("India", ("new", "old"), ()),
                                                                        ("S-400", ("new",), ("S400",))]
    assert [(g.short, g.articles) for g in index.glossary] == [("CAATSA", ("new",))]


def figure(text: str, value: float, sentence: str, kind: str = "money", unit: str = "USD") -> Figure:
    return Figure(text, kind, value, unit, sentence)


S400 = ref("S-400", "system", "S-400", "S400")
INDIA = ref("India", "place")


def test_different_figures_for_the_same_deal_are_asked_about() -> None:
    a = Annotations(entities=(S400, INDIA), figures=(figure("USD 5 billion", 5e9,
                    "Russia has started the delivery of the S400 to India, under the agreement signed for over USD 5 billion."),))
    b = Annotations(entities=(S400, INDIA), figures=(figure("$5.4 billion", 5.4e9,
                    "India had earlier signed a $5.4 billion deal in 2018 to acquire five regiments of the S-400 system."),
                    figure("$30 billion", 3e10, "The two sides are set to boost annual trade to $30 billion.")))
    found = find_discrepancies({"a": a, "b": b}, [("a", "b")])
    assert len(found) == 1
    assert found[0].question == "Do USD 5 billion and $5.4 billion give the same amount? The two articles differ."
    assert (found[0].first.slug, found[0].second.slug) == ("a", "b")


def test_no_discrepancy_for_equal_values_far_apart_values_or_other_stories() -> None:
    one = Annotations(entities=(S400, INDIA), figures=(figure("€0.5 billion", 5e8, "The S-400 deal signed by India cost €0.5 billion."),))
    same = Annotations(entities=(S400, INDIA), figures=(figure("€500 million", 5e8, "The S-400 deal signed by India cost €500 million."),))
    far = Annotations(entities=(S400, INDIA), figures=(figure("€5 billion", 5e9, "The S-400 deal signed by India cost €5 billion."),))
    assert find_discrepancies({"a": one, "b": same, "c": far}, [("a", "b", "c")]) == ()
    near = Annotations(entities=(S400, INDIA), figures=(figure("€0.6 billion", 6e8, "The S-400 deal signed by India cost €0.6 billion."),))
    assert find_discrepancies({"a": one, "d": near}, [("a",), ("d",)]) == ()
    assert len(find_discrepancies({"a": one, "d": near}, [("a", "d")])) == 1


def test_what_discrepancies_read_is_worked_out_once_per_annotations_object() -> None:
    one = Annotations(entities=(S400, INDIA), figures=(figure("€0.5 billion", 5e8, "The S-400 deal cost €0.5 billion."),))
    other = Annotations(entities=(S400,), figures=(figure("€0.6 billion", 6e8, "The S-400 deal cost €0.6 billion."),))
    by_slug = {"a": one, "b": other, "c": one}
    plain = discrepancy_inputs(by_slug, [("a", "b")])
    last: ByIdentity[str] = ByIdentity()
    assert discrepancy_inputs(by_slug, [("a", "b")], last) == plain
    assert len(set(plain)) == len(plain), "the same annotations under two slugs are two inputs"
    known = ByIdentity(last)
    worked = []
    known.of = lambda value, work: ByIdentity.of(known, value, lambda v: worked.append(v) or work(v))  # type: ignore[method-assign]
    changed = Annotations(entities=(S400,), figures=(figure("€0.7 billion", 7e8, "The S-400 deal cost €0.7 billion."),))
    again = discrepancy_inputs({**by_slug, "b": changed}, [("a", "b")], known)
    assert worked == [changed], "only the changed article's text is made again"
    assert again == discrepancy_inputs({**by_slug, "b": changed}, [("a", "b")])


def test_articles_sharing_two_named_things_form_a_group() -> None:
    groups = groups_by_shared_entities({
        "a": Annotations(entities=(S400, INDIA)), "b": Annotations(entities=(S400, INDIA, ref("Turkey", "place"))),
        "c": Annotations(entities=(INDIA,)), "d": Annotations(entities=(ref("Turkey", "place"),)),
    })
    assert groups == [("a", "b")]


def test_orphaned_note_is_reported_with_its_file_and_quotation() -> None:
    doc = Document("content/articles/a.md", "a", "A", "2021-01-01", encode_text("The text changed."),
                   notes=(Note("the old words", "My note"),))
    annotations, problems = annotate_documents([doc], AnnotateOptions())
    assert not annotations[0].notes[0].anchored
    assert [str(p) for p in problems] == [
        "content/articles/a.md: warning: note note-1: the quotation 'the old words' is no longer in the text — correct the "
        "note's quote (and prefix/suffix) in the front matter, or remove the note; the page lists it as an orphaned note meanwhile"]
