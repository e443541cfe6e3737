"""strip, HTML: the whole extraction cascade where the fast one may be wrong; a body split around ads found whole."""

from __future__ import annotations

from pathlib import Path

import trafilatura
from lxml import html as lxml_html

from digest.stages.strip.continued import continued_text
from digest.stages.strip.html import needs_second_opinion, extract_body

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "strip"
FIRST = [
    "The council approved the budget for the new tram line on Tuesday evening, after a debate that lasted almost five hours.",
    "Construction of the first section, between the station and the university, is expected to start next spring.",
]
REST = [
    "Opponents of the plan said the money would be better spent on buses, which could serve the outer districts sooner.",
    "The transport committee will publish the timetable for the works and the planned road closures next month.",
]


def _page(after_ad: str, elsewhere: str = "") -> str:
    """A page whose body container is closed before an advertisement; after_ad is what follows the ad."""
    body = "".join(f"<p>{p}</p>" for p in FIRST)
    return (f"<html><body><div class='page'><div class='chunks'>"
            f"<div class='grid'><div class='article__body'>{body}</div></div>"
            f"<div class='row'><div class='ad'><span>Advertisement</span></div></div>"
            f"<div class='grid'>{after_ad}</div>"
            f"</div></div><footer>{elsewhere}</footer></body></html>")


def _continued(page: str, extracted: list[str] = FIRST) -> str:
    return continued_text(lxml_html.fromstring(page), "\n".join(extracted))


def _container(paragraphs: list[str]) -> str:
    return "<div class='article__body'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"


def test_the_rest_of_a_body_after_an_advertisement_is_appended() -> None:
    assert _continued(_page(_container(REST))) == "\n".join(FIRST + REST)


def test_extraction_from_a_split_page_keeps_both_parts_where_the_extractor_alone_stops_at_the_ad() -> None:
    page = (GOLDEN / "html-body-split-by-ads" / "input.html").read_text(encoding="utf-8")
    first, last = "Engineers at the city's water authority", "before the end of the decade"
    assert last not in trafilatura.extract(page)
    text = extract_body(page)
    assert first in text and last in text and "Advertise with us" not in text


def test_a_container_of_the_same_class_far_away_in_the_page_is_not_appended() -> None:
    assert _continued(_page("", elsewhere=_container(REST))) == "\n".join(FIRST)


def test_a_same_class_container_of_links_or_labels_is_not_appended() -> None:
    links = "<div class='article__body'>" + "".join(
        f"<p><a href='/{i}'>Read the full story about the tram line and the budget, part {i}</a></p>" for i in range(5)) + "</div>"
    labels = _container(["About us", "Contact", "Advertise", "Terms of use", "Privacy"] * 3)
    assert _continued(_page(links)) == "\n".join(FIRST)
    assert _continued(_page(labels)) == "\n".join(FIRST)


def test_text_already_extracted_is_not_appended_twice() -> None:
    assert _continued(_page(_container(REST)), FIRST + REST) == "\n".join(FIRST + REST)


def test_an_extraction_whose_last_paragraph_is_not_in_the_page_is_left_alone() -> None:
    extracted = [*FIRST, "A closing paragraph that the page itself does not hold anywhere at all."]
    assert _continued(_page(_container(REST)), extracted) == "\n".join(extracted)


def _body(html: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(html, create_parent="body")


PROSE = " ".join(FIRST + REST)


def test_a_fast_extraction_of_paragraphs_of_prose_is_kept() -> None:
    assert not needs_second_opinion(_body("".join(f"<p>{p}</p>" for p in FIRST + REST)), "\n".join(FIRST + REST * 2))


def test_a_fast_extraction_that_may_be_wrong_gets_the_whole_cascade() -> None:
    menu = "\n".join(["Home", "News", "Sport", "Contact us", "About"] * 40 + [PROSE])
    tables = "<table><tr><td>x</td></tr></table>" * 3 + f"<p>{PROSE}</p>"
    assert needs_second_opinion(_body(f"<p>{FIRST[0]}</p>"), FIRST[0]), "short"
    assert needs_second_opinion(_body("<div>" + PROSE * 2 + "</div>"), PROSE * 2), "no paragraphs"
    assert needs_second_opinion(_body(tables), PROSE * 2), "mostly tables"
    assert needs_second_opinion(_body(f"<p>{PROSE}</p>"), menu), "mostly one- to three-word lines: a menu"
    assert needs_second_opinion(None, ""), "nothing found"
