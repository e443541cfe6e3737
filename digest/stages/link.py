"""Link: the whole-corpus stage. Related pieces (with reasons), stories with timelines,
near-duplicates, and "Read More" lines resolved to articles of the digest.

Runs once, after every article is read and annotated; see docs/linking.md for the scoring and
for how it would run on a cluster. `digest serve` keeps the stage's state (link_state) and brings it
up to date for the articles an edit changed (update_links), with the same result as a whole run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from digest.config import Linking
from digest.link_state import LinkState, link_state, update_links
from digest.link_terms import ArticleTerms, article_terms
from digest.model import Annotations, Document, Links

__all__ = ["LinkState", "link_articles", "link_corpus", "link_state", "update_links"]


def link_articles(docs: Sequence[Document], annotations: Mapping[str, Annotations], options: Linking,
                  aliases: Mapping[str, Iterable[str]] = {}, known_stories: Mapping[str, Sequence[str] | str] = {}) -> Links:
    """Related pieces, stories, duplicates and resolved references of the corpus docs. known_stories:
    the story ids earlier builds gave out, {id: slugs} (digest.story_ids)."""
    terms = {d.slug: article_terms(d, annotations.get(d.slug)) for d in docs}
    return link_corpus(docs, terms, annotations, options, aliases, known_stories)


def link_corpus(docs: Sequence[Document], terms_by_slug: Mapping[str, ArticleTerms],
                annotations: Mapping[str, Annotations], options: Linking,
                aliases: Mapping[str, Iterable[str]] = {}, known_stories: Mapping[str, Sequence[str] | str] = {}) -> Links:
    """link_articles with each article's terms already read (digest.link_terms.article_terms is
    per-article work: it can run in parallel and be cached by content; this part needs the corpus)."""
    return link_state(docs, terms_by_slug, annotations, options, aliases, known_stories)[1]
