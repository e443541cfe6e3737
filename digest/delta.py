"""digest serve's quick path: a save of article pages applied to the last build's model, not a whole build.

    saved pages --read--> Document --annotate, Markdown--> Article      (the saved articles only)
    last Model + those --corpus steps, updated--> Model                 (names, links, stories, entity pages)
    Model --render the saved articles' pages--> written at once; the browser reloads
    Model --render the rest (render memo)--> written; until then the server holds requests for it back

A whole build reads and hashes every page and runs every step over the whole corpus; a save of one article at
10,000 articles took seconds that way. Here the pages saved are read and annotated alone, and the corpus steps
start from what the last build kept (pipeline.Corpus). The model that comes out is the one a whole build of the
same files makes: tests/serve/test_delta.py holds every page of the result equal to a clean build's.

Only what can be updated so is: a saved page that exists, is published under its own slug, and keeps its
source, its keep lines and its draft flag; a new page, written by hand (no source_file), not a draft, whose slug
no article has; a deleted page that was published under its own slug and written by hand. Anything else (a
page of a source added or deleted, a source, the config, a theme file, a page with problems, a slug taken)
raises NotIncremental, and digest serve runs a whole build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from digest.config import Config
from digest.interning import same_objects
from digest.model import AnnotationIndex, Article, Document, Site
from digest.pages import PageFile, document_from, parse_one
from digest.pipeline import (Corpus, Model, _entity_href, _key, decorate_job, interned_links, markdown_job,
                             terms_job)
from digest.stages.annotate import annotate_document, options_from
from digest.stages.annotate.discrepancies import update_discrepancies
from digest.stages.annotate.index import update_index
from digest.stages.annotate.unification import update_entities
from digest.stages.link import update_links
from digest.story_ids import read_story_ids
from digest.uptodate import FileState, file_bytes, unwritten_since

if TYPE_CHECKING:
    from digest.build import BuildMemory


class NotIncremental(Exception):
    """This change needs a whole build."""


@dataclasses.dataclass(frozen=True)
class Update:
    """A model updated for some saved pages: the new model, and the slugs of the articles saved."""

    model: Model
    saved: tuple[str, ...]


def saved_documents(paths: Iterable[Path], corpus: Corpus, slugs: Iterable[str], root: Path, articles_dir: Path,
                    read: dict[str, FileState | None]) -> dict[str, Document | None]:
    """The documents of the saved pages that changed, by slug (None: the page was deleted); NotIncremental for a
    change a save cannot update. slugs: every article's now. read is given each page's state as read
    (digest.uptodate.FileState, by path; None: deleted), for the record of the build."""
    def shown(path: Path) -> str:  # (as a build's pages and problems name it)
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)

    changed: dict[str, Document | None] = {}
    taken = set(slugs)
    shown_pages = f"{shown(articles_dir)}/"
    for path in paths:
        if path.suffix != ".md" or not path.is_relative_to(articles_dir):
            raise NotIncremental(f"{path}: not an article page")
        display = shown(path)
        doc: Document | None
        old = corpus.documents.get(display)
        if display in corpus.reported:
            raise NotIncremental(f"{display}: a page with problems")
        if not path.exists() and not path.is_symlink():
            # Deleted: a page of the digest's own (a source's page comes back from its source); numbered slugs,
            # which are reported, could change with it.
            if old is None or old.source_file or any(r.startswith(shown_pages) for r in corpus.reported):
                raise NotIncremental(f"{display}: a deleted page that was not one of the digest's own")
            read[str(path)] = None
            slug, doc = old.slug, None
        else:
            doc = _saved_document(path, display, old, corpus, taken, read)
            if doc is None:
                continue  # (unchanged)
            slug = doc.slug
        if slug in changed:
            raise NotIncremental(f"{display}: two saved pages of one slug")
        changed[slug] = doc
    return changed


def _saved_document(path: Path, display: str, old: Document | None, corpus: Corpus, taken: set[str],
                    read: dict[str, FileState | None]) -> Document | None:
    """The document of a saved page that exists, if it changed (None: it did not); NotIncremental when a save
    cannot update it. old: its document in the last build, if it had one."""
    try:
        stat = unwritten_since(os.stat(path))  # before reading: a write in between shows in the record's check
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise NotIncremental(f"{display}: {exc}") from exc
    read[str(path)] = (*stat, hashlib.sha256(data).hexdigest())
    page, problems = parse_one((text, display))
    if page is None or problems or path.is_symlink():
        raise NotIncremental(f"{display}: does not read as a page")
    doc = document_from(PageFile(path, display, page))
    if old is None:  # a new page: written by hand, published, under a slug of its own
        if doc.source_file or doc.draft or page.meta.keep or doc.slug in taken:
            raise NotIncremental(f"{display}: a new page of a source, a draft, or one whose slug is taken")
        return doc
    if doc == old:
        return None
    if (doc.slug, doc.source_file, doc.draft, page.meta.keep) != (old.slug, old.source_file, old.draft,
                                                                    corpus.keep[display]):
        raise NotIncremental(f"{display}: its slug, source, draft flag or keep lines changed")
    return doc


def update_model(model: Model, changed: Mapping[str, Document | None], config: Config, memory: BuildMemory) -> Update:
    """model with the changed documents (by slug; None: deleted) in place of theirs: what a whole build of the files
    would make. The corpus steps' states (Corpus) are updated in place: should this raise, the model is not to be
    used again."""
    corpus = model.corpus
    if corpus is None:
        raise NotIncremental("the last build kept no corpus")
    options = options_from(config.annotation)
    saved = {slug: doc for slug, doc in changed.items() if doc is not None}
    removed = {slug: None for slug, doc in changed.items() if doc is None}  # (None to each state: the article is no more)
    found = {slug: annotate_document(doc, options=options) for slug, doc in saved.items()}
    for slug, annotations in found.items():
        if any(not note.anchored for note in annotations.notes):
            raise NotIncremental(f"{saved[slug].path}: an editor's note lost its quotation (a warning to report)")
    before = {a.doc.slug: a for a in model.site.articles}
    documents = {slug: article.doc for slug, article in before.items() if slug not in removed}
    documents.update(saved)

    # The names made one across the digest: the saved articles, and any other a merge of names renamed.
    entities, unified = update_entities(corpus.entities, {**found, **removed})
    unified = {slug: annotations for slug, annotations in unified.items() if slug in documents}
    terms = {slug: t for slug, t in corpus.terms.items() if slug not in removed}
    entity_href = partial(_entity_href, config)
    articles = {slug: article for slug, article in before.items() if slug not in removed}
    for slug, annotations in unified.items():
        doc = documents[slug]
        terms[slug] = terms_job((doc, annotations))
        html, description = decorate_job((markdown_job(doc.body_utf8), annotations, doc.summary or "", doc.title),
                                         entity_href)
        articles[slug] = Article(doc, html, annotations, description)
    if not removed and all(slug in before and documents[slug].date == before[slug].doc.date for slug in saved):
        newest_first = [articles[a.doc.slug] for a in model.site.articles]  # (newest first: by date, then slug)
    else:
        newest_first = sorted(articles.values(), key=lambda a: (a.doc.date, a.doc.slug), reverse=True)

    known_stories, stories_read = _known_stories(model, corpus, config)
    if corpus.links is None:
        raise NotIncremental("the last build kept no link state")
    linked, links = update_links(corpus.links, {**{slug: (documents[slug], terms[slug], annotations)
                                                   for slug, annotations in unified.items()}, **removed}, known_stories)
    links = interned_links(links, memory)
    index, entries, glossary = update_index(corpus.index, {**{slug: (documents[slug].date, annotations)
                                                              for slug, annotations in unified.items()}, **removed})
    figures, discrepancies = update_discrepancies(corpus.figures, {**unified, **removed},
                                                  [story.articles for story in links.stories])
    named = AnnotationIndex(tuple(same_objects(entries, _key, memory.entities)), glossary, discrepancies)

    from digest.story_ids import story_ids_text  # (a YAML dump: only when the stories changed)
    ids = ({s.id: s.articles for s in links.stories}, links.moved_stories)
    last_ids = ({s.id: s.articles for s in model.site.links.stories}, model.site.links.moved_stories)
    ids_text = model.ids_text if ids == last_ids else story_ids_text(*ids)
    gone_paths = {before[slug].doc.path for slug in removed}
    new_corpus = dataclasses.replace(
        corpus, documents={**{path: d for path, d in corpus.documents.items() if path not in gone_paths},
                           **{d.path: d for d in saved.values()}},
        keep={**{path: k for path, k in corpus.keep.items() if path not in gone_paths},
              **{d.path: () for slug, d in saved.items() if slug not in before}},
        found={**{slug: f for slug, f in corpus.found.items() if slug not in removed}, **found}, terms=terms,
        known_stories=known_stories, entities=entities, index=index, figures=figures, links=linked)
    site = Site(tuple(newest_first), links, named)
    return Update(Model(site, set(), ids_text, model.stories_file, stories_read, new_corpus), tuple(saved))


def _known_stories(model: Model, corpus: Corpus, config: Config) -> tuple[dict[str, tuple[str, ...] | str], bytes | None]:
    """The story ids the stories file holds now, and its bytes: as the last build wrote or read them when the file is
    the same (parsing 650 stories' ids at 10,000 articles took 50 ms), else read again."""
    data = file_bytes(model.stories_file)
    if data is not None and data == model.ids_text.encode():
        links = model.site.links
        ids: dict[str, tuple[str, ...] | str] = {s.id: tuple(s.articles) for s in links.stories}
        ids.update((old, new) for old, new in links.moved_stories.items() if old not in ids)
        return ids, data
    if data == model.stories_read:
        return corpus.known_stories, data
    known, read, problems = read_story_ids(model.stories_file, config.paths.stories)
    if problems:
        raise NotIncremental("the stories file has problems to report")
    return known, read
