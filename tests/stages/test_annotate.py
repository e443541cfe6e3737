"""The annotate stage, one article at a time: named things, figures, quotes, acronyms, dated events."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import Annotation
from digest.model import Annotations, Document, encode_text
from digest.stages.annotate import AnnotateOptions, annotate_document, events, figures, options_from

SEEDS = Path(__file__).resolve().parents[2] / "content" / "sources"


def annotate(body: str, options: AnnotateOptions = AnnotateOptions(), date: str = "2021-11-20") -> Annotations:
    return annotate_document(Document("content/articles/x.md", "x", "Title", date, encode_text(body)), options)


def names(found: Annotations) -> dict[str, str]:
    return {e.name: e.kind for e in found.entities}


def seed(prefix: str) -> str:
    return next(SEEDS.glob(prefix + "_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize("text, expected", [
    ("Russian President Vladimir Putin arrived on Monday. Putin met officials.", {"Vladimir Putin": "person"}),
    ("Talks were led by Foreign Minister S. Jaishankar in Delhi.", {"S Jaishankar": "person", "New Delhi": "place"}),
    ("“We agree,” said Indian Foreign Secretary Harsh Vardhan Shringla.", {"Harsh Vardhan Shringla": "person"}),
    ("New York Governor Kathy Hochul called it outrageous.", {"Kathy Hochul": "person", "New York": "place"}),
    ("The deal covers the S400 Triumf and more S-400 units.", {"S-400": "system"}),
    ("Ships of the Altura Refugee Agency left. Lawyers for Altura Refugee Agency said no.",
     {"Altura Refugee Agency": "organisation"}),
    ("India builds Russian MiG fighter jets and the BrahMos missiles.", {"India": "place", "MiG": "system", "BrahMos": "system"}),
    ("The Interfax news agency cited the Kremlin.", {"Interfax": "organisation", "Kremlin": "other"}),
], ids=["title-and-surname", "initial-and-place-alias", "long-office", "office-after-place", "system-spellings",
        "sentence-opener-before-connector", "systems-by-context", "organisation-by-context"])
def test_named_things(text: str, expected: dict[str, str]) -> None:
    assert names(annotate(text)) == expected


@pytest.mark.parametrize("text", [
    "Read More: India to buy 70,000 latest AK rifles from Russia",
    "Leave a Comment: Don't Wast Time to Posting URLs in Comment Box",
    "Print Friendly, PDF & Email",
    "Post a Comment",
    "PM @narendramodi welcomed President Putin. pic.twitter.com/RHMBe1rkrT",
], ids=["read-more", "leave-a-comment", "print-friendly", "post-a-comment", "embedded-tweet"])
def test_web_furniture_is_never_a_named_thing(text: str) -> None:
    assert annotate(text).entities == ()


def test_sentence_openers_and_demonyms_are_not_named_things() -> None:
    found = annotate("However, the talks went on. Russian officials were pleased. Deliveries began in 2021.\n\n"
                     "Given the shift, India waited.")
    assert names(found) == {"India": "place"}


def test_aliases_and_gazetteer_from_config() -> None:
    options = options_from(Annotation(aliases={"S. Jaishankar": ("Jayashankar", "S Jayashankar")},
                                      gazetteer={"Almaz-Antey": "organisation"}))
    found = annotate("S Jayashankar met Lavrov. Jayashankar said the Almaz-Antey concern is ready.", options)
    assert {e.name: (e.kind, e.count) for e in found.entities if e.name != "Lavrov"} == {
        "S. Jaishankar": ("person", 2), "Almaz-Antey": ("organisation", 1)}


def test_seed_articles_name_their_people_systems_and_places() -> None:
    found = names(annotate(seed("003")))
    assert found["Vladamir Putin"] == "person"  # the article's own spelling; the digest merges it with Vladimir Putin
    assert found["S400"] == "system"
    assert found["Narendra Modi"] == "person"
    assert found["Afghanistan"] == "place"
    assert "Allaying" not in found and "Director" not in found


@pytest.mark.parametrize("text, expected", [
    ("India had earlier signed a $5.4 billion deal in 2018.", [("$5.4 billion", "money", 5.4e9, "USD")]),
    ("It was signed for over USD 5 billion.", [("USD 5 billion", "money", 5e9, "USD")]),
    ("The plan costs €500 million, or Rs 3,000 crore.", [("€500 million", "money", 5e8, "EUR"), ("Rs 3,000 crore", "money", 3e10, "INR")]),
    ("It can hit targets at up to 400 kilometers.", [("400 kilometers", "quantity", 400.0, "kilometers")]),
    ("India will buy at least 70,000 AK rifles.", [("70,000 AK rifles", "quantity", 70000.0, "rifles")]),
    ("Shares rose 4.5% while turnout was 60 per cent.", [("4.5%", "percent", 4.5, "%"), ("60 per cent", "percent", 60.0, "%")]),
    ("About 45,000 people crossed in 2022, and 2.5 million trucks cross each year.",
     [("45,000 people", "quantity", 45000.0, "people"), ("2.5 million trucks", "quantity", 2.5e6, "trucks")]),
    ("The S-400 entered service in 2007 with 5 regiments.", [("5 regiments", "quantity", 5.0, "regiments")]),
], ids=["dollar-sign", "currency-code", "euro-and-crore", "distance", "count-of-things", "percentages",
        "irregular-plural-and-scale", "years-and-model-numbers-are-not-figures"])
def test_figures(text: str, expected: list[tuple[str, str, float, str]]) -> None:
    found = annotate(text).figures
    assert [(f.text, f.kind, f.value, f.unit) for f in found] == expected
    assert all(f.sentence for f in found)


def test_figure_keeps_its_sentence() -> None:
    found = annotate("Talks began. India had earlier signed a $5.4 billion deal in 2018. Deliveries followed.")
    assert found.figures[0].sentence == "India had earlier signed a $5.4 billion deal in 2018."


@pytest.mark.parametrize("text, expected", [
    ('"We have reaffirmed our commitment to cooperation," Lavrov said after a meeting with S. Jaishankar.',
     [("Lavrov", "We have reaffirmed our commitment to cooperation")]),
    ("“Supplies have begun this month, and will continue,” said Indian Foreign Secretary Harsh Vardhan Shringla.",
     [("Harsh Vardhan Shringla", "Supplies have begun this month, and will continue")]),
    ("Ambassador Denis Alipov spoke. “Our discussion is ongoing and continuous,” he stated.",
     [("Denis Alipov", "Our discussion is ongoing and continuous")]),
    ("A Lufthansa spokesperson rejected it. “We remain open to talks,” the spokesperson said.",
     [("A Lufthansa spokesperson", "We remain open to talks")]),
    ("Irene Santos said: “Frankly, the timetable was never realistic.”",
     [("Irene Santos", "Frankly, the timetable was never realistic.")]),
    ("Its 'BrahMos' missiles and a “great power” were mentioned.", []),
], ids=["name-said", "said-office-name", "pronoun", "role-introduced-earlier", "name-said-colon", "scare-quotes-are-not-speech"])
def test_quotes_with_speakers(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(q.speaker, q.text) for q in annotate(text).quotes] == expected


def test_quote_speaker_is_linked_to_the_entity() -> None:
    found = annotate("Sergei Lavrov visited. “We have reaffirmed our commitment,” Lavrov said.")
    assert [(q.speaker, q.speaker_key) for q in found.quotes] == [("Sergei Lavrov", "sergei-lavrov")]


def test_acronyms_defined_by_the_text_and_by_the_glossary() -> None:
    text = ("Sanctions under CAATSA (Countering America’s Adversaries Through Sanctions Act) loom. The Federal "
            "Service for Military-Technical Cooperation (FSMTC) agreed. NATO watched. CAATSA again.")
    found = annotate(text, options_from(Annotation(glossary={"NATO": "North Atlantic Treaty Organization"})))
    assert [(a.short, a.expansion, a.defined) for a in found.acronyms] == [
        ("CAATSA", "Countering America’s Adversaries Through Sanctions Act", True),
        ("FSMTC", "Federal Service for Military-Technical Cooperation", True),
        ("NATO", "North Atlantic Treaty Organization", False),
    ]
    assert {"CAATSA", "FSMTC", "NATO"} <= set(names(found))
    assert "Countering America" not in names(found)


def test_parentheses_that_do_not_spell_the_acronym_are_not_definitions() -> None:
    assert annotate("The ministry (MEA) and NSA (which met in Delhi) spoke.").acronyms == ()


@pytest.mark.parametrize("text, expected", [
    ("India had initially signed this deal with Russia in 2018 for S400 regiments.", "2018"),
    ("Turkey received its first deliveries of the S-400 in 2019.", "2019"),
    ("Putin is expected to visit India on December 6 this year.", "2021-12-06"),
    ("The summit was held on 6 December 2021 in New Delhi.", "2021-12-06"),
    ("Deliveries are planned to finish by March 2026 at the latest.", "2026-03"),
], ids=["in-year", "deliveries-in-year", "day-takes-article-year", "day-month-year", "month-year"])
def test_dated_events(text: str, expected: str) -> None:
    events = annotate(text).events
    assert [(e.date, e.text) for e in events] == [(expected, text)]
    assert events[0].slug == "x"


def test_no_events_from_model_numbers_or_datelines() -> None:
    assert annotate("The S-400 and the Su-30 flew.\n\nTuesday, April 06, 2021").events == ()


def test_annotation_off_keeps_only_editor_notes() -> None:
    options = options_from(Annotation(enabled=False))
    assert annotate(seed("003"), options) == Annotations()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_any_text_is_annotated_without_crashing(text: str) -> None:
    found = annotate(text)
    assert all(e.key and e.name and e.forms for e in found.entities)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["India", "said", "Vladimir Putin", "“We agree on this,”", "$5 billion", "the", "S-400",
                                 "(", ")", "CAATSA", "in 2019", ".", ",", "\n\n", "**", "[x](http://e)", "Read More:"]),
                max_size=40))
def test_news_like_text_is_annotated_without_crashing(words: list[str]) -> None:
    annotate(" ".join(words))


def test_ignored_phrases_and_unknown_gazetteer_kinds() -> None:
    options = options_from(Annotation(ignore=("Daily Brief",), gazetteer={"Zorblat": "spaceship"}))
    found = annotate("The Daily Brief says Zorblat and Altura Refugee Agency met.", options)
    assert names(found) == {"Zorblat": "other", "Altura Refugee Agency": "organisation"}


_FIGURE_TEXT = st.lists(st.sampled_from(list("0123456789 ,.-$€£¥₹%aAsS٣") + [
    "USD ", "Rs. ", "Rs", "KES", "US$", " billion", " million", " bn", " dollars", " per cent", " km", " rifles",
    " people", " and ", " of ", " New Yorkers", " years", "k"]), max_size=30).map("".join)


_DATE_TEXT = st.lists(st.sampled_from(list("0123456789 ,.-") + [
    "in ", "since ", "mid-", "late ", "January ", "Sept. ", "Sep ", "May ", "Dec", "th", "st ", "19", "20", "٣"]),
    max_size=20).map("".join)


@settings(max_examples=500, deadline=None)
@given(_DATE_TEXT)
def test_date_prefilter_passes_every_sentence_the_date_pattern_matches(sentence: str) -> None:
    if events._DATE.search(sentence):
        assert events._may_hold_date(sentence)


@settings(max_examples=300, deadline=None)
@given(_FIGURE_TEXT)
def test_figure_patterns_tried_where_numbers_start_match_as_a_full_scan(paragraph: str) -> None:
    starts = [m.start() for m in figures._DIGITS_START.finditer(paragraph)]
    for pattern in (figures._MONEY_BEFORE, figures._MONEY_AFTER, figures._PERCENT, figures._QUANTITY):
        assert [m.span() for m in figures._matches(pattern, paragraph, starts)] == \
            [m.span() for m in pattern.finditer(paragraph)]


def test_options_sent_to_a_worker_twice_keep_one_memo() -> None:
    options = options_from(Annotation(aliases={"Vladimir Putin": ["Putin"]}, ignore=("Daily Brief",)))
    first, second = pickle.loads(pickle.dumps(options)), pickle.loads(pickle.dumps(options))
    assert first is second and first == options


def test_annotating_makes_no_reference_cycles() -> None:
    """What lets a build pause the cycle collector while annotations pile up (Executor.map(acyclic=True))."""
    articles = sorted((Path(__file__).resolve().parents[2] / "content" / "articles").glob("*.md"))
    bodies = [path.read_text(encoding="utf-8") for path in articles]
    gc.collect()
    gc.disable()
    try:
        found = [annotate(body) for body in bodies]
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert all(a.entities for a in found)


def test_what_an_article_names_does_not_depend_on_the_articles_annotated_before() -> None:
    """The memo of phrases is shared by every article one options object annotates: a reading made for one
    article must not be given to another whose own words would read the phrase otherwise."""
    # "Reactor" begins a name mid-sentence in one text only: there "The Reactor’s Operator" names it too
    mentions_reactor = "Engineers inspected Reactor again today. The Reactor’s Operator said nothing."
    never_does = "The Reactor’s Operator said nothing. Officials gave no reason."
    texts = [mentions_reactor, never_does, *(seed(p) for p in ("000", "001", "002", "003", "004"))]
    alone = [names(annotate(text, AnnotateOptions())) for text in texts]
    for order in (texts, texts[::-1]):
        shared = AnnotateOptions()
        together = {text: names(annotate(text, shared)) for text in order}
        assert [together[text] for text in texts] == alone
    assert ("Reactor" in alone[0]) != ("Reactor" in alone[1]), "the two texts do read the phrase differently"
