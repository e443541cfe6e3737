"""Annotations put into rendered HTML: first-mention links, <abbr>, note highlights, sidenotes; all escaped."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.markdown import render_markdown
from digest.model import (
    Acronym,
    AnchoredNote,
    Annotations,
    Document,
    EntityRef,
    Note,
    encode_text,
)
from digest.stages.annotate import annotate_document
from digest.stages.annotate.decorate import Spellings, decorate_html
from digest.stages.annotate.notes import html_text


def href(key: str) -> str:
    return f"/entities/{key}/"


def decorate(markdown: str, annotations: Annotations) -> str:
    return decorate_html(render_markdown(markdown), annotations, href)


def test_first_mention_links_to_the_entity_page_and_later_ones_do_not() -> None:
    found = Annotations(entities=(EntityRef("vladimir-putin", "Vladimir Putin", "person", 2, ("Vladimir Putin", "Putin")),))
    page = decorate("Putin came. Vladimir Putin left.", found)
    assert page == '<p><a class="entity" href="/entities/vladimir-putin/">Putin</a> came. Vladimir Putin left.</p>\n'


def test_links_never_go_inside_links_code_headings_or_attributes() -> None:
    found = Annotations(entities=(EntityRef("india", "India", "place", 5, ("India",)),))
    page = decorate("# India\n\n[India today](https://e.com/India \"India\") and `India` and ![India](i.png)\n\nIndia again.", found)
    assert page.count('class="entity"') == 1
    assert '<p><a class="entity" href="/entities/india/">India</a> again.</p>' in page
    assert '<a href="https://e.com/India" title="India">India today</a>' in page


def test_names_from_scraped_text_are_escaped() -> None:
    name = 'Evil <script>alert("x")</script> Corp'
    found = Annotations(entities=(EntityRef('x"><script>', name, "organisation", 1, (name,)),),
                        acronyms=(Acronym("EVIL", '"><img src=x onerror=alert(1)>'),))
    page = decorate('Evil &lt;script&gt;alert("x")&lt;/script&gt; Corp and EVIL.', found)
    assert "<script>" not in page and "<img" not in page
    assert 'href="/entities/x&quot;&gt;&lt;script&gt;/"' in page
    assert 'title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"' in page


def test_acronym_gets_abbr_on_first_use_only() -> None:
    found = Annotations(acronyms=(Acronym("CAATSA", "Countering America’s Adversaries Through Sanctions Act"),))
    page = decorate("Under CAATSA the US may act. CAATSA is a law.", found)
    assert page.count("<abbr") == 1
    assert '<abbr title="Countering America’s Adversaries Through Sanctions Act">CAATSA</abbr> the US' in page


def test_editor_note_highlights_its_quotation_with_the_note_beside_it() -> None:
    doc = Document("content/articles/a.md", "a", "A", "2021-01-01", encode_text("The deal is worth **$5.4 billion** in all. The deal is done."),
                   notes=(Note("deal is done", "Other reports say USD 5 billion <b>."),))
    found = annotate_document(doc)
    page = decorate_html(render_markdown(doc.body), found, href)
    assert '<mark class="note-anchor" id="note-1">deal is done</mark>' in page
    assert ('<span class="sidenote editor-note" role="note"><span class="sidenote-label">Editor’s note</span> '
            'Other reports say USD 5 billion &lt;b&gt;.</span>') in page


def test_note_prefix_picks_the_right_occurrence_and_spans_markup() -> None:
    body = "The deal was signed. Later the deal was signed **again** today."
    doc = Document("content/articles/a.md", "a", "A", "2021-01-01", encode_text(body),
                   notes=(Note("deal was signed again", "A second signing?", prefix="Later the"),))
    page = decorate_html(render_markdown(body), annotate_document(doc), href)
    assert page.startswith('<p>The deal was signed. Later the <mark class="note-anchor" id="note-1">deal was signed </mark>'
                           '<strong><mark class="note-anchor">again</mark><span class="sidenote editor-note"')
    assert html_text(page).count("A second signing?") == 1


def test_note_whose_quotation_is_gone_is_orphaned_not_dropped() -> None:
    doc = Document("content/articles/a.md", "a", "A", "2021-01-01", encode_text("Nothing here."), notes=(Note("vanished words", "Still mine."),))
    found = annotate_document(doc)
    assert found.notes == (AnchoredNote(Note("vanished words", "Still mine."), "note-1", False),)
    assert "<mark" not in decorate_html(render_markdown(doc.body), found, href)


def test_footnotes_become_sidenotes_and_stay_below() -> None:
    page = decorate("The S-400 arrived.[^1]\n\n[^1]: Per *two* sources.\n", Annotations())
    assert ('<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup><span class="sidenote footnote-sidenote" '
            'role="note"><span class="sidenote-number">1</span> Per <em>two</em> sources.</span>') in page
    assert '<section class="footnotes has-sidenotes">' in page
    assert '<li id="fn1" class="footnote-item"><p>Per <em>two</em> sources.' in page


def test_footnote_with_a_list_stays_below_only() -> None:
    page = decorate("Text.[^1]\n\n[^1]: Sources:\n\n    - one\n    - two\n", Annotations())
    assert "sidenote" not in page
    assert '<section class="footnotes">' in page


# an editor's note beside its quotation: escaped text, no tags inside
_VISIBLE_ADDITIONS = re.compile(r'<span class="sidenote editor-note" role="note"><span class="sidenote-label">[^<]*</span>[^<]*</span>')


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(["India", "Putin", "Vladimir Putin", "NATO", "<b>", "&", "\"", "`code India`", "**bold India**",
                                 "[India](http://x/India)", "# India", "\n\n", "deal was signed", "Indian", "S-400"]),
                max_size=30))
def test_decorating_never_changes_the_text_a_reader_sees(words: list[str]) -> None:
    body = " ".join(words)
    doc = Document("content/articles/a.md", "a", "A", "2021-01-01", encode_text(body), notes=(Note("deal was signed", "n"),))
    found = annotate_document(doc)
    found = Annotations(entities=found.entities + (EntityRef("putin", "Putin", "person", 1, ("Vladimir Putin", "Putin")),),
                        acronyms=(Acronym("NATO", "North Atlantic <Treaty>"),), notes=found.notes)
    rendered = render_markdown(body)
    decorated = decorate_html(rendered, found, href)
    assert html_text(_VISIBLE_ADDITIONS.sub("", decorated)) == html_text(rendered)
    assert html.unescape(decorated).count("<Treaty>") == 0 or "&lt;Treaty&gt;" in decorated


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .\n"), min_size=1, max_size=60), st.data())
def test_any_quotation_taken_from_the_text_anchors(text: str, data: st.DataObject) -> None:
    from digest.stages.annotate.notes import find_anchor
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    found = find_anchor(text, Note(quote, "n", prefix=text[max(0, start - 3):start]))
    if not quote.split():
        assert found is None  # only whitespace: nothing to anchor to
    else:
        assert found is not None
        assert text[found[0]:found[1]].split() == quote.split()


# The spelling finder must find exactly what one regex alternation (its specification) finds:
# leftmost, then longest, whole words, or a spelling followed by a plural "s".
_PIECES = ["S", "S-400", "400", "Putin", "Vladimir", "Vladimir Putin", "UN", "UNSC", "é", "Ünal", "s", "'s", "’s",
           "-", " ", ", ", ".", "x", "_", "Jaishankar"]


def _regex_mentions(forms: list[str], text: str) -> list[tuple[int, int]]:
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-]|[’']?\w)|(?<![\w-])(?:{alternatives})(?=s\b)")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join),
       st.lists(st.sampled_from(_PIECES[:10] + ["Vladimir Putin’s", "-S"]), min_size=1, max_size=6, unique=True))
def test_spellings_find_what_the_equivalent_regex_finds(text: str, forms: list[str]) -> None:
    assert list(Spellings(forms).finditer(text)) == _regex_mentions(forms, text)
