"""The link stage: related pieces with reasons, stories, spelling variants, duplicates, Read More lines."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.config import Linking
from digest.data import read_digest
from digest.link_terms import article_terms, vocabulary
from digest.model import Annotations, DatedEvent, Document, EntityRef, encode_text
from digest import link_state as link_state_module
from digest.stages.link import link_articles, link_state
from digest.variants import merge_variants, skeleton, term_key
from tests.conftest import run_digest


def doc(slug: str, body: str, title: str = "", date: str = "2021-06-01", source: str | None = None,
        see_also: tuple[str, ...] = ()) -> Document:
    return Document(path=f"content/articles/{slug}.md", slug=slug, title=title or slug.replace("-", " ").title(),
                    date=date, body_utf8=encode_text(body), source=source, see_also=see_also)


# Two unrelated stories, three articles each, written differently but sharing their cast.
DAM = [
    doc("dam-approved", "The Rio Claro Dam was approved on Monday by the Chilean water ministry. Engineers from "
        "Andes Hydro said construction near Temuco would start in spring. Farmers in the Araucania region "
        "fear the reservoir will flood their valley. Minister Paula Orrego defended the dam as vital for "
        "irrigation and drought relief.", title="Chile approves Rio Claro Dam", date="2021-03-01"),
    doc("dam-protest", "Hundreds of farmers marched in Temuco against the Rio Claro Dam. Andes Hydro promised "
        "compensation for flooded land, but protesters said the valley could not be replaced. Paula Orrego "
        "met their leaders and said the reservoir plan would be reviewed.", title="Farmers march against dam",
        date="2021-03-09"),
    doc("dam-court", "A court in Temuco suspended work on the Rio Claro Dam after farmers from the Araucania "
        "valley sued Andes Hydro. The judge asked for a new study of the reservoir and the river. Paula Orrego "
        "said the ministry would appeal.", title="Court halts Rio Claro Dam", date="2021-04-02"),
]
FOOTBALL = [
    doc("transfer-agreed", "Westbrook United agreed a record fee with Porto for striker Tiago Menezes. The "
        "forward scored twenty goals last season and manager Ellen Fairweather called him the final piece "
        "of her squad. Supporters queued outside the stadium for shirts.", title="Westbrook sign Menezes",
        date="2021-07-01"),
    doc("transfer-debut", "Tiago Menezes scored twice on his debut as Westbrook United beat Harlow Athletic. "
        "Ellen Fairweather praised the striker's movement, and the stadium sang his name. Porto fans watched "
        "the goals on television.", title="Menezes scores twice on debut", date="2021-08-14"),
    doc("transfer-injury", "Westbrook United striker Tiago Menezes will miss a month with a hamstring injury, "
        "manager Ellen Fairweather said. The forward was hurt in training before the derby against Harlow "
        "Athletic, and the squad is short of goals.", title="Menezes injured", date="2021-09-03"),
]


def slugs_of(story_articles: tuple[str, ...]) -> set[str]:
    return set(story_articles)


def test_two_unrelated_stories_never_link() -> None:
    links = link_articles(DAM + FOOTBALL, {}, Linking())
    dam = {d.slug for d in DAM}
    football = {d.slug for d in FOOTBALL}
    for slug, related in links.related.items():
        own = dam if slug in dam else football
        assert related, f"{slug} lists no related piece"
        assert {r.slug for r in related} <= own - {slug}
    assert sorted(slugs_of(s.articles) == dam or slugs_of(s.articles) == football for s in links.stories) == [True, True]


def test_related_pieces_say_what_they_share() -> None:
    links = link_articles(DAM + FOOTBALL, {}, Linking())
    reasons = {r.slug: r.reasons for r in links.related["dam-court"]}
    assert "Rio Claro Dam" in reasons["dam-approved"]
    assert {"Paula Orrego", "Temuco", "Andes Hydro"} & set(reasons["dam-protest"])


def test_an_article_without_a_real_relative_lists_none() -> None:
    lonely = doc("volcano", "A volcano erupted in Iceland near Grindavik, sending lava towards the town. "
                 "Scientists at the Icelandic Met Office measured the tremors overnight.", date="2021-05-05")
    links = link_articles(DAM + FOOTBALL + [lonely], {}, Linking())
    assert links.related["volcano"] == ()
    assert "volcano" not in links.story_of


def test_related_respects_the_configured_count() -> None:
    links = link_articles(DAM + FOOTBALL, {}, Linking(related=1))
    assert all(len(r) <= 1 for r in links.related.values())


def test_stories_list_articles_in_date_order_with_a_generated_title() -> None:
    links = link_articles(DAM + FOOTBALL, {}, Linking())
    dam_story = next(s for s in links.stories if "dam-court" in s.articles)
    assert dam_story.articles == ("dam-approved", "dam-protest", "dam-court")
    assert dam_story.id == "dam-approved"
    assert "Rio Claro Dam" in dam_story.title


def test_story_title_can_be_set_in_config() -> None:
    links = link_articles(DAM + FOOTBALL, {}, Linking(story_titles={"dam-approved": "The dam on the Rio Claro"}))
    assert {s.id: s.title for s in links.stories}["dam-approved"] == "The dam on the Rio Claro"


def test_story_urls_stay_when_an_article_is_added() -> None:
    before = link_articles(DAM + FOOTBALL, {}, Linking())
    later = doc("dam-appeal", "The Chilean water ministry won its appeal: work on the Rio Claro Dam near Temuco "
                "resumes. Andes Hydro said the reservoir will be finished in two years. Paula Orrego welcomed "
                "the ruling; farmers from the Araucania valley said they would keep protesting.",
                date="2021-06-20")
    other = doc("bakery", "A bakery in Lyon won the national baguette prize for the second year running.",
                date="2021-05-30")
    after = link_articles([later, *DAM, other, *FOOTBALL], {}, Linking())
    assert {s.id for s in before.stories} <= {s.id for s in after.stories}
    assert after.story_of["dam-appeal"] == before.story_of["dam-court"]
    for slug, story_id in before.story_of.items():
        assert after.story_of[slug] == story_id


def test_story_urls_stay_when_an_older_article_is_added_given_the_known_ids() -> None:
    before = link_articles(DAM + FOOTBALL, {}, Linking())
    known = {story.id: story.articles for story in before.stories}
    earlier = doc("dam-plans", "Andes Hydro filed plans for the Rio Claro Dam near Temuco with the Chilean water "
                  "ministry. Farmers in the Araucania valley fear the reservoir; Paula Orrego said the dam would be "
                  "judged on its merits.", date="2021-01-15")
    after = link_articles([earlier, *DAM, *FOOTBALL], {}, Linking(), known_stories=known)
    assert after.story_of["dam-plans"] == after.story_of["dam-approved"] == "dam-approved"
    assert {s.id for s in after.stories} == set(known)
    assert after.stories[[s.id for s in after.stories].index("dam-approved")].articles[0] == "dam-plans"
    # without them, the story would be named after its new first article
    assert link_articles([earlier, *DAM, *FOOTBALL], {}, Linking()).story_of["dam-approved"] == "dam-plans"


def test_input_order_does_not_matter() -> None:
    corpus = DAM + FOOTBALL
    shuffled = corpus[:]
    random.Random(4).shuffle(shuffled)
    assert link_articles(shuffled, {}, Linking()) == link_articles(corpus, {}, Linking())


def test_timeline_has_annotated_events_and_publications_in_date_order() -> None:
    events = {"dam-protest": Annotations(events=(DatedEvent("2019-11", "The dam was first proposed in 2019.", "dam-protest"),))}
    links = link_articles(DAM + FOOTBALL, events, Linking())
    story = next(s for s in links.stories if "dam-court" in s.articles)
    assert [e.date for e in story.timeline] == ["2019-11", "2021-03-01", "2021-03-09", "2021-04-02"]
    assert [e.kind for e in story.timeline] == ["event", "published", "published", "published"]


def test_timeline_is_never_empty_even_without_dates() -> None:
    undated = [dataclasses.replace(d, date="") for d in FOOTBALL]
    links = link_articles(undated, {}, Linking())
    (story,) = links.stories
    assert len(story.timeline) == 3 and all(e.kind == "published" for e in story.timeline)


# --- spelling variants ------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [("S-400", "S400"), ("S 400", "s-400"), ("Al-Qaeda", "al qaeda"), ("Zoë", "Zoe")],
                         ids=["hyphen", "space-and-case", "hyphen-case", "accent"])
def test_term_key_ignores_case_hyphens_spaces_and_accents(a: str, b: str) -> None:
    assert term_key(a) == term_key(b)


@pytest.mark.parametrize("a, b, merged", [
    ("jaishankar", "jayashankar", True),
    ("zelensky", "zelenskyy", True),
    ("gaddafi", "qaddafi", False),  # different first letter: aliases are for these
    ("putin", "patna", False),
    ("s300", "s400", False),  # model numbers differ by design
], ids=["vowel-glide", "double-letter", "first-letter", "same-skeleton-different-name", "model-number"])
def test_merge_variants(a: str, b: str, merged: bool) -> None:
    canonical = merge_variants({a: 3, b: 1})
    assert (canonical.get(b) == a) is merged


def test_skeleton_drops_vowels_and_glides() -> None:
    assert skeleton("jaishankar") == skeleton("jayashankar") == "jsnkr"


def test_spelling_variants_are_one_name_in_related_reasons() -> None:
    corpus = [
        doc("a", "The S400 will be delivered soon, External Affairs Minister Jaishankar said on Monday."),
        doc("b", "Deliveries of the S-400 start this month. S Jayashankar confirmed the schedule."),
        doc("c", "The S 400 regiments arrive this year, Jayashankar told parliament."),
    ]
    terms = [article_terms(d) for d in corpus]
    vocab = vocabulary(terms)
    assert vocab.canonical["S400"] == vocab.canonical["S-400"]
    assert vocab.display[vocab.canonical["S400"]] in {"S-400", "S400"}
    jai = vocab.canonical["External Affairs Minister Jaishankar"]
    assert jai == vocab.canonical["S Jayashankar"] == vocab.canonical["Jayashankar"]
    links = link_articles(corpus, {}, Linking())
    reasons = {r.slug: r.reasons for r in links.related["a"]}
    assert {vocab.display[vocab.canonical["S400"]], vocab.display[jai]} <= set(reasons["b"])


def test_configured_aliases_merge_what_no_rule_sees() -> None:
    corpus = [
        doc("a", "Prime Minister Narendra Modi opened the Kosi Bridge in Bihar on Friday."),
        doc("b", "NaMo opened the Kosi Bridge, the longest in Bihar, with a speech on Friday."),
    ]
    vocab = vocabulary([article_terms(d) for d in corpus], {"Narendra Modi": ("NaMo", "Modi")})
    assert vocab.canonical["NaMo"] == vocab.canonical["Prime Minister Narendra Modi"]
    assert vocab.display[vocab.canonical["NaMo"]] == "Narendra Modi"


def test_capitalised_ordinary_words_are_not_names() -> None:
    corpus = [doc(f"r{i}", f"However, the Milan Reactor restarted. The reactor had been shut in May. Officials in "
                  f"Milan said the reactor was safe. Report {i}.") for i in range(3)]
    vocab = vocabulary([article_terms(d) for d in corpus])
    assert "However" not in vocab.canonical
    assert vocab.display[vocab.canonical["Milan Reactor"]] == "Milan Reactor"


def test_annotated_entities_are_used_when_present() -> None:
    annotations = {d.slug: Annotations(entities=(EntityRef("rio-claro-dam", "Rio Claro Dam", "other", 3),
                                                 EntityRef("paula-orrego", "Paula Orrego", "person", 1)))
                   for d in DAM}
    links = link_articles(DAM + FOOTBALL, annotations, Linking())
    assert set(links.related["dam-court"][0].reasons[:2]) == {"Rio Claro Dam", "Paula Orrego"}


# --- near-duplicates and Read More ---------------------------------------------------------------

WIRE = ("Russia has started delivering the S-400 air defence system to India, the head of the Federal Service "
        "for Military-Technical Cooperation Dmitry Shugaev told reporters in Moscow on Sunday. The first regiment "
        "is expected to be operational by the end of the year, he said, adding that the deliveries were on "
        "schedule despite the threat of American sanctions under CAATSA. India signed the five billion dollar "
        "deal in 2018 and paid the first instalment in 2019. Officials in New Delhi declined to comment on the "
        "timing of the deliveries or on where the regiments would be deployed.")


def test_near_duplicates_are_one_story_entry_with_both_sources() -> None:
    copy = WIRE.replace("on Sunday", "on Sunday, according to Interfax") + " Analysts expect more orders."
    corpus = [doc("wire-a", WIRE, source="Outlet A", date="2021-11-14"),
              doc("wire-b", copy, source="Outlet B", date="2021-11-14"),
              doc("follow-up", "The first S-400 regiment delivered by Russia to India became operational in "
                  "Punjab, officials in New Delhi said. Dmitry Shugaev said the deliveries of the air defence "
                  "system would continue despite the threat of CAATSA sanctions.", date="2021-12-20"),
              *FOOTBALL]
    links = link_articles(corpus, {}, Linking())
    assert links.duplicates == {"wire-a": ("wire-b",), "wire-b": ("wire-a",)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(link_state_module, "_PAIRS_AT_ONCE", 1)  # the pairs' signatures compared one pair at a time
        assert link_articles(corpus, {}, Linking()) == links
    assert [r.duplicate for r in links.related["wire-a"] if r.slug == "wire-b"] == [True]
    story = links.stories[[s.id for s in links.stories].index(links.story_of["wire-a"])]
    assert ("wire-a", "wire-b") in story.entries
    assert ("follow-up",) in story.entries


def test_read_more_lines_link_to_matching_articles_and_keep_the_rest() -> None:
    corpus = [
        doc("s400-deal", "India and Russia signed the S-400 deal.", title="Russia, India committed to S-400 missile deal despite threat of US sanctions"),
        doc("rifles", "India will buy rifles.", title="India to buy 70,000 latest AK rifles from Russia"),
        doc("reader", "India will receive the S-400.", see_also=(
            "Russia, India Committed To S400 Missile Deal Despite Threat of US Sanctions",
            "India to buy 70,000 AK rifles from Russia",
            "Pakistan signs deal for Chinese submarines",
        )),
    ]
    links = link_articles(corpus, {}, Linking())
    assert [(r.text[:20], r.slug) for r in links.references["reader"]] == [
        ("Russia, India Commit", "s400-deal"), ("India to buy 70,000 ", "rifles"), ("Pakistan signs deal ", None)]
    assert "s400-deal" not in links.references


# --- properties ---------------------------------------------------------------------------------------

POOL = ("Lavrov Putin Modi Delhi Moscow Temuco Orrego Menezes Porto Westbrook Lyon Grindavik Kosi Bihar "
        "reservoir striker missile regiment sanctions farmers valley goals bakery lava bridge deal court").split()


@st.composite
def corpora(draw: st.DrawFn) -> list[Document]:
    size = draw(st.integers(min_value=0, max_value=12))
    docs = []
    for i in range(size):
        words = draw(st.lists(st.sampled_from(POOL), min_size=0, max_size=40))
        day = draw(st.integers(min_value=1, max_value=28))
        docs.append(doc(f"a{i}", " ".join(words) + ".", date=draw(st.sampled_from(["", f"2021-02-{day:02d}"]))))
    return docs


@settings(max_examples=60, deadline=None)
@given(corpora(), st.integers(min_value=0, max_value=6))
def test_links_never_self_link_and_always_point_at_articles(corpus: list[Document], k: int) -> None:
    links = link_articles(corpus, {}, Linking(related=k))
    slugs = {d.slug for d in corpus}
    assert set(links.related) == slugs
    for slug, related in links.related.items():
        assert len(related) <= k
        assert all(r.slug in slugs and r.slug != slug for r in related)
        assert [r.score for r in related] == sorted((r.score for r in related), reverse=True)
        assert all(0 < r.score <= 1 for r in related)
        for r in related:  # symmetric: when both list each other, they agree on the score
            back = [x.score for x in links.related[r.slug] if x.slug == slug]
            assert back in ([], [r.score])
    seen: set[str] = set()
    for story in links.stories:
        assert len(story.articles) >= 2 and story.id in story.articles
        assert not seen & set(story.articles)
        seen |= set(story.articles)
        assert story.timeline
        assert sorted(s for e in story.entries for s in e) == sorted(story.articles)
    assert set(links.story_of) == seen


# --- the example digest, end to end --------------------------------------------------------------------

def test_example_digest_is_one_story_and_every_article_lists_two_others(example_digest: Path) -> None:
    run_digest("build", cwd=example_digest, check=True)
    site = example_digest / "site"
    data = read_digest(site)
    slugs = {a["slug"] for a in data["articles"]}
    (story,) = data["stories"]
    assert set(story["articles"]) == slugs
    assert story["timeline"]
    for article in data["articles"]:
        assert article["story"] == story["id"]
        assert len(article["related"]) >= 2
        assert all(r["reasons"] and r["slug"] in slugs for r in article["related"])
    story_page = (site / story["url"].lstrip("/") / "index.html").read_text(encoding="utf-8")
    assert story["title"] in story_page.replace("&amp;", "&")
    assert (site / "stories" / "index.html").is_file()
    page = (site / "articles" / data["articles"][0]["slug"] / "index.html").read_text(encoding="utf-8")
    assert "shares: " in page and "S-400" in page
    # every link target exists as a page of the site
    targets = [r["slug"] for a in data["articles"] for r in a["related"]] + story["articles"]
    targets += [e["slug"] for e in story["timeline"]]
    assert all((site / "articles" / slug / "index.html").is_file() for slug in targets)
    assert (site / story["url"].lstrip("/") / "index.html").is_file()


def test_linking_options_out_of_range_are_reported() -> None:
    from digest.config import check_config, parse_config

    config = parse_config("linking:\n  threshold: 1.5\n  date_scale_days: 0\n", "config.yaml")
    assert [str(d) for d in check_config(config, "config.yaml")] == [
        "config.yaml: error: linking.threshold: expected a number from 0 to 1, found 1.5",
        "config.yaml: error: linking.date_scale_days: expected more than 0, found 0.0",
    ]


UNRELATED_INDIA_NEWS = {
    "cricket.txt": "Kohli leads India to series win over Australia\n\nVirat Kohli led India to victory over Australia "
                   "in Mumbai. Fans celebrated in Delhi and Modi praised the captain. The Board of Control for "
                   "Cricket in India announced a new stadium. Australia's coach said India were the better team "
                   "throughout the series, and the selectors kept the same squad for the final Test.\n",
    "monsoon.txt": "Monsoon floods Kerala\n\nHeavy monsoon rains flooded parts of Kerala, India, and the government in "
                   "New Delhi sent relief teams. Prime Minister Modi spoke to the chief minister of Kerala. The India "
                   "Meteorological Department warned of more rain in the coming week across southern India, and "
                   "schools in three districts stayed closed.\n",
}


def test_other_news_about_india_does_not_join_the_s400_story(example_digest: Path) -> None:
    for name, text in UNRELATED_INDIA_NEWS.items():
        (example_digest / "content" / "sources" / name).write_text(text, encoding="utf-8")
    run_digest("build", cwd=example_digest, check=True)
    data = read_digest(example_digest / "site")
    by_source = {a["source_file"].rsplit("/", 1)[-1]: a for a in data["articles"]}
    others = {by_source[name]["slug"] for name in UNRELATED_INDIA_NEWS}
    (story,) = [s for s in data["stories"] if not others & set(s["articles"])]
    assert len(story["articles"]) == 5


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400), st.text(max_size=60))
def test_reading_terms_never_fails_on_any_text(body: str, title: str) -> None:
    terms = article_terms(doc("x", body, title=title or "x"))
    assert all(n > 0 for n in terms.names.values())
    assert len(terms.signature) in (0, 8 * 32)


def test_nearest_articles_are_the_same_whatever_rows_are_multiplied_together() -> None:
    rng = random.Random(7)
    words = ["dam", "river", "court", "farmers", "striker", "goal", "stadium", "minister", "valley", "season"]
    docs = [*DAM, *FOOTBALL, *(doc(f"mixed-{i}", " ".join(rng.choices(words, k=40)), date=f"2021-0{1 + i % 9}-01")
                                for i in range(14))]
    terms = {d.slug: article_terms(d) for d in docs}
    state, _ = link_state(docs, terms, {}, Linking(threshold=0.05, story_threshold=0.05))
    every = np.arange(len(docs))
    found = []
    for chunk in (1, 3, 1024):
        link_state_module._find_nearest(state, every, chunk)
        found.append((state.near_b.copy(), state.near_score.copy(), state.near_similarity.copy()))
    assert (found[0][0] >= 0).sum() > len(docs)
    for arrays in found[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(arrays, found[0]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=6, max_size=6), min_size=1, max_size=8), st.integers(1, 5),
       st.integers(1, 3))
def test_top_per_row_keeps_the_k_largest_of_each_row_ties_first_columns_first(rows: list[list[int]], k: int,
                                                                             chunk: int) -> None:
    import scipy.sparse as sp

    from digest.similarity import top_per_row

    kept = top_per_row(sp.csr_matrix(np.array(rows, dtype=float)), k, chunk=chunk).toarray()
    for row, out in zip(rows, kept):
        best = sorted((c for c, v in enumerate(row) if v), key=lambda c: (-row[c], c))[:k]
        assert [c for c, v in enumerate(out) if v] == sorted(best)
        assert all(out[c] == row[c] for c in best)
