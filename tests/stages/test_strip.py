"""strip: boilerplate rules by structure, metadata from the article's own lines, nothing lost."""

from __future__ import annotations

import pytest

from digest.model import Source
from digest.stages.strip import StripOptions, strip_source
from digest.stages.strip.metadata import clean_url, date_line, split_dateline
from digest.stages.strip.rules import LineRules, promo_title
from digest.stages.strip.topic import off_topic_tail

ARTICLE = [
    "Council votes to rebuild the old bridge",
    "The city council voted on Monday to rebuild the old stone bridge over the river, which has been closed to cars since a flood damaged its piers last spring.",
    "Engineers told the council that repairing the bridge would cost almost as much as rebuilding it, and would only last another twenty years at most.",
    "Work on the new bridge is expected to begin next year and to take about eighteen months, during which a temporary footbridge will carry pedestrians.",
    "The mayor said the design would match the old stone arches, and that the original carved parapet stones would be cleaned and reused where possible.",
    "Residents who live near the bridge said they were relieved that the council had finally made a decision after years of debate about the river crossing.",
]


def strip(lines: list[str], options: StripOptions = StripOptions()) -> tuple[str, object]:
    article = strip_source(Source("content/sources/t.txt", "text", "\n\n".join(lines) + "\n", "0"), options)
    return article.body, article


@pytest.mark.parametrize("line, rule", [
    ("Leave a Comment", "comment-prompt"),
    ("Post a Comment", "comment-prompt"),
    ("LEAVE A REPLY", "comment-prompt"),
    ("Please enter your comment!", "comment-prompt"),
    ("No comments available for this post.", "comment-prompt"),
    ("Print Friendly, PDF & Email", "print-share"),
    ("Share on Facebook", "print-share"),
    ("Follow us on Twitter", "follow-subscribe"),
    ("Subscribe to our newsletter", "follow-subscribe"),
    ("We use cookies to improve your experience", "cookie-notice"),
    ("© 2024 Example News. All rights reserved.", "copyright"),
    ("Kommentare", "comment-prompt"),
], ids=lambda value: value if isinstance(value, str) and " " not in value else None)
def test_short_furniture_lines_are_named_by_their_rule(line: str, rule: str) -> None:
    assert LineRules().boilerplate(line) == rule


@pytest.mark.parametrize("line", [
    "Readers who want to leave a comment on the plan can do so at the town hall until Friday, the council said in a statement.",
    "Share prices fell sharply on Monday after the company said its profits would be lower than expected this year.",
    "The deputy CEO also shared that the first group of specialists had completed the training.",
    "The newsletter was first published in Moscow in 1991.",
    "Like many on the left, she voted against the deal.",
    "No responses from the ministry had been received by Friday.",
    "Patel was a journalist for twenty years before he joined the ministry.",
    "| HD | THE HOME DEPOT INC. | 225.86 |",
])
def test_prose_is_never_removed_for_a_word_it_contains(line: str) -> None:
    assert LineRules().boilerplate(line) is None


@pytest.mark.parametrize("line, title", [
    ("Read More: India to buy 70,000 latest AK rifles from Russia", "India to buy 70,000 latest AK rifles from Russia"),
    ("READ ALSO:\u00a0 US summit on democracy", "US summit on democracy"),
    ("Also read - Bridge closed for repairs", "Bridge closed for repairs"),
    ("Read more about the bridge in our archive", None),
])
def test_promo_titles_are_read(line: str, title: str | None) -> None:
    assert promo_title(" ".join(line.split())) == title


def test_strip_moves_promos_to_see_also() -> None:
    body, article = strip([*ARTICLE[:3], "Read More: Floods close the river road", *ARTICLE[3:]])
    assert "Floods close" not in body
    assert article.see_also == ("Floods close the river road",)


def test_strip_drops_off_topic_advert_at_the_end() -> None:
    advert = ("With the new branch in the mall, Example Bank offers premium customers dedicated financial advisors "
              "for wealth management, estate planning and retirement savings products.")
    body, article = strip([*ARTICLE, advert])
    assert "Example Bank" not in body
    assert ("off-topic", advert) in [(r.rule, r.text) for r in article.removed]
    assert ARTICLE[-1] in body


def test_strip_keeps_an_on_topic_last_paragraph() -> None:
    body, _ = strip(ARTICLE)
    assert body.split("\n\n")[-1] == ARTICLE[-1]


def test_strip_takes_title_date_category_and_repeated_title() -> None:
    body, article = strip(["Monday, March 7, 2022", ARTICLE[0], "City News", ARTICLE[0], *ARTICLE[1:]])
    assert (article.title, article.date, article.tags) == (ARTICLE[0], "2022-03-07", ("City News",))
    assert body.split("\n\n")[0] == ARTICLE[1]


def test_strip_reads_byline_into_author_and_source() -> None:
    _, article = strip([*ARTICLE, "This article is written by the team of The River Post."])
    assert (article.author, article.source) == ("The River Post team", "The River Post")


def test_strip_turns_social_post_into_attributed_quote_and_infers_date() -> None:
    body, article = strip([*ARTICLE[:3], "???? | A great day for the city.",
                           "The new bridge will open soon @CityCouncil pic.twitter.com/AbC123",
                           "— Jane Roe (@janeroe) March 8, 2022", *ARTICLE[3:]])
    assert "> A great day for the city.\n>\n> The new bridge will open soon @CityCouncil\n>\n" \
           "> — Jane Roe (@janeroe), March 8, 2022" in body
    assert "pic.twitter.com" not in body and "????" not in body
    assert (article.date, article.date_inferred) == ("2022-03-08", True)
    assert any("inferred" in d.message for d in article.diagnostics)


def test_strip_never_reads_the_clock_for_a_missing_date() -> None:
    _, article = strip(ARTICLE)
    assert article.date is None and not article.date_inferred
    assert any("no publication date" in d.message for d in article.diagnostics)


def test_keep_entry_restores_a_removed_line() -> None:
    body, article = strip([*ARTICLE, "Leave a Comment"], StripOptions(keep=("Leave a Comment",)))
    assert body.endswith("Leave a Comment")
    assert all(r.text != "Leave a Comment" for r in article.removed)


def test_site_phrases_from_config_remove_lines() -> None:
    body, article = strip([*ARTICLE[:2], "Powered by Gazette Cloud", *ARTICLE[2:]],
                          StripOptions(boilerplate=("gazette cloud",)))
    assert "Gazette Cloud" not in body
    assert ("site-phrase", "Powered by Gazette Cloud") in [(r.rule, r.text) for r in article.removed]


def test_scraped_markup_is_escaped_in_the_body() -> None:
    body, _ = strip([*ARTICLE[:2], "# not a heading <b>bold</b> and [a link](http://x) about the bridge.",
                     *ARTICLE[2:]])
    assert "\\# not a heading \\<b\\>" in body and "\\[a link\\]" in body


@pytest.mark.parametrize("line, day", [
    ("Tuesday, April 06, 2021", "2021-04-06"),
    ("Published: 6 April 2021 10:30 IST", "2021-04-06"),
    ("2021-04-06", "2021-04-06"),
    ("April 31, 2021", None),
    ("The summit on April 6, 2021 was the first of its kind in many years for both sides.", None),
])
def test_date_lines(line: str, day: str | None) -> None:
    assert date_line(line) == day


@pytest.mark.parametrize("paragraph, place", [
    ("New Delhi [India]: Russia has started the delivery of the system to India.", "New Delhi, India"),
    ("NEW YORK (Reuters) - Stocks rose on Monday as investors cheered the results.", "New York"),
    ("Essentially: what we are looking at is a long-term arrangement.", None),
])
def test_datelines(paragraph: str, place: str | None) -> None:
    assert split_dateline(paragraph)[0] == place


def test_tracking_parameters_leave_urls() -> None:
    assert clean_url("https://x.example/a?utm_source=tw&id=3&fbclid=Z#utm_medium=x") == "https://x.example/a?id=3"


def test_off_topic_tail_needs_a_real_article_first() -> None:
    assert off_topic_tail(["one paragraph", "another"]) == 0


@pytest.mark.parametrize("raw, clean", [
    ("India\u2019s deal", "India\u2019s deal"),
    ("India\u00e2\u20ac\u2122s deal", "India\u2019s deal"),  # UTF-8 read as Windows-1252
    ("Turkey received its\u00a0first  deliveries\u200b", "Turkey received its first deliveries"),
    ("T he Davis Cup began on Monday", "The Davis Cup began on Monday"),
    ("X is the platform formerly known as Twitter", "X is the platform formerly known as Twitter"),
])
def test_normalize_repairs_text_without_changing_words(raw: str, clean: str) -> None:
    from digest.stages.strip.normalize import normalize_text

    assert normalize_text(raw) == clean


def test_a_list_announced_by_a_colon_stays_with_the_article_in_a_page_dump() -> None:
    menu = ["Home", "News", "Sport", "Culture", "Opinion", "Business", "Travel", "Video"]
    dates = ["June 9 -- Coral Arena, Tampa", "June 10 -- Bay Hall, Miami", "June 14 -- River Park, Atlanta",
             "June 17 -- Main Arena, Nashville"]
    body, article = strip([*menu, *ARTICLE, "The tour dates:", *dates, "About us", "Contact", "Careers", "Advertise"])
    assert all(d in body for d in dates)
    assert "About us" not in body and "Careers" not in body
